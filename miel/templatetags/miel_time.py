"""``{% load miel_time %}``: ``{{ when|ago }}`` — see :func:`miel.timefmt.time_ago`."""

from __future__ import annotations

from datetime import datetime

from django import template

from miel.timefmt import time_ago

register = template.Library()


@register.filter
def ago(value: datetime | None) -> str:
    """ "just now" / "5 minutes ago" in the page's language."""
    return time_ago(value)
