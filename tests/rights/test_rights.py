"""Account rights (rules §3): "download my data" holds the user's data and nothing private of
anyone else; "delete my account" re-authenticates and leaves no rows or files behind."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone

from accounts.models import User
from assistant.models import AIConversation, AIMessage, AIUsageLog
from billing.models import Transaction
from matching.models import Block, Like, ProfileView, Report, UserInteraction
from messaging.models import Message
from notifications.models import Notification, PushSettings, QuietSettings
from profiles import services as photo_services
from profiles import video_services
from profiles.models import Interest, Member, Photo, Video
from safety.moderation.services import Item, moderation_apply
from stories.models import Story, StoryReaction, StoryReply, StoryView
from tests.factories import MemberFactory, UserFactory, image_upload
from tests.storage.servers import fixture_bytes

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _story(user: User, **kwargs) -> Story:
    story = Story(user=user, **kwargs)
    story.image.save("s.jpg", ContentFile(b"\xff\xd8\xffstory"), save=True)
    return story


@pytest.fixture
def world(member):
    """``member`` (the user exporting / deleting) with a full life on Miel, a partner they
    talk to, and two strangers who talk between themselves."""
    me = member
    me.interests.set(Interest.objects.all()[:3])
    partner = MemberFactory(name="Partner", latitude=31.7683, longitude=35.2137)
    a, b = MemberFactory(name="StrangerA"), MemberFactory(name="StrangerB")

    photo_services.photo_approve(photo=photo_services.photo_add(member=me, upload=image_upload()))
    photo_services.photo_add(member=me, upload=image_upload())
    video_services.video_add(
        member=me,
        upload=SimpleUploadedFile("v.mp4", fixture_bytes("short.mp4"), "video/mp4"),
    )
    photo_services.photo_add(member=partner, upload=image_upload())

    Like.objects.create(source=me, target=partner)
    Like.objects.create(source=partner, target=me)
    Like.objects.create(source=a, target=me)
    Message.objects.create(sender=me, recipient=partner, text="Hi from me")
    Message.objects.create(sender=partner, recipient=me, text="Hi back from partner")
    Message.objects.create(sender=a, recipient=b, text="SECRET between strangers")
    Message.objects.create(sender=partner, recipient=a, text="SECRET partner to stranger")
    ProfileView.objects.create(viewer=me.user, viewed=partner.user)
    ProfileView.objects.create(viewer=a.user, viewed=me.user)
    UserInteraction.objects.create(user=me, target=partner, action="like", weight=2.0)
    UserInteraction.objects.create(user=partner, target=me, action="view", weight=0.5)
    Block.objects.create(blocker=me.user, blocked=b.user)
    Report.objects.create(reporter=me.user, reported=b.user, reason="scam", text="my report")
    Report.objects.create(reporter=a.user, reported=me.user, reason="fake", text="REPORTER-PRIVATE")

    mine = _story(me.user, text_overlay="my story")
    theirs = _story(partner.user)
    StoryView.objects.create(story=mine, viewer=partner.user)
    StoryView.objects.create(story=theirs, viewer=me.user)
    StoryReaction.objects.create(story=mine, user=partner.user, reaction_type="FIRE")
    StoryReaction.objects.create(story=theirs, user=me.user, reaction_type="HEART")
    StoryReply.objects.create(
        story=theirs, sender=me.user, recipient=partner.user, message_text="nice story"
    )
    Message.objects.create(sender=me, recipient=partner, text="story reply", story=theirs)
    Message.objects.create(sender=partner, recipient=me, text="about your story", story=mine)

    conversation = AIConversation.objects.create(user=me.user, title="Help")
    AIMessage.objects.create(conversation=conversation, role="user", content="find me matches")
    AIMessage.objects.create(conversation=conversation, role="assistant", content="Here you go")
    AIUsageLog.objects.create(user=me.user, action="chat", tokens=12, cost=0.001)
    Transaction.objects.create(
        id="in_test_1", user=me.user, amount="29.90", plan_id="basic", status="succeeded"
    )
    staff = UserFactory(is_staff=True)
    pending = Photo.objects.filter(member=me, is_approved=False).first()
    moderation_apply(moderator=staff, action="approve", items=[Item.parse(f"photo:{pending.pk}")])
    return {"me": me, "partner": partner, "a": a, "b": b, "staff": staff}


# --- export ------------------------------------------------------------------------------------


def test_data_page_and_anonymous(client, member_client):
    assert member_client.get("/settings/data/").status_code == 200
    client.logout()
    assert client.get("/settings/data/download/").status_code == 302


def test_export_holds_my_data(member_client, world):
    me, partner = world["me"], world["partner"]

    response = member_client.get("/settings/data/download/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="miel-data-')
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == me.user.email
    assert data["account"]["language"] == me.user.language
    assert data["member"]["latitude"] == me.latitude  # my own location is mine
    assert len(data["member"]["interests"]) == 3
    assert len(data["photos"]) == 2
    assert all(p["url"].startswith("http://testserver/media/photos/") for p in data["photos"])
    assert data["videos"][0]["url"].startswith("http://testserver/media/videos/")
    texts = {(m["direction"], m["text"]) for m in data["messages"]}
    assert ("sent", "Hi from me") in texts
    assert ("received", "Hi back from partner") in texts
    assert ("received", "about your story") in texts
    assert {m["member"] for m in data["messages"]} == {str(partner.user_id)}
    assert {x["member"] for x in data["likes_given"]} == {str(partner.user_id)}
    # A free member: how many liked them, not who (the premium rule of "Liked me").
    assert data["likes_received"] == []
    assert data["likes_received_count"] == 2
    assert data["stories"][0]["text_overlay"] == "my story"
    assert data["stories"][0]["reactions"][0]["reaction"] == "FIRE"
    assert data["story_replies"][0]["text"] == "nice story"
    assert data["assistant"]["conversations"][0]["messages"][0]["content"] == "find me matches"
    assert data["transactions"][0]["amount_ils"] == "29.90"
    assert data["reports_made"][0]["text"] == "my report"
    assert len(data["profile_views_received"]) == 1
    assert len(data["interactions_made"]) == 1


def test_export_contains_nothing_private_of_other_members(member_client, world):
    partner, a, b = world["partner"], world["a"], world["b"]

    body = member_client.get("/settings/data/download/").content.decode()

    for other in (partner, a, b):
        assert other.user.email not in body
        assert other.name not in body
    assert "SECRET" not in body  # messages between other people
    assert str(partner.latitude) not in body
    assert str(partner.longitude) not in body
    assert "REPORTER-PRIVATE" not in body  # who reported me, and what they wrote, stays private
    assert str(a.user_id) not in json.dumps(json.loads(body)["profile_views_received"])
    assert world["staff"].email not in body
    assert "/media/photos/" + str(partner.pk) not in body  # partner's photo


# --- deletion ----------------------------------------------------------------------------------


def _rows_referencing(user_id, member_id, object_ids: set[str]) -> dict[str, int]:
    """Count rows in every model with a foreign key to this user or member, plus admin log
    rows about their objects."""
    found: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if not (isinstance(field, models.ForeignKey | models.OneToOneField) and field.concrete):
                continue
            target = field.related_model
            if target is User:
                value = user_id
            elif target is Member:
                value = member_id
            else:
                continue
            n = model._default_manager.filter(**{field.attname: value}).count()
            if n:
                found[f"{model._meta.label}.{field.name}"] = n
    n = LogEntry.objects.filter(object_id__in=object_ids).count()
    if n:
        found["admin.LogEntry.object_id"] = n
    if User.objects.filter(pk=user_id).exists():
        found["accounts.User"] = 1
    return found


def _files(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


def test_wrong_password_deletes_nothing(member_client, world):
    me = world["me"]
    page = member_client.get("/settings/delete/")
    assert page.status_code == 200
    assert b'type="password"' in page.content

    response = member_client.post("/settings/delete/", {"password": "wrong", "confirm": "on"})

    assert response.status_code == 400
    assert User.objects.filter(pk=me.user_id).exists()
    response = member_client.post("/settings/delete/", {"password": PASSWORD})  # not confirmed
    assert response.status_code == 400
    assert User.objects.filter(pk=me.user_id).exists()


def test_delete_account_leaves_no_rows_or_files(
    member_client, world, settings, django_capture_on_commit_callbacks
):
    me, partner, a, b = world["me"], world["partner"], world["a"], world["b"]
    user_id, member_id = me.user_id, me.pk
    object_ids = {str(user_id), str(member_id)} | {
        str(pk) for pk in Photo.objects.filter(member=me).values_list("pk", flat=True)
    }
    before = _rows_referencing(user_id, member_id, object_ids)
    assert len(before) > 15  # the fixture really touches most tables
    assert "admin.LogEntry.object_id" in before
    my_files = [
        *(Path(settings.MEDIA_ROOT) / p.file.name for p in Photo.objects.filter(member=me)),
        *(Path(settings.MEDIA_ROOT) / v.file.name for v in Video.objects.filter(member=me)),
        *(Path(settings.MEDIA_ROOT) / v.poster.name for v in Video.objects.filter(member=me)),
        *(Path(settings.MEDIA_ROOT) / s.image.name for s in Story.objects.filter(user_id=user_id)),
    ]
    assert len(my_files) == 5
    assert all(f.is_file() for f in my_files)
    others_files = set(_files(settings.MEDIA_ROOT)) - set(my_files)

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post("/settings/delete/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _rows_referencing(user_id, member_id, object_ids) == {}
    assert not EmailAddress.objects.filter(user_id=user_id).exists()
    assert set(_files(settings.MEDIA_ROOT)) == others_files  # mine gone, theirs kept
    # Logged out: the next page is for an anonymous visitor.
    assert "_auth_user_id" not in member_client.session
    assert member_client.get("/settings/data/").status_code == 302
    # Other people keep their own data, including messages between themselves.
    assert Message.objects.filter(text="SECRET between strangers").exists()
    assert Message.objects.filter(text="SECRET partner to stranger").exists()
    assert Photo.objects.filter(member=partner).count() == 1
    assert Story.objects.filter(user=partner.user).count() == 1
    assert Like.objects.filter(source=a).count() == 0
    assert Member.objects.filter(pk__in=[partner.pk, a.pk, b.pk]).count() == 3


def test_social_only_account_confirms_with_its_email(client):
    member = MemberFactory()
    member.user.set_unusable_password()
    member.user.save()
    client.force_login(member.user)

    page = client.get("/settings/delete/")
    assert b'type="password"' not in page.content
    assert client.post("/settings/delete/", {"email": "x@y.z", "confirm": "on"}).status_code == 400
    response = client.post(
        "/settings/delete/", {"email": member.user.email.upper(), "confirm": "on"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.user_id).exists()


def test_user_without_profile_can_delete_too(client):
    user = UserFactory(profile_complete=False)
    client.force_login(user)
    response = client.post("/settings/delete/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_export_for_a_user_without_profile(client):
    user = UserFactory(profile_complete=False)
    client.force_login(user)
    data = client.get("/settings/data/download/").json()
    assert data["member"] is None
    assert data["messages"] == []
    assert data["account"]["email"] == user.email


def test_deletion_is_atomic_when_something_fails(member_client, world, monkeypatch):
    me = world["me"]

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(User, "delete", boom)
    with pytest.raises(RuntimeError):
        member_client.post("/settings/delete/", {"password": PASSWORD, "confirm": "on"})
    assert LogEntry.objects.filter(user=world["staff"]).exists()
    assert Photo.objects.filter(member=me).count() == 2
    assert User.objects.filter(pk=me.user_id).exists()


def test_export_holds_my_notification_settings_and_names_likers_only_for_premium(
    member_client, world
):
    """Quiet hours, Shabbat mode and push choices are the member's data; a notification names
    the other member as the pages do: a match always, a liker only for premium, a viewer never."""
    me, partner, a = world["me"], world["partner"], world["a"]
    QuietSettings.objects.create(user=me.user, quiet_enabled=True, shabbat_mode=True)
    PushSettings.objects.create(user=me.user, new_like=False)
    Notification.objects.create(user=me.user, kind=Notification.Kind.MATCH, actor=partner.user)
    Notification.objects.create(user=me.user, kind=Notification.Kind.LIKE, actor=a.user)
    Notification.objects.create(user=me.user, kind=Notification.Kind.VIEW, actor=a.user)

    data = json.loads(member_client.get("/settings/data/download/").content)

    quiet = data["notification_settings"]["quiet_hours"]
    assert quiet["enabled"] is True
    assert quiet["shabbat_mode"] is True
    assert quiet["from"] == "22:00:00"
    assert data["notification_settings"]["push"]["new_like"] is False
    named = {n["kind"]: n["member_id"] for n in data["notifications"]}
    assert named == {"match": str(partner.user_id), "like": None, "view": None}
    assert str(a.user_id) not in json.dumps(data["notifications"])

    User.objects.filter(pk=me.user_id).update(premium_until=timezone.now() + timedelta(days=3))
    data = json.loads(member_client.get("/settings/data/download/").content)
    named = {n["kind"]: n["member_id"] for n in data["notifications"]}
    assert named == {"match": str(partner.user_id), "like": str(a.user_id), "view": None}
