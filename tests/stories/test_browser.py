"""The viewer in a real headless Chromium (rules §10): opens full screen, loads the image through
the checked URL, records the view, reacts, pauses on hold and closes on Esc."""

from __future__ import annotations

import shutil

import pytest
from django.test import Client

from stories.models import StoryReaction, StoryView
from tests.conftest import require_service
from tests.factories import MemberFactory
from tests.stories.factories import StoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    chromium = shutil.which("chromium")
    require_service(chromium is not None, "needs Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
        yield context
        browser.close()


def test_viewer_plays_records_view_reacts_pauses_and_closes(page, live_server):
    story = StoryFactory(text_overlay="Hello <b>there</b>", text_x=0.3, text_y=0.2)
    viewer = MemberFactory().user
    client = Client()
    client.force_login(viewer)
    page.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": "en", "url": live_server.url},
        ]
    )
    tab = page.new_page()
    tab.goto(f"{live_server.url}/stories/{story.pk}/")

    tab.wait_for_selector(".story-viewer .sv-media img")
    tab.wait_for_function(
        "() => document.querySelector('.sv-media img').naturalWidth > 0", timeout=10_000
    )
    assert tab.inner_text(".sv-text") == "Hello <b>there</b>"  # text, never HTML
    assert tab.eval_on_selector(".sv-media img", "e => e.getAttribute('src')") == (
        f"/stories/{story.pk}/image/"
    )
    tab.wait_for_function("() => document.querySelector('.sv-seg i').style.width !== ''")

    # Hold: the progress bar stops.
    box = tab.locator(".sv-tap.next").bounding_box()
    tab.mouse.move(box["x"] + 10, box["y"] + 10)
    tab.mouse.down()
    tab.wait_for_timeout(200)
    width_1 = tab.eval_on_selector(".sv-seg i", "e => e.style.width")
    tab.wait_for_timeout(700)
    width_2 = tab.eval_on_selector(".sv-seg i", "e => e.style.width")
    assert width_1 == width_2
    assert tab.eval_on_selector(".story-viewer", "e => e.classList.contains('paused')")
    tab.mouse.up()
    tab.keyboard.press(" ")  # pause (so the 5 s timer cannot close the single story)
    assert tab.eval_on_selector(".story-viewer", "e => e.classList.contains('paused')")

    for _ in range(50):
        if StoryView.objects.filter(story=story, viewer=viewer).exists():
            break
        tab.wait_for_timeout(100)
    assert StoryView.objects.filter(story=story, viewer=viewer).count() == 1

    tab.click(".sv-reactions button:first-child")
    tab.wait_for_selector(".sv-reactions button[aria-pressed=true]")
    assert StoryReaction.objects.get(story=story, user=viewer).reaction_type == "HEART"

    tab.keyboard.press("Escape")
    tab.wait_for_url(f"{live_server.url}/members/**")
