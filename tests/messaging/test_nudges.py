"""Issue 16 nudges: a message matching the word list (messaging/data/nudges.txt) is not sent
until the sender confirms ("Are you sure?"); its recipient sees "Does this bother you?" with a
one-tap report. Nothing is blocked silently."""

from __future__ import annotations

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import Message
from messaging.nudges import NUDGE_LIST, load_entries, nudge_match

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_memory_channel_layer")]


def send_url(member):
    return reverse("messaging:chat_send", kwargs={"user_id": member.user_id})


def test_the_list_is_data_in_the_repository_in_both_languages():
    assert NUDGE_LIST.name == "nudges.txt"
    entries = load_entries()
    assert len(entries) > 100
    assert any("\u05d0" <= ch <= "\u05ea" for e in entries for ch in e)  # Hebrew
    assert "send nudes" in entries
    assert not any(e.startswith("#") for e in entries)


@pytest.mark.parametrize(
    "text",
    [
        "you're such a bitch",
        "You're a B1TCH",
        "f.u.c.k you",
        "fuuuuck you!!",
        "f*ck you",
        "send nudes 😏",
        "I KNOW WHERE YOU LIVE",
        "i'll kill you",
        "זונה",
        "יא זונה",
        "והזונה הזאת",
        "כוס אמק",
        "כוס אמא שלך",
        "שַׁרְמוּטָה",
        "ya sharmuta",
        "kus emek",
        "אני ארצח אותך",
        "תשלחי תמונות עירום",
        "ש\u200bר\u200bמוטה",
    ],
)
def test_insulting_sexual_and_threatening_spellings_match(text):
    assert nudge_match(text)


@pytest.mark.parametrize(
    "text",
    [
        "hello, how are you?",
        "I love your dog",
        "the document is in the cucumber drawer",
        "Scunthorpe is a town",
        "Let's go to the class tomorrow",
        "שלום, מה נשמע?",
        "אני אוהב זמן איכות",
        "you have a lovely smile",
        "kill it at the gym? 💪",
        "",
    ],
)
def test_ordinary_messages_do_not_match(text):
    assert not nudge_match(text)


def test_asked_first_nothing_is_stored_until_confirmed(alice, bob):
    with pytest.raises(services.NudgeNeeded):
        services.message_send(sender=alice, recipient=bob, text="send nudes", ask_first=True)
    assert not Message.objects.exists()
    message = services.message_send(sender=alice, recipient=bob, text="send nudes")
    assert message.nudged


def test_chat_asks_are_you_sure_then_sends_on_confirmation(alice, bob, client_for, htmx):
    client = client_for(alice)
    data = {"text": "send nudes", "client_key": "nudge-key-1"}
    asked = client.post(send_url(bob), data, **htmx)
    assert asked.status_code == 409
    body = asked.content.decode()
    assert "Are you sure?" in body
    assert "Send anyway" in body
    assert 'name="confirm_nudge" value="1"' in body
    assert 'value="nudge-key-1"' in body
    assert not Message.objects.exists()
    sent = client.post(send_url(bob), {**data, "confirm_nudge": "1"}, **htmx)
    assert sent.status_code == 200
    assert Message.objects.get().nudged


def test_chat_without_js_shows_the_question_and_keeps_the_text(alice, bob, client_for):
    page = client_for(alice).post(send_url(bob), {"text": "fuck you"})
    assert page.status_code == 409
    body = page.content.decode()
    assert "Are you sure?" in body
    assert ">fuck you</textarea>" in body
    assert not Message.objects.exists()


def test_an_ordinary_message_is_sent_at_once_and_not_flagged(alice, bob, client_for, htmx):
    assert client_for(alice).post(send_url(bob), {"text": "hi!"}, **htmx).status_code == 200
    assert not Message.objects.get().nudged


def test_recipient_sees_does_this_bother_you_with_a_report_link(alice, bob, client_for):
    message = services.message_send(sender=alice, recipient=bob, text="you are ugly")
    services.message_send(sender=alice, recipient=bob, text="just kidding, hi")
    page = client_for(bob).get(reverse("messaging:chat", kwargs={"user_id": alice.user_id}))
    body = page.content.decode()
    assert body.count("Does this bother you?") == 2  # the message, and the live template
    report = reverse("matching:report", args=[alice.user_id])
    assert f'href="{report}?message={message.pk}"' in body
    # The sender does not see it on their own message.
    mine = client_for(alice).get(reverse("messaging:chat", kwargs={"user_id": bob.user_id}))
    assert mine.content.decode().count("Does this bother you?") == 1  # only the template


def test_the_live_event_carries_the_nudge_for_the_recipient(alice, bob):
    message = services.message_send(sender=alice, recipient=bob, text="you are ugly")
    payload = services.message_event_payload(message)
    assert payload["nudged"] is True
    assert payload["report_url"].endswith(f"?message={message.pk}")
