"""A deck card shows the member's prompts between their photos on a 390 x 844 phone
(issue 18), and "Like this prompt" likes the member with that prompt and moves the deck on."""

from __future__ import annotations

import pytest

from matching.models import Like
from profiles import services as profile_services
from profiles.models import Prompt
from tests.browser.conftest import SHOTS
from tests.browser.test_discover_deck import _phone, _wait_top, _with_photos
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_deck_card_shows_a_prompt_and_likes_it_on_a_phone(chromium, live_server, prompt_catalogue):
    me = MemberFactory(name="Viewer")
    avi = _with_photos("Avi", active_minutes_ago=1)
    _with_photos("Ben", active_minutes_ago=2)
    saturday = Prompt.objects.get(slug="perfect-saturday")
    fear = Prompt.objects.get(slug="irrational-fear")
    profile_services.member_prompts_set(
        member=avi, answers=[(saturday, "Sea, falafel, a nap"), (fear, "Pigeons")]
    )
    context, page = _phone(chromium, live_server.url, me.user)
    page.goto(live_server.url + "/discover/")
    _wait_top(page, "Avi")
    card = page.locator("[data-deck-card]:not([hidden])")
    prompt = card.locator(".prompt-card").first
    prompt.scroll_into_view_if_needed()
    assert prompt.is_visible()
    assert prompt.locator(".prompt-q").inner_text() == "A perfect Saturday"
    assert prompt.locator(".prompt-a").inner_text() == "Sea, falafel, a nap"
    # Between photos: the second photo follows the first prompt.
    assert card.locator(".prompt-card + .deck-inline-photo").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SHOTS / "deck-prompt-phone-en.png"))

    prompt.locator(".prompt-like-btn").click()
    _wait_top(page, "Ben")
    for _ in range(50):
        if Like.objects.filter(source=me, target=avi).exists():
            break
        page.wait_for_timeout(100)
    like = Like.objects.get(source=me, target=avi)
    assert like.prompt_id == saturday.pk
    assert like.prompt_answer == "Sea, falafel, a nap"
    context.close()
