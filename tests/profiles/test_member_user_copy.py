"""``Member.preferred_age_min`` / ``preferred_age_max`` are copies of the user's preferred age
range (User is the source of truth, rules §2) that smart-match scoring reads instead of joining
``accounts_user`` (rules §11, §16). The copy follows the user on every write path: onboarding,
the profile edit form, the admin (user and member), any ``User.save()``, and queryset
``update()`` calls followed by ``member_user_sync``; the migration backfills existing rows."""

from __future__ import annotations

import importlib
from datetime import date
from io import StringIO

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.forms import MultiWidget
from django.test import RequestFactory

from accounts.models import User
from profiles.models import Member
from profiles.services import member_complete_profile, member_user_sync
from tests.factories import MemberFactory, UserFactory
from tests.profiles.test_onboarding import answers
from tests.profiles.test_profile_pages import edit_answers

pytestmark = pytest.mark.django_db


def copy_of(member: Member) -> tuple[int, int]:
    """The member row's copy, read from the database."""
    return Member.objects.values_list("preferred_age_min", "preferred_age_max").get(pk=member.pk)


def test_factory_member_copies_its_users_range():
    member = MemberFactory(user=UserFactory(preferred_age_min=30, preferred_age_max=44))
    assert copy_of(member) == (30, 44)


def test_onboarding_copies_the_chosen_range(client):
    user = UserFactory(profile_complete=False)
    client.force_login(user)
    response = client.post(
        "/complete-profile/", answers(preferred_age_min="27", preferred_age_max="39")
    )
    assert response.status_code == 302
    assert copy_of(Member.objects.get(user=user)) == (27, 39)


def test_onboarding_service_copies_the_range_without_an_extra_write():
    user = UserFactory(profile_complete=False)
    member = member_complete_profile(
        user=user,
        name="Dana",
        date_of_birth=date(1990, 3, 3),
        gender=Member.Gender.FEMALE,
        city="Haifa",
        country="Israel",
        description="Hi",
        interests=[],
        preferred_genders=["male"],
        preferred_age_min=31,
        preferred_age_max=52,
    )
    assert copy_of(member) == (31, 52)
    assert member_user_sync(user_ids=[user.pk]) == 0  # already in step


def test_profile_edit_form_updates_the_copy(client):
    member = MemberFactory()  # 18-100
    client.force_login(member.user)
    response = client.post(
        "/members/edit/", edit_answers(member, preferred_age_min="22", preferred_age_max="33")
    )
    assert response.status_code == 302
    assert response["Location"] != "/complete-profile/"
    assert copy_of(member) == (22, 33)


def test_user_save_updates_the_copy_and_other_fields_leave_it_alone():
    member = MemberFactory()
    user = member.user
    user.preferred_age_min, user.preferred_age_max = 40, 60
    user.save(update_fields=["preferred_age_min", "preferred_age_max"])
    assert copy_of(member) == (40, 60)

    user.preferred_age_max = 70
    user.save()  # a full save (no update_fields) syncs too
    assert copy_of(member) == (40, 70)

    Member.objects.filter(pk=member.pk).update(preferred_age_min=18)  # a stale copy
    user.save(update_fields=["name", "time_zone"])  # neither flag nor range: no sync
    assert copy_of(member) == (18, 70)


def _admin_change_data(form) -> dict:  # type: ignore[no-untyped-def]
    """POST data of an admin change form as the browser would send it unchanged."""
    data: dict = {}
    for bound in form:
        field = bound.field
        if field.disabled:
            continue
        value = bound.value()
        if isinstance(field.widget, MultiWidget):  # split date + time
            for i, part in enumerate(field.widget.decompress(value)):
                data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        else:
            data[bound.html_name] = "" if value is None else str(value)
    return data


def test_admin_user_change_form_updates_the_copy(client):
    member = MemberFactory(user=UserFactory(preferred_age_min=18, preferred_age_max=100))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/accounts/user/{member.user_id}/change/"
    data = _admin_change_data(client.get(url).context["adminform"].form)
    data.update(preferred_age_min="35", preferred_age_max="45")

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.values_list("preferred_age_min", "preferred_age_max").get(
        pk=member.user_id
    ) == (35, 45)
    assert copy_of(member) == (35, 45)


def test_admin_moving_a_member_to_another_user_copies_that_users_range():
    member = MemberFactory(user=UserFactory(preferred_age_min=18, preferred_age_max=100))
    other = UserFactory(profile_complete=True, preferred_age_min=50, preferred_age_max=65)
    staff = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().post("/admin/")
    request.user = staff
    model_admin = site._registry[Member]
    member.user = other

    model_admin.save_model(request, member, model_admin.get_form(request, member), True)

    assert copy_of(member) == (50, 65)


def test_queryset_update_then_sync_copies_each_users_range_and_counts_writes():
    a, b, c = MemberFactory(), MemberFactory(), MemberFactory()
    User.objects.filter(pk=a.user_id).update(preferred_age_min=20, preferred_age_max=30)
    User.objects.filter(pk=b.user_id).update(preferred_age_max=90)
    assert copy_of(a) == (18, 100)  # an update() bypasses save(): the caller syncs

    assert member_user_sync(user_ids=[a.user_id, b.user_id, c.user_id]) == 2  # c unchanged

    assert (copy_of(a), copy_of(b), copy_of(c)) == ((20, 30), (18, 90), (18, 100))
    assert member_user_sync(user_ids=[a.user_id, b.user_id, c.user_id]) == 0
    assert member_user_sync(user_ids=[]) == 0


def test_one_sync_carries_both_listed_and_the_range():
    member = MemberFactory()
    User.objects.filter(pk=member.user_id).update(is_active=False, preferred_age_min=45)

    assert member_user_sync(user_ids=[member.user_id]) == 1

    row = Member.objects.values_list("listed", "preferred_age_min").get(pk=member.pk)
    assert row == (False, 45)


def test_backfill_migration_copies_every_users_range():
    backfill = importlib.import_module("profiles.migrations.0007_member_preferred_age_backfill")
    stale = MemberFactory(user=UserFactory(preferred_age_min=26, preferred_age_max=48))
    fresh = MemberFactory()
    Member.objects.filter(pk=stale.pk).update(preferred_age_min=18, preferred_age_max=100)

    with connection.cursor() as cursor:
        cursor.execute(backfill.COPY_USER_RANGE)
        written = cursor.rowcount

    assert written == 1  # only the stale row
    assert (copy_of(stale), copy_of(fresh)) == ((26, 48), (18, 100))


def test_seed_demo_members_carry_their_users_range():
    call_command("seed_demo", members=12, seed=3, stdout=StringIO())

    members = Member.objects.all()
    assert members.count() >= 12
    assert not members.exclude(
        preferred_age_min=F("user__preferred_age_min"),
        preferred_age_max=F("user__preferred_age_max"),
    ).exists()
    assert members.exclude(preferred_age_min=18, preferred_age_max=100).exists()  # not defaults
