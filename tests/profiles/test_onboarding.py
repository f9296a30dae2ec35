"""Onboarding at /complete-profile/ (rules §3): 18+ rule, drafts, redirects, member creation."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from profiles import services
from profiles.models import Interest, Member, Photo
from tests.factories import UserFactory, image_bytes, image_upload

pytestmark = pytest.mark.django_db

URL = "/complete-profile/"


def answers(**overrides):
    data = {
        "name": "Noa",
        "date_of_birth": "1996-04-02",
        "gender": "female",
        "city": "Haifa",
        "country": "Israel",
        "description": "I like long walks on the Carmel.",
        "interests": [str(i.pk) for i in Interest.objects.order_by("slug")[:3]],
        "preferred_genders": ["male"],
        "preferred_age_min": "25",
        "preferred_age_max": "40",
        "latitude": "",
        "longitude": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def new_client(client):
    user = UserFactory(profile_complete=False)
    client.force_login(user)
    client.user = user
    return client


def test_interest_catalogue_is_loaded():
    assert Interest.objects.count() >= 60


def test_incomplete_user_is_redirected_from_member_pages(new_client):
    for path in ["/members/", "/members/edit/", "/messages/"]:
        response = new_client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == URL


def test_htmx_request_from_incomplete_user_gets_hx_redirect(new_client):
    response = new_client.get("/members/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == URL


def test_account_pages_are_not_redirected(new_client):
    assert new_client.get("/accounts/password/change/").status_code == 200
    assert new_client.get("/settings/").status_code == 200
    assert new_client.get(URL).status_code == 200


def test_complete_member_is_not_redirected(member_client):
    response = member_client.get(f"/members/{member_client.member.user_id}/")
    assert response.status_code == 200


def test_onboarding_page_renders_grouped_interests_in_language(new_client):
    interest = Interest.objects.get(slug=Interest.objects.first().slug)
    response = new_client.get(URL, headers={"Accept-Language": "en"})
    body = response.content.decode()
    assert interest.name in body
    assert interest.icon in body
    assert "Entertainment" in body or "Outdoor" in body


def test_complete_profile_creates_member_and_marks_user(new_client):
    response = new_client.post(
        URL,
        answers(latitude="32.79400", longitude="34.98960", photos=[image_upload()]),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:discover")
    member = Member.objects.get(user=new_client.user)
    user = member.user
    assert user.profile_complete is True
    assert user.name == "Noa"
    assert user.preferred_genders == "male"
    assert (user.preferred_age_min, user.preferred_age_max) == (25, 40)
    assert member.interests.count() == 3
    assert member.location_enabled
    assert member.latitude == pytest.approx(32.794)
    photo = Photo.objects.get(member=member)
    assert photo.is_approved is False
    assert member.image == ""  # pending photos are never main


def test_complete_profile_redirects_to_edit_once_complete(member_client):
    assert member_client.get(URL)["Location"] == reverse("profiles:member_edit")


@pytest.mark.parametrize(
    ("today", "birthday", "ok"),
    [
        ("2026-05-10", "2008-05-11", False),  # turns 18 tomorrow
        ("2026-05-10", "2008-05-10", True),  # 18 today
        ("2026-02-28", "2008-02-29", False),  # leap-day birthday: not reached on 28 Feb ...
        ("2026-03-01", "2008-02-29", True),  # ... but on 1 March in a common year
        ("2028-02-29", "2010-02-28", True),
        ("2028-02-28", "2010-02-29", False),  # invalid date: clean form error, not a crash
    ],
)
def test_18_plus_rule(client, today, birthday, ok):
    with time_machine.travel(today + " 12:00 +02:00", tick=False):
        user = UserFactory(profile_complete=False)
        client.force_login(user)
        response = client.post(URL, answers(date_of_birth=birthday))
    if ok:
        assert response.status_code == 302
        assert Member.objects.filter(user=user).exists()
    else:
        assert response.status_code == 400
        if birthday != "2010-02-29":
            assert "at least 18" in response.content.decode()
        assert not Member.objects.filter(user=user).exists()


def test_service_refuses_under_18_too():
    user = UserFactory(profile_complete=False)
    with (
        time_machine.travel("2026-05-10 12:00 +02:00", tick=False),
        pytest.raises(ValidationError) as exc,
    ):
        services.member_complete_profile(
            user=user,
            name="X",
            date_of_birth=date(2008, 5, 11),
            gender="male",
            city="Tel Aviv",
            country="Israel",
            description="hi",
            interests=[],
            preferred_genders=["female"],
            preferred_age_min=18,
            preferred_age_max=30,
        )
    assert exc.value.code == "underage"


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"preferred_age_min": "40", "preferred_age_max": "30"}, "oldest age"),
        ({"preferred_age_min": "17"}, "18"),
        ({"preferred_age_max": "101"}, "100"),
        ({"preferred_genders": []}, "at least one gender"),
        ({"latitude": "95", "longitude": "34"}, "location is not valid"),
        ({"latitude": "32.1", "longitude": ""}, "location is incomplete"),
        ({"gender": "robot"}, "robot"),
        ({"date_of_birth": "2099-01-01"}, "future"),
    ],
)
def test_bad_answers_give_clear_errors(new_client, overrides, field_error):
    response = new_client.post(URL, answers(**overrides), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert not Member.objects.filter(user=new_client.user).exists()


def test_bad_photo_is_rejected_with_clear_error(new_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cat.jpg", b"not really an image" * 10, "image/jpeg")
    response = new_client.post(URL, answers(photos=[fake]), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP" in response.content.decode()
    assert not Member.objects.exists()


def test_seven_photos_are_too_many(new_client):
    photos = [image_upload(name=f"{i}.jpg") for i in range(7)]
    response = new_client.post(URL, answers(photos=photos))
    assert response.status_code == 400
    assert not Member.objects.exists()


def test_draft_survives_a_reload(new_client):
    interests = [str(i.pk) for i in Interest.objects.order_by("slug")[:2]]
    response = new_client.post(
        reverse("profiles:complete_profile_draft"),
        {"name": "Dana", "city": "Eilat", "interests": interests, "preferred_genders": ["female"]},
    )
    assert response.status_code == 200

    page = new_client.get(URL).content.decode()

    assert 'value="Dana"' in page
    assert 'value="Eilat"' in page
    for pk in interests:
        assert f'value="{pk}" checked' in page
    assert 'value="female" id="id_preferred_genders_1" checked' in page or (
        'value="female"' in page and "checked" in page
    )


def test_failed_submit_keeps_draft_and_success_clears_it(new_client):
    new_client.post(URL, answers(city="Akko", preferred_age_min="50", preferred_age_max="20"))
    assert 'value="Akko"' in new_client.get(URL).content.decode()
    new_client.post(URL, answers(city="Akko"))
    assert "profile_draft" not in new_client.session


def test_double_submit_creates_one_member(new_client):
    new_client.post(URL, answers())
    response = new_client.post(URL, answers(name="Other"))
    assert response.status_code == 302
    assert Member.objects.filter(user=new_client.user).count() == 1
    assert Member.objects.get(user=new_client.user).name == "Noa"


def test_photo_in_onboarding_is_stored_without_exif(new_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.profiles.test_photo_services import jpeg_with_gps_exif

    upload = SimpleUploadedFile("gps.jpg", jpeg_with_gps_exif(), "image/jpeg")
    new_client.post(URL, answers(photos=[upload]))
    photo = Photo.objects.get(member__user=new_client.user)
    with photo.file.open("rb") as f:
        assert b"SpyCam" not in f.read()
    assert image_bytes()  # factory helper still usable
