"""Messaging pages (rules §8): chat, mailbox, actions, permissions, badge, resilience."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import Block
from messaging import selectors, services
from messaging.models import Message

pytestmark = pytest.mark.django_db


def chat_url(member, name="messaging:chat"):
    return reverse(name, kwargs={"user_id": member.user_id})


def test_chat_page_shows_history_oldest_first_and_marks_incoming_read(alice, bob, client_for):
    services.message_send(sender=bob, recipient=alice, text="first from bob")
    services.message_send(sender=alice, recipient=bob, text="second from alice")
    body = client_for(alice).get(chat_url(bob)).content.decode()
    assert body.index("first from bob") < body.index("second from alice")
    assert not Message.objects.filter(recipient=alice, date_read__isnull=True).exists()
    assert Message.objects.filter(recipient=bob, date_read__isnull=True).count() == 1


def test_chat_escapes_message_text(alice, bob, client_for):
    services.message_send(sender=bob, recipient=alice, text="<script>alert(1)</script>")
    body = client_for(alice).get(chat_url(bob)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_htmx_send_returns_the_message_partial(alice, bob, client_for, htmx):
    response = client_for(alice).post(chat_url(bob, "messaging:chat_send"), {"text": "hey"}, **htmx)
    assert response.status_code == 200
    message = Message.objects.get()
    assert f'id="msg-{message.pk}"' in response.content.decode()
    assert (message.sender, message.recipient, message.text) == (alice, bob, "hey")


def test_send_without_js_redirects_back_to_chat(alice, bob, client_for):
    response = client_for(alice).post(chat_url(bob, "messaging:chat_send"), {"text": "hey"})
    assert response.status_code == 302
    assert response["Location"] == chat_url(bob)


def test_send_too_long_is_422_with_a_clear_message(alice, bob, client_for, htmx):
    response = client_for(alice).post(
        chat_url(bob, "messaging:chat_send"), {"text": "x" * 2001}, **htmx
    )
    assert response.status_code == 422
    assert "2000" in response.content.decode()
    assert not Message.objects.exists()


def test_blocked_pair_chat_is_hidden_and_send_is_404(alice, bob, client_for, htmx):
    # rules §6/§8: a blocked sender cannot tell the block from a conversation that doesn't exist.
    Block.objects.create(blocker=bob.user, blocked=alice.user)
    client = client_for(alice)
    assert client.get(chat_url(bob)).status_code == 404
    response = client.post(chat_url(bob, "messaging:chat_send"), {"text": "hi"}, **htmx)
    assert response.status_code == 404
    assert "blocked" not in response.content.decode()
    assert not Message.objects.exists()


def test_chat_with_unknown_or_self_is_404(alice, client_for):
    import uuid

    client = client_for(alice)
    assert client.get(reverse("messaging:chat", args=[uuid.uuid4()])).status_code == 404
    assert client.get(chat_url(alice)).status_code == 404


def test_third_member_gets_404_on_every_message_url_and_action(alice, bob, carol, client_for):
    """Permission matrix (rules §8): carol can't read, mark, star, archive or delete."""
    message = services.message_send(sender=alice, recipient=bob, text="just us")
    client = client_for(carol)
    urls = [
        ("get", reverse("messaging:message_open", args=[message.pk])),
        ("post", reverse("messaging:message_read", args=[message.pk])),
        ("post", reverse("messaging:message_star", args=[message.pk])),
        ("post", reverse("messaging:message_archive", args=[message.pk])),
        ("post", reverse("messaging:message_delete", args=[message.pk])),
    ]
    for method, url in urls:
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = getattr(client, method)(url, {"value": "1"}, **headers)
            assert response.status_code == 404, (method, url)
    before = Message.objects.values().get(pk=message.pk)
    assert before["date_read"] is None
    assert not any(
        v for k, v in before.items() if k.endswith(("_starred", "_archived", "_deleted"))
    )
    # Conversation URLs name a member, not a conversation: carol only ever sees her own thread.
    body = client.get(chat_url(alice)).content.decode()
    assert "just us" not in body
    assert client.post(chat_url(alice, "messaging:chat_read")).status_code == 204
    assert Message.objects.get(pk=message.pk).date_read is None
    for container in selectors.Container.ALL:
        assert "just us" not in client.get(f"/messages/?container={container}").content.decode()


