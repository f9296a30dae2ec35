"""The members list (rules §5, §16): filters, distance search in SQL, keyset paging and the
capped count.

How it stays cheap (the plans are in docs/performance.md):

- it reads ``profiles_member`` alone: ``Member.listed`` carries the user's "complete and
  active" state, so no row is joined with ``accounts_user`` before the page is cut (only the
  ~13 rows of the page are);
- blocks are excluded by subqueries, not by a list fetched first;
- the ordering is split into segments (boosted / not, key NULL / not), each walked in the order
  of a partial index over listed members (``member_listed_active_idx`` and friends), so a dense
  area stops after a page's worth of rows; a sparse one uses the bounding box on
  ``(latitude, longitude)`` and sorts the few rows in it;
- the count stops at :data:`COUNT_CAP` + 1 rows ("1,000+").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Exists,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from billing.services.entitlements import Feature, has_feature
from matching.models import Like, Pass
from matching.selectors.relations import discoverable, not_blocked, not_unmatched_by
from miel.geo import (
    HaversineKm,
    RoundKm,
    distance_expression,
    distance_rank_expression,
    location_q,
)
from profiles.models import Member, age_on
from profiles.selectors import is_verified

ONLINE_WINDOW = timedelta(minutes=15)
#: A pass hides the member from the one who passed for this long (issue 15).
PASS_HIDES_FOR = timedelta(days=30)
PAGE_SIZES = (3, 6, 12)
DEFAULT_PAGE_SIZE = 12
#: "showing x–y of N" counts at most this many rows, then shows "1,000+" (rules §5, §16).
COUNT_CAP = 1000
ORDERS = ("active", "newest", "distance")
CURSOR_SALT = "matching.members.cursor"
#: The Member columns a card needs; the rest (description, video, ...) are never loaded here.
CARD_FIELDS = (
    "id",
    "user_id",
    "name",
    "date_of_birth",
    "created",
    "city",
    "country",  # the city's name in the page's language depends on it (issue 17)
    "image",
    "boosted_until",
    "last_active_at",
    "verified",
    "show_distance",
)


def _detail_q(field: str, match: Q) -> Q:
    """``match`` on a life detail, for members who show that detail: a detail the member
    hides (``Member.details_hidden``, issue 18) never matches a filter, so filtering cannot
    reveal it."""
    # The JSON list as text holds '"<field>"' (no field name is part of another's in quotes);
    # a text match works on every backend, where JSON containment does not (SQLite).
    return match & ~Q(details_hidden__icontains=f'"{field}"')


def _premium_detail_conditions(filters: DiscoverFilters) -> list[Q]:
    """The premium life-detail filters (issue 18): religious outlook, children (has / wants),
    smoking and height range; each only on members who show that detail."""
    conditions = []
    for field, values in (
        ("observance", filters.observances),
        ("children_want", filters.children_want),
        ("children_have", filters.children_have),
        ("smoking", filters.smoking),
    ):
        if values:
            conditions.append(_detail_q(field, Q(**{f"{field}__in": values})))
    if filters.height_min is not None or filters.height_max is not None:
        height = Q(height_cm__isnull=False)
        if filters.height_min is not None:
            height &= Q(height_cm__gte=filters.height_min)
        if filters.height_max is not None:
            height &= Q(height_cm__lte=filters.height_max)
        conditions.append(_detail_q("height_cm", height))
    return conditions


class InvalidCursor(ValueError):
    """A cursor that was tampered with or does not belong to this order."""


@dataclass(frozen=True)
class DiscoverFilters:
    """Parsed members-list filters (rules §5). ``distance_km`` None = no distance limit;
    ``interest_ids`` and ``observances`` apply only to premium viewers (the selector checks);
    ``intentions`` to everyone (issue 18)."""

    genders: tuple[str, ...] = ()
    age_min: int = 18
    age_max: int = 100
    distance_km: int | None = None
    with_photo: bool = False
    online: bool = False
    interest_ids: tuple[int, ...] = ()
    order: str = "active"
    #: Issue 18: dating intentions (free) and religious outlooks (premium, as interests).
    intentions: tuple[str, ...] = ()
    observances: tuple[str, ...] = ()
    #: Premium too: family plans (ChildrenWant), has children (ChildrenHave), smoking
    #: (Habit) and a height range in cm (None = no bound).
    children_want: tuple[str, ...] = ()
    children_have: tuple[str, ...] = ()
    smoking: tuple[str, ...] = ()
    height_min: int | None = None
    height_max: int | None = None


@dataclass
class DiscoverCard:
    """What one card shows; never carries coordinates (rules §4, §5). The labels and URLs are
    plain strings worked out once per card, so the card template does no lookups of its own."""

    member: Member
    age: int
    distance_km: float | None
    is_online: bool
    is_verified: bool
    is_boosted: bool
    liked: bool = False
    distance_label: str = ""
    # Filled by the view (matching.views.members.cards_link), so the template only prints them.
    profile_url: str = ""
    like_url: str = ""
    photo_alt: str = ""


@dataclass
class DiscoverPage:
    cards: list[DiscoverCard]
    next_cursor: str | None
    first_index: int  # 1-based position of the first card in the whole result
    total: int  # capped at COUNT_CAP + 1
    filters: DiscoverFilters
    viewer_has_location: bool
    interests_allowed: bool
    page_size: int
    total_is_capped: bool = False  # more than COUNT_CAP: show "1,000+"

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.cards) - 1


def distance_label(km: float | None) -> str:
    """Whole km ("12 km"), "less than 1 km" below 1, "" when unknown (rules §5)."""
    if km is None:
        return ""
    if km < 1:
        return gettext("less than 1 km")
    return gettext("%(km)s km") % {"km": f"{round(km):,}"}


def dob_latest_for_age(age: int, *, today: date) -> date:
    """The latest date of birth that is ``age`` years old or more on ``today``.

    Agrees with :func:`profiles.models.age_on`: a 29 February birthday is reached on 1 March in
    common years, so when today is 29 February and the target year is common, 28 February is
    the bound (a 1 March birth is not yet ``age``).
    """
    year = today.year - age
    try:
        return today.replace(year=year)
    except ValueError:  # today is 29 Feb and ``year`` is common
        return date(year, 2, 28)


def _cursor_dump(payload: dict[str, Any]) -> str:
    return signing.dumps(payload, salt=CURSOR_SALT, compress=True)


def _cursor_load(cursor: str) -> dict[str, Any]:
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT)
    except signing.BadSignature as exc:
        raise InvalidCursor(str(exc)) from exc
    if not isinstance(data, dict) or not {"o", "s", "k", "i", "n", "t"} <= set(data):
        raise InvalidCursor("malformed cursor")
    return data


@dataclass(frozen=True)
class _Segment:
    """One index-friendly slice of the ordering: boosted or not, key NULL or not."""

    boosted: bool
    null_key: bool


_SEGMENTS = (
    _Segment(True, False),
    _Segment(True, True),
    _Segment(False, False),
    _Segment(False, True),
)


def wants_viewer_q(*, viewer_member: Member, today: date) -> Q:
    """Members whose own preferences include ``viewer_member`` (issue 15, "both sides'
    preferences"): their preferred genders hold the viewer's gender and their preferred age
    range holds the viewer's age. Reads the member row's copies (``prefers_<gender>``,
    ``preferred_age_min`` / ``max``), which the listing indexes INCLUDE, so no join."""
    age = age_on(viewer_member.date_of_birth, today)
    flag = f"prefers_{viewer_member.gender}"
    if flag not in {f"prefers_{g}" for g in Member.Gender.values}:
        return Q(pk__in=[])
    return Q(**{flag: True}, preferred_age_min__lte=age, preferred_age_max__gte=age)


def not_passed_q(*, viewer_member: Member, now: datetime) -> Q:
    """Members ``viewer_member`` has not passed on in the last :data:`PASS_HIDES_FOR` (issue
    15). An uncorrelated ``NOT IN`` over the viewer's recent passes (index
    ``pass_source_created_idx``), hashed once per statement."""
    recent = Pass.objects.filter(
        source_id=viewer_member.pk, created_at__gt=now - PASS_HIDES_FOR
    ).values("target_id")
    return ~Q(pk__in=recent)


def discovery_visible_user_ids(
    *, viewer_member: Member, user_ids: list[str], now: datetime | None = None
) -> set[str]:
    """Which of ``user_ids`` (User ids, as strings) ``viewer_member`` may be shown now: listed,
    not blocked either way, not paused or hidden by incognito
    (:func:`matching.selectors.discoverable`), not passed recently and wanting the viewer
    back (issue 15). For
    cached lists (smart matches, the assistant's cards) built before a change. One query."""
    if not user_ids:
        return set()
    now = now or timezone.now()
    rows = Member.objects.filter(
        not_blocked(user_id=viewer_member.user_id),
        discoverable(viewer_id=viewer_member.user_id),
        not_unmatched_by(user_id=viewer_member.user_id),
        wants_viewer_q(viewer_member=viewer_member, today=timezone.localdate(now)),
        not_passed_q(viewer_member=viewer_member, now=now),
        user_id__in=user_ids,
        listed=True,
    ).values_list("user_id", flat=True)
    return {str(u) for u in rows}


def members_discoverable(*, viewer: User) -> QuerySet[Member]:
    """Listed members (complete profile, active account: ``Member.listed``) other than
    ``viewer``, without blocked pairs either way (rules §5, §6), without those
    :func:`~matching.selectors.discoverable` hides (paused, incognito) and without members who
    unmatched ``viewer`` (issue 16). The blocks are subqueries, so building this runs no
    query."""
    return Member.objects.filter(
        not_blocked(user_id=viewer.pk),
        discoverable(viewer_id=viewer.pk),
        not_unmatched_by(user_id=viewer.pk),
        listed=True,
    ).exclude(user_id=viewer.pk)


def _filtered(
    *,
    viewer: User,
    viewer_member: Member | None,
    filters: DiscoverFilters,
    interests_allowed: bool,
    now: datetime,
    exclude_liked: bool = False,
) -> tuple[QuerySet[Member], Q | None]:
    """Every filter of rules §5 except the ordering, with ``distance_km`` annotated, and the
    bounding box of the distance filter (None without one) kept apart: the haversine test in
    the queryset is exact alone, the box only lets the planner use the box index. The page
    leaves it out when the count says the area is dense, so that an ordering index is walked.
    Built with few ``filter()`` calls: the ORM's per-call cost is most of this page's Python
    time."""
    today = timezone.localdate(now)
    conditions = [
        Q(listed=True),
        ~Q(user_id=viewer.pk),
        discoverable(viewer_id=viewer.pk),
        Q(date_of_birth__lte=dob_latest_for_age(filters.age_min, today=today)),
    ]
    if viewer_member is not None:  # both sides' preferences, and recent passes (issue 15)
        conditions.append(wants_viewer_q(viewer_member=viewer_member, today=today))
        conditions.append(not_passed_q(viewer_member=viewer_member, now=now))
        if exclude_liked:
            liked = Like.objects.filter(source_id=viewer_member.pk).values("target_id")
            conditions.append(~Q(pk__in=liked))
    if filters.genders:
        conditions.append(Q(gender__in=filters.genders))
    if filters.age_max < 150:
        conditions.append(Q(date_of_birth__gt=dob_latest_for_age(filters.age_max + 1, today=today)))
    if filters.with_photo:
        conditions.append(~Q(image=""))
    if filters.online:
        conditions.append(Q(last_active_at__gte=now - ONLINE_WINDOW))
    if filters.intentions:
        conditions.append(_detail_q("intention", Q(intention__in=filters.intentions)))
    if interests_allowed:
        conditions.extend(_premium_detail_conditions(filters))
    if filters.interest_ids and interests_allowed:
        through = Member.interests.through
        conditions.append(
            Q(
                Exists(
                    through.objects.filter(
                        member_id=OuterRef("pk"), interest_id__in=filters.interest_ids
                    )
                )
            )
        )
    qs = Member.objects.annotate(
        distance_km=_distance(viewer_member), distance_rank=_distance_rank(viewer_member)
    ).filter(not_blocked(user_id=viewer.pk), not_unmatched_by(user_id=viewer.pk), *conditions)
    if filters.distance_km is None or viewer_member is None or not viewer_member.has_location:
        return qs, None
    qs = qs.filter(
        latitude__isnull=False, longitude__isnull=False, distance_km__lte=float(filters.distance_km)
    )
    latitude, longitude = _position(viewer_member)
    box = location_q(latitude=latitude, longitude=longitude, km=filters.distance_km)
    return qs, box


def _distance(viewer_member: Member | None) -> HaversineKm | Value:
    if viewer_member is None or not viewer_member.has_location:
        return Value(None, output_field=FloatField())
    latitude, longitude = _position(viewer_member)
    return distance_expression(latitude=latitude, longitude=longitude)


def _distance_rank(viewer_member: Member | None) -> RoundKm | Value:
    if viewer_member is None or not viewer_member.has_location:
        return Value(None, output_field=FloatField())
    latitude, longitude = _position(viewer_member)
    return distance_rank_expression(latitude=latitude, longitude=longitude)


def _position(member: Member) -> tuple[float, float]:
    """``member``'s coordinates; callers check ``member.has_location`` first."""
    if member.latitude is None or member.longitude is None:
        raise ValueError("the member has no location")
    return member.latitude, member.longitude


def members_discover(
    *,
    viewer: User,
    filters: DiscoverFilters,
    cursor: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    viewer_member: Member | None = None,
    now: datetime | None = None,
    exclude_liked: bool = False,
) -> DiscoverPage:
    """One page of the members list (rules §5), and of the Discover deck (issue 15).

    Only members who want the viewer back are shown (their preferred genders and age range
    hold the viewer, :func:`wants_viewer_q`), and none the viewer passed on in the last 30
    days (:func:`not_passed_q`). ``exclude_liked`` (the deck) also leaves out members the
    viewer already liked.

    Filters: genders, age range (by date-of-birth bounds matching ``age_on``), distance in km
    (only when the viewer has a location; members without one are then excluded), with photo,
    online (active within 15 min), interests (premium only, else ignored). Distances are
    between ~2 km grid cells (:mod:`miel.geo`). Order: ``active`` (last active desc),
    ``newest`` (created desc) or ``distance`` (whole km asc, the number a card shows; falls
    back to active without a viewer location); boosted members first within any order; ties
    by id.

    Keyset paging: the ordering is split into segments (boosted / not, key NULL / not), each
    walked in index order, and ``cursor`` (opaque, signed) names the segment, key and id of
    the last card, plus the time of the first page so boosts and "online" stay stable while
    paging. Raises :class:`InvalidCursor` for a bad or foreign cursor.

    Queries: the capped count, then the page: one query per boosted / not-boosted group
    touched on PostgreSQL (usually 1, at most 2), one per segment elsewhere (at most 4); the
    liked state and the verified badge come with the page rows. No query for blocks. ``viewer_member`` (the viewer's own
    Member, or None) saves one more query when the caller already has it.
    """
    if page_size not in PAGE_SIZES:
        page_size = DEFAULT_PAGE_SIZE
    if viewer_member is None:
        viewer_member = Member.objects.filter(user_id=viewer.pk).first()
    has_location = bool(viewer_member and viewer_member.has_location)
    interests_allowed = has_feature(viewer, Feature.INTERESTS_FILTER)
    order = filters.order if filters.order in ORDERS else "active"
    if order == "distance" and not has_location:
        order = "active"

    state: dict[str, Any] | None = None
    if cursor:
        state = _cursor_load(cursor)
        if state["o"] != order:
            raise InvalidCursor("cursor belongs to another order")
        now = datetime.fromisoformat(state["t"])
    now = now or timezone.now()

    qs, box = _filtered(
        viewer=viewer,
        viewer_member=viewer_member,
        filters=filters,
        interests_allowed=interests_allowed,
        now=now,
        exclude_liked=exclude_liked,
    )
    total = _capped_count(
        qs.filter(box) if box else qs,
        key=(
            viewer.pk,
            viewer_member.latitude if has_location and viewer_member else None,
            viewer_member.longitude if has_location and viewer_member else None,
            filters,
            order,
            exclude_liked,
            interests_allowed,
        ),
    )
    # More than COUNT_CAP matches: the area is dense, and walking an ordering index (no box)
    # finds a page quickly. Fewer: the box holds them all, and sorting them is cheaper. The
    # count decides, not the planner's estimate of the box (which clustered data fools).
    walk = total > COUNT_CAP and order != "distance"
    shown_before = state["n"] if state else 0
    rows = _page_rows(
        qs.filter(box) if box and not walk else qs,
        order=order,
        state=state,
        page_size=page_size,
        viewer_member=viewer_member,
        now=now,
    )
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    key = _ORDER_KEYS[order][0]
    next_cursor = None
    if has_more and rows:
        seg_index, last = rows[-1]
        next_cursor = _cursor_dump(
            {
                "o": order,
                "s": seg_index,
                "k": _key_dump(getattr(last, key)),
                "i": str(last.pk),
                "n": shown_before + len(rows),
                "t": now.isoformat(),
            }
        )
    cards = discover_cards([m for _, m in rows], now=now)
    return DiscoverPage(
        cards=cards,
        next_cursor=next_cursor,
        first_index=shown_before + 1,
        total=max(total, shown_before + len(cards)),
        filters=DiscoverFilters(**{**filters.__dict__, "order": order}),
        viewer_has_location=has_location,
        interests_allowed=interests_allowed,
        page_size=page_size,
        total_is_capped=total > COUNT_CAP,
    )


def _capped_count(qs: QuerySet[Member], *, key: tuple[Any, ...]) -> int:
    """How many members ``qs`` holds, counted up to ``COUNT_CAP + 1`` (rules §5: the list
    shows "1 000+"), kept ``settings.DISCOVER_COUNT_CACHE_SECONDS`` (default 60; 0 = off) per
    viewer, location and filters (``key``). The number picks the paging strategy and is shown
    rounded, so a minute-old one serves both as well; in the dense core counting is most of
    the page's database time (issue 20, docs/performance.md). A cache outage only means
    counting every time."""
    seconds = int(getattr(settings, "DISCOVER_COUNT_CACHE_SECONDS", 0) or 0)
    cache_key = "dcount:" + hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    if seconds:
        hit = cache.get(cache_key)
        if hit is not None:
            return int(hit)
    total = qs.values("pk")[: COUNT_CAP + 1].count()
    if seconds:
        cache.set(cache_key, total, seconds)
    return total


#: order -> (ordering key, descending)
_ORDER_KEYS = {
    "active": ("last_active_at", True),
    "newest": ("created", True),
    # Whole km between grid cells (what the card shows), then id: the cursor carries that
    # coarse number, never a precise distance (rules §5).
    "distance": ("distance_rank", False),
}


def _page_rows(
    qs: QuerySet[Member],
    *,
    order: str,
    state: dict[str, Any] | None,
    page_size: int,
    viewer_member: Member | None,
    now: datetime,
) -> list[tuple[int, Member]]:
    """Up to ``page_size + 1`` (segment index, member) rows after the cursor ``state``.

    Each segment is one query: an inner query finds the page's ids from the covering partial
    indexes alone (every filtered column is INCLUDEd, so no table row is read for the rows it
    skips), the outer one loads those few rows with the card columns (the verified flag among
    them) and the viewer's like."""
    key, descending = _ORDER_KEYS[order]
    key_nullable = key != "created"
    cards = Member.objects.only(*CARD_FIELDS).annotate(
        distance_km=_distance(viewer_member),
        distance_rank=_distance_rank(viewer_member),
    )
    if viewer_member is not None:
        cards = cards.annotate(
            liked=Exists(Like.objects.filter(source_id=viewer_member.pk, target_id=OuterRef("pk")))
        )
    boosted = Q(boosted_until__gt=now)
    not_boosted = Q(boosted_until__isnull=True) | Q(boosted_until__lte=now)
    # A boosted group's two segments (key set, key NULL) go out as one UNION ALL where the
    # database allows a LIMIT per branch, so a sparse page costs two queries, not four. The
    # NULL-key branch is almost always empty and costs one index probe.
    union = connection.features.supports_slicing_ordering_in_compound
    start = state["s"] if state else 0
    rows: list[tuple[int, Member]] = []
    for group in (True, False):
        branches = []
        for index, segment in enumerate(_SEGMENTS):
            if segment.boosted != group or index < start:
                continue
            if segment.null_key and not key_nullable:
                continue
            where = [
                boosted if segment.boosted else not_boosted,
                Q(**{f"{key}__isnull": segment.null_key}),
            ]
            if segment.null_key:
                ordering = ["-id"] if descending else ["id"]
            else:
                ordering = [f"-{key}", "-id"] if descending else [key, "id"]
            if state and index == start:
                where.append(_after(state, key=key, descending=descending, segment=segment))
            seg_qs = qs.filter(*where)
            branches.append(seg_qs.order_by(*ordering).values("pk")[: page_size + 1 - len(rows)])
        if not branches:
            continue
        if union and len(branches) > 1:
            found = list(cards.filter(pk__in=branches[0].union(*branches[1:], all=True)))
        else:  # one query per segment, stopping once the page is full
            found = []
            for ids in branches:
                if len(rows) + len(found) > page_size:
                    break
                found.extend(cards.filter(pk__in=ids))
        _sort(found, key=key, descending=descending)
        rows.extend((_segment_index(m, key=key, now=now), m) for m in found)
        if len(rows) > page_size:
            break
    rows.sort(key=lambda row: row[0])  # stable: keeps the order inside each segment
    return rows[: page_size + 1]


def _after(state: dict[str, Any], *, key: str, descending: bool, segment: _Segment) -> Q:
    """Rows after the cursor's last card, inside the cursor's segment."""
    last_id = UUID(state["i"])
    cmp = "lt" if descending else "gt"
    if segment.null_key:
        return Q(**{f"id__{cmp}": last_id})
    last_key = _key_load(key, state["k"])
    # key <= k AND (key < k OR id < i): the first part bounds the index scan.
    return Q(**{f"{key}__{cmp}e": last_key}) & (
        Q(**{f"{key}__{cmp}": last_key}) | Q(**{f"id__{cmp}": last_id})
    )


_M = TypeVar("_M", bound=Member)


def _sort(members: list[_M], *, key: str, descending: bool) -> None:
    """In place, in the list's order: key (NULLs last), then id, both in the order's
    direction. Segments are sorted out afterwards by :func:`_segment_index`."""
    members.sort(key=lambda m: m.pk, reverse=descending)
    with_key = [m for m in members if getattr(m, key) is not None]
    with_key.sort(key=lambda m: getattr(m, key), reverse=descending)
    members[:] = with_key + [m for m in members if getattr(m, key) is None]


def _segment_index(member: Member, *, key: str, now: datetime) -> int:
    boosted = member.boosted_until is not None and member.boosted_until > now
    return _SEGMENTS.index(_Segment(boosted, getattr(member, key) is None))


def discover_cards(members: list[Member], *, now: datetime) -> list[DiscoverCard]:
    """Cards for ``members`` as the page query returns them: each carries ``distance_km``
    and ``liked`` attributes. No query."""
    today = timezone.localdate(now)
    online_since = now - ONLINE_WINDOW
    cards = []
    for m in members:
        # "Show my distance" off: the city only, no number (the order may still use it).
        km = m.distance_km if m.show_distance else None  # type: ignore[attr-defined]  # annotate()d
        cards.append(
            DiscoverCard(
                member=m,
                age=age_on(m.date_of_birth, today),
                distance_km=km,
                is_online=m.last_active_at is not None and m.last_active_at >= online_since,
                is_verified=is_verified(m),
                is_boosted=m.boosted_until is not None and m.boosted_until > now,
                liked=bool(getattr(m, "liked", False)),
                distance_label=distance_label(km),
            )
        )
    return cards


def _key_dump(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return float(value)


def _key_load(key: str, value: Any) -> Any:
    if value is None:
        raise InvalidCursor("missing key")
    try:
        return datetime.fromisoformat(value) if key != "distance_rank" else float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidCursor("bad key") from exc
