"""The "turn on notifications" card after the first match (issue 19): nothing is asked on page
load; the browser's permission request opens only when the member presses the card's button;
once answered the card is gone for good."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from matching.models import MatchNotification
from notifications.management.commands.push_keys import vapid_keys
from notifications.models import PushSettings
from tests.factories import MemberFactory, make_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Counts permission requests and answers "denied" (a headless browser has no push service).
SPY = """
window.__asked = 0;
Notification.requestPermission = function () { window.__asked += 1; return Promise.resolve("denied"); };
"""


def test_the_card_asks_for_permission_only_on_click(chromium, live_server, settings):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_keys()
    dana, yoni = MemberFactory(name="Dana"), MemberFactory(name="Yoni")
    make_match(dana, yoni)
    MatchNotification.objects.create(user=dana.user, other=yoni.user)
    client = Client()
    client.force_login(dana.user)
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": "en", "url": live_server.url},
        ]
    )
    context.add_init_script(SPY)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/messages/")
    page.wait_for_selector("[data-push-prompt-enable]")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__asked") == 0  # never on page load
    page.click("[data-push-prompt-enable]")
    page.wait_for_function("() => window.__asked === 1")
    page.wait_for_selector("[data-push-prompt-status]:has-text('blocked')")
    for _ in range(20):
        if PushSettings.objects.filter(user=dana.user, prompt_done=True).exists():
            break
        page.wait_for_timeout(100)
    assert PushSettings.objects.get(user=dana.user).prompt_done
    page.reload()
    assert page.locator("[data-push-prompt]").count() == 0
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()
    connection.close()
