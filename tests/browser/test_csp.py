"""The Content-Security-Policy header is sent and the site works under it: headless Chromium
visits the main pages (anonymous, member, staff) and a few htmx / script interactions and must
see no CSP violation (console error or ``securitypolicyviolation`` event)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from matching import services as matching_services
from matching.services import reports
from messaging import services as messaging_services
from messaging.models import Message
from tests.browser.conftest import SHOTS
from tests.factories import MemberFactory, PhotoFactory
from tests.stories.factories import StoryFactory, make_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects every violation the page reports, whatever the console says.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " "
                    + (e.sourceFile || "") + ":" + (e.lineNumber || ""));
});
"""


class Tab:
    """A page that records CSP violations from the console and from DOM events."""

    def __init__(self, browser, base_url: str, user: User | None = None, language: str = "en"):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1200, "height": 900})
        cookies = [{"name": "django_language", "value": language, "url": base_url}]
        if user is not None:
            client = Client()
            client.force_login(user)
            cookies.append(
                {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}
            )
        self.context.add_cookies(cookies)
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on(
            "console",
            lambda msg: (
                self.console.append(msg.text)
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        self.page.on("dialog", lambda dialog: dialog.dismiss())

    def visit(self, path: str, status: int = 200) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None
        assert response.status == status, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(300)  # deferred scripts, htmx init, late loads
        self.check(path)

    def close(self) -> None:
        """Close the browser context and this test's database connection (inside Playwright's
        greenlet it is not the one pytest-django closes; see tests/browser/test_journey.py)."""
        self.context.close()
        connection.close()

    def check(self, where: str) -> None:
        events = self.page.evaluate("window.__csp || []")
        assert (self.console, events) == ([], []), where


def _people():
    me = MemberFactory(name="Me Member", city="Ashdod", country="Israel")
    PhotoFactory(member=me, is_approved=True)
    other = MemberFactory(name="Other Member", city="Haifa", country="Israel")
    PhotoFactory(member=other, is_approved=True)
    third = MemberFactory(name="Third Member")
    make_match(me.user, other.user)
    messaging_services.message_send(sender=other, recipient=me, text="Hello there")
    StoryFactory(user=other.user)
    StoryFactory(user=me.user, filter="warm")
    blocked = MemberFactory(name="Blocked Member")
    matching_services.block_create(blocker=me.user, blocked=blocked.user)
    User.objects.filter(pk=me.user_id).update(
        premium_until=timezone.now() + timedelta(days=30), boosts_available=3
    )
    return me, other, third


def test_member_pages_have_no_csp_violations(chromium, live_server):
    me, other, third = _people()
    story_id = other.user.stories.first().pk
    tab = Tab(chromium, live_server.url, me.user)

    for path in [
        "/members/",
        "/discover/",
        f"/members/{other.user_id}/",
        f"/members/{other.user_id}/?tab=photos",
        f"/members/{other.user_id}/chat/",
        f"/members/{other.user_id}/report/?from=chat",
        f"/stories/{story_id}/",
        "/stories/mine/",
        "/stories/new/",
        "/messages/",
        "/lists/?type=mutual",
        "/smart-matches/",
        "/premium/",
        "/settings/",
        "/settings/blocked/",
        "/members/edit/",
        "/members/edit/video/",
    ]:
        tab.visit(path)
    tab.visit("/no-such-page/", status=404)
    tab.page.screenshot(path=str(SHOTS / "csp-404-en.png"))

    # The Discover deck under the policy (deck.js: a pass, which animates the card, and an
    # undo, which puts it back).
    tab.visit("/discover/")
    top = tab.page.locator("[data-deck-card]:not([hidden])").first
    assert top.get_attribute("data-name") == "Third Member"
    with tab.page.expect_response(lambda r: r.url.endswith("/pass/")):
        top.locator(".deck-btn-pass").click()
    tab.page.wait_for_timeout(400)
    with tab.page.expect_response(lambda r: r.url.endswith("/pass/undo/")):
        tab.page.click("[data-deck-undo] button")
    tab.page.wait_for_selector("[data-deck-card][data-name='Third Member']:not([hidden])")
    tab.check("deck")

    # htmx under the policy: a like (POST, swap without reload) ...
    tab.visit("/members/")
    like = tab.page.locator(f"#like-{third.user_id} button[type=submit]")
    with tab.page.expect_response(lambda r: r.url.endswith(f"/members/{third.user_id}/like/")):
        like.click()
    tab.page.wait_for_timeout(300)
    tab.check("like")
    assert third.likes_received.filter(source=me).exists()

    # ... a chat message sent by chat.js, and the boost form's 4xx handling (boost.js).
    tab.visit(f"/members/{other.user_id}/chat/")
    tab.page.fill("#chat-form textarea", "Sent under a strict CSP")
    with tab.page.expect_response(lambda r: r.url.endswith("/chat/send/")):
        tab.page.press("#chat-form textarea", "Enter")
    tab.page.wait_for_selector("text=Sent under a strict CSP")
    tab.check("chat send")

    tab.visit("/premium/")
    with tab.page.expect_response(lambda r: r.url.endswith("/premium/boost/")):
        tab.page.click(".boost-form button[type=submit]")
    tab.page.wait_for_timeout(300)
    tab.check("boost")
    tab.close()


def test_anonymous_and_hebrew_pages_have_no_csp_violations(chromium, live_server):
    tab = Tab(chromium, live_server.url, language="he")
    for path in [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/safety/",
        "/privacy/",
        "/terms/",
    ]:
        tab.visit(path)
    tab.visit("/no-such-page/", status=404)
    tab.page.screenshot(path=str(SHOTS / "csp-404-he.png"))
    tab.close()


def test_staff_pages_have_no_csp_violations(chromium, live_server):
    member = MemberFactory()
    PhotoFactory(member=member, is_approved=False)
    other = MemberFactory()
    message = Message.objects.create(sender=other, recipient=member, text="evidence")
    reports.report_create(
        reporter=member.user,
        reported=other.user,
        reason="harassment",
        evidence=reports.Evidence(message_ids=[message.pk]),
    )
    staff = User.objects.create_superuser("staff@example.com", "Staff-pass-2025!")
    tab = Tab(chromium, live_server.url, staff)
    for path in [
        "/moderation/",
        "/admin/",
        "/admin/profiles/photo/",
        f"/admin/accounts/user/{member.user_id}/change/",
    ]:
        tab.visit(path)
    tab.close()
