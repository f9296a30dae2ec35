"""Every user-written or data-derived value on the main pages sits inside a direction isolate
(issue 17): a text node holding a name, city, bio, message or note is the direct content of a
``<bdi>`` or of an element with ``dir``; in attributes (alt, aria-label, title…) and in
``<title>``, where no element can go, the value is wrapped in U+2068 FIRST STRONG ISOLATE …
U+2069 POP DIRECTIONAL ISOLATE. The other member's name carries a right-to-left override
(U+202E), which reordered the text after it on cards, lists and the chat header."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from matching.models import Like
from messaging.models import Message
from tests.factories import MemberFactory, make_match

pytestmark = pytest.mark.django_db

NAME = "Noa\u202eנועה"
ME = "דני Dan"
CITY = "תל אביב"
BIO = "I love חומוס by the sea!"
NOTE = "היי Noa, 3 km?"
FROM_THEM = "Love the beach vibes!"
FROM_ME = "שלום, how are you?"
VALUES = (NAME, ME, CITY, BIO, NOTE, FROM_THEM, FROM_ME)
FSI, PDI = "\u2068", "\u2069"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
CHECKED_ATTRS = {"alt", "title", "aria-label", "placeholder", "content", "data-confirm"}


class _Scan(HTMLParser):
    """Collects every user value found outside an isolate."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key, value in attrs.items():
            if key in CHECKED_ATTRS and value:
                for v in VALUES:
                    if v in value and f"{FSI}{v}{PDI}" not in value:
                        self.bad.append(f"<{tag} {key}={value!r}>")
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        found = [v for v in VALUES if v in data]
        if not found or not self.stack:
            return
        tag, attrs = self.stack[-1]
        if tag in {"script", "style", "template"}:
            return
        # Wrapped in FSI … PDI (the only way in <title> and plain strings), or the direct
        # content of a <bdi> or of an element with its own ``dir``.
        ok = all(f"{FSI}{v}{PDI}" in data for v in found)
        if tag not in {"title", "textarea", "option"}:
            ok = ok or tag == "bdi" or "dir" in attrs
        if not ok:
            path = " > ".join(t for t, _ in self.stack[-3:])
            self.bad.append(f"{path}: {data.strip()!r}")


def _leaks(html: str) -> list[str]:
    scan = _Scan()
    scan.feed(html)
    return scan.bad


@pytest.fixture
def scene():
    me = MemberFactory(name=ME, city=CITY, description=BIO)
    other = MemberFactory(name=NAME, city=CITY, description=BIO)
    fresh = MemberFactory(name=NAME, city=CITY, description=BIO)  # for the deck
    make_match(me, other)
    Like.objects.filter(source=other, target=me).update(note=NOTE)
    Message.objects.create(sender=other, recipient=me, text=FROM_THEM, created=timezone.now())
    Message.objects.create(sender=me, recipient=other, text=FROM_ME, created=timezone.now())
    client = Client()
    client.force_login(me.user)
    return client, me, other, fresh


PAGES = [
    ("discover", "/discover/"),
    ("members", "/members/?distance=any"),
    ("profile", "/members/{other}/"),
    ("chats", "/messages/"),
    ("chat", "/members/{other}/chat/"),
    ("likes", "/lists/?type=mutual"),
    ("smart", "/smart-matches/"),
]


@pytest.mark.parametrize("language", ["he", "en"])
@pytest.mark.parametrize(("page", "url"), PAGES, ids=[p for p, _ in PAGES])
def test_user_values_sit_in_isolates(scene, language, page, url):
    client, _me, other, _fresh = scene
    client.cookies["django_language"] = language
    response = client.get(url.format(other=other.user_id))
    assert response.status_code == 200
    html = response.content.decode()
    assert NAME in html or page == "chats"  # the page does show user data
    leaks = _leaks(html)
    assert not leaks, "\n".join(leaks)


def test_the_scanner_catches_a_bare_value():
    assert _leaks(f"<p><span>{NAME}</span>, 28</p>") != []
    assert _leaks(f'<img alt="Photo of {NAME}">') != []
    assert _leaks(f"<p><bdi>{NAME}</bdi>, 28</p>") == []
    assert _leaks(f'<img alt="Photo of {FSI}{NAME}{PDI}">') == []