def test_participants_can_use_every_action(alice, bob, client_for, htmx):
    message = services.message_send(sender=alice, recipient=bob, text="hello")
    client = client_for(bob)
    star = reverse("messaging:message_star", args=[message.pk])
    assert client.post(star, {"value": "1", "container": "inbox"}, **htmx).status_code == 200
    archive = reverse("messaging:message_archive", args=[message.pk])
    response = client.post(archive, {"value": "1", "container": "inbox"}, **htmx)
    assert response.content == b""  # archived rows leave the inbox
    assert client.post(reverse("messaging:message_read", args=[message.pk])).status_code == 302
    opened = client.get(reverse("messaging:message_open", args=[message.pk]))
    assert opened["Location"] == chat_url(alice)
    message.refresh_from_db()
    assert message.recipient_starred
    assert message.recipient_archived
    assert message.date_read is not None
    client.post(reverse("messaging:message_delete", args=[message.pk]), **htmx)
    message.refresh_from_db()
    assert message.recipient_deleted
    assert not message.sender_deleted


def test_starred_load_more_uses_the_cursor(alice, bob, client_for, htmx):
    for i in range(12):
        message = services.message_send(sender=alice, recipient=bob, text=f"note {i:02d}")
        services.message_set_starred(member=bob, message=message, starred=True)
    client = client_for(bob)
    first = client.get("/messages/?container=starred")
    body = first.content.decode()
    assert body.count('class="mail-row') == 10
    assert "note 11" in body
    assert "note 01" not in body
    cursor = first.context["next_cursor"]
    more = client.get(f"/messages/?container=starred&cursor={cursor}", **htmx).content.decode()
    assert more.count('class="mail-row') == 2
    assert "note 00" in more
    assert "Load more" not in more


def test_mailbox_empty_states(alice, client_for):
    client = client_for(alice)
    for container in selectors.Container.ALL:
        response = client.get(f"/messages/?container={container}")
        assert response.status_code == 200
        assert 'class="empty"' in response.content.decode()


def test_unread_badge_in_navigation(alice, bob, carol, client_for):
    services.message_send(sender=alice, recipient=bob, text="1")
    services.message_send(sender=carol, recipient=bob, text="2")
    body = client_for(bob).get("/messages/").content.decode()
    assert '<span id="unread-badge" class="badge tab-badge">2</span>' in body
    assert "js/realtime.js" in body


def test_message_saved_when_channel_layer_is_down(
    alice, bob, client_for, htmx, settings, caplog, django_capture_on_commit_callbacks
):
    """rules §8: Redis down → the sender gets no error; the next page load shows everything."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens on port 1
        }
    }
    channel_layers.backends.clear()
    try:
        client = client_for(alice)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(
                chat_url(bob, "messaging:chat_send"), {"text": "still here"}, **htmx
            )
        assert response.status_code == 200
        assert len(callbacks) == 1  # the pushes (one callback) really ran and failed quietly
        assert "realtime push" in caplog.text
        assert Message.objects.filter(text="still here").exists()
        body = client_for(bob).get(chat_url(alice)).content.decode()
        assert "still here" in body
    finally:
        channel_layers.backends.clear()


def test_story_reply_shows_story_thumbnail_while_story_exists(alice, bob, client_for):
    from stories.models import Story
    from tests.factories import image_upload

    story = Story.objects.create(user=bob.user, image=image_upload())
    message = services.message_send(sender=alice, recipient=bob, text="nice!", story=story)
    thumb = reverse("stories:image", kwargs={"story_id": story.pk})
    assert services.message_event_payload(message)["story_image"] == thumb
    body = client_for(bob).get(chat_url(alice)).content.decode()
    assert f'src="{thumb}"' in body
    story.delete()
    body = client_for(bob).get(chat_url(alice)).content.decode()
    assert "nice!" in body
    assert thumb not in body
    message.refresh_from_db()
    assert message.story is None
