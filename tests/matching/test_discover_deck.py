"""The Discover deck's pages (issue 15): the members list's selector, filters and order (boosted
first), one card shown and the next ones prefetched, more cards by cursor, members already
liked left out, the empty state, and the deck as the page after login."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import Like
from profiles.models import Member
from tests.factories import MemberFactory, PhotoFactory

pytestmark = pytest.mark.django_db


def _deck_names(html: str) -> list[str]:
    return re.findall(r'data-deck-card data-user-id="[^"]+" data-name="([^"]+)"', html)


def test_deck_follows_the_members_list_order_with_boosted_first_and_skips_liked(client):
    now = timezone.now()
    me = MemberFactory(name="Viewer")
    names = ["Recent", "Older", "Oldest", "Liked"]
    made = {
        n: MemberFactory(name=n, last_active_at=now - timedelta(hours=i))
        for i, n in enumerate(names)
    }
    boosted = MemberFactory(name="Boosted", last_active_at=now - timedelta(days=3))
    Member.objects.filter(pk=boosted.pk).update(boosted_until=now + timedelta(hours=2))
    Like.objects.create(source=me, target=made["Liked"])
    client.force_login(me.user)

    html = client.get("/discover/", {"distance": "any"}).content.decode()

    assert _deck_names(html) == ["Boosted", "Recent", "Older", "Oldest"]
    # Only the first card is shown; the others are in the page, hidden, ready for the script.
    assert html.count("data-deck-card data-user-id") == 4
    first_card = html.split("data-deck-card ")[1].split(">")[0]
    second_card = html.split("data-deck-card ")[2].split(">")[0]
    assert " hidden" not in first_card
    assert " hidden" in second_card
    # The members list (Browse) still shows the liked member, with the same order otherwise.
    grid = client.get("/members/", {"distance": "any"}).content.decode()
    at = {n: grid.index(f'data-user-id="{m.user_id}"') for n, m in made.items()}
    assert grid.index(f'data-user-id="{boosted.user_id}"') < at["Recent"] < at["Liked"]


def test_deck_card_shows_photos_bio_interests_distance_and_badge(client):
    me = MemberFactory()
    other = MemberFactory(name="Carousel", description="Sea, books and\nlong walks.")
    photos = [PhotoFactory(member=other, is_approved=True) for _ in range(3)]
    PhotoFactory(member=other, is_approved=False)  # pending: never shown
    # Verified = an approved selfie (profiles.selectors.is_verified reads this column).
    Member.objects.filter(pk=other.pk).update(image=photos[0].url, verified=True)
    client.force_login(me.user)

    html = client.get("/discover/").content.decode()

    assert html.count("data-photo>") + html.count("data-photo hidden") == 3
    assert html.count('<span class="deck-seg') == 3
    assert "Sea, books and\nlong walks." in html
    assert "less than 1 km" in html  # both in Tel Aviv (factory coordinates)
    assert "deck-verified" in html  # the one verified rule, as on the profile page
    assert f'action="/members/{other.user_id}/pass/"' in html
    assert 'maxlength="150"' in html


def test_more_cards_come_by_cursor_without_repeats(client):
    now = timezone.now()
    me = MemberFactory()
    for i in range(9):
        MemberFactory(name=f"Member{i}", last_active_at=now - timedelta(minutes=i))
    client.force_login(me.user)

    html = client.get("/discover/").content.decode()
    first = _deck_names(html)
    assert len(first) == 6
    next_url = re.search(r'data-deck data-next-url="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert next_url.startswith("/discover/cards/?")

    batch = client.get(next_url).content.decode()
    rest = _deck_names(batch)
    assert rest == ["Member6", "Member7", "Member8"]
    assert 'data-next-url=""' in batch
    assert not set(first) & set(rest)
    assert client.get("/discover/cards/", {"cursor": "forged"}).status_code == 400


def test_empty_deck_offers_to_widen_the_filters(client):
    me = MemberFactory()
    client.force_login(me.user)
    html = client.get("/discover/", {"age_min": "90", "age_max": "95"}).content.decode()
    assert _deck_names(html) == []
    assert "You've seen everyone for now" in html
    link = re.search(r'<a class="button" href="([^"]+)">Widen the filters', html).group(1)
    assert link.startswith("/members/?")
    assert "filters=open" in link
    assert "age_min=90" in link
    # The filters panel opens from that link, and is closed after Apply.
    assert 'id="filters" open' in client.get(link.replace("&amp;", "&")).content.decode()
    assert 'id="filters" open' not in client.get("/members/", {"age_min": "90"}).content.decode()


def test_login_lands_on_the_deck(client):
    member = MemberFactory()
    member.user.set_password("Secret-pass-123")
    member.user.save()
    response = client.post(
        "/accounts/login/", {"login": member.user.email, "password": "Secret-pass-123"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/discover/"
    assert client.get("/discover/").status_code == 200
