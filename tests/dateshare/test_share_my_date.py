"""Share my date (rules §6 safety): only a match can create a link from the chat; the public
page needs no login, shows only the first name, main photo, time and place, is noindex, and
answers 404 once revoked or 24 hours after the date (time frozen)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import translation

from dateshare.models import DateShare
from matching.models import Block, Like
from matching.services import block_create, unmatch
from tests.factories import MemberFactory, PhotoFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # 12:00 in Jerusalem (UTC+3)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def couple():
    me = MemberFactory(name="Dana Levi")
    partner = MemberFactory(name="Avi Cohen", description="secret bio text")
    photo = PhotoFactory(member=partner, is_approved=True)
    partner.image = photo.url
    partner.save()
    Like.objects.create(source=me, target=partner)
    Like.objects.create(source=partner, target=me)
    return me, partner


def _create(client, partner, when="2026-06-01T20:30", place="Café Nina, Dizengoff 12"):
    return client.post(f"/members/{partner.user_id}/share-date/", {"when": when, "place": place})


def test_a_match_creates_a_link_from_the_chat(client, couple):
    me, partner = couple
    client.force_login(me.user)
    chat = client.get(f"/members/{partner.user_id}/chat/").content.decode()
    assert f"/members/{partner.user_id}/share-date/" in chat

    response = _create(client, partner)

    assert response.status_code == 302
    share = DateShare.objects.get()
    assert share.creator == me
    assert share.partner == partner
    assert share.starts_at == datetime(2026, 6, 1, 17, 30, tzinfo=UTC)  # typed in Jerusalem time
    assert len(share.token) >= 43
    page = client.get(f"/members/{partner.user_id}/share-date/").content.decode()
    assert f"/date/{share.token}/" in page


def test_only_a_match_can_create(client, couple):
    me, partner = couple
    stranger = MemberFactory()
    client.force_login(stranger.user)
    assert _create(client, partner).status_code == 403
    assert client.get(f"/members/{partner.user_id}/share-date/").status_code == 403
    assert (
        f"/members/{partner.user_id}/share-date/"
        not in client.get(f"/members/{partner.user_id}/chat/").content.decode()
    )
    # A one-way like is not a match either; nor is a blocked pair.
    Like.objects.create(source=stranger, target=partner)
    assert _create(client, partner).status_code == 403
    Block.objects.create(blocker=partner.user, blocked=me.user)
    client.force_login(me.user)
    assert _create(client, partner).status_code in (403, 404)
    assert not DateShare.objects.exists()


def test_bad_input_is_refused_with_a_message(client, couple):
    me, partner = couple
    client.force_login(me.user)
    assert _create(client, partner, when="tomorrow").status_code == 400
    assert _create(client, partner, when="2027-06-01T20:00").status_code == 400  # > 60 days
    response = _create(client, partner, place="   ")
    assert response.status_code == 400
    assert "where you meet" in response.content.decode()
    assert not DateShare.objects.exists()


def test_the_public_page_shows_only_what_was_shared_without_login(client, couple):
    me, partner = couple
    client.force_login(me.user)
    _create(client, partner, place="Café <b>Nina</b>")
    share = DateShare.objects.get()
    client.logout()

    response = client.get(f"/date/{share.token}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Avi" in body
    assert "Cohen" not in body  # first name only
    assert "Dana" in body
    assert "Levi" not in body
    assert "Café &lt;b&gt;Nina&lt;/b&gt;" in body  # as typed, escaped
    assert "20:30" in body
    assert "secret bio text" not in body
    assert partner.user.email not in body
    assert 'name="robots" content="noindex' in body
    assert "noindex" in response["X-Robots-Tag"]
    photo = client.get(f"/date/{share.token}/photo/")
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content)[:2] == b"\xff\xd8"
    assert client.get("/date/not-a-real-token/").status_code == 404


def test_the_link_expires_24_hours_after_the_date(client, couple):
    me, partner = couple
    client.force_login(me.user)
    _create(client, partner)  # 17:30 UTC
    token = DateShare.objects.get().token
    client.logout()
    with time_machine.travel(datetime(2026, 6, 2, 17, 29, tzinfo=UTC), tick=False):
        assert client.get(f"/date/{token}/").status_code == 200
    with time_machine.travel(datetime(2026, 6, 2, 17, 30, tzinfo=UTC), tick=False):
        assert client.get(f"/date/{token}/").status_code == 404
        assert client.get(f"/date/{token}/photo/").status_code == 404


def test_the_creator_can_revoke_and_nobody_else_can(client, couple):
    me, partner = couple
    client.force_login(me.user)
    _create(client, partner)
    share = DateShare.objects.get()

    client.force_login(partner.user)
    assert client.post(f"/members/share-date/{share.pk}/revoke/").status_code == 404
    assert client.get(f"/date/{share.token}/").status_code == 200

    client.force_login(me.user)
    assert client.post(f"/members/share-date/{share.pk}/revoke/").status_code == 302
    client.logout()
    assert client.get(f"/date/{share.token}/").status_code == 404
    assert client.get(f"/date/{share.token}/photo/").status_code == 404


@pytest.mark.parametrize(
    "ending", ["partner unmatches", "creator unmatches", "partner blocks", "creator blocks"]
)
def test_the_link_stops_showing_the_partner_once_the_match_ends(client, couple, ending):
    """The partner is shown to the creator's friend only while they are a match: an unmatch
    or a block either way ends the link (404, as a revoked one), photo included."""
    me, partner = couple
    client.force_login(me.user)
    _create(client, partner)
    token = DateShare.objects.get().token
    client.logout()
    assert client.get(f"/date/{token}/").status_code == 200

    if ending == "partner unmatches":
        unmatch(source=partner, target=me)
    elif ending == "creator unmatches":
        unmatch(source=me, target=partner)
    elif ending == "partner blocks":
        block_create(blocker=partner.user, blocked=me.user)
    else:
        block_create(blocker=me.user, blocked=partner.user)

    assert client.get(f"/date/{token}/").status_code == 404
    assert client.get(f"/date/{token}/photo/").status_code == 404
