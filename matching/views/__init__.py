"""Matching pages, one module per area: ``members`` (list, like, block, report, lists,
location), ``deck`` (discover), ``blocks`` (blocked members), ``smart`` (smart matches).

The view functions are re-exported here."""

from .blocks import (
    blocked_list,
    unblock,
)
from .deck import (
    discover,
    discover_cards,
    pass_undo,
    pass_view,
)
from .members import (
    CHIPS,
    DISTANCE_CHOICES,
    block,
    cards_link,
    city_options,
    like,
    lists,
    location_city,
    location_set,
    member_list,
    profile_click,
    profile_views,
    report,
    unmatch,
    view_duration,
)
from .smart import (
    smart_matches,
)

__all__ = [
    "CHIPS",
    "DISTANCE_CHOICES",
    "block",
    "blocked_list",
    "cards_link",
    "city_options",
    "discover",
    "discover_cards",
    "like",
    "lists",
    "location_city",
    "location_set",
    "member_list",
    "pass_undo",
    "pass_view",
    "profile_click",
    "profile_views",
    "report",
    "smart_matches",
    "unblock",
    "unmatch",
    "view_duration",
]
