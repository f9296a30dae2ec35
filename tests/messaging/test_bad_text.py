"""Issue 13 item 11 for chat text: NUL and unpaired surrogates are refused with 400; a message
of nothing but invisible characters is empty."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from messaging import services
from messaging.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_memory_channel_layer")]


def send_url(member):
    return reverse("messaging:chat_send", kwargs={"user_id": member.user_id})


@pytest.mark.parametrize("use_htmx", [True, False])
def test_nul_in_chat_text_is_400_and_not_stored(alice, bob, client_for, htmx, use_htmx):
    headers = htmx if use_htmx else {}
    response = client_for(alice).post(send_url(bob), {"text": "hi\x00there"}, **headers)
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_lone_surrogate_is_refused_by_the_service(alice, bob):
    with pytest.raises(ValidationError) as exc:
        services.message_send(sender=alice, recipient=bob, text="hi \ud800")
    assert exc.value.code == "bad_characters"
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "text", ["\u200b\u200b\u200b", " \u200c\u200d\ufeff ", "\u2060\u00ad\u3164", "\u2800\u200e"]
)
def test_a_message_of_only_invisible_characters_is_empty(alice, bob, client_for, htmx, text):
    with pytest.raises(ValidationError) as exc:
        services.message_send(sender=alice, recipient=bob, text=text)
    assert exc.value.code == "empty"
    response = client_for(alice).post(send_url(bob), {"text": text}, **htmx)
    assert response.status_code == 422
    assert "Write a message first" in response.content.decode()
    assert not Message.objects.exists()


def test_invisible_characters_inside_real_text_are_kept(alice, bob):
    text = "👩\u200d💻 hi"
    assert services.message_send(sender=alice, recipient=bob, text=text).text == text
