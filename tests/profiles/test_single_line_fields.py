"""Names and other one-line profile fields refuse control characters (issue 13 item 8): a name
such as "Ron\r\nBcc: x@y" would otherwise travel into e-mail subjects and headers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from profiles import services
from profiles.models import Member
from tests.profiles.test_onboarding import answers
from tests.profiles.test_profile_pages import edit_answers

pytestmark = pytest.mark.django_db

BAD = ["Ron\r\nBcc: x@y", "Ron\nBcc", "Ron\x00", "Ron\x1b[31m", "Ron\u2028Bcc", "Ron\tRon"]


@pytest.mark.parametrize("name", BAD)
def test_edit_refuses_a_name_with_control_characters(member_client, name):
    me = member_client.member
    before = me.name

    response = member_client.post("/members/edit/", edit_answers(me, name=name))

    assert response.status_code == 400
    assert "Use a single line of text without line breaks or control characters." in (
        response.content.decode()
    )
    me.refresh_from_db()
    assert me.name == before


@pytest.mark.parametrize("field", ["city", "country"])
def test_edit_refuses_places_with_line_breaks(member_client, field):
    me = member_client.member

    response = member_client.post("/members/edit/", edit_answers(me, **{field: "Haifa\r\nX"}))

    assert response.status_code == 400
    me.refresh_from_db()
    assert "\n" not in getattr(me, field)


def test_onboarding_refuses_the_name_and_creates_no_member(client):
    from tests.factories import UserFactory

    user = UserFactory(profile_complete=False)
    client.force_login(user)

    response = client.post("/complete-profile/", answers(name="Ron\r\nBcc: x@y"))

    assert response.status_code == 400
    assert not Member.objects.filter(user=user).exists()


def test_the_service_refuses_it_too(member):
    with pytest.raises(ValidationError) as excinfo:
        services.member_update_profile(
            member=member,
            name="Ron\r\nBcc: x@y",
            date_of_birth=member.date_of_birth,
            gender=member.gender,
            city=member.city,
            country=member.country,
            description=member.description,
            interests=[],
            preferred_genders=["male"],
            preferred_age_min=20,
            preferred_age_max=40,
        )
    assert "name" in excinfo.value.message_dict


def test_hebrew_and_ordinary_names_still_pass(member_client):
    me = member_client.member
    response = member_client.post("/members/edit/", edit_answers(me, name="נועה-Lee O'Neil"))
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.name == "נועה-Lee O'Neil"
