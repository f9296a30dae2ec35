"""The assistant panel in Chromium: a typed question sent with Enter is answered by its own
skill (the panel used to send the "find" chip's intent with every typed message), "What should
I write to her?" on a member's page gives openers for that member, and "Not what I asked"
gives the message back. Hebrew and English, phone size."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SHOTS
from tests.browser.test_csp import Tab
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTIONS = {
    "he": ("היי מה נשמע", "מה לכתוב לה?", "משפטי פתיחה עבור", "נשארו היום 4 מתוך 5 הודעות"),
    "en": ("hey there!", "What should I write to her?", "Openers for", "4 of 5 messages left"),
}


@pytest.mark.parametrize("language", ["he", "en"])
def test_typed_questions_get_their_own_skill_in_the_panel(chromium, live_server, language):
    me = MemberFactory(name="Dan Typer")
    noa = MemberFactory(name="Noa Page", description="Street photography at dawn.")
    hello, write, openers_head, quota_back = QUESTIONS[language]
    tab = Tab(chromium, live_server.url, me.user, language=language)
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.visit(f"/members/{noa.user_id}/")
    tab.page.click("#ai-fab")
    log = tab.page.locator("#ai-log")

    tab.page.fill("#ai-text", hello)
    tab.page.press("#ai-text", "Enter")
    log.locator(".ai-bot").nth(1).wait_for()  # (wait_for_function would need unsafe-eval)
    answer = log.locator(".ai-bot").last
    assert answer.locator(".ai-card").count() == 0  # small talk: no match cards

    tab.page.fill("#ai-text", write)
    tab.page.press("#ai-text", "Enter")
    log.locator(".ai-bot").nth(2).wait_for()
    answer = log.locator(".ai-bot").last
    text = answer.inner_text()
    assert openers_head in text
    assert "Noa Page" in text
    assert log.locator(".ai-me").last.inner_text().strip() == write  # typed text, not a chip

    answer.locator(".ai-refund button").click()
    log.locator(".ai-refund-done").wait_for()
    # Two messages sent, one given back: 4 left (it was 3 before the tap).
    tab.page.locator("#ai-quota", has_text=quota_back).wait_for()
    tab.page.screenshot(path=str(SHOTS / f"assistant-typed-{language}.png"))
    tab.check("assistant")
    tab.close()
