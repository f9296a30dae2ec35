"""Both sides' preferences in discovery (issue 15): a member whose preferred genders or age
range leave the viewer out never appears to that viewer (deck, members list, smart matches,
assistant cards), and an edit of their preferences moves them out of or into others' results
at once, cached smart matches included."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.skills import find_matches
from matching.models import SmartMatchCache
from matching.selectors.discovery import discovery_visible_user_ids
from matching.smart import smart_matches_for
from matching.smart.page import smart_match_page
from profiles import services as profile_services
from profiles.models import Member
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _member(name: str, *, gender: str, wants: str, age_range=(18, 100), born=date(1994, 3, 1)):
    user = UserFactory(
        profile_complete=True,
        preferred_genders=wants,
        preferred_age_min=age_range[0],
        preferred_age_max=age_range[1],
    )
    return MemberFactory(user=user, name=name, gender=gender, date_of_birth=born)


def _everywhere(client, viewer: Member) -> dict[str, str]:
    viewer = Member.objects.select_related("user").get(pk=viewer.pk)
    return {
        "list": client.get("/members/", {"distance": "any"}).content.decode(),
        "deck": client.get("/discover/", {"distance": "any"}).content.decode(),
        "smart": " ".join(c.member.name for c in smart_match_page(member=viewer).cards),
        "assistant": " ".join(m.user_id for m in find_matches(member=viewer, limit=10)),
    }


def test_members_whose_preferences_leave_the_viewer_out_appear_nowhere(client):
    # The viewer: a 32-year-old man who wants women.
    viewer = _member("Viewer", gender="male", wants="female")
    fits = _member("Fitsboth", gender="female", wants="male,female")
    wrong_gender = _member("Wantswomen", gender="female", wants="female")
    too_old_for_her = _member("Wantsyounger", gender="female", wants="male", age_range=(18, 30))
    client.force_login(viewer.user)

    seen = _everywhere(client, viewer)

    for where in ("list", "deck", "smart"):
        assert "Fitsboth" in seen[where], where
        assert "Wantswomen" not in seen[where], where
        assert "Wantsyounger" not in seen[where], where
    assert str(fits.user_id) in seen["assistant"]
    assert str(wrong_gender.user_id) not in seen["assistant"]
    assert str(too_old_for_her.user_id) not in seen["assistant"]


def test_a_preference_edit_moves_a_member_out_and_in_at_once(client):
    viewer = _member("Viewer", gender="male", wants="female")
    other = _member("Changesmind", gender="female", wants="male")
    client.force_login(viewer.user)
    fresh_viewer = Member.objects.select_related("user").get(pk=viewer.pk)
    smart_matches_for(member=fresh_viewer)  # the viewer's smart matches are cached now
    assert "Changesmind" in _everywhere(client, viewer)["list"]

    # She now wants women only: gone from the viewer's results, the cached ones too.
    profile_services._apply_preferences(
        other.user, preferred_genders=["female"], age_min=18, age_max=100
    )
    other.user.save(update_fields=["preferred_genders"])
    assert Member.objects.get(pk=other.pk).prefers_male is False
    seen = _everywhere(client, viewer)
    assert all("Changesmind" not in seen[w] for w in ("list", "deck", "smart"))
    assert str(other.user_id) not in seen["assistant"]

    # Back to men: the viewer's cache is dropped, and she is back everywhere.
    fresh_viewer = Member.objects.select_related("user").get(pk=viewer.pk)
    smart_matches_for(member=fresh_viewer)
    assert SmartMatchCache.objects.filter(user=viewer.user).exists()
    profile_services._apply_preferences(
        other.user, preferred_genders=["male", "female"], age_min=18, age_max=100
    )
    other.user.save(update_fields=["preferred_genders"])
    assert not SmartMatchCache.objects.filter(user=viewer.user).exists()
    seen = _everywhere(client, viewer)
    assert all("Changesmind" in seen[w] for w in ("list", "deck", "smart"))
    assert str(other.user_id) in seen["assistant"]


def test_the_age_range_edit_through_the_profile_form_service_applies_at_once(client):
    viewer = _member("Viewer", gender="male", wants="female", born=date(1980, 1, 1))
    other = _member("Agerange", gender="female", wants="male", age_range=(18, 35))
    client.force_login(viewer.user)
    assert "Agerange" not in client.get("/members/", {"distance": "any"}).content.decode()

    member = Member.objects.select_related("user").get(pk=other.pk)
    profile_services.member_update_profile(
        member=member,
        name=member.name,
        date_of_birth=member.date_of_birth,
        gender=member.gender,
        city=member.city,
        country=member.country,
        description=member.description,
        interests=[],
        preferred_genders=["male"],
        preferred_age_min=30,
        preferred_age_max=60,
        latitude=member.latitude,
        longitude=member.longitude,
    )

    assert "Agerange" in client.get("/members/", {"distance": "any"}).content.decode()
    assert discovery_visible_user_ids(viewer_member=viewer, user_ids=[str(other.user_id)]) == {
        str(other.user_id)
    }


def test_the_gender_copies_follow_a_queryset_update_once_synced():
    member = _member("Copy", gender="female", wants="male")
    assert (member.prefers_male, member.prefers_female, member.prefers_other) == (
        True,
        False,
        False,
    )
    from accounts.models import User

    User.objects.filter(pk=member.user_id).update(preferred_genders="female,other")
    assert profile_services.member_user_sync(user_ids=[member.user_id]) == 1
    member.refresh_from_db()
    assert (member.prefers_male, member.prefers_female, member.prefers_other) == (
        False,
        True,
        True,
    )
    assert profile_services.member_user_sync(user_ids=[member.user_id]) == 0  # nothing stale


def test_the_deck_first_parameter_cannot_pull_in_someone_who_does_not_want_me(client):
    """``/discover/?first=<user id>`` (the deck after an undo without JavaScript) puts that
    member on top only under the deck's own rules: not a member whose preferences leave the
    viewer out, not one who unmatched the viewer, not the viewer themself."""
    from matching.models import Unmatch

    viewer = _member("Viewer", gender="male", wants="female")
    wrong_gender = _member("Wantswomen", gender="female", wants="female")
    unmatcher = _member("Unmatcher", gender="female", wants="male")
    Unmatch.objects.create(unmatcher=unmatcher.user, other=viewer.user)
    client.force_login(viewer.user)
    for other in (wrong_gender, unmatcher, viewer):
        page = client.get("/discover/", {"distance": "any", "first": str(other.user_id)})
        assert page.status_code == 200
        assert f'data-deck-card data-user-id="{other.user_id}"' not in page.content.decode()
