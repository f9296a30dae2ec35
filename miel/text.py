"""Single-line text fields (SPEC §4): names, cities and the like refuse control characters.

Chat and assistant text (multi-line) have their own checks in messaging / assistant."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
