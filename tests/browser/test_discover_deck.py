"""The Discover deck in headless Chromium on a 390 x 844 phone (issue 15): Pass (button, swipe,
← key) shows the next member and that member is not shown again; Undo brings the last one
back; a like to someone who liked you shows the match dialog; a like with a note keeps the
note. Screenshots go to /tmp/miel-shots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from demo.photos import render_portrait
from matching.models import Like, Pass
from profiles.models import Member
from tests.browser.conftest import SHOTS
from tests.factories import MemberFactory, PhotoFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _with_photos(name: str, *, active_minutes_ago: int, photos: int = 2) -> Member:
    member = MemberFactory(
        name=name,
        description=f"{name} likes long walks by the sea.",
        last_active_at=timezone.now() - timedelta(minutes=active_minutes_ago),
    )
    first = None
    for i in range(photos):
        avatar = render_portrait(gender="male", person=active_minutes_ago, shot=i)
        photo = PhotoFactory(
            member=member, is_approved=True, file=SimpleUploadedFile(f"{i}.jpg", avatar)
        )
        first = first or photo
    Member.objects.filter(pk=member.pk).update(image=first.url)
    return member


def _phone(browser, base_url: str, user, language: str = "en"):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, locale="en-US"
    )
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


def _top_name(page) -> str:
    return page.locator("[data-deck-card]:not([hidden])").first.get_attribute("data-name")


def _wait_top(page, name: str) -> None:
    page.wait_for_function(
        "(n) => { const c = document.querySelector('[data-deck-card]:not([hidden])');"
        " return c && c.dataset.name === n && !c.classList.contains('leaving'); }",
        arg=name,
    )


def test_pass_swipe_undo_and_match_on_a_phone(chromium, live_server):
    me = MemberFactory(name="Viewer")
    _with_photos("Avi", active_minutes_ago=1)
    _with_photos("Ben", active_minutes_ago=2)
    dan = _with_photos("Dan", active_minutes_ago=3)
    eli = _with_photos("Eli", active_minutes_ago=4)
    Like.objects.create(source=eli, target=me)  # Eli already likes me
    context, page = _phone(chromium, live_server.url, me.user)

    page.goto(live_server.url + "/discover/")
    _wait_top(page, "Avi")
    assert page.locator("[data-deck-card]:not([hidden])").count() == 1  # one at a time
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The photo carousel: the end half moves to the second photo.
    first_photo = page.locator("[data-deck-card]:not([hidden]) img[data-photo]").first
    assert first_photo.is_visible()
    page.locator("[data-deck-card]:not([hidden]) .deck-tap-next").click()
    assert not first_photo.is_visible()
    page.screenshot(path=str(SHOTS / "deck-phone-en.png"))

    # Pass with the button: Ben is next, at once.
    page.locator("[data-deck-card]:not([hidden]) .deck-btn-pass").click()
    _wait_top(page, "Ben")
    page.wait_for_function("() => true")
    # Swipe Ben to the left with the pointer.
    box = page.locator("[data-deck-card]:not([hidden]) .deck-photo").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.7, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(box["x"] + box["width"] * 0.7 - step * 25, y)
    page.mouse.up()
    _wait_top(page, "Dan")
    page.wait_for_function("() => document.querySelectorAll('[data-deck-card]').length === 2")
    assert set(Pass.objects.filter(source=me).values_list("target__name", flat=True)) == {
        "Avi",
        "Ben",
    }

    # A reload does not show the passed members again.
    page.goto(live_server.url + "/discover/")
    _wait_top(page, "Dan")
    names = page.eval_on_selector_all("[data-deck-card]", "els => els.map(e => e.dataset.name)")
    assert "Avi" not in names
    assert "Ben" not in names

    # Undo brings Ben (passed last) back on top.
    page.locator("[data-deck-undo] button").click()
    _wait_top(page, "Ben")
    assert list(Pass.objects.filter(source=me).values_list("target__name", flat=True)) == ["Avi"]
    # A second undo the same day is refused with a message (free member).
    page.locator("[data-deck-undo] button").click()
    page.wait_for_function(
        "() => document.querySelector('[data-deck-status]').textContent.includes('one pass a day')"
    )

    # ← passes Ben again; Dan: like with a note (→ is a like too); then Eli likes me back.
    page.keyboard.press("ArrowLeft")
    _wait_top(page, "Dan")
    page.locator("[data-deck-card]:not([hidden]) .deck-btn-note").click()
    page.locator("[data-deck-card]:not([hidden]) textarea[name=note]").fill("Hi Dan, coffee?")
    page.locator("[data-deck-card]:not([hidden]) .deck-note-send").click()
    _wait_top(page, "Eli")
    page.wait_for_function("() => true")
    page.keyboard.press("ArrowRight")
    dialog = page.locator("#match-dialog")
    dialog.wait_for(state="visible")
    assert "Eli" in dialog.inner_text()
    page.screenshot(path=str(SHOTS / "deck-match-phone-en.png"))
    assert Like.objects.get(source=me, target=dan).note == "Hi Dan, coffee?"
    assert Like.objects.filter(source=me, target=eli).exists()

    # Nobody left: the friendly empty state offers to widen the filters.
    page.locator("#match-dialog form[method=dialog] button").click()
    empty = page.locator("[data-deck-empty]")
    empty.wait_for(state="visible")
    assert "/members/?" in empty.locator("a.button").get_attribute("href")
    context.close()
    connection.close()  # see tests/browser/conftest.py
