"""Intentions and life details (issue 18): dating intention, religious outlook, height,
children, smoking and drinking are optional, saved from Edit profile and shown as translated
chips on the profile page and the deck card."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from profiles import services
from profiles.selectors import detail_chips
from tests.factories import MemberFactory
from tests.profiles.test_profile_pages import edit_answers

pytestmark = pytest.mark.django_db


def test_details_set_saves_and_clears_and_refuses_bad_values():
    member = MemberFactory()
    services.member_details_set(
        member=member, intention="long_term", observance="traditional", height_cm=172
    )
    member.refresh_from_db()
    assert (member.intention, member.observance, member.height_cm) == (
        "long_term",
        "traditional",
        172,
    )
    services.member_details_set(member=member, intention="", height_cm=None)
    member.refresh_from_db()
    assert (member.intention, member.height_cm) == ("", None)
    for bad, code in (
        ({"intention": "marriage-tomorrow"}, "bad_detail"),
        ({"height_cm": 300}, "bad_height"),
        ({"salary": "high"}, "bad_detail"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.member_details_set(member=member, **bad)
        assert exc.value.code == code


def test_edit_page_saves_details_and_the_profile_shows_them_as_chips(member_client, settings):
    me = member_client.member
    response = member_client.post(
        "/members/edit/",
        edit_answers(
            me,
            intention="long_open",
            observance="religious",
            height_cm="181",
            children_have="no",
            children_want="want",
            smoking="never",
            drinking="sometimes",
        ),
    )
    assert response.status_code == 302
    me.refresh_from_db()
    assert (me.intention, me.observance, me.height_cm, me.smoking) == (
        "long_open",
        "religious",
        181,
        "never",
    )
    body = member_client.get(f"/members/{me.user_id}/").content.decode()
    for text in (
        "Long-term, open to short",
        "Religious",
        "181 cm",
        "No children",
        "Wants children",
        "Smoking: Never",
        "Drinking: Sometimes",
    ):
        assert text in body
    member_client.cookies["django_language"] = "he"
    hebrew = member_client.get(f"/members/{me.user_id}/").content.decode()
    assert "טווח ארוך, פתוח/ה גם לקצר" in hebrew
    assert "דתי/ה" in hebrew
    assert '181 ס"מ' in hebrew or "181 ס&quot;מ" in hebrew


def test_edit_page_refuses_an_impossible_height(member_client):
    me = member_client.member
    response = member_client.post("/members/edit/", edit_answers(me, height_cm="40"))
    assert response.status_code == 400
    me.refresh_from_db()
    assert me.height_cm is None


def test_no_chips_for_details_left_empty():
    assert detail_chips(MemberFactory()) == []


def test_deck_card_shows_the_details_as_chips(client):
    viewer = MemberFactory(gender="male")
    viewer.user.preferred_genders = "female"
    viewer.user.save(update_fields=["preferred_genders"])
    MemberFactory(gender="female", intention="friends", observance="secular", height_cm=165)
    client.force_login(viewer.user)
    body = client.get("/discover/").content.decode()
    assert '<ul class="detail-chips"' in body
    for text in ("New friends", "Secular", "165 cm"):
        assert text in body
