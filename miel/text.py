"""Hygiene of text that members type (issue 13 item 11): one place for the rules every text
input follows.

- Single-line fields (names, cities, countries, story text; rules §4) refuse every control
  character: :func:`validate_single_line`.

- NUL (U+0000) and unpaired UTF-16 surrogates (U+D800-U+DFFF, which only reach Python through
  JSON escapes such as ``"\\ud800"``) are refused: PostgreSQL cannot store the first, and
  neither can be encoded as UTF-8 (a 500 before this). :func:`text_check` raises a translated
  ValidationError (code ``bad_characters``; views answer 400).
- A text made only of whitespace and invisible characters (zero-width spaces, joiners, word
  joiner, BOM, soft hyphen, direction marks, Hangul fillers, braille blank…) is empty:
  :func:`is_visibly_empty`. The characters are not removed from real text (a zero-width joiner
  inside an emoji or a word is legitimate), only a text of nothing but them counts as empty.
- JSON from a request or a socket frame: :func:`json_loads_limited` refuses a body over a size
  limit, nesting deeper than a depth limit (100 000 nested brackets made ``json.loads`` raise
  RecursionError, a 500) and bad characters in any string, with :class:`BadJSON`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: NUL and lone surrogates (a valid pair never appears in a Python str as two code points).
_BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")

#: Characters that show nothing: zero-width and formatting characters, fillers and blanks.
INVISIBLE_CHARACTERS = (
    "\u00ad"  # soft hyphen
    "\u034f"  # combining grapheme joiner
    "\u061c"  # Arabic letter mark
    "\u115f\u1160"  # Hangul choseong / jungseong fillers
    "\u17b4\u17b5"  # Khmer inherent vowels
    "\u180b-\u180f"  # Mongolian variation selectors, vowel separator
    "\u200b-\u200f"  # zero-width space, non-joiner, joiner, LRM, RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u206f"  # bidi isolates, deprecated format characters
    "\u2800"  # braille pattern blank
    "\u3164"  # Hangul filler
    "\ufe00-\ufe0f"  # variation selectors
    "\ufeff"  # zero-width no-break space (BOM)
    "\uffa0"  # halfwidth Hangul filler
    "\U000e0000-\U000e007f"  # tags
)
_VISIBLE = re.compile(f"[^\\s{INVISIBLE_CHARACTERS}]")

#: Default limits of :func:`json_loads_limited`.
JSON_MAX_BYTES = 64 * 1024
JSON_MAX_DEPTH = 32


def has_bad_characters(value: str) -> bool:
    """True when ``value`` holds a NUL or an unpaired surrogate."""
    return bool(_BAD_CHARACTERS.search(value))


def text_check(value: str | None) -> str:
    """Return ``value`` ("" for None) unchanged, or raise ValidationError (code
    ``bad_characters``, translated) when it holds a NUL or an unpaired surrogate."""
    value = value or ""
    if has_bad_characters(value):
        raise ValidationError(
            _("This text contains characters that are not allowed."), code="bad_characters"
        )
    return value


def is_visibly_empty(value: str | None) -> bool:
    """True when ``value`` has nothing but whitespace and invisible characters."""
    return not _VISIBLE.search(value or "")


class BadJSON(ValueError):
    """A JSON body or frame that is too large, too deep, not JSON, or holds bad characters.
    ``str(exc)`` is a translated message for the member."""


def _depth_exceeds(text: str, max_depth: int) -> bool:
    """Whether brackets outside strings nest deeper than ``max_depth`` (a linear scan, no
    recursion)."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def _strings(value: Any):
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def json_loads_limited(
    raw: bytes | str, *, max_bytes: int = JSON_MAX_BYTES, max_depth: int = JSON_MAX_DEPTH
) -> Any:
    """Parse ``raw`` as JSON with limits: at most ``max_bytes`` bytes (UTF-8), nesting at most
    ``max_depth`` deep, no NUL or unpaired surrogate in any key or string. Raises
    :class:`BadJSON` (with a translated message) otherwise."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise BadJSON(_("The request is too large."))
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise BadJSON(_("The request is not valid JSON.")) from exc
    if _depth_exceeds(text, max_depth):
        raise BadJSON(_("The request is nested too deeply."))
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BadJSON(_("The request is not valid JSON.")) from exc
    if any(has_bad_characters(s) for s in _strings(value)):
        raise BadJSON(_("This text contains characters that are not allowed."))
    return value


#: Besides every Cc character (CR, LF, NUL, tab, ESC, DEL, C1 controls): line and paragraph
#: separators, which also break a line.
_LINE_BREAKERS = {"\u2028", "\u2029"}


def has_control_characters(value: str) -> bool:
    """True when ``value`` holds a control character (Unicode category Cc), a line or
    paragraph separator (U+2028, U+2029) or an unpaired surrogate."""
    for ch in value:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs") or ch in _LINE_BREAKERS:
            return True
    return False


def validate_single_line(value: str) -> None:
    """Form / model validator for one-line fields: raises ValidationError (code
    ``control_characters``) with a translated message when ``value`` holds a line break, NUL
    or any other control character (see :func:`has_control_characters`)."""
    if value and has_control_characters(str(value)):
        raise ValidationError(
            _("Use a single line of text without line breaks or control characters."),
            code="control_characters",
        )
