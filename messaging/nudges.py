# ruff: noqa: RUF002  (Hebrew letters on purpose)
"""Nudges against harassment (issue 16, Tinder's "Are you sure?" / "Does this bother you?").

:func:`nudge_match` tells whether a message contains an insulting, sexual or threatening
expression from ``messaging/data/nudges.txt`` (English and Hebrew, kept as data in the
repository). Nothing is blocked: the sender is asked to reconsider before the message is sent
(:class:`messaging.services.NudgeNeeded`), and the recipient of a message that matched is
offered a one-tap report.

Matching, on both the text and the list entries:

- case-insensitive; Hebrew vowel points and cantillation removed; Hebrew final letters
  (ך ם ן ף ץ) read as their normal forms; invisible characters removed;
- digits and symbols people use for letters read as those letters (``0`` o, ``1`` i, ``3`` e,
  ``4`` a, ``5`` s, ``7`` t, ``@`` a, ``$`` s);
- each letter of an entry may repeat (``fuuuck``) and be followed by ``.`` ``-`` ``_`` ``*``
  (``f.u.c.k``); spaces in an entry match any run of spaces or punctuation; ``*`` in an entry
  stands for any one masked letter (``f*ck``);
- whole words only (``cum`` does not match ``document``); a Hebrew entry may carry up to two
  one-letter prefixes (ו ה ש ל ב מ כ: ``והזונה``).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

from miel.text import INVISIBLE_CHARACTERS

NUDGE_LIST = Path(__file__).resolve().parent / "data" / "nudges.txt"

_FINALS = str.maketrans("ךםןףץ", "כמנפצ")
_LEET = str.maketrans("013457@$", "oieastas")
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]")
_HEBREW_LETTER = re.compile("[\u05d0-\u05ea]")
#: Between the letters of one word: optional masking punctuation.
_JOIN = r"[.\-_*]*"
#: Between the words of an expression: spaces or punctuation, at least one character.
_GAP = r"[\s.,\-_*!?'\"]+"
#: A word character (letters of any script and digits) around a match means "inside a word".
_WORDCHAR = r"[^\W_]"
_HEBREW_PREFIX = "(?:[והשלבמכ]{0,2})"


def normalize(text: str) -> str:
    """The form both the text and the list entries are compared in (see the module doc)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if not ("\u0591" <= ch <= "\u05c7")
    )
    text = _INVISIBLE.sub("", text)
    return text.casefold().translate(_FINALS).translate(_LEET).replace("’", "'")


def _letter(ch: str) -> str:
    if ch == "*":
        return r"[^\s]"  # a masked letter (the text's "*" itself, or any letter)
    return re.escape(ch) + "+"


def _entry_pattern(entry: str) -> str:
    words = normalize(entry).split()
    body = _GAP.join(_JOIN.join(_letter(ch) for ch in word) for word in words)
    if _HEBREW_LETTER.match(words[0]):
        body = _HEBREW_PREFIX + body
    return f"(?<!{_WORDCHAR}){body}(?!{_WORDCHAR})"


def load_entries(path: Path = NUDGE_LIST) -> list[str]:
    """The expressions of the list (comments and blank lines left out)."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            entries.append(line)
    return entries


_compile_lock = threading.Lock()


@lru_cache(maxsize=1)
def _compiled() -> re.Pattern[str]:
    entries = sorted(set(load_entries()), key=len, reverse=True)
    return re.compile("|".join(_entry_pattern(e) for e in entries))


def _pattern() -> re.Pattern[str]:
    """The nudge list as one expression, compiled once per process by one thread: a socket
    server's first chat messages arrive on several pool threads at once, and each compiled
    it (~35 ms of CPU each, seconds under load) while the sends waited (issue 20)."""
    with _compile_lock:
        return _compiled()


def nudge_match(text: str | None) -> bool:
    """True when ``text`` contains an expression of the nudge list (see the module doc)."""
    if not text:
        return False
    return _pattern().search(normalize(text)) is not None
