"""Issue 18, about me: gender identity (mapped to the discovery group "show me" uses),
orientation, pronouns, education and languages, all optional, shown as chips; each detail has
a "visible on my profile" switch, and a hidden detail shows nowhere to others."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from matching.selectors.discovery import DiscoverFilters
from profiles import services
from profiles.selectors import detail_chips
from tests.factories import MemberFactory
from tests.matching.factories import viewer_member
from tests.matching.test_discover import discover, names
from tests.profiles.test_profile_pages import edit_answers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("identity", "group"),
    [("trans_woman", "female"), ("trans_man", "male"), ("non_binary", "other"), ("man", "male")],
)
def test_gender_identity_sets_the_discovery_group(identity, group):
    member = MemberFactory(gender="female")
    services.member_details_set(member=member, gender_identity=identity)
    member.refresh_from_db()
    assert (member.gender_identity, member.gender) == (identity, group)


def _profile_edit(member, *, gender):
    services.member_update_profile(
        member=member,
        name=member.name,
        date_of_birth=member.date_of_birth,
        gender=gender,
        city=member.city,
        country=member.country,
        description=member.description,
        interests=[],
        preferred_genders=["male", "female"],
        preferred_age_min=18,
        preferred_age_max=99,
        latitude=member.latitude,
        longitude=member.longitude,
    )
    member.refresh_from_db()


def test_changing_i_am_to_another_group_clears_a_gender_identity_that_would_disagree():
    member = MemberFactory(gender="female")
    services.member_details_set(member=member, gender_identity="trans_woman")
    _profile_edit(member, gender="female")  # same group: kept
    assert (member.gender, member.gender_identity) == ("female", "trans_woman")
    _profile_edit(member, gender="male")  # "I am: man" while the identity said woman
    assert (member.gender, member.gender_identity) == ("male", "")


def test_non_binary_members_are_shown_to_those_who_want_other_people():
    me = viewer_member()
    MemberFactory(name="nb", gender="other", gender_identity="non_binary")
    MemberFactory(name="w", gender="female", gender_identity="trans_woman")
    assert names(discover(me, DiscoverFilters(genders=("other",), distance_km=None))) == ["nb"]
    assert names(discover(me, DiscoverFilters(genders=("female",), distance_km=None))) == ["w"]


def test_languages_are_checked_and_kept_in_catalogue_order():
    member = MemberFactory()
    services.member_details_set(member=member, languages=["en", "he", "en"])
    member.refresh_from_db()
    assert member.languages == ["he", "en"]
    with pytest.raises(ValidationError):
        services.member_details_set(member=member, languages=["klingon"])
    with pytest.raises(ValidationError):
        services.member_details_set(member=member, details_hidden=["salary"])


def test_edit_page_saves_the_new_details_and_visibility_switches(member_client, client):
    me = member_client.member
    response = member_client.post(
        reverse("profiles:member_edit"),
        edit_answers(
            me,
            gender_identity="non_binary",
            orientation="queer",
            pronouns="they",
            education="master",
            languages=["he", "ar"],
            intention="long_term",
            detail_switches="1",
            **{
                "visible_gender_identity": "on",
                "visible_pronouns": "on",
                "visible_education": "on",
                "visible_languages": "on",
                "visible_intention": "on",
            },
        ),
    )
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.gender == "other"
    assert (me.orientation, me.pronouns, me.education) == ("queer", "they", "master")
    assert "orientation" in me.details_hidden
    assert "intention" not in me.details_hidden

    client.cookies["django_language"] = "en"
    own = client.get(reverse("profiles:member_detail", args=[me.user_id])).content.decode()
    assert "Queer" in own  # the owner sees every detail

    client.force_login(MemberFactory().user)
    page = client.get(reverse("profiles:member_detail", args=[me.user_id])).content.decode()
    for shown in ("Non-binary", "they/them", "Master&#x27;s degree", "Hebrew, Arabic"):
        assert shown in page
    assert "Queer" not in page


def test_a_post_without_the_switches_leaves_visibility_alone(member_client):
    me = member_client.member
    me.details_hidden = ["smoking"]
    me.save()
    member_client.post(reverse("profiles:member_edit"), edit_answers(me, smoking="never"))
    me.refresh_from_db()
    assert me.details_hidden == ["smoking"]


def test_hidden_details_are_not_chips_for_others_nor_on_the_deck(client):
    me = viewer_member()
    MemberFactory(
        name="Hidden",
        intention="long_term",
        observance="orthodox",
        pronouns="she",
        details_hidden=["observance", "pronouns"],
    )
    hidden = MemberFactory.build(
        intention="long_term", observance="orthodox", details_hidden=["observance"]
    )
    assert [label for _i, label in detail_chips(hidden)] == ["Long-term relationship"]
    assert len(detail_chips(hidden, shown_to_owner=True)) == 2
    client.force_login(me.user)
    client.cookies["django_language"] = "en"
    html = client.get("/discover/", {"distance": "any"}).content.decode()
    assert "Long-term relationship" in html
    assert "Orthodox" not in html
    assert "she/her" not in html
