"""Issue 16 in two real browsers: an unmatch (after its confirmation page) closes the other
side's open chat live: the message box gives way to the "closed" note without a reload."""

from __future__ import annotations

import pytest
from django.conf import settings

from matching.models import Like, Unmatch
from messaging.models import Message
from tests.asgi_server import asgi_server
from tests.conftest import require_service
from tests.factories import MemberFactory
from tests.messaging.test_browser import browser  # noqa: F401 (fixture)
from tests.messaging.test_realtime_redis import session_for

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_unmatch_closes_the_other_sides_open_chat_live(transactional_db, redis_url, browser):  # noqa: F811
    require_service(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "needs PostgreSQL"
    )
    dana = MemberFactory(name="Dana")  # matched with each other (tests/messaging/conftest.py)
    yoni = MemberFactory(name="Yoni")
    Message.objects.create(sender=yoni, recipient=dana, text="Hi Dana, coffee?")

    with asgi_server() as server:

        def tab(member):
            context = browser.new_context(viewport={"width": 390, "height": 844})
            context.add_cookies(
                [
                    {"name": "sessionid", "value": session_for(member.user), "url": server.url},
                    {"name": "django_language", "value": "en", "url": server.url},
                ]
            )
            return context.new_page()

        dana_tab, yoni_tab = tab(dana), tab(yoni)
        dana_tab.goto(f"{server.url}/members/{yoni.user_id}/chat/")
        assert dana_tab.is_visible("#chat-form")
        assert dana_tab.is_hidden("#chat-closed")
        dana_tab.wait_for_function("() => window.mielRealtime !== undefined")
        dana_tab.wait_for_timeout(500)  # the socket is open

        yoni_tab.goto(f"{server.url}/members/{dana.user_id}/chat/")
        yoni_tab.click(".chat-menu summary")  # the options menu
        yoni_tab.click("a.chat-unmatch")  # the confirmation page, nothing done yet
        assert Like.objects.count() == 2
        yoni_tab.click("form.unmatch-actions button[type=submit]")
        yoni_tab.wait_for_load_state("load")

        dana_tab.wait_for_selector("#chat-closed:not([hidden])", timeout=5000)
        assert dana_tab.locator("#chat-form").count() == 0
        assert "This conversation is closed" in dana_tab.inner_text("#chat-closed")
        assert "Hi Dana, coffee?" in dana_tab.inner_text("#chat-messages")  # still readable
        assert not Like.objects.exists()
        assert Unmatch.objects.filter(unmatcher=yoni.user, other=dana.user).exists()
