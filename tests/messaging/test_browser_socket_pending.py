"""The chat box while a socket send is on its way (sockqa): a next message typed meanwhile is
neither lost nor merged into the pending one, and the HTTP fallback posts the pending text."""

from __future__ import annotations

import pytest
from django.conf import settings

from messaging.models import Message
from tests.asgi_server import asgi_server
from tests.conftest import require_service
from tests.factories import MemberFactory, make_match
from tests.messaging.test_browser import browser  # noqa: F401 (fixture)
from tests.messaging.test_realtime_redis import session_for

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _chat_tab(browser, server, me, other, held: list):  # noqa: F811
    """``me``'s chat with ``other`` on a phone, whose socket holds back chat.send frames in
    ``held`` as ``(server, frame)`` (release them with ``server.send(frame)``)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies(
        [
            {"name": "sessionid", "value": session_for(me.user), "url": server.url},
            {"name": "django_language", "value": "en", "url": server.url},
        ]
    )
    page = context.new_page()

    def route(ws):
        upstream = ws.connect_to_server()

        def from_page(frame):
            if isinstance(frame, str) and '"chat.send"' in frame:
                held.append((upstream, frame))
            else:
                upstream.send(frame)

        ws.on_message(from_page)

    page.route_web_socket("**/ws/", route)
    page.goto(f"{server.url}/members/{other.user_id}/chat/")
    page.wait_for_function("() => window.mielRealtime !== undefined")
    page.wait_for_timeout(500)
    return page


def test_a_message_typed_while_the_last_is_on_its_way(transactional_db, redis_url, browser):  # noqa: F811
    require_service(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "needs PostgreSQL"
    )
    dana, yoni = MemberFactory(name="Dana"), MemberFactory(name="Yoni")
    make_match(dana, yoni)
    held: list = []
    with asgi_server() as server:
        page = _chat_tab(browser, server, dana, yoni, held)
        page.fill("#chat-text", "first")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.getElementById('chat-text').value === ''")
        # Typed and sent while the first one's answer has not come yet.
        page.fill("#chat-text", "second")
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        assert len(held) == 1
        upstream, frame = held.pop()
        upstream.send(frame)  # the first one's answer comes: the second one goes then
        page.wait_for_function("() => document.querySelectorAll('.msg-mine').length === 2")
        assert [m.text for m in Message.objects.order_by("created")] == ["first", "second"]
        assert page.locator(".msg-mine .msg-text").all_inner_texts() == ["first", "second"]
        assert page.input_value("#chat-text") == ""


def test_the_fallback_posts_the_pending_text_not_the_box(transactional_db, redis_url, browser):  # noqa: F811
    require_service(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "needs PostgreSQL"
    )
    dana, yoni = MemberFactory(name="Dana"), MemberFactory(name="Yoni")
    make_match(dana, yoni)
    held: list = []  # never released: a socket that looks open but is dead
    with asgi_server() as server:
        page = _chat_tab(browser, server, dana, yoni, held)
        page.fill("#chat-text", "sent on a dead socket")
        page.keyboard.press("Enter")
        page.type("#chat-text", "half typ", delay=20)
        # After 4 s without an answer the form posts over HTTP, with the pending text.
        page.wait_for_selector(".msg-mine", timeout=8000)
        page.wait_for_timeout(500)
        assert list(Message.objects.values_list("text", flat=True)) == ["sent on a dead socket"]
        assert page.input_value("#chat-text") == "half typ"  # still there, not sent
