"""The app shell on a 390 x 844 phone (issue 15), in Chromium, Hebrew and English: the four
tabs sit at the bottom of every member page with the current one marked ``aria-current``, the
assistant opens from the top bar and its button covers no other control, and the desktop keeps
the same four destinations in the top bar. Screenshots: /tmp/miel-shots/shell-*.png."""

from __future__ import annotations

import pytest

from matching.models import Like
from messaging.models import Message
from profiles.models import Member, Photo
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
  const button = document.getElementById('ai-fab');
  const fab = button.getBoundingClientRect();
  // Content scrolled up under the sticky top bar is behind it, as in every app: not covered
  // by a floating button.
  const bar = (button.closest('header') || button).getBoundingClientRect();
  const hits = [];
  for (const el of document.querySelectorAll('a, button, input, select, textarea, summary')) {
    if (el.id === 'ai-fab' || el.closest('#ai-panel') || !el.checkVisibility()) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.top < bar.bottom && !el.closest('header')) continue;
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


@pytest.mark.parametrize("language", ["he", "en"])
def test_conversations_list_on_a_phone(chromium, live_server, language):
    me, other = _people()  # other: matched, one unread message to me
    third = MemberFactory(name="Noa Third")
    Message.objects.create(sender=third, recipient=me, text="first")
    Message.objects.create(sender=me, recipient=third, text="An English reply")
    fresh = MemberFactory(name="Fresh Match")
    Like.objects.create(source=me, target=fresh)
    Like.objects.create(source=fresh, target=me)
    tab = Tab(chromium, live_server.url, me.user, language=language)
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.visit("/messages/")
    page = tab.page
    assert page.locator(".match-strip bdi").all_inner_texts() == ["Fresh Match"]
    names = page.locator(".convo .convo-name").all_inner_texts()
    assert names == ["Noa Third", "Yoni Other"]  # newest conversation first
    you = "את/ה:" if language == "he" else "You:"
    assert page.locator(".convo").first.locator(".convo-you").inner_text() == you
    assert page.locator(".convo").nth(1).locator(".convo-unread").inner_text() == "1"
    assert page.inner_text("#unread-badge") == "2"  # two conversations with unread messages
    page.screenshot(path=str(SHOTS / f"shell-conversations-{language}-phone.png"))
    # The row menu (a <details>, no JS needed) archives the conversation for me.
    row = page.locator(".convo").first
    row.locator("summary").click()
    menu = row.locator(".row-menu-body").bounding_box()
    assert menu["x"] >= 0
    assert menu["x"] + menu["width"] <= 390
    page.screenshot(path=str(SHOTS / f"shell-conversations-menu-{language}-phone.png"))
    row.locator("form").first.locator("button").click()
    page.wait_for_load_state("load")
    assert page.locator(".convo .convo-name").all_inner_texts() == ["Yoni Other"]
    tab.visit("/messages/?container=archived")
    assert page.locator(".convo .convo-name").all_inner_texts() == ["Noa Third"]
    # A row opens the chat.
    tab.visit("/messages/")
    page.locator(".convo-link").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/members/{other.user_id}/chat/")
    tab.close()


@pytest.mark.parametrize("language", ["he", "en"])
def test_profile_page_photo_carousel_and_action_bar_on_a_phone(chromium, live_server, language):
    me = MemberFactory(name="Dana Phone")
    other = MemberFactory(name="Maya Photos", description="Coffee and long walks. " * 20)
    for _ in range(3):
        PhotoFactory(member=other, is_approved=True)
    tab = Tab(chromium, live_server.url, me.user, language=language)
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.visit(f"/members/{other.user_id}/")
    page = tab.page
    carousel = page.locator(".carousel").bounding_box()
    assert carousel["width"] == 390  # full width on a phone
    assert carousel["height"] > 400  # large
    assert page.locator(".carousel-dot").count() == 3
    # A tap on the end half of the photo shows the next photo.
    end_x = 350 if language == "en" else 40
    page.mouse.click(end_x, carousel["y"] + 200)
    page.wait_for_function(
        "() => document.querySelectorAll('.carousel-dot')[1].getAttribute('aria-current') === 'true'",
        timeout=5000,
    )
    # The action bar sits above the tab bar, with Pass, Like and More.
    bar = page.locator(".action-bar .profile-actions").bounding_box()
    tabs = page.locator("nav.tabbar").bounding_box()
    assert bar["y"] + bar["height"] <= tabs["y"]
    assert bar["y"] + bar["height"] > tabs["y"] - 40  # stuck to the bottom while the bio scrolls
    for selector in (".action-pass", ".like-button", ".more-actions summary"):
        assert page.locator(selector).is_visible(), selector
    assert page.evaluate(OVERLAPS) == []
    page.screenshot(path=str(SHOTS / f"shell-profile-{language}-phone.png"))
    page.click(".more-actions summary")
    for text in ("Block", "Report") if language == "en" else ("חסימה", "דיווח"):
        assert page.locator(".more-actions .row-menu-body").get_by_text(text).is_visible()
    tab.close()


