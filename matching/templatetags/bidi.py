"""``{% load bidi %}``: ``|bdi`` (an escaped ``<bdi>`` element, for values placed inside
translated sentences with ``{% blocktranslate with name=x|bdi %}``) and ``|fsi`` (the value
between Unicode isolate marks, for attributes and ``<title>``). See :mod:`miel.bidi`."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from miel.bidi import isolate

register = template.Library()


@register.filter
def bdi(value: object) -> SafeString | str:
    """``<bdi>value</bdi>`` with ``value`` escaped; an empty value stays empty."""
    if value in (None, ""):
        return ""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def fsi(value: object) -> str:
    """``value`` between FSI and PDI (not marked safe: it is escaped where it is printed)."""
    return isolate(value)
