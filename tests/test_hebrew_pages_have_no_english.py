"""The Hebrew interface of the main pages has no English left (issue 17): with a Hebrew member
and Hebrew data, no Latin word appears in the page's text or in its alt / title / aria-label /
placeholder attributes, outside the brand name, file-format abbreviations and the data itself
(isolated user values)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from matching.models import Like
from messaging.models import Message
from tests.factories import MemberFactory, make_match

pytestmark = pytest.mark.django_db

LATIN = re.compile(r"[A-Za-z]{2,}")
# The brand, and file-format / unit abbreviations written the same way in Hebrew.
BRANDS = {"Miel", "PNG", "JPEG", "WebP", "MB", "GIF", "HEIC", "MP4", "UTC"}
# Audio formats named on the voice prompt page (issue 18).
BRANDS |= {"MP", "OGG", "WebM", "WAV"}  # "MP3" and "M4A" scan as "MP" and single letters
ATTRS = {"alt", "title", "aria-label", "placeholder"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Latin(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.skip = 0  # inside script/style/template or a user-data isolate
        self.words: set[str] = set()

    def _take(self, text: str) -> None:
        self.words.update(w for w in LATIN.findall(text) if w not in BRANDS)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self.skip:
            for key in ATTRS & attrs.keys():
                self._take(attrs[key] or "")
        if tag in VOID:
            return
        skip = (
            tag in {"script", "style", "template", "bdi", "textarea"}
            or attrs.get("dir") == "auto"  # user data
            or attrs.get("lang", "he") != "he"  # the language switch's "English"
            # The time-zone list: UTC and the few zones newer than CLDR keep their IANA names (tested in
            # tests/accounts/test_settings_time_zones.py).
            or (tag == "select" and attrs.get("name") == "time_zone")
        )
        self.stack.append(skip)
        self.skip += skip

    def handle_endtag(self, tag):
        if tag in VOID or not self.stack:
            return
        self.skip -= self.stack.pop()

    def handle_data(self, data):
        if not self.skip:
            self._take(data)


def _latin_words(html: str) -> set[str]:
    scan = _Latin()
    scan.feed(html)
    return scan.words


@pytest.fixture
def client_he():
    me = MemberFactory(name="דנה", city="חיפה", description="אוהבת ים וספרים.")
    other = MemberFactory(name="נועה", city="תל אביב", description="טיולים, קפה וכלבים.")
    MemberFactory(name="מאיה", city="חיפה", description="מוזיקה.")
    make_match(me, other)
    Like.objects.filter(source=other, target=me).update(note="היי!")
    Message.objects.create(sender=other, recipient=me, text="מה שלומך?")
    client = Client()
    client.force_login(me.user)
    client.cookies["django_language"] = "he"
    return client, other


PAGES = [
    "/discover/",
    "/members/",
    "/members/{other}/",
    "/messages/",
    "/members/{other}/chat/",
    "/lists/?type=mutual",
    "/smart-matches/",
    "/members/edit/",
    "/members/edit/voice/",
    "/settings/",
]


@pytest.mark.parametrize("url", PAGES)
def test_hebrew_page_has_no_latin_words(client_he, url):
    client, other = client_he
    response = client.get(url.format(other=other.user_id))
    assert response.status_code == 200
    assert _latin_words(response.content.decode()) == set()


def test_the_scanner_sees_english():
    assert _latin_words('<p>שלום <b>any</b></p><img alt="Photo">') == {"any", "Photo"}
    assert _latin_words("<p>Miel <bdi>Noa</bdi> <span dir='auto'>Hi</span></p>") == set()
