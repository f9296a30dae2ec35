"""The bell in the top bar counts a new like live (issue 19): two real headless Chromium
contexts on a real ASGI server with Redis; Yoni likes Dana in one, Dana's bell updates in the
other without a reload, and her list says "Someone liked you" (she is a free member)."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.asgi_server import asgi_server
from tests.conftest import require_service
from tests.factories import MemberFactory
from tests.messaging.test_browser import browser  # noqa: F401 (fixture)
from tests.messaging.test_realtime_redis import session_for

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_the_bell_shows_a_new_like_live(transactional_db, redis_url, browser):  # noqa: F811
    require_service(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "needs PostgreSQL"
    )
    dana = MemberFactory(name="Dana")
    yoni = MemberFactory(name="Yonatan")

    with asgi_server() as server:

        def tab(member, width):
            context = browser.new_context(viewport={"width": width, "height": 844})
            context.add_cookies(
                [
                    {"name": "sessionid", "value": session_for(member.user), "url": server.url},
                    {"name": "django_language", "value": "en", "url": server.url},
                ]
            )
            return context.new_page()

        dana_tab, yoni_tab = tab(dana, 390), tab(yoni, 1280)
        # Yoni opens Dana's profile first: that view is a notification of its own ("Someone
        # viewed your profile"), already counted when Dana's page renders.
        yoni_tab.goto(f"{server.url}/members/{dana.user_id}/")
        yoni_tab.wait_for_selector(f"#like-{dana.user_id} button[type=submit]")
        dana_tab.goto(f"{server.url}/members/")
        before = (
            0 if dana_tab.is_hidden("#notif-badge") else int(dana_tab.inner_text("#notif-badge"))
        )
        dana_tab.wait_for_function("() => window.mielRealtime !== undefined")
        dana_tab.wait_for_timeout(700)  # the socket is open

        yoni_tab.click(f"#like-{dana.user_id} button[type=submit]")
        dana_tab.wait_for_function(
            "n => { const b = document.getElementById('notif-badge');"
            " return b && !b.hidden && b.textContent.trim() === String(n); }",
            arg=before + 1,
            timeout=8000,
        )
        dana_tab.click("#notif-bell")
        dana_tab.wait_for_selector("#notif-list")
        text = dana_tab.inner_text("#notif-list")
        assert "Someone liked you" in text
        assert "Yonatan" not in text
        assert dana_tab.is_hidden("#notif-badge")
    from django.db import connection

    connection.close()
