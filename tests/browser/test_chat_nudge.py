"""Issue 16, in a real browser: the sender of a message that matches the nudge list is asked
"Are you sure?" before anything is sent, and can send anyway or edit."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from messaging.models import Message
from tests.browser.conftest import SHOTS
from tests.factories import MemberFactory, make_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab(browser, base_url: str, user, width: int = 390):
    context = browser.new_context(viewport={"width": width, "height": 844})
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {"name": "django_language", "value": "en", "url": base_url},
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url},
        ]
    )
    return context, context.new_page()


def test_the_sender_is_asked_before_a_nudged_message_is_sent(chromium, live_server):
    alice, bob = MemberFactory(name="Alice"), MemberFactory(name="Bob")
    make_match(alice, bob)
    context, page = _tab(chromium, live_server.url, alice.user)
    try:
        page.goto(f"{live_server.url}/members/{bob.user_id}/chat/")
        page.fill("#chat-text", "send nudes")
        page.click("#chat-form button[type=submit]")
        page.wait_for_selector(".chat-nudge")
        assert "Are you sure?" in page.inner_text(".chat-nudge")
        page.screenshot(path=str(SHOTS / "chat-nudge.png"))
        assert not Message.objects.exists()  # nothing sent before the answer

        # "Edit message": the prompt goes, the text stays for editing, still nothing sent.
        page.click("[data-nudge-edit]")
        assert page.locator(".chat-nudge").count() == 0
        assert page.input_value("#chat-text") == "send nudes"
        assert not Message.objects.exists()

        page.click("#chat-form button[type=submit]")
        page.wait_for_selector(".chat-nudge")
        page.click(".nudge-send button[type=submit]")
        page.wait_for_selector("#chat-messages .msg-mine")
        assert page.locator(".chat-nudge").count() == 0
        assert page.input_value("#chat-text") == ""
        message = Message.objects.get()
        assert message.nudged
        assert message.text == "send nudes"
    finally:
        context.close()
        connection.close()
