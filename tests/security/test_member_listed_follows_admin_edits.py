"""``Member.listed`` (what the members list reads, rules §5/§16) follows the
user on every path, including staff editing a Member in the admin: a member added for, or moved
to, an account that is banned or has no complete profile must not be listed."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from matching.selectors.discovery import DiscoverFilters, members_discover
from profiles.models import Member
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def listed(member: Member) -> bool:
    return Member.objects.values_list("listed", flat=True).get(pk=member.pk)


def _admin_save(member: Member, *, change: bool) -> None:
    staff = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().post("/admin/")
    request.user = staff
    model_admin = site._registry[Member]
    form = model_admin.get_form(request, member if change else None)
    model_admin.save_model(request, member, form, change)


def test_admin_moving_a_member_to_a_banned_account_unlists_it():
    viewer = MemberFactory()
    member = MemberFactory(name="Moved")
    banned = UserFactory(is_active=False, profile_complete=True)
    member.user = banned
    _admin_save(member, change=True)
    assert not listed(member)
    page = members_discover(viewer=viewer.user, filters=DiscoverFilters())
    assert "Moved" not in [c.member.name for c in page.cards]


def test_admin_adding_a_member_for_an_incomplete_account_does_not_list_it():
    incomplete = UserFactory(profile_complete=False)
    template = MemberFactory.build(user=incomplete, name="Added")
    _admin_save(template, change=False)
    assert not listed(Member.objects.get(user=incomplete))


def test_admin_editing_a_listed_member_keeps_it_listed():
    member = MemberFactory()
    member.city = "Haifa"
    _admin_save(member, change=True)
    assert listed(member)
