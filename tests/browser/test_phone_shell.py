"""The app shell on a 390 x 844 phone (issue 15), in Chromium, Hebrew and English: the four
tabs sit at the bottom of every member page with the current one marked ``aria-current``, the
assistant opens from the top bar and its button covers no other control, and the desktop keeps
the same four destinations in the top bar. Screenshots: /tmp/miel-shots/shell-*.png."""

from __future__ import annotations

import pytest

from matching.models import Like
from messaging.models import Message
from tests.browser.conftest import SHOTS
from tests.browser.test_csp import Tab
from tests.factories import MemberFactory, PhotoFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Page -> the tab marked current on it.
PAGES = {
    "/lists/": "Likes",
    "/messages/": "Chats",
    "/me/": "Profile",
    "/members/edit/": "Profile",
}
LABELS = {"he": {"Likes": "לייקים", "Chats": "צ׳אטים", "Profile": "פרופיל"}}

#: Interactive elements whose box overlaps the assistant button's box (other than itself).
OVERLAPS = """() => {
  const fab = document.getElementById('ai-fab').getBoundingClientRect();
  const hits = [];
  for (const el of document.querySelectorAll('a, button, input, select, textarea, summary')) {
    if (el.id === 'ai-fab' || el.closest('#ai-panel') || !el.checkVisibility()) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.left < fab.right && fab.left < r.right && r.top < fab.bottom && fab.top < r.bottom)
      hits.push(el.outerHTML.slice(0, 80));
  }
  return hits;
}"""


def _people():
    me = MemberFactory(name="Dana Phone")
    PhotoFactory(member=me, is_approved=True)
    other = MemberFactory(name="Yoni Other")
    Like.objects.create(source=me, target=other)
    Like.objects.create(source=other, target=me)
    Message.objects.create(sender=other, recipient=me, text="Hello there")
    return me, other


@pytest.mark.parametrize("language", ["he", "en"])
def test_tab_bar_at_the_bottom_of_every_member_page_on_a_phone(chromium, live_server, language):
    me, other = _people()
    tab = Tab(chromium, live_server.url, me.user, language=language)
    tab.page.set_viewport_size({"width": 390, "height": 844})
    pages = dict(PAGES)
    pages[f"/members/{other.user_id}/"] = ""
    pages[f"/members/{other.user_id}/chat/"] = "Chats"
    for path, current in pages.items():
        tab.visit(path)
        bar = tab.page.locator("nav.tabbar")
        box = bar.bounding_box()
        assert box is not None, path
        assert abs(box["y"] + box["height"] - 844) < 1, path  # flush with the bottom
        assert bar.locator("a.tab").count() == 4
        marked = bar.locator('a[aria-current="page"]')
        if current:
            want = LABELS.get(language, {}).get(current, current)
            assert marked.count() == 1, path
            assert marked.locator(".tab-label").inner_text().strip() == want, path
        else:
            assert marked.count() == 0, path
        # Nothing hides under the bar: the page can scroll its last element above it.
        tab.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        last = tab.page.locator("main#main").bounding_box()
        assert last["y"] + last["height"] <= box["y"] + 1, path
        assert tab.page.evaluate(OVERLAPS) == [], path
        # The assistant button is in the top bar, not floating over the page.
        fab = tab.page.locator("#ai-fab").bounding_box()
        assert fab["y"] < 64, path
        name = path.strip("/").replace("/", "-")[:30] or "home"
        tab.page.screenshot(path=str(SHOTS / f"shell-{name}-{language}-phone.png"))
    tab.page.click("#ai-fab")
    assert tab.page.is_visible("#ai-panel")
    tab.close()


def test_desktop_keeps_the_four_destinations_in_the_top_bar(chromium, live_server):
    me, _other = _people()
    tab = Tab(chromium, live_server.url, me.user)
    tab.page.set_viewport_size({"width": 1280, "height": 800})
    tab.visit("/messages/")
    bar = tab.page.locator("nav.tabbar").bounding_box()
    assert bar["y"] < 60  # in the top bar
    labels = [t.strip() for t in tab.page.locator("nav.tabbar a.tab .tab-label").all_inner_texts()]
    assert labels == ["Discover", "Likes", "Chats", "Profile"]
    assert tab.page.locator("nav.tabbar a[aria-current=page] .tab-label").inner_text() == "Chats"
    assert tab.page.evaluate(OVERLAPS) == []
    tab.close()
