"""Visual order of mixed-direction text, as Chromium lays it out on a 390 x 844 phone (issue 17).

- A Hebrew city on the English members list read "km 3 · תל אביב": the number and unit jumped
  into the right-to-left run. Now the city (an isolate) comes first, then "3 km" left to right.
- On the Hebrew page, the same line reads city, then "3 ק״מ" with the number to the right.
- An English message in the Hebrew chat showed as "!Love the beach vibes": the "!" comes last.
- A name with a right-to-left override does not reorder the age after it.
Screenshots: /tmp/miel-shots/bidi-*.png."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client

from messaging.models import Message
from tests.browser.conftest import SHOTS
from tests.factories import MemberFactory, make_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Left edge of ``word`` inside the first element matching ``sel`` whose text contains it.
X_OF = """([sel, word]) => {
  for (const el of document.querySelectorAll(sel)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent.indexOf(word);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at); range.setEnd(node, at + word.length);
      return range.getBoundingClientRect().left;
    }
  }
  return null;
}"""


def _phone(browser, base_url: str, user, language: str):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {"name": "django_language", "value": language, "url": base_url},
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url},
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _x(page, sel: str, word: str) -> float:
    x = page.evaluate(X_OF, [sel, word])
    assert x is not None, (sel, word)
    return x


@pytest.mark.parametrize("language", ["he", "en"])
def test_city_distance_name_and_message_keep_their_order(chromium, live_server, language):
    me = MemberFactory(name="Dan", city="Tel Aviv")
    # About 3 km north of the viewer.
    # A Hebrew place name the dataset does not know stays Hebrew on the English page too (a
    # known one reads in the page's language, tests/matching/test_place_names.py).
    other = MemberFactory(name="\u202eNoa", city="כפר נופים", latitude=32.1123, longitude=34.7818)
    make_match(me, other)
    Message.objects.create(sender=other, recipient=me, text="Love the beach vibes!")
    context, page = _phone(chromium, live_server.url, me.user, language)

    page.goto(live_server.url + "/members/?distance=any")
    meta = ".member-card .meta"
    page.locator(meta).first.screenshot(path=str(SHOTS / f"bidi-members-meta-{language}.png"))
    km = re.search(r"\d+", page.locator(meta).first.inner_text()).group()  # rounded to the grid
    city, number = _x(page, meta, "כפר נופים"), _x(page, meta, km)
    unit = "km" if language == "en" else "ק״מ"
    if language == "en":
        assert city < number < _x(page, meta, unit)  # "כפר נופים · 3 km", left to right
    else:
        assert city > number > _x(page, meta, unit)  # "כפר נופים · 3 ק״מ", right to left
    # The overridden name stays inside its isolate: the age is still after it.
    title = ".member-card h3"
    age = str(other.age)
    name_x = _x(page, title, "Noa")
    assert (name_x < _x(page, title, age)) == (language == "en")

    page.goto(live_server.url + f"/members/{other.user_id}/chat/")
    text = ".msg-theirs .msg-text"
    page.locator(text).first.screenshot(path=str(SHOTS / f"bidi-chat-message-{language}.png"))
    assert _x(page, text, "Love") < _x(page, text, "vibes") < _x(page, text, "!")
    context.close()
    connection.close()
