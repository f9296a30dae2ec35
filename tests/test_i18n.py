"""Hebrew catalogue: complete, well-formed, compiled, current with the code, and used by pages.

Hebrew is Miel's default language (``LANGUAGE_CODE = "he"``); English is the other one.
"""

import gettext
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tests.conftest import require_service

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "he" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"
# The same options as `make messages` (keep the two in step).
MAKEMESSAGES_IGNORE = [".venv", "staticfiles", "media", "tests/*", "bench/*"]

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\w*\}")
TAG = re.compile(r"</?([a-zA-Z]+)[^>]*>")
HEBREW = re.compile(r"[\u05d0-\u05ea]")


def _live(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def _problems(po: polib.POFile) -> list[str]:
    """Untranslated, fuzzy or (for plurals) partly translated entries, by msgid."""
    problems = []
    for entry in _live(po):
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                problems.append(f"untranslated plural: {entry.msgid!r}")
        elif not entry.msgstr:
            problems.append(f"untranslated: {entry.msgid!r}")
    return problems


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def test_catalogue_has_no_untranslated_or_fuzzy_entries(po):
    assert len(_live(po)) > 500
    assert _problems(po) == []
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "he"
    assert po.metadata["Plural-Forms"].startswith("nplurals=2;")


def test_translations_keep_placeholders_and_html(po):
    bad = []
    for entry in _live(po):
        sources = PLACEHOLDER.findall(entry.msgid) + PLACEHOLDER.findall(entry.msgid_plural or "")
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for target in targets:
            if entry.msgid_plural:
                # A plural form may leave out a placeholder, never invent one.
                ok = set(PLACEHOLDER.findall(target)) <= set(sources)
            else:
                ok = sorted(PLACEHOLDER.findall(target)) == sorted(sources)
            ok = ok and sorted(TAG.findall(target)) == sorted(TAG.findall(entry.msgid))
            if not ok:
                bad.append((entry.msgid, target))
    assert bad == []


def test_every_translation_is_hebrew_or_a_deliberate_copy(po):
    """A msgstr without a Hebrew letter must be one of the few that are the same in Hebrew."""
    same_in_hebrew = {"75–89", "60–74"}
    not_hebrew = [
        e.msgid
        for e in _live(po)
        if not e.msgid_plural and not HEBREW.search(e.msgstr) and e.msgid not in same_in_hebrew
    ]
    assert not_hebrew == []


def test_compiled_catalogue_matches_the_po(po, tmp_path):
    """The committed .mo holds exactly what the .po says (compiled afresh and compared)."""
    fresh = tmp_path / "fresh.mo"
    po.save_as_mofile(str(fresh))
    with MO_PATH.open("rb") as committed, fresh.open("rb") as expected:
        committed_catalog = gettext.GNUTranslations(committed)._catalog
        expected_catalog = gettext.GNUTranslations(expected)._catalog
    # The header ("") carries extraction dates; compare every real message.
    committed_catalog.pop("")
    expected_catalog.pop("")
    assert committed_catalog == expected_catalog
    with MO_PATH.open("rb") as committed:
        he = gettext.GNUTranslations(committed)
    assert he.gettext("Log in") == "כניסה"
    assert he.gettext("It's a match!") == "יש התאמה!"
    assert he.ngettext("%(n)s view", "%(n)s views", 1) == "%(n)s צפייה"
    assert he.ngettext("%(n)s view", "%(n)s views", 5) == "%(n)s צפיות"


def _source_copy(destination: Path) -> Path:
    """The project's sources (no virtualenv, media, tests or catalogue) copied to ``destination``.

    makemessages writes into a ``locale`` folder under its working directory whatever
    LOCALE_PATHS says, so it runs in a copy to leave the committed catalogue alone.
    """
    base = Path(settings.BASE_DIR)
    skip = {".venv", ".git", "media", "staticfiles", "tests", "bench", "locale", "node_modules"}
    for child in base.iterdir():
        if child.name in skip or child.name.startswith(("db.sqlite3", ".")):
            continue
        if child.name.endswith(".egg-info"):
            continue
        if child.is_dir():
            shutil.copytree(
                child, destination / child.name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(child, destination / child.name)
    return destination


def test_catalogue_covers_every_string_in_the_code(tmp_path, monkeypatch):
    """Re-extract the strings (as `make messages` does) into a copy: nothing may be new.

    Fails when someone adds a user-visible string without a Hebrew translation; run
    `make messages`, translate the new entries in locale/he/LC_MESSAGES/django.po and
    compile again.
    """
    require_service(bool(shutil.which("xgettext")), "needs GNU gettext (xgettext)")
    root = _source_copy(tmp_path)
    copy_dir = root / "locale" / "he" / "LC_MESSAGES"
    copy_dir.mkdir(parents=True)
    shutil.copy(PO_PATH, copy_dir / "django.po")
    before = PO_PATH.read_bytes()
    monkeypatch.chdir(root)
    with override_settings(LOCALE_PATHS=[root / "locale"]):
        call_command(
            "makemessages",
            locale=["he"],
            ignore_patterns=MAKEMESSAGES_IGNORE,
            no_location=True,
            no_obsolete=True,
            verbosity=0,
        )
    assert PO_PATH.read_bytes() == before  # the committed catalogue was not touched
    regenerated = polib.pofile(str(copy_dir / "django.po"))
    committed = {e.msgid for e in _live(polib.pofile(str(PO_PATH)))}
    new_strings = {e.msgid for e in _live(regenerated)} - committed
    assert new_strings == set(), "run `make messages` and translate these"
    assert _problems(regenerated) == []


@pytest.mark.django_db
def test_home_page_is_hebrew_by_default(client):
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="he" dir="rtl"' in html
    assert "קשרים מתוקים מתחילים כאן" in html
    assert "יצירת חשבון בחינם" in html
    assert "Sweet connections start here" not in html


@pytest.mark.django_db
def test_home_page_in_english_when_chosen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("home")).content.decode()
    assert "Sweet connections start here" in html
    assert "קשרים מתוקים מתחילים כאן" not in html


@pytest.mark.django_db
def test_login_page_is_hebrew_including_allauth(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "הרשמה" in html  # ours (navigation)
    assert "כניסה" in html  # ours and allauth's, the same word
    # allauth's own catalogue still answers in Hebrew for its form.
    assert "סיסמה" in html
    assert "Password" not in html


def test_signed_in_pages_are_hebrew(member_client):
    html = member_client.get(reverse("matching:member_list")).content.decode()
    assert "גילוי" in html  # navigation "Discover"
    assert "לייקים" in html  # navigation "Likes"
    assert ">Likes<" not in html
