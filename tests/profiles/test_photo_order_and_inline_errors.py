"""The Edit page's photo grid (issue 15): photos in the member's order, reordered by drag (one
post of the whole order) or the move buttons; the first approved photo is the main one; upload
errors come back inline in the photo manager, never as a bare 400 fragment."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from profiles import services
from profiles.models import Member, Photo
from tests.factories import MemberFactory, PhotoFactory, image_upload

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _photos(member: Member, *approved: bool) -> list[Photo]:
    photos = [
        PhotoFactory(member=member, is_approved=ok, position=i) for i, ok in enumerate(approved)
    ]
    services.photo_move(member=member, photo_id=photos[0].pk, step=-1)  # refreshes the main
    return photos


def _order(member: Member) -> list:
    return list(Photo.objects.filter(member=member).values_list("pk", flat=True))


def _main(member: Member) -> str:
    member.refresh_from_db(fields=["image"])
    return member.image


def test_reorder_saves_the_order_and_the_first_approved_photo_becomes_main(member_client):
    me = member_client.member
    a, b, c = _photos(me, True, False, True)
    assert _main(me) == a.url
    response = member_client.post(
        reverse("profiles:photo_reorder"), {"order": [str(b.pk), str(c.pk), str(a.pk)]}, **HTMX
    )
    assert response.status_code == 200
    assert _order(me) == [b.pk, c.pk, a.pk]
    assert _main(me) == c.url  # b is pending: the first approved one is main
    assert me.user.__class__.objects.get(pk=me.user_id).image == c.url
    body = response.content.decode()
    assert body.index(str(b.pk)) < body.index(str(c.pk)) < body.index(str(a.pk))


def test_reorder_with_a_stale_or_foreign_list_changes_nothing(member_client):
    me = member_client.member
    a, b = _photos(me, True, True)
    foreign = PhotoFactory(member=MemberFactory())
    url = reverse("profiles:photo_reorder")
    for order in ([str(b.pk)], [str(b.pk), str(foreign.pk)], [str(b.pk), str(b.pk)], ["junk"]):
        response = member_client.post(url, {"order": order}, **HTMX)
        assert response.status_code == 409
        assert "Reload the page" in response.content.decode()
        assert _order(me) == [a.pk, b.pk]
    assert _main(me) == a.url


def test_move_buttons_move_one_place_and_stop_at_the_ends(member_client):
    me = member_client.member
    a, b, c = _photos(me, True, True, True)

    def move(photo, step):
        url = reverse("profiles:photo_move", args=[photo.pk])
        return member_client.post(url, {"step": step}, **HTMX)

    assert move(c, "-1").status_code == 200
    assert _order(me) == [a.pk, c.pk, b.pk]
    move(c, "-1")
    assert _order(me) == [c.pk, a.pk, b.pk]
    assert _main(me) == c.url
    move(c, "-1")  # already first
    assert _order(me) == [c.pk, a.pk, b.pk]
    move(b, "1")  # already last
    assert _order(me) == [c.pk, a.pk, b.pk]
    # without JS: a plain post redirects back to the edit page
    response = member_client.post(reverse("profiles:photo_move", args=[a.pk]), {"step": "1"})
    assert response.status_code == 302
    assert _order(me) == [c.pk, b.pk, a.pk]


def test_moving_someone_elses_photo_is_404(member_client):
    foreign = PhotoFactory(member=MemberFactory())
    url = reverse("profiles:photo_move", args=[foreign.pk])
    assert member_client.post(url, {"step": "-1"}).status_code == 404


def test_a_new_photo_goes_last_and_make_main_moves_it_first(member_client):
    me = member_client.member
    a, b = _photos(me, True, True)
    photo = services.photo_add(member=me, upload=image_upload())
    assert _order(me) == [a.pk, b.pk, photo.pk]
    services.photo_set_main(member=me, photo_id=b.pk)
    assert _order(me) == [b.pk, a.pk, photo.pk]
    assert _main(me) == b.url


def test_non_image_upload_error_is_inline_in_the_photo_manager(member_client):
    bad = SimpleUploadedFile("notes.jpg", b"just some text", content_type="image/jpeg")
    response = member_client.post(reverse("profiles:photo_upload"), {"photo": bad}, **HTMX)
    # 422, not 400: django-htmx (DEBUG) would replace the whole page with a 400 response.
    assert response.status_code == 422
    body = response.content.decode()
    assert body.startswith('<section id="photo-manager"')
    assert 'role="alert"' in body
    assert "not a JPEG, PNG or WebP image" in body
    # Without JS the edit page comes back, styled, with the error on it.
    bad.seek(0)
    response = member_client.post(reverse("profiles:photo_upload"), {"photo": bad}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "css/miel.css" in body
    assert 'id="photo-manager"' in body
    assert "not a JPEG, PNG or WebP image" in body


def test_edit_page_shows_square_tiles_in_order_with_pending_marked(member_client):
    me = member_client.member
    a, b = _photos(me, True, False)
    body = member_client.get(reverse("profiles:member_edit")).content.decode()
    assert 'class="photo-grid edit-grid"' in body
    assert body.index(a.url) < body.index(b.url)
    assert "photo-tile pending" in body
    assert "Pending approval" in body
    assert reverse("profiles:photo_move", args=[b.pk]) in body
