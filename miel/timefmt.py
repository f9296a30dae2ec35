"""How long ago something happened, in words, one helper for every page ("just now" under a
minute rather than "0 minutes ago", QA)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _


def time_ago(value: datetime | None, now: datetime | None = None) -> str:
    """ "just now" for anything under a minute old (or in the future: clocks drift), else
    "5 minutes ago" with the largest unit only; "" for no time."""
    if value is None:
        return ""
    now = now or timezone.now()
    if (now - value).total_seconds() < 60:
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(value, now, depth=1)}
