"""Selfie verification (rules §4): a pose chosen by the server, the selfie to the staff queue
beside the profile photos, approve / reject with a reason; "verified" = an approved selfie,
the same answer on the profile, cards, smart matches, the assistant and the export."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError

from profiles.models import Member, Selfie
from profiles.verification import POSES
from profiles.verification import services as verification
from tests.factories import MemberFactory, PhotoFactory, UserFactory, image_upload

pytestmark = pytest.mark.django_db

PAGE = "/settings/verification/"
QUEUE = "/moderation/selfies/"


def _submitted(member: Member) -> Selfie:
    attempt = verification.selfie_attempt_start(member=member)
    return verification.selfie_submit(member=member, attempt_id=attempt.pk, upload=image_upload())


def test_the_server_picks_the_pose_and_keeps_it_for_the_attempt(member_client):
    member = member_client.member
    assert "Start" in member_client.get(PAGE).content.decode()

    assert member_client.post(PAGE, {"action": "start"}).status_code == 302
    attempt = Selfie.objects.get(member=member)
    assert attempt.pose in POSES
    assert attempt.status == Selfie.Status.OPEN
    body = member_client.get(PAGE).content.decode()
    assert f"img/poses/{attempt.pose}.svg" in body
    assert 'capture="user"' in body

    member_client.post(PAGE, {"action": "start"})  # a reload or double click: same attempt
    assert Selfie.objects.filter(member=member).count() == 1
    assert Selfie.objects.get(member=member).pose == attempt.pose


def test_submitting_the_selfie_sends_it_to_review_and_stores_it_privately(member_client, settings):
    member = member_client.member
    attempt = verification.selfie_attempt_start(member=member)

    response = member_client.post(PAGE, {"attempt": str(attempt.pk), "selfie": image_upload()})

    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == Selfie.Status.PENDING
    assert attempt.file.name.startswith(f"selfies/{member.pk}/")
    assert (settings.PRIVATE_MEDIA_ROOT / attempt.file.name).exists()
    assert not (settings.MEDIA_ROOT / attempt.file.name).exists()  # not under public media
    assert "Waiting for review" in member_client.get(PAGE).content.decode()
    member.refresh_from_db()
    assert member.verified is False  # not before staff approve


def test_a_bad_file_or_someone_elses_attempt_is_refused(member_client):
    other = MemberFactory()
    theirs = verification.selfie_attempt_start(member=other)
    response = member_client.post(PAGE, {"attempt": str(theirs.pk), "selfie": image_upload()})
    assert response.status_code == 404
    mine = verification.selfie_attempt_start(member=member_client.member)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = member_client.post(PAGE, {"attempt": str(mine.pk), "selfie": bad})
    assert response.status_code == 400
    assert "not a JPEG" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == Selfie.Status.OPEN


def test_staff_see_the_selfie_beside_the_photos_and_the_pose(staff_client, client):
    member = MemberFactory(name="Noa")
    photo = PhotoFactory(member=member, is_approved=True)
    selfie = _submitted(member)

    body = staff_client.get(QUEUE).content.decode()

    assert "Noa" in body
    assert photo.url in body
    assert f"img/poses/{selfie.pose}.svg" in body
    image = staff_client.get(f"{QUEUE}{selfie.pk}/image/")
    assert image.status_code == 200
    assert b"".join(image.streaming_content)[:2] == b"\xff\xd8"  # a JPEG


def test_members_never_see_selfies_or_the_queue(member_client):
    selfie = _submitted(MemberFactory())
    assert member_client.get(QUEUE).status_code == 404
    assert member_client.get(f"{QUEUE}{selfie.pk}/image/").status_code == 404
    # Not even their own, and nothing on any member page points at it.
    mine = _submitted(member_client.member)
    assert member_client.get(f"{QUEUE}{mine.pk}/image/").status_code == 404
    body = member_client.get(f"/members/{member_client.member.user_id}/").content.decode()
    assert "selfie" not in body.split("<main", 1)[1].lower().replace("get verified", "")


def test_approving_verifies_the_member_once_and_is_logged(staff_client):
    member = MemberFactory()
    selfie = _submitted(member)

    response = staff_client.post(f"{QUEUE}{selfie.pk}/decide/", {"decision": "approve"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.verified is True
    selfie.refresh_from_db()
    assert selfie.status == Selfie.Status.APPROVED
    assert selfie.decided_by == staff_client.staff
    assert LogEntry.objects.filter(object_id=str(selfie.pk)).exists()
    # A second moderator's click changes nothing.
    assert not verification.selfie_decide(
        moderator=staff_client.staff, selfie_id=selfie.pk, approve=False, reason="late"
    )
    member.refresh_from_db()
    assert member.verified is True


def test_rejecting_needs_a_reason_which_the_member_reads_then_tries_again(
    staff_client, client, django_capture_on_commit_callbacks
):
    member = MemberFactory()
    selfie = _submitted(member)
    stored = selfie.file.name
    from django.core.files.storage import storages

    assert storages["selfies"].exists(stored)

    staff_client.post(f"{QUEUE}{selfie.pk}/decide/", {"decision": "reject", "reason": ""})
    selfie.refresh_from_db()
    assert selfie.status == Selfie.Status.PENDING  # no reason, no decision

    with pytest.raises(ValidationError):
        verification.selfie_decide(moderator=staff_client.staff, selfie_id=selfie.pk, approve=False)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            f"{QUEUE}{selfie.pk}/decide/",
            {"decision": "reject", "reason": "Your face is not visible"},
        )
    selfie.refresh_from_db()
    assert selfie.status == Selfie.Status.REJECTED
    assert not selfie.file
    from django.core.files.storage import storages

    assert not storages["selfies"].exists(stored)  # nothing kept of a rejected selfie
    member.refresh_from_db()
    assert member.verified is False

    client.force_login(member.user)
    body = client.get(PAGE).content.decode()
    assert "Your face is not visible" in body
    assert "Try again" in body
    client.post(PAGE, {"action": "start"})
    assert Selfie.objects.filter(member=member, status=Selfie.Status.OPEN).count() == 1


def test_verified_is_one_answer_everywhere(member_client, staff_client):
    """An OAuth member with a verified e-mail and an approved photo but no approved selfie is
    not verified anywhere; once the selfie is approved they are verified everywhere."""
    viewer = member_client.member
    viewer.user.preferred_genders = "female"
    viewer.user.save()
    other = MemberFactory(name="Maya", gender=Member.Gender.FEMALE)
    other.user.oauth_verified = True
    other.user.save()
    PhotoFactory(member=other, is_approved=True)
    other.image = other.photos.get().url
    other.save()

    def badges() -> dict[str, bool]:
        from matching.smart import smart_match_cache_invalidate

        smart_match_cache_invalidate(user=viewer.user_id)
        profile = member_client.get(f"/members/{other.user_id}/").content.decode()
        listing = member_client.get("/members/?distance=any").content.decode()
        smart = member_client.get("/smart-matches/").content.decode()
        card = listing.split(f'data-user-id="{other.user_id}"', 1)[1].split("</article>", 1)[0]
        smart_card = smart.split(f'id="smart-{other.user_id}"', 1)[1].split("</article>", 1)[0]
        member_client.force_login(other.user)
        export = json.loads(member_client.get("/settings/data/download/").content)
        member_client.force_login(viewer.user)
        reply = member_client.post(
            "/assistant/api/chat/", {"text": "find me matches", "intent": "find"}
        ).json()
        assistant = next(c for c in reply["cards"] if c["user_id"] == str(other.user_id))
        return {
            "profile": "vbadge" in profile,
            "card": "vbadge" in card,
            "smart": "vbadge" in smart_card,
            "export": export["member"]["verified"],
            "assistant": assistant["verified"],
        }

    assert set(badges().values()) == {False}
    _submitted(other)
    verification.selfie_decide(
        moderator=staff_client.staff, selfie_id=other.selfies.get().pk, approve=True
    )
    member_client.force_login(viewer.user)
    assert set(badges().values()) == {True}


def test_the_badge_explains_itself(member_client):
    other = MemberFactory()
    other.verified = True
    other.save()
    body = member_client.get(f"/members/{other.user_id}/").content.decode()
    assert "<details" in body
    assert "selfie was checked by our team" in body
    assert 'title="Verified: this member' in body


def test_existing_members_start_unverified():
    from profiles.selectors import is_verified

    oauth = MemberFactory(user=UserFactory(profile_complete=True, oauth_verified=True))
    assert oauth.verified is False
    assert is_verified(oauth) is False


def test_seed_demo_verifies_dana_and_some_members():
    from demo.seed import DEMO_EMAIL, demo_seed

    demo_seed(members=30, seed=7)

    assert Member.objects.get(user__email=DEMO_EMAIL).verified is True
    verified = Member.objects.filter(verified=True)
    assert 3 < verified.count() < Member.objects.count()
    assert Selfie.objects.filter(status=Selfie.Status.APPROVED).count() == verified.count()


def test_deleting_the_account_deletes_the_selfie_file(django_capture_on_commit_callbacks):
    from django.core.files.storage import storages

    member = MemberFactory()
    name = _submitted(member).file.name
    assert storages["selfies"].exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        member.user.delete()
    assert not storages["selfies"].exists(name)
