"""A mouse drag that starts on text in the deck gives events whose target is a Text node:
deck.js must not throw ``ev.target.closest is not a function`` (QA)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.browser.test_discover_deck import _phone, _with_photos
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Fire the pointer and drag events a mouse drag gives at the first text node inside the top card.
FIRE_AT_TEXT = """() => {
  const card = document.querySelector("[data-deck-card]:not([hidden])");
  const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT,
    { acceptNode: n => n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP });
  const text = walker.nextNode();
  const opts = { bubbles: true, cancelable: true, pointerId: 1, pointerType: "mouse", button: 0 };
  text.dispatchEvent(new PointerEvent("pointerdown", opts));
  text.dispatchEvent(new PointerEvent("pointermove", opts));
  text.dispatchEvent(new PointerEvent("pointerup", opts));
  text.dispatchEvent(new DragEvent("dragstart", opts));
  return text.nodeType;
}"""


def test_deck_ignores_events_whose_target_is_a_text_node(chromium, live_server):
    viewer = MemberFactory(name="Viewer")
    _with_photos("Noa", active_minutes_ago=1)
    context, page = _phone(chromium, live_server.url, viewer.user)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/discover/")
    page.wait_for_selector("[data-deck-card]:not([hidden])")
    assert page.evaluate(FIRE_AT_TEXT) == 3
    page.wait_for_timeout(200)
    context.close()
    connection.close()
    assert errors == []
