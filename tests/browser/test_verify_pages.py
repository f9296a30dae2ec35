"""Verification, visibility and share-my-date pages in Chromium on a phone: no CSP violation,
the verified badge explains itself on tap, the selfie input opens the front camera."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dateshare.models import DateShare
from tests.browser.conftest import SHOTS
from tests.browser.test_csp import Tab
from tests.factories import MemberFactory, PhotoFactory
from tests.stories.factories import make_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_badge_verification_visibility_and_shared_date_pages(chromium, live_server):
    me = MemberFactory(name="Me Member")
    other = MemberFactory(name="Noa Verified")
    PhotoFactory(member=other, is_approved=True)
    other.verified = True
    other.save(update_fields=["verified"])
    make_match(me.user, other.user)
    tab = Tab(chromium, live_server.url, user=me.user)
    tab.page.set_viewport_size({"width": 390, "height": 844})
    try:
        tab.visit(f"/members/{other.user_id}/")
        tip = tab.page.locator(".vbadge-tip").first
        assert not tip.is_visible()
        tab.page.locator(".vbadge summary").first.click()
        assert tip.is_visible()
        assert "selfie was checked by our team" in tip.inner_text()

        tab.visit("/settings/verification/")
        tab.page.click("form:has(input[value=start]) button")
        tab.page.wait_for_load_state("load")
        assert tab.page.get_attribute("#selfie", "capture") == "user"
        assert tab.page.locator(".pose img").evaluate("img => img.naturalWidth") > 0
        tab.check("verification pose")

        tab.visit("/settings/visibility/")
        tab.page.check("#v-paused")
        tab.page.click(".visibility button[type=submit]")
        tab.page.wait_for_load_state("load")
        assert tab.page.is_checked("#v-paused")
        tab.check("visibility saved")

        tab.visit(f"/members/{other.user_id}/share-date/")
        tab.page.fill("#sd-when", "2030-01-01T20:00")  # beyond 60 days: refused inline
        tab.page.fill("#sd-place", "Café Nina")
        tab.page.click("form.card button[type=submit]")
        tab.page.wait_for_load_state("load")
        assert tab.page.locator(".form-errors").is_visible()
        tab.check("share refused")
        share = DateShare.objects.create(
            creator=me, partner=other, starts_at=timezone.now(), place="Café Nina"
        )
        anonymous = Tab(chromium, live_server.url)
        anonymous.page.set_viewport_size({"width": 390, "height": 844})
        try:
            anonymous.visit(f"/date/{share.token}/")
            assert "Café Nina" in anonymous.page.inner_text("main")
            assert anonymous.page.locator(".date-photo").evaluate("img => img.naturalWidth") > 0
            anonymous.page.screenshot(path=str(SHOTS / "date-share-public.png"))
        finally:
            anonymous.context.close()
    finally:
        tab.close()
