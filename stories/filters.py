"""The fixed list of story filters (rules §10).

A story stores only the filter *name*; the look is a CSS ``filter`` applied when the story is
shown (``static/css/stories.css`` has one ``.story-filter-<name>`` class per entry), so the
stored photo stays the original.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise  # dev-only stubs: annotations only

#: name -> (label, CSS filter). The empty name is "no filter".
STORY_FILTERS: dict[str, tuple[str | StrPromise, str]] = {
    "": (_("Normal"), "none"),
    "warm": (_("Warm"), "sepia(.25) saturate(1.4) hue-rotate(-10deg)"),
    "cool": (_("Cool"), "saturate(1.1) hue-rotate(15deg) brightness(1.05)"),
    "vivid": (_("Vivid"), "saturate(1.8) contrast(1.1)"),
    "vintage": (_("Vintage"), "sepia(.6) contrast(1.1) brightness(.95)"),
    "fade": (_("Fade"), "contrast(.85) brightness(1.1) saturate(.8)"),
    "mono": (_("Mono"), "grayscale(1)"),
    "noir": (_("Noir"), "grayscale(1) contrast(1.4) brightness(.9)"),
}


def filter_choices() -> list[tuple[str, str | StrPromise]]:
    return [(name, label) for name, (label, _css) in STORY_FILTERS.items()]
