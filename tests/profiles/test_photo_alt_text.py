"""A member describes their photos for screen readers (issue 17, docs/rules.md §4): the text is
the photo's alt on the profile page, the deck card and the photo manager; empty means the
translated default ("Photo 1 of Dana"); too long or invisible-only text is refused inline;
nobody can describe someone else's photo; the export carries it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.selectors import deck_card_for
from profiles.models import PHOTO_ALT_MAX, Photo
from rights.data_export import user_data_export
from tests.factories import MemberFactory, PhotoFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _describe(client, photo, text, **extra):
    return client.post(
        reverse("profiles:photo_describe", args=[photo.pk]), {"alt_text": text}, **extra
    )


def test_the_description_becomes_the_alt_everywhere_the_photo_shows(member_client, client):
    me = member_client.member
    photo = PhotoFactory(member=me, is_approved=True)
    response = _describe(member_client, photo, "  Me  hiking at   sunset ", **HTMX)
    assert response.status_code == 200
    photo.refresh_from_db()
    assert photo.alt_text == "Me hiking at sunset"
    assert 'alt="Me hiking at sunset"' in response.content.decode()

    viewer = MemberFactory()
    client.force_login(viewer.user)
    page = client.get(reverse("profiles:member_detail", args=[me.user_id]))
    assert 'alt="Me hiking at sunset"' in page.content.decode()


def test_an_empty_description_gives_back_the_default_alt(member_client, client):
    me = member_client.member
    photo = PhotoFactory(member=me, is_approved=True, alt_text="A dog")
    assert _describe(member_client, photo, "   ").status_code == 302
    photo.refresh_from_db()
    assert photo.alt_text == ""
    viewer = MemberFactory()
    client.force_login(viewer.user)
    body = client.get(reverse("profiles:member_detail", args=[me.user_id])).content.decode()
    assert "A dog" not in body
    assert "Photo 1 of" in body


@pytest.mark.parametrize("text", ["x" * (PHOTO_ALT_MAX + 1), "\u202e\u200f"])
def test_too_long_or_invisible_text_is_refused_inline_and_nothing_changes(member_client, text):
    photo = PhotoFactory(member=member_client.member, is_approved=True, alt_text="Kept")
    response = _describe(member_client, photo, text, **HTMX)
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    photo.refresh_from_db()
    assert photo.alt_text == "Kept"


def test_nobody_describes_someone_elses_photo(member_client):
    foreign = PhotoFactory(member=MemberFactory(), is_approved=True)
    assert _describe(member_client, foreign, "Mine now").status_code == 404
    assert Photo.objects.get(pk=foreign.pk).alt_text == ""


def test_the_description_is_escaped(member_client):
    photo = PhotoFactory(member=member_client.member, is_approved=True)
    response = _describe(member_client, photo, '"><script>alert(1)</script>', **HTMX)
    body = response.content.decode()
    assert "<script>alert(1)" not in body
    assert "&quot;&gt;&lt;script&gt;" in body


def test_the_deck_card_and_the_export_carry_the_description():
    owner = MemberFactory()
    PhotoFactory(member=owner, is_approved=True, alt_text="On the beach")
    viewer = MemberFactory()
    card = deck_card_for(viewer_member=viewer, member_pk=owner.pk)
    assert card is not None
    assert [alt for _url, alt in card.photo_items] == ["On the beach"]
    export = user_data_export(user=owner.user, base_url="https://miel.example")
    assert [p["description"] for p in export["photos"]] == ["On the beach"]
