"""Settings → Visibility (rules §5): a paused member is hidden from discovery everywhere and
still chats with matches; an incognito member is seen only by members they liked and records
no views; "Show my distance" off leaves the city and no number anywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from assistant.skills import find_matches
from matching.models import Like, ProfileView
from matching.selectors.discovery import members_discoverable
from matching.smart import smart_match_cache_invalidate, smart_matches_for
from messaging.models import Message
from stories.models import Story
from tests.factories import MemberFactory
from tests.matching.factories import viewer_member
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

SETTINGS = "/settings/visibility/"
LIST = "/members/?distance=any"


def _premium(member, days: int = 30) -> None:
    member.user.premium_until = timezone.now() + timedelta(days=days)
    member.user.save(update_fields=["premium_until"])


def _match(a, b) -> None:
    Like.objects.create(source=a, target=b)
    Like.objects.create(source=b, target=a)


def _seen_by(client, viewer, other) -> dict[str, bool]:
    """Where ``viewer`` meets ``other``: list, discoverable set, smart matches (the cached set
    is filtered when read, so a pause or resume shows at once), assistant, stories strip."""
    client.force_login(viewer.user)
    uid = str(other.user_id)
    listing = client.get(LIST).content.decode()
    smart = client.get("/smart-matches/").content.decode()
    return {
        "list": f'data-user-id="{uid}"' in listing,
        "discoverable": members_discoverable(viewer=viewer.user).filter(pk=other.pk).exists(),
        "smart": f'id="smart-{uid}"' in smart,
        "assistant": any(m.user_id == uid for m in find_matches(member=viewer, limit=200)),
        "stories": f'data-user-id="{uid}"' in listing.split('class="grid member-grid', 1)[0]
        or uid in _strip_user_ids(client),
    }


def _strip_user_ids(client) -> str:
    from stories.selectors import stories_strip

    viewer = client.session.get("_auth_user_id")
    from accounts.models import User

    return " ".join(str(g.user_id) for g in stories_strip(viewer=User.objects.get(pk=viewer)))


@pytest.fixture
def pair(client):
    viewer = viewer_member(name="Viewer")
    other = MemberFactory(name="Other")
    StoryFactory(user=other.user, privacy=Story.Privacy.PUBLIC)
    return viewer, other


def test_a_paused_member_is_hidden_from_discovery_everywhere_and_can_resume(client, pair):
    viewer, other = pair
    smart_matches_for(member=viewer)  # a cache built before the pause
    assert set(_seen_by(client, viewer, other).values()) == {True}

    client.force_login(other.user)
    response = client.post(SETTINGS, {"paused": "1", "show_distance": "1"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.paused_at is not None

    seen = _seen_by(client, viewer, other)
    assert set(seen.values()) == {False}, seen

    client.force_login(other.user)
    client.post(SETTINGS, {"show_distance": "1"})  # resume
    assert set(_seen_by(client, viewer, other).values()) == {True}


def test_the_deck_of_a_paused_member_says_so_with_a_way_back(client, pair):
    """A paused member who swipes on is reminded that nobody new sees them (they forgot,
    and wondered why no likes came)."""
    _viewer, other = pair
    client.force_login(other.user)
    client.cookies["django_language"] = "en"
    assert "Your profile is paused" not in client.get("/discover/").content.decode()
    client.post(SETTINGS, {"paused": "1", "show_distance": "1"})
    page = client.get("/discover/").content.decode()
    assert "Your profile is paused" in page
    assert f'href="{SETTINGS}"' in page


def test_a_paused_member_is_hidden_even_from_a_cache_built_before(client, pair):
    viewer, other = pair
    smart_matches_for(member=viewer)
    other.paused_at = timezone.now()
    other.save(update_fields=["paused_at"])
    client.force_login(viewer.user)
    assert f'id="smart-{other.user_id}"' not in client.get("/smart-matches/").content.decode()
    assert all(m.user_id != str(other.user_id) for m in find_matches(member=viewer, limit=200))


def test_a_paused_member_still_chats_with_matches_and_they_see_the_stories(client, pair):
    viewer, other = pair
    _match(viewer, other)
    other.paused_at = timezone.now()
    other.save(update_fields=["paused_at"])

    client.force_login(other.user)
    response = client.post(f"/members/{viewer.user_id}/chat/send/", {"text": "still here"})
    assert response.status_code in (200, 201, 302)
    client.force_login(viewer.user)
    response = client.post(f"/members/{other.user_id}/chat/send/", {"text": "hi back"})
    assert response.status_code in (200, 201, 302)
    assert Message.objects.filter(text__in=["still here", "hi back"]).count() == 2
    assert client.get(f"/members/{other.user_id}/").status_code == 200
    assert str(other.user_id) in _strip_user_ids(client)  # a match still sees the stories


def test_an_incognito_member_is_seen_only_by_members_they_liked(client, pair):
    viewer, other = pair
    liked = viewer_member(name="Liked")
    _premium(other)
    client.force_login(other.user)
    assert client.post(SETTINGS, {"incognito": "1", "show_distance": "1"}).status_code == 302
    other.user.refresh_from_db()
    assert other.user.incognito is True
    Like.objects.create(source=other, target=liked)

    assert set(_seen_by(client, viewer, other).values()) == {False}
    assert set(_seen_by(client, liked, other).values()) == {True}


def test_incognito_needs_premium_and_lapses_with_it(client, pair):
    viewer, other = pair
    client.force_login(other.user)
    response = client.post(SETTINGS, {"incognito": "1", "show_distance": "1"})
    assert response.status_code == 403
    assert "premium" in response.content.decode().lower()
    other.user.refresh_from_db()
    assert other.user.incognito is False

    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False):
        _premium(other, days=2)
        client.post(SETTINGS, {"incognito": "1", "show_distance": "1"})
        assert not members_discoverable(viewer=viewer.user).filter(pk=other.pk).exists()
    with time_machine.travel(datetime(2026, 3, 4, 12, tzinfo=UTC), tick=False):
        # Premium ended: the switch stays, the effect does not.
        assert members_discoverable(viewer=viewer.user).filter(pk=other.pk).exists()


def test_incognito_profile_views_are_not_recorded(client, pair):
    viewer, other = pair
    _premium(viewer)
    client.force_login(viewer.user)
    client.post(SETTINGS, {"incognito": "1", "show_distance": "1"})
    assert client.get(f"/members/{other.user_id}/").status_code == 200
    assert not ProfileView.objects.filter(viewer=viewer.user).exists()
    client.post(SETTINGS, {"show_distance": "1"})  # incognito off: views count again
    client.get(f"/members/{other.user_id}/")
    assert ProfileView.objects.filter(viewer=viewer.user, viewed=other.user).exists()


def test_hidden_distance_shows_the_city_and_no_number_anywhere(client):
    viewer = viewer_member(latitude=32.0853, longitude=34.7818)
    other = MemberFactory(name="Far", city="Jerusalem", latitude=31.7683, longitude=35.2137)
    client.force_login(viewer.user)

    def pages() -> list[str]:
        smart_match_cache_invalidate(user=viewer.user_id)
        listing = client.get(LIST).content.decode()
        card = listing.split(f'data-user-id="{other.user_id}"', 1)[1].split("</article>", 1)[0]
        profile = client.get(f"/members/{other.user_id}/").content.decode()
        smart = client.get("/smart-matches/").content.decode()
        smart_card = smart.split(f'id="smart-{other.user_id}"', 1)[1].split("</article>", 1)[0]
        api = client.post(
            "/assistant/api/chat/",
            {"text": "find", "intent": "explain", "target": str(other.user_id)},
        ).content.decode()
        return [card, profile.split("<main", 1)[1], smart_card, api]

    shown = pages()
    assert all(("km" in page or "ק״מ" in page) for page in shown[:3]), shown

    client.force_login(other.user)
    client.post(SETTINGS, {})  # every box unticked: distance hidden
    other.refresh_from_db()
    assert other.show_distance is False
    client.force_login(viewer.user)
    hidden = pages()
    for page in hidden:
        assert " km" not in page, page
        assert "ק״מ" not in page, page
    assert "Jerusalem" in hidden[0]
    assert "Jerusalem" in hidden[1]


def test_a_hidden_member_is_not_seen_by_a_direct_link_either(client, pair):
    """Paused and incognito members "appear nowhere" / "only to members they liked": their
    profile page (and video) by a direct link is 404 for strangers, while members they liked
    and members they chat with still open it."""
    viewer, other = pair
    liked = viewer_member(name="Liked")
    Like.objects.create(source=other, target=liked)
    page = f"/members/{other.user_id}/"
    other.paused_at = timezone.now()
    other.save(update_fields=["paused_at"])
    chat = f"/members/{other.user_id}/chat/"
    client.force_login(viewer.user)
    assert client.get(page).status_code == 404
    assert client.get(chat).status_code == 404
    client.force_login(liked.user)
    assert client.get(page).status_code == 200
    assert client.get(chat).status_code == 200
    client.force_login(other.user)
    assert client.get(page).status_code == 200  # one's own page

    other.paused_at = None
    other.save(update_fields=["paused_at"])
    _premium(other)
    other.user.incognito = True
    other.user.save(update_fields=["incognito"])
    client.force_login(viewer.user)
    assert client.get(page).status_code == 404
    Message.objects.create(sender=viewer, recipient=other, text="an old conversation")
    assert client.get(page).status_code == 200
