"""The live chat in two real headless Chromium tabs on a real ASGI server with Redis (rules §8,
§9): typing indicator, live delivery, read receipts, a refused send, the live unread badge."""

from __future__ import annotations

import shutil
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from messaging.models import Message
from tests.asgi_server import asgi_server
from tests.conftest import require_service
from tests.factories import MemberFactory
from tests.messaging.test_realtime_redis import session_for

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    chromium = shutil.which("chromium")
    require_service(chromium is not None, "needs Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


def test_live_chat_between_two_browsers(transactional_db, redis_url, browser):
    require_service(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "needs PostgreSQL"
    )
    dana = MemberFactory(name="Dana")
    yoni = MemberFactory(name="Yoni")
    # Created directly: Playwright's loop runs in this thread, so no push from here.
    Message.objects.create(sender=yoni, recipient=dana, text="Hi Dana, coffee?")

    with asgi_server() as server:

        def tab(member, width=390):
            # The browser's clock in UTC, the accounts in their own zone (default Jerusalem).
            context = browser.new_context(
                viewport={"width": width, "height": 844}, timezone_id="UTC"
            )
            context.add_cookies(
                [
                    {"name": "sessionid", "value": session_for(member.user), "url": server.url},
                    {"name": "django_language", "value": "en", "url": server.url},
                ]
            )
            return context.new_page()

        dana_tab, yoni_tab = tab(dana), tab(yoni, 1000)
        posts: dict[str, int] = {"yoni": 0, "dana": 0}  # HTTP chat sends per tab

        def count_posts(name):
            def on_request(request):
                if request.method == "POST" and request.url.endswith("/chat/send/"):
                    posts[name] += 1

            return on_request

        yoni_tab.on("request", count_posts("yoni"))
        dana_tab.on("request", count_posts("dana"))
        yoni_tab.goto(f"{server.url}/messages/?container=outbox")
        assert yoni_tab.is_hidden("#unread-badge")
        dana_tab.goto(f"{server.url}/members/{yoni.user_id}/chat/")
        assert dana_tab.inner_text("#chat-messages").count("Hi Dana, coffee?") == 1
        # Opening the thread told Yoni live: his badge is untouched, and on his chat page the
        # receipt shows "Seen".
        yoni_tab.goto(f"{server.url}/members/{dana.user_id}/chat/")
        yoni_tab.wait_for_selector(".msg-mine .msg-receipt[data-read='1']")
        yoni_tab.wait_for_function("() => window.mielRealtime !== undefined")
        dana_tab.wait_for_timeout(500)  # both sockets open

        yoni_tab.type("#chat-text", "Tomorrow at 10?", delay=20)
        dana_tab.wait_for_selector("#chat-typing:not([hidden])", timeout=5000)
        yoni_tab.keyboard.press("Enter")
        dana_tab.wait_for_selector("text=Tomorrow at 10?", timeout=5000)
        # The live message shows its time in Dana's account zone, as the page renders the others.
        sent = Message.objects.get(text="Tomorrow at 10?").created
        zone = ZoneInfo(dana.user.time_zone or settings.TIME_ZONE)
        live_time = dana_tab.locator(".msg-meta time").last.inner_text()
        assert live_time == sent.astimezone(zone).strftime("%H:%M")
        # Dana's open chat marks it read, and Yoni's tick turns into "Seen".
        yoni_tab.wait_for_function(
            "() => [...document.querySelectorAll('.msg-mine .msg-receipt')].pop().dataset.read === '1'",
            timeout=5000,
        )
        assert yoni_tab.locator("text=Tomorrow at 10?").count() == 1  # not duplicated
        # It went over the open socket (issue 20): no HTTP request, and the box is empty again.
        assert posts["yoni"] == 0
        assert yoni_tab.input_value("#chat-text") == ""
        # The bubble built from the socket's answer has the star button the server renders.
        yoni_tab.locator("#chat-messages .msg-mine").last.locator(".msg-star").click()
        yoni_tab.wait_for_selector("#chat-messages .msg-mine .msg-star.on", timeout=5000)
        assert Message.objects.get(text="Tomorrow at 10?").sender_starred

        dana_tab.fill("#chat-text", "x" * 2000)
        dana_tab.evaluate("document.getElementById('chat-text').removeAttribute('maxlength')")
        dana_tab.evaluate("document.getElementById('chat-text').value += 'yy'")
        dana_tab.click("#chat-form button[type=submit]")
        dana_tab.wait_for_selector("#chat-error .error", timeout=5000)
        assert "2000" in dana_tab.inner_text("#chat-error")
        # The socket refused it (nothing stored), so the form posted over HTTP to say why.
        assert posts["dana"] == 1
        assert dana_tab.input_value("#chat-text").startswith("xx")
        # A text on the nudge list: the socket stores nothing and the HTTP post asks first.
        yoni_tab.fill("#chat-text", "send nudes")
        yoni_tab.keyboard.press("Enter")
        yoni_tab.wait_for_selector(".chat-nudge", timeout=5000)
        assert posts["yoni"] == 1
        assert not Message.objects.filter(text="send nudes").exists()
        yoni_tab.click("[data-nudge-edit]")
        yoni_tab.fill("#chat-text", "")

        # On another page, Dana's badge counts a new message live.
        dana_tab.goto(f"{server.url}/messages/")
        dana_tab.wait_for_timeout(500)
        yoni_tab.fill("#chat-text", "<b>bold?</b>")
        yoni_tab.keyboard.press("Enter")
        dana_tab.wait_for_function(
            "() => document.getElementById('unread-badge').textContent === '1'", timeout=5000
        )
        assert dana_tab.is_visible("#unread-badge")
        # ... and the Chats list itself follows (js/conversations.js): the row shows the new
        # last message and its unread count.
        dana_tab.wait_for_function(
            "() => (document.querySelector('.convo .convo-text') || {}).textContent"
            " ?.includes('<b>bold?</b>')",
            timeout=5000,
        )
        assert dana_tab.locator(".convo .convo-unread").first.inner_text() == "1"
        assert Message.objects.filter(sender=yoni).count() == 3
