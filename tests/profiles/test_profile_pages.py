"""Profile page, edit page and photo views (rules §4, §5, §6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from matching.models import Block, Like
from profiles import selectors
from profiles.models import Interest, Member, Photo, Video
from tests.factories import MemberFactory, PhotoFactory, UserFactory, image_upload
from tests.profiles.test_photo_services import png_header_claiming

pytestmark = pytest.mark.django_db


def detail_url(member: Member) -> str:
    return reverse("profiles:member_detail", args=[member.user_id])


def test_profile_page_shows_the_member(member_client):
    other = MemberFactory(name="Maya", city="Jerusalem", description="Hello <b>there</b>")
    other.interests.set(
        Interest.objects.filter(slug__in=list(Interest.objects.values_list("slug", flat=True)[:2]))
    )
    response = member_client.get(detail_url(other))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<bdi>Maya</bdi>, " in body
    assert str(other.age) in body
    assert "Jerusalem" in body
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in body  # user text escaped
    for interest in other.interests.all():
        assert interest.name in body
    assert "profile-actions" in body
    # Not a match: Pass and Like in the action bar, no Message button (issue 15)
    assert reverse("matching:pass", args=[other.user_id]) in body
    assert reverse("matching:like", args=[other.user_id]) in body
    assert f"/members/{other.user_id}/chat/" not in body


def test_profile_page_of_a_match_offers_message_instead_of_like(member_client):
    other = MemberFactory(name="Maya")
    Like.objects.create(source=member_client.member, target=other)
    Like.objects.create(source=other, target=member_client.member)
    body = member_client.get(detail_url(other)).content.decode()
    assert f'href="/members/{other.user_id}/chat/"' in body
    assert reverse("matching:pass", args=[other.user_id]) not in body
    assert reverse("matching:unmatch", args=[other.user_id]) in body  # in the More menu
    assert 'class="more-actions row-menu"' in body


def test_profile_page_shows_only_approved_photos_to_others(member_client):
    other = MemberFactory()
    approved = PhotoFactory(member=other, is_approved=True)
    pending = PhotoFactory(member=other, is_approved=False)
    body = member_client.get(detail_url(other) + "?tab=photos").content.decode()
    assert approved.url in body
    assert pending.url not in body
    assert "Pending approval" not in body


def test_owner_sees_pending_photos_marked(member_client):
    me = member_client.member
    pending = PhotoFactory(member=me, is_approved=False)
    body = member_client.get(detail_url(me) + "?tab=photos").content.decode()
    assert pending.url in body
    assert "Pending approval" in body
    assert "photo-tile pending" in body


def test_approved_video_shown_pending_video_hidden(member_client):
    other = MemberFactory()
    video = Video.objects.create(
        member=other, file=SimpleUploadedFile("v.mp4", b"x"), is_approved=False
    )
    assert video.url not in member_client.get(detail_url(other)).content.decode()
    video.is_approved = True
    video.save()
    assert video.url in member_client.get(detail_url(other)).content.decode()


def test_unknown_incomplete_and_blocked_profiles_are_404(member_client):
    import uuid

    assert member_client.get(f"/members/{uuid.uuid4()}/").status_code == 404
    incomplete = MemberFactory()
    incomplete.user.profile_complete = False
    incomplete.user.save()
    assert member_client.get(detail_url(incomplete)).status_code == 404
    blocker = MemberFactory()
    Block.objects.create(blocker=blocker.user, blocked=member_client.member.user)
    assert member_client.get(detail_url(blocker)).status_code == 404
    blocked = MemberFactory()
    Block.objects.create(blocker=member_client.member.user, blocked=blocked.user)
    assert member_client.get(detail_url(blocked)).status_code == 404


def test_anonymous_is_sent_to_login(client):
    other = MemberFactory()
    response = client.get(detail_url(other))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_badges_online_and_last_active(member_client):
    now = timezone.now()
    online = MemberFactory()
    online.user.last_active_at = now
    online.verified = True  # an approved selfie (profiles.verification)
    online.save(update_fields=["verified"])
    online.user.premium_until = now + timedelta(days=3)
    online.user.save()
    body = member_client.get(detail_url(online)).content.decode()
    assert 'class="online-dot"' in body
    assert "Verified" in body
    assert "Premium" in body

    away = MemberFactory()
    away.user.last_active_at = now - timedelta(hours=3)
    away.user.save()
    body = member_client.get(detail_url(away)).content.decode()
    assert 'class="online-dot"' not in body
    assert "Verified" not in body  # no approved selfie
    assert "Active 3\xa0hours ago" in body


def test_verified_badge_means_an_approved_selfie_only():
    member = MemberFactory()  # verified e-mail
    member.user.oauth_verified = True
    member.user.save()
    PhotoFactory(member=member, is_approved=True)
    assert selectors.is_verified(member) is False  # e-mail, OAuth and photos are not enough
    member.verified = True  # what approving a selfie writes
    assert selectors.is_verified(member) is True


def test_distance_display_whole_km_snapped_and_unknown():
    a = MemberFactory(latitude=32.0853, longitude=34.7818)  # Tel Aviv
    b = MemberFactory(latitude=31.7683, longitude=35.2137)  # Jerusalem
    assert selectors.distance_km_display(a, b) == "54 km"
    near = MemberFactory(latitude=32.0855, longitude=34.7820)
    assert selectors.distance_km_display(a, near) == "less than 1 km"
    nowhere = MemberFactory(latitude=None, longitude=None)
    assert selectors.distance_km_display(a, nowhere) == ""
    assert selectors.distance_km_display(None, b) == ""


def test_distance_is_snapped_so_tiny_moves_do_not_change_it():
    a = MemberFactory(latitude=32.0853, longitude=34.7818)
    b1 = MemberFactory(latitude=32.30001, longitude=34.9)
    b2 = MemberFactory(latitude=32.30400, longitude=34.9)
    assert selectors.distance_km(a, b1) == selectors.distance_km(a, b2)


def test_distance_across_the_antimeridian():
    a = MemberFactory(latitude=0.0, longitude=179.9)
    b = MemberFactory(latitude=0.0, longitude=-179.9)
    assert selectors.distance_km(a, b) == pytest.approx(22.2, abs=0.2)


def test_profile_page_distance_and_no_exact_coordinates(member_client):
    other = MemberFactory(latitude=31.7683, longitude=35.2137)
    body = member_client.get(detail_url(other)).content.decode()
    assert "54 km away" in body
    assert "31.7683" not in body
    assert "35.2137" not in body


def test_profile_page_in_hebrew_is_rtl(member_client):
    other = MemberFactory()
    interest = Interest.objects.first()
    other.interests.set([interest])
    body = member_client.get(detail_url(other), headers={"Accept-Language": "he"}).content.decode()
    assert 'dir="rtl"' in body
    assert interest.name_he in body


# --- edit page ------------------------------------------------------------------------------


def edit_answers(member: Member, **overrides):
    data = {
        "name": member.name,
        "date_of_birth": member.date_of_birth.isoformat(),
        "gender": member.gender,
        "city": member.city,
        "country": member.country,
        "description": member.description,
        "interests": [],
        "preferred_genders": ["male", "female"],
        "preferred_age_min": "20",
        "preferred_age_max": "45",
        "latitude": "",
        "longitude": "",
    }
    data.update(overrides)
    return data


def test_edit_page_saves_profile_and_preferences(member_client):
    me = member_client.member
    interest = Interest.objects.first()
    response = member_client.post(
        "/members/edit/",
        edit_answers(me, name="Renamed", city="Netanya", interests=[str(interest.pk)]),
    )
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.name == "Renamed"
    assert me.city == "Netanya"
    assert list(me.interests.all()) == [interest]
    assert me.user.name == "Renamed"
    assert (me.user.preferred_age_min, me.user.preferred_age_max) == (20, 45)
    assert me.latitude is None
    assert me.location_enabled is False


def test_edit_page_shows_errors_inline_and_saves_nothing(member_client):
    me = member_client.member
    response = member_client.post(
        "/members/edit/", edit_answers(me, name="", preferred_age_min="60", preferred_age_max="30")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required" in body
    assert "oldest age" in body
    me.refresh_from_db()
    assert me.name != ""


def test_edit_page_prefilled(member_client):
    me = member_client.member
    body = member_client.get("/members/edit/").content.decode()
    assert f'value="{me.name}"' in body
    assert f'value="{me.date_of_birth.isoformat()}"' in body


def test_htmx_photo_upload_returns_manager_with_pending_photo(member_client):
    response = member_client.post(
        "/members/edit/photos/", {"photo": image_upload()}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    photo = Photo.objects.get(member=member_client.member)
    assert photo.url in body
    assert "Pending approval" in body


def test_htmx_photo_upload_errors_inline(member_client):
    bomb = SimpleUploadedFile("b.png", png_header_claiming(30000, 30000), "image/png")
    response = member_client.post(
        "/members/edit/photos/", {"photo": bomb}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422  # not 400: see profiles.views._photo_response
    assert "too many pixels" in response.content.decode()
    text = SimpleUploadedFile("notes.jpg", b"hello world, not an image", "image/jpeg")
    response = member_client.post(
        "/members/edit/photos/", {"photo": text}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422  # not 400: see profiles.views._photo_response
    assert 'id="photo-manager"' in response.content.decode()
    assert not Photo.objects.exists()


def test_plain_photo_upload_redirects_back(member_client):
    response = member_client.post("/members/edit/photos/", {"photo": image_upload()})
    assert response.status_code == 302
    assert response["Location"].startswith("/members/edit/")


def test_seventh_photo_gets_409(member_client):
    for _ in range(6):
        PhotoFactory(member=member_client.member)
    response = member_client.post(
        "/members/edit/photos/", {"photo": image_upload()}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409


def test_other_members_photo_delete_and_set_main_are_404(member_client):
    theirs = PhotoFactory(is_approved=True)
    assert member_client.post(f"/members/edit/photos/{theirs.pk}/delete/").status_code == 404
    assert member_client.post(f"/members/edit/photos/{theirs.pk}/main/").status_code == 404
    assert Photo.objects.filter(pk=theirs.pk).exists()


def test_delete_and_set_main_own_photo(member_client, django_capture_on_commit_callbacks):
    me = member_client.member
    a = PhotoFactory(member=me, is_approved=True)
    b = PhotoFactory(member=me, is_approved=True)
    response = member_client.post(
        f"/members/edit/photos/{b.pk}/main/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    me.refresh_from_db()
    assert me.image == b.url
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(f"/members/edit/photos/{a.pk}/delete/")
    assert not Photo.objects.filter(pk=a.pk).exists()
    assert not a.file.storage.exists(a.file.name)


def test_pending_photo_cannot_be_main_via_view(member_client):
    pending = PhotoFactory(member=member_client.member, is_approved=False)
    response = member_client.post(
        f"/members/edit/photos/{pending.pk}/main/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 409


def test_photo_views_need_post(member_client):
    assert member_client.get("/members/edit/photos/").status_code == 405


def test_new_user_without_member_cannot_upload(client):
    user = UserFactory(profile_complete=True)  # inconsistent: flag set but no member row
    client.force_login(user)
    assert client.post("/members/edit/photos/", {"photo": image_upload()}).status_code == 404