@pytest.mark.parametrize("language", ["he", "en"])
def test_edit_page_upload_error_inline_and_drag_to_reorder(
    chromium, live_server, settings, tmp_path, language
):
    # DEBUG on, as in development: django-htmx then replaced the whole document with a 400
    # htmx response, which left a bare, unstyled fragment on the screen.
    settings.DEBUG = True
    me = MemberFactory(name="Dana Phone")
    first = PhotoFactory(member=me, is_approved=True, position=0)
    second = PhotoFactory(member=me, is_approved=True, position=1)
    PhotoFactory(member=me, is_approved=False, position=2)
    Member.objects.filter(pk=me.pk).update(image=first.url)
    tab = Tab(chromium, live_server.url, me.user, language=language)
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.visit("/members/edit/")
    page = tab.page
    tiles = page.locator(".edit-grid .photo-tile[data-photo-id]")
    assert tiles.count() == 3
    for i in range(3):
        box = tiles.nth(i).bounding_box()
        assert abs(box["width"] - box["height"]) < 1  # square
    assert page.locator(".edit-grid .photo-tile.pending").count() == 1

    not_image = tmp_path / "notes.jpg"
    not_image.write_text("not an image at all")
    page.set_input_files("form.photo-upload input[type=file]", str(not_image))  # sent at once
    page.wait_for_selector("#photo-error")
    assert page.locator("header.topbar").is_visible()  # still the styled page
    assert page.locator("nav.tabbar").is_visible()
    assert page.evaluate("() => getComputedStyle(document.body).display") == "flex"
    assert "JPEG" in page.inner_text("#photo-error")
    page.screenshot(path=str(SHOTS / f"shell-edit-error-{language}-phone.png"))

    # Drag the second photo's handle onto the first: the new order is saved, it is main.
    handle = tiles.nth(1).locator("[data-drag-handle]").bounding_box()
    target = tiles.nth(0).bounding_box()
    page.mouse.move(handle["x"] + 10, handle["y"] + 10)
    page.mouse.down()
    page.mouse.move(target["x"] + 40, target["y"] + 60, steps=8)
    page.mouse.up()
    page.wait_for_function(
        "(id) => document.querySelector('.edit-grid .photo-tile').dataset.photoId === id"
        " && document.querySelector('.edit-grid .photo-tile.is-main').dataset.photoId === id",
        arg=str(second.pk),
        timeout=5000,
    )
    ordered = list(Photo.objects.filter(member=me).values_list("pk", flat=True))
    assert ordered[:2] == [second.pk, first.pk]
    me.refresh_from_db()
    assert me.image == second.url
    tab.close()


def test_choosing_a_photo_on_the_edit_page_uploads_it(chromium, live_server, tmp_path):
    """A photo picked through "Add a photo" is sent at once; nobody has to find "Upload"."""
    from PIL import Image

    me = MemberFactory(name="Dana Phone")
    PhotoFactory(member=me, is_approved=True, position=0)
    picture = tmp_path / "me.jpg"
    Image.new("RGB", (600, 800), (200, 120, 90)).save(picture)
    tab = Tab(chromium, live_server.url, me.user, language="he")
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.visit("/members/edit/")
    page = tab.page
    page.set_input_files("form.photo-upload input[type=file]", str(picture))
    page.wait_for_selector(".edit-grid .photo-tile.pending", timeout=5000)
    assert Photo.objects.filter(member=me).count() == 2
    tab.close()


def test_chat_bottom_stays_above_the_tab_bar_with_a_flash_message(chromium, live_server):
    """After a report from a closed chat, the thank-you flash sits above the chat: the
    "conversation closed" note must still end above the tab bar, not under it."""
    me, other = _people()
    Like.objects.filter(source=other).delete()  # no longer a match: the chat is closed
    for i in range(12):
        Message.objects.create(sender=other, recipient=me, text=f"Message number {i}")
    tab = Tab(chromium, live_server.url, me.user, language="he")
    tab.page.set_viewport_size({"width": 390, "height": 844})
    page = tab.page
    tab.visit(f"/members/{other.user_id}/report/?from=chat")
    page.locator("input[type=radio]").first.check()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector(".flash li")
    page.wait_for_selector("#chat-closed:not([hidden])")
    closed = page.locator("#chat-closed").bounding_box()
    tabbar = page.locator("nav.tabbar").bounding_box()
    assert closed["y"] + closed["height"] <= tabbar["y"] + 1
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    tab.close()
