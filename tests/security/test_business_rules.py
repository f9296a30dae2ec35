"""Premium gates and limits called directly, the way a hostile free member would (rules §7, §10,
§12, §13): nothing is granted by skipping the page that hides the button."""

from __future__ import annotations

import pytest

from billing.services.entitlements import FREE_AI_MESSAGES_PER_DAY
from matching.models import Like
from matching.services import profile_view_record
from stories.models import Story
from stories.services import story_publish, story_view_record
from tests.factories import MemberFactory, image_upload

pytestmark = pytest.mark.django_db


def test_free_member_cannot_beat_the_daily_story_limit_by_deleting(alice, alice_client):
    first = alice_client.post(
        "/stories/new/?format=json", {"photo": image_upload(), "privacy": "PUBLIC"}
    )
    assert first.status_code == 201
    story_id = first.json()["story"]["id"]
    assert alice_client.post(f"/stories/{story_id}/delete/").status_code == 302
    again = alice_client.post(
        "/stories/new/?format=json", {"photo": image_upload(), "privacy": "PUBLIC"}
    )
    assert again.status_code == 429
    assert Story.objects.filter(user=alice.user, is_active=True).count() == 0


def test_free_member_cannot_spend_boosts_or_see_premium_stories(alice, alice_client, bob):
    alice.user.boosts_available = 0
    alice.user.save(update_fields=["boosts_available"])
    assert alice_client.post("/premium/boost/", {"hours": "24"}).status_code == 403
    alice.refresh_from_db()
    assert alice.boosted_until is None
    premium_story = Story.objects.create(
        user=bob.user, image=image_upload().name, privacy=Story.Privacy.PREMIUM
    )
    for url in ("?format=json", "image/"):
        assert alice_client.get(f"/stories/{premium_story.pk}/{url}").status_code == 404
    assert alice_client.post(f"/stories/{premium_story.pk}/view/").status_code == 404


def test_free_member_sees_no_names_of_likers_viewers_or_story_viewers(alice, alice_client):
    secret_admirer = MemberFactory(name="Zebulon")
    Like.objects.create(source=secret_admirer, target=alice)
    profile_view_record(viewer=secret_admirer.user, viewed=alice)
    story = story_publish(user=alice.user, upload=image_upload())
    story_view_record(viewer=secret_admirer.user, story_id=story.pk)
    for url in ("/lists/?type=target", "/views/", f"/stories/{story.pk}/insights/"):
        response = alice_client.get(url)
        assert response.status_code == 200, url
        assert "Zebulon" not in response.content.decode(), url
        assert str(secret_admirer.user_id) not in response.content.decode(), url
    data = alice_client.get(f"/stories/{story.pk}/insights/?format=json").json()
    assert data["view_count"] == 1
    assert "viewers" not in data


def test_clearing_the_assistant_history_does_not_reset_the_quota(alice_client):
    for _ in range(FREE_AI_MESSAGES_PER_DAY):
        assert alice_client.post("/assistant/api/chat/", {"text": "hello"}).status_code == 200
    assert alice_client.post("/assistant/clear/").status_code == 302
    assert alice_client.post("/assistant/api/chat/", {"text": "hello"}).status_code == 429


def test_blocked_member_cannot_be_liked_or_messaged_directly(alice, alice_client, bob):
    from matching.models import Block
    from messaging.models import Message

    Block.objects.create(blocker=bob.user, blocked=alice.user)
    assert alice_client.post(f"/members/{bob.user_id}/like/").status_code == 404
    alice_client.post(f"/members/{bob.user_id}/chat/send/", {"text": "hi"})
    assert not Like.objects.filter(source=alice, target=bob).exists()
    assert not Message.objects.filter(sender=alice, recipient=bob).exists()
