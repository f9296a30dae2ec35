"""Issue 16: a message, a story reply or a typing event needs a mutual match and no block."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import Block, Like
from messaging import services
from messaging.models import Message
from messaging.selectors import can_message
from tests.factories import make_match

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.chat_rule,
    pytest.mark.usefixtures("in_memory_channel_layer"),
]


def send_url(member):
    return reverse("messaging:chat_send", kwargs={"user_id": member.user_id})


def chat_url(member):
    return reverse("messaging:chat", kwargs={"user_id": member.user_id})


def test_the_rule_needs_both_likes_and_no_block(alice, bob):
    assert not can_message(sender_id=alice.user_id, recipient_id=bob.user_id)
    Like.objects.create(source=alice, target=bob)
    assert not can_message(sender_id=alice.user_id, recipient_id=bob.user_id)
    Like.objects.create(source=bob, target=alice)
    assert can_message(sender_id=alice.user_id, recipient_id=bob.user_id)
    assert can_message(sender_id=bob.user_id, recipient_id=alice.user_id)
    Block.objects.create(blocker=bob.user, blocked=alice.user)
    assert not can_message(sender_id=alice.user_id, recipient_id=bob.user_id)
    assert not can_message(sender_id=alice.user_id, recipient_id=alice.user_id)


def test_service_refuses_a_non_match_and_stores_nothing(alice, bob):
    Like.objects.create(source=alice, target=bob)  # one-sided
    with pytest.raises(services.MessageRefused) as exc:
        services.message_send(sender=alice, recipient=bob, text="hi")
    assert exc.value.code == "not_match"
    assert not Message.objects.exists()


@pytest.mark.parametrize("use_htmx", [True, False])
def test_send_to_a_non_match_is_403_and_stores_nothing(alice, bob, client_for, htmx, use_htmx):
    headers = htmx if use_htmx else {}
    response = client_for(alice).post(send_url(bob), {"text": "hi"}, **headers)
    assert response.status_code == 403
    assert "like each other" in response.content.decode()
    assert not Message.objects.exists()


def test_send_after_a_mutual_match_works(alice, bob, client_for, htmx):
    make_match(alice, bob)
    response = client_for(alice).post(send_url(bob), {"text": "hi"}, **htmx)
    assert response.status_code == 200
    assert Message.objects.filter(sender=alice, recipient=bob, text="hi").exists()


def test_chat_page_of_a_non_match_explains_instead_of_a_box(alice, bob, client_for):
    page = client_for(alice).get(chat_url(bob)).content.decode()
    assert 'id="chat-form"' not in page
    assert "You can chat once you are a match" in page
    assert reverse("matching:like", args=[bob.user_id]) in page
    assert reverse("profiles:member_detail", args=[bob.user_id]) in page


def test_only_a_match_is_invited_to_say_hello(alice, bob, client_for, htmx):
    """An empty chat with a non-match does not say "Say hello" above "you can chat once
    you are a match" (a new member read it as an invitation that then failed)."""
    assert "Say hello to" not in client_for(alice).get(chat_url(bob)).content.decode()
    partial = client_for(alice).get(chat_url(bob), {"partial": "thread"}, **htmx)
    assert "Say hello to" not in partial.content.decode()
    make_match(alice, bob)
    assert "Say hello to" in client_for(alice).get(chat_url(bob)).content.decode()
    partial = client_for(alice).get(chat_url(bob), {"partial": "thread"}, **htmx)
    assert "Say hello to" in partial.content.decode()


def test_chat_page_after_my_like_says_we_wait_for_them(alice, bob, client_for):
    Like.objects.create(source=alice, target=bob)
    page = client_for(alice).get(chat_url(bob)).content.decode()
    assert 'id="chat-form"' not in page
    assert "When they like you back" in page


def test_chat_page_of_a_match_has_the_box(alice, bob, client_for):
    make_match(alice, bob)
    page = client_for(alice).get(chat_url(bob)).content.decode()
    assert 'id="chat-form"' in page


def test_a_former_match_stays_readable_but_closed(alice, bob, client_for, htmx):
    make_match(alice, bob)
    services.message_send(sender=alice, recipient=bob, text="an old hello")
    Like.objects.filter(source=bob, target=alice).delete()  # no longer a match
    for me, other in ((alice, bob), (bob, alice)):
        page = client_for(me).get(chat_url(other)).content.decode()
        assert "an old hello" in page
        assert 'id="chat-form"' not in page
        assert "This conversation is closed" in page
        response = client_for(me).post(send_url(other), {"text": "again"}, **htmx)
        assert response.status_code == 403
    assert Message.objects.count() == 1


def test_story_reply_to_a_non_match_is_refused(alice, bob, client_for):
    from stories.models import Story
    from stories.services import story_publish
    from tests.factories import image_upload

    story = story_publish(user=bob.user, upload=image_upload(), privacy=Story.Privacy.PUBLIC)
    url = reverse("stories:reply", args=[story.pk])
    response = client_for(alice).post(url, {"text": "nice"})
    assert response.status_code == 403
    assert not Message.objects.exists()
    make_match(alice, bob)
    response = client_for(alice).post(url, {"text": "nice"})
    assert response.status_code == 201
    assert Message.objects.filter(story=story, sender=alice).count() == 1
