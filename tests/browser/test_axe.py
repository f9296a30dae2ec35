"""axe-core (through axe-playwright-python, which ships a pinned axe.min.js) over the main pages at
phone and desktop sizes, in Hebrew and English (issue 17): no serious or critical violation.
The data mixes directions and carries a right-to-left override in a name."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from demo.photos import render_portrait
from matching.models import Like
from messaging.models import Message
from profiles.models import Member
from tests.factories import MemberFactory, PhotoFactory, make_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
BLOCKING = {"serious", "critical"}


def _photo(member: Member) -> None:
    photo = PhotoFactory(
        member=member,
        is_approved=True,
        file=SimpleUploadedFile("p.jpg", render_portrait(gender="female", person=1, shot=0)),
    )
    Member.objects.filter(pk=member.pk).update(image=photo.url)


def _context(browser, base_url: str, user, language: str, size: str):
    context = browser.new_context(viewport=SIZES[size], locale="en-US")
    cookies = [{"name": "django_language", "value": language, "url": base_url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies.append(
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}
        )
    context.add_cookies(cookies)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _why(node: dict) -> str:
    checks = node.get("any") or node.get("all") or node.get("none") or []
    return (checks[0].get("message") or "")[:120] if checks else ""


def _blocking(axe: Axe, page) -> list[str]:
    violations = axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): "
        + "; ".join(f"{n['target'][0] if n['target'] else '?'} [{_why(n)}]" for n in v["nodes"][:6])
        for v in violations
        if v.get("impact") in BLOCKING
    ]


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["he", "en"])
def test_main_pages_have_no_serious_axe_violations(chromium, live_server, language, size):
    me = MemberFactory(name="דני Dan", city="תל אביב", description="Hi, אני דני.")
    other = MemberFactory(name="Noa\u202eנועה", city="Haifa", description="I love חומוס!")
    MemberFactory(name="Maya", city="חיפה")  # for the deck
    _photo(other)
    make_match(me, other)
    Like.objects.filter(source=other, target=me).update(note="היי Dan!")
    Message.objects.create(sender=other, recipient=me, text="Love the beach vibes!")
    Message.objects.create(sender=me, recipient=other, text="שלום, how are you?")
    axe = Axe()
    found: dict[str, list[str]] = {}

    context, page = _context(chromium, live_server.url, None, language, size)
    for path in ("/", "/accounts/login/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        if problems := _blocking(axe, page):
            found[path] = problems
    context.close()

    context, page = _context(chromium, live_server.url, me.user, language, size)
    for path in (
        "/discover/",
        "/members/?distance=any",
        f"/members/{other.user_id}/",
        "/messages/",
        f"/members/{other.user_id}/chat/",
        "/lists/?type=mutual",
        "/members/edit/",
        "/settings/",
    ):
        response = page.goto(live_server.url + path)
        assert response is not None, path
        assert response.status == 200, path
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)
        if problems := _blocking(axe, page):
            found[path] = problems
    context.close()
    connection.close()
    assert not found, "\n".join(f"{p}: {v}" for p, vs in found.items() for v in vs)
