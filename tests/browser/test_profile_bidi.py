"""Bidi on the profile page, as rendered by Chromium: "Ashdod, Israel" reads city first on the
Hebrew (RTL) page too (it used to show as "Israel ,Ashdod"), and Hebrew names read right to left
on the English page. Screenshots: /tmp/miel-shots/profile-place-{he,en}.png."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SHOTS
from tests.browser.test_csp import Tab
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# x of the first letter of ``word`` inside the element (a Range over the text node).
X_OF = """([sel, word]) => {
  const node = document.querySelector(sel).firstChild;
  const range = document.createRange();
  const at = node.textContent.indexOf(word);
  range.setStart(node, at); range.setEnd(node, at + word.length);
  return range.getBoundingClientRect().left;
}"""


def _x(tab, word: str) -> float:
    return tab.page.evaluate(X_OF, [".profile-meta .place", word])


@pytest.mark.parametrize("language", ["he", "en"])
def test_place_reads_in_its_own_direction(chromium, live_server, language):
    # Places the dataset does not know stay as typed, so each keeps its own direction on
    # either page; a known place reads in the page's language (issue 17).
    me = MemberFactory()
    latin = MemberFactory(name="Latin Place", city="Springfield", country="Freedonia")
    hebrew = MemberFactory(name="Hebrew Place", city="כפר נופים", country="ארץ הדמיון")
    known = MemberFactory(name="Known Place", city="Ashdod", country="Israel")
    tab = Tab(chromium, live_server.url, me.user, language=language)

    tab.visit(f"/members/{latin.user_id}/")
    tab.page.locator(".profile-head").screenshot(path=str(SHOTS / f"profile-place-{language}.png"))
    assert tab.page.inner_text(".profile-meta .place") == "Springfield, Freedonia"
    assert _x(tab, "Springfield") < _x(tab, "Freedonia")  # left to right, on either page

    tab.visit(f"/members/{hebrew.user_id}/")
    tab.page.locator(".profile-head").screenshot(
        path=str(SHOTS / f"profile-place-hebrew-names-{language}.png")
    )
    assert _x(tab, "נופים") > _x(tab, "הדמיון")  # right to left, on either page

    tab.visit(f"/members/{known.user_id}/")
    shown = {"he": "אשדוד, ישראל", "en": "Ashdod, Israel"}[language]
    assert tab.page.inner_text(".profile-meta .place") == shown
    tab.close()
