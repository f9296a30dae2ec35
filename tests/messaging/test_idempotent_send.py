"""Issue 13 item 14: the chat form carries a fresh idempotency key (``client_key``); a retried
POST returns the first message instead of storing a second."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from messaging import services
from messaging.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_memory_channel_layer")]


def send_url(member):
    return reverse("messaging:chat_send", kwargs={"user_id": member.user_id})


def test_chat_form_carries_a_fresh_client_key(alice, bob, client_for):
    client = client_for(alice)
    keys = []
    for _ in range(2):
        page = client.get(reverse("messaging:chat", kwargs={"user_id": bob.user_id}))
        found = re.search(
            r'name="client_key" id="chat-client-key" value="([0-9a-f]{32})"', page.content.decode()
        )
        assert found
        keys.append(found.group(1))
    assert keys[0] != keys[1]


@pytest.mark.parametrize("use_htmx", [True, False])
def test_a_retried_post_returns_the_first_message(alice, bob, client_for, htmx, use_htmx):
    client = client_for(alice)
    headers = htmx if use_htmx else {}
    data = {"text": "hello once", "client_key": "k" * 32}
    first = client.post(send_url(bob), data, **headers)
    again = client.post(send_url(bob), data, **headers)
    assert first.status_code == again.status_code
    assert Message.objects.filter(sender=alice).count() == 1
    if use_htmx:
        message = Message.objects.get()
        assert f'id="msg-{message.pk}"' in again.content.decode()
    client.post(send_url(bob), {"text": "hello once", "client_key": "n" * 32}, **headers)
    assert Message.objects.filter(sender=alice).count() == 2


def test_service_returns_the_stored_message_for_a_known_key(alice, bob):
    first = services.message_send(sender=alice, recipient=bob, text="hi", client_key="abc12345")
    again = services.message_send(sender=alice, recipient=bob, text="hi", client_key="abc12345")
    assert again.pk == first.pk
    # The same key is another message for another sender.
    theirs = services.message_send(sender=bob, recipient=alice, text="hi", client_key="abc12345")
    assert theirs.pk != first.pk


def test_the_key_is_unique_per_sender_in_the_database(alice, bob):
    Message.objects.create(sender=alice, recipient=bob, text="a", client_key="same-key-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(sender=alice, recipient=bob, text="b", client_key="same-key-1")
    Message.objects.create(sender=alice, recipient=bob, text="c")  # no key: no constraint
    Message.objects.create(sender=alice, recipient=bob, text="d")


def test_a_key_reused_for_another_recipient_or_malformed_is_400(
    alice, bob, carol, client_for, htmx
):
    client = client_for(alice)
    client.post(send_url(bob), {"text": "hi", "client_key": "abcdefgh12"}, **htmx)
    response = client.post(send_url(carol), {"text": "hi", "client_key": "abcdefgh12"}, **htmx)
    assert response.status_code == 400
    response = client.post(send_url(bob), {"text": "hi", "client_key": "<bad key>"}, **htmx)
    assert response.status_code == 400
    assert Message.objects.count() == 1
