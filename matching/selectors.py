"""Read-side rules of matching (SPEC §5, §6, §7): blocks and matches (shared by every app),
the members list with distance search, like lists and profile views."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from billing.entitlements import Feature, has_feature
from profiles.models import Member, age_on

from .models import Block, Like, ProfileView


def is_blocked_pair(*, user_id: UUID | str, other_id: UUID | str) -> bool:
    """True when either user (User ids) blocked the other (SPEC §6: hides both ways)."""
    return Block.objects.filter(
        Q(blocker_id=user_id, blocked_id=other_id) | Q(blocker_id=other_id, blocked_id=user_id)
    ).exists()


def blocked_user_ids(*, user_id: UUID | str) -> set[UUID]:
    """User ids hidden from ``user_id`` because of a block in either direction."""
    rows = Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)).values_list(
        "blocker_id", "blocked_id"
    )
    return {other for pair in rows for other in pair} - {UUID(str(user_id))}


def is_mutual_match(*, user_id: UUID | str, other_id: UUID | str) -> bool:
    """True when the two users (User ids) liked each other."""
    return (
        Like.objects.filter(
            Q(source__user_id=user_id, target__user_id=other_id)
            | Q(source__user_id=other_id, target__user_id=user_id)
        ).count()
        == 2
    )


# --- discovery (SPEC §5) ----------------------------------------------------------------------

EARTH_RADIUS_KM = 6371.0
#: Degrees of latitude per km on the sphere of radius EARTH_RADIUS_KM.
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
#: Coordinates are snapped to this many decimals (0.01° ≈ 1.1 km) before any distance is
#: computed for display or filtering, so repeated queries cannot trilaterate anyone (SPEC §5).
GRID_DECIMALS = 2
#: The bounding box is widened by this much (degrees) so snapping never drops a member whose
#: snapped position is inside the radius while the raw one is just outside.
GRID_MARGIN_DEGREES = 0.01
ONLINE_WINDOW = timedelta(minutes=15)
PAGE_SIZES = (3, 6, 12)
DEFAULT_PAGE_SIZE = 12
#: "showing x–y of N" counts at most this many rows, then shows "1,000+" (SPEC §5, §16).
COUNT_CAP = 1000
ORDERS = ("active", "newest", "distance")
CURSOR_SALT = "matching.members.cursor"


class InvalidCursor(ValueError):
    """A cursor that was tampered with or does not belong to this order."""


@dataclass(frozen=True)
class DiscoverFilters:
    """Parsed members-list filters (SPEC §5). ``distance_km`` None = no distance limit;
    ``interest_ids`` apply only to premium viewers (the selector checks)."""

    genders: tuple[str, ...] = ()
    age_min: int = 18
    age_max: int = 100
    distance_km: int | None = None
    with_photo: bool = False
    online: bool = False
    interest_ids: tuple[int, ...] = ()
    order: str = "active"


@dataclass
class DiscoverCard:
    """What one card shows; never carries coordinates (SPEC §4, §5)."""

    member: Member
    age: int
    distance_km: float | None
    is_online: bool
    is_verified: bool
    is_boosted: bool
    liked: bool = False

    @property
    def distance_label(self) -> str:
        return distance_label(self.distance_km)


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
    """Whole km ("12 km"), "less than 1 km" below 1, "" when unknown (SPEC §5)."""
    if km is None:
        return ""
    if km < 1:
        return gettext("less than 1 km")
    return gettext("%(km)s km") % {"km": f"{round(km):,}"}


def snap_coordinate(value: float) -> float:
    """Snap a coordinate to the ~1 km grid used for every shown distance."""
    return round(value, GRID_DECIMALS)


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


def bounding_boxes(
    *, latitude: float, longitude: float, km: float
) -> tuple[tuple[float, float], list[tuple[float, float]] | None]:
    """Latitude range and longitude ranges that contain every point within ``km`` (SPEC §5).

    Returns ``((lat_min, lat_max), lon_ranges)``; ``lon_ranges`` is None when every longitude
    qualifies (the circle reaches a pole or spans the globe). A range crossing the 180°
    meridian is split in two. Widened by :data:`GRID_MARGIN_DEGREES` for the grid snapping.
    """
    dlat = km / KM_PER_DEGREE + GRID_MARGIN_DEGREES
    lat_min, lat_max = latitude - dlat, latitude + dlat
    if lat_min <= -90 or lat_max >= 90:
        return (max(lat_min, -90.0), min(lat_max, 90.0)), None
    angular = km / EARTH_RADIUS_KM
    ratio = math.sin(angular) / math.cos(math.radians(latitude))
    if angular >= math.pi / 2 or ratio >= 1:
        return (lat_min, lat_max), None
    dlon = math.degrees(math.asin(ratio)) + GRID_MARGIN_DEGREES
    if dlon >= 180:
        return (lat_min, lat_max), None
    lon_min, lon_max = longitude - dlon, longitude + dlon
    if lon_min < -180:
        return (lat_min, lat_max), [(lon_min + 360, 180.0), (-180.0, lon_max)]
    if lon_max > 180:
        return (lat_min, lat_max), [(lon_min, 180.0), (-180.0, lon_max - 360)]
    return (lat_min, lat_max), [(lon_min, lon_max)]


def distance_expression(*, latitude: float, longitude: float) -> RawSQL:
    """Haversine km (R = 6371) from the viewer's snapped point to each member's snapped
    coordinates (ROUND(x * 100) / 100), computed in SQL; NULL for members without coordinates
    (never 0 km). The asin argument is clamped to 1, so identical points give 0 km, never an
    error. One raw SQL fragment with bound parameters: the ORM expression tree of the same
    formula cost more Python time to compile than the query took to run."""
    lat1 = math.radians(snap_coordinate(latitude))
    lon1 = math.radians(snap_coordinate(longitude))
    least = "LEAST" if connection.vendor == "postgresql" else "MIN"
    table = Member._meta.db_table
    lat = f'"{table}"."latitude"'
    lon = f'"{table}"."longitude"'
    scale = float(10**GRID_DECIMALS)
    slat = f"RADIANS(ROUND({lat} * {scale}) / {scale})"
    slon = f"RADIANS(ROUND({lon} * {scale}) / {scale})"
    sql = (
        f"CASE WHEN {lat} IS NULL OR {lon} IS NULL THEN NULL ELSE "
        f"%s * ASIN({least}(1.0, SQRT("
        f"POWER(SIN(({slat} - %s) / 2.0), 2) + %s * COS({slat}) * POWER(SIN(({slon} - %s) / 2.0), 2)"
        f"))) END"
    )
    # Only constants and bound parameters go into the SQL text (no user input).
    return RawSQL(  # noqa: S611
        sql, (2 * EARTH_RADIUS_KM, lat1, math.cos(lat1), lon1), output_field=FloatField()
    )


def _location_q(*, latitude: float, longitude: float, km: float) -> Q:
    (lat_min, lat_max), lon_ranges = bounding_boxes(latitude=latitude, longitude=longitude, km=km)
    q = Q(latitude__gte=lat_min, latitude__lte=lat_max)
    if lon_ranges is None:
        return q & Q(longitude__isnull=False)
    lon_q = Q()
    for lo, hi in lon_ranges:
        lon_q |= Q(longitude__gte=lo, longitude__lte=hi)
    return q & lon_q


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


def members_discoverable(*, viewer: User) -> QuerySet[Member]:
    """Complete, active members other than ``viewer``, without blocked pairs either way."""
    qs = Member.objects.filter(user__profile_complete=True, user__is_active=True).exclude(
        user_id=viewer.pk
    )
    hidden = blocked_user_ids(user_id=viewer.pk)
    if hidden:
        qs = qs.exclude(user_id__in=hidden)
    return qs


def members_discover(
    *,
    viewer: User,
    filters: DiscoverFilters,
    cursor: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    viewer_member: Member | None = None,
    now: datetime | None = None,
) -> DiscoverPage:
    """One page of the members list (SPEC §5).

    Filters: genders, age range (by date-of-birth bounds matching ``age_on``), distance in km
    (only when the viewer has a location; members without one are then excluded), with photo,
    online (active within 15 min), interests (premium only, else ignored). Order: ``active``
    (last active desc), ``newest`` (created desc) or ``distance`` (asc; falls back to active
    without a viewer location); boosted members first within any order; ties by id.

    Keyset paging: the ordering is split into segments (boosted / not, key NULL / not), each
    walked in index order, and ``cursor`` (opaque, signed) names the segment, key and id of
    the last card, plus the time of the first page so boosts and "online" stay stable while
    paging. Raises :class:`InvalidCursor` for a bad or foreign cursor. Queries: block ids,
    one per segment touched (usually 1-2), the capped count, the viewer's likes.
    """
    if page_size not in PAGE_SIZES:
        page_size = DEFAULT_PAGE_SIZE
    viewer_member = viewer_member or Member.objects.filter(user=viewer).first()
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
    today = timezone.localdate(now)

    qs = members_discoverable(viewer=viewer)
    if filters.genders:
        qs = qs.filter(gender__in=filters.genders)
    qs = qs.filter(date_of_birth__lte=dob_latest_for_age(filters.age_min, today=today))
    if filters.age_max < 150:
        qs = qs.filter(date_of_birth__gt=dob_latest_for_age(filters.age_max + 1, today=today))
    if filters.with_photo:
        qs = qs.exclude(image="")
    if filters.online:
        qs = qs.filter(last_active_at__gte=now - ONLINE_WINDOW)
    if filters.interest_ids and interests_allowed:
        through = Member.interests.through
        qs = qs.filter(
            Exists(
                through.objects.filter(
                    member_id=OuterRef("pk"), interest_id__in=filters.interest_ids
                )
            )
        )
    if has_location:
        assert viewer_member is not None
        distance = distance_expression(
            latitude=viewer_member.latitude,  # type: ignore[arg-type]
            longitude=viewer_member.longitude,  # type: ignore[arg-type]
        )
        qs = qs.annotate(distance_km=distance)
        if filters.distance_km is not None:
            qs = qs.filter(
                _location_q(
                    latitude=viewer_member.latitude,  # type: ignore[arg-type]
                    longitude=viewer_member.longitude,  # type: ignore[arg-type]
                    km=filters.distance_km,
                )
            ).filter(distance_km__lte=float(filters.distance_km))
    else:
        qs = qs.annotate(distance_km=Value(None, output_field=FloatField()))

    total = qs.values("pk")[: COUNT_CAP + 1].count()

    key, descending = {
        "active": ("last_active_at", True),
        "newest": ("created", True),
        "distance": ("distance_km", False),
    }[order]
    key_nullable = key != "created"
    # Boosts are few: fetch their ids through member_boosted_idx, so neither segment makes the
    # planner walk the ordering index filtering on boosted_until.
    boosted_ids = list(
        qs.filter(boosted_until__gt=now).order_by().values_list("pk", flat=True)[:1000]
    )

    start_segment = state["s"] if state else 0
    rows: list[tuple[int, Member]] = []
    for index in range(start_segment, len(_SEGMENTS)):
        segment = _SEGMENTS[index]
        if segment.null_key and not key_nullable:
            continue
        if segment.boosted and not boosted_ids:
            continue
        if segment.boosted:
            seg_qs = qs.filter(pk__in=boosted_ids)
        else:
            seg_qs = qs.exclude(pk__in=boosted_ids) if boosted_ids else qs
        if segment.null_key:
            seg_qs = seg_qs.filter(**{f"{key}__isnull": True})
            ordering = ["-id"] if descending else ["id"]
        else:
            seg_qs = seg_qs.filter(**{f"{key}__isnull": False})
            ordering = [f"-{key}", "-id"] if descending else [key, "id"]
        if state and index == state["s"]:
            last_id = UUID(state["i"])
            cmp = "lt" if descending else "gt"
            if segment.null_key:
                seg_qs = seg_qs.filter(**{f"id__{cmp}": last_id})
            else:
                last_key = _key_load(key, state["k"])
                # key <= k AND (key < k OR id < i): the first part bounds the index scan.
                seg_qs = seg_qs.filter(
                    Q(**{f"{key}__{cmp}e": last_key})
                    & (Q(**{f"{key}__{cmp}": last_key}) | Q(**{f"id__{cmp}": last_id}))
                )
        need = page_size + 1 - len(rows)
        batch = list(seg_qs.select_related("user").order_by(*ordering)[:need])
        rows.extend((index, m) for m in batch)
        if len(rows) > page_size:
            break

    has_more = len(rows) > page_size
    rows = rows[:page_size]
    shown_before = state["n"] if state else 0
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
    members = [m for _, m in rows]
    liked = liked_member_ids(source=viewer_member, target_ids=[m.pk for m in members])
    cards = [
        DiscoverCard(
            member=m,
            age=age_on(m.date_of_birth, today),
            distance_km=m.distance_km,  # type: ignore[attr-defined]
            is_online=m.last_active_at is not None and m.last_active_at >= now - ONLINE_WINDOW,
            is_verified=member_card_verified(member=m),
            is_boosted=m.boosted_until is not None and m.boosted_until > now,
            liked=m.pk in liked,
        )
        for m in members
    ]
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
        return datetime.fromisoformat(value) if key != "distance_km" else float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidCursor("bad key") from exc


def member_card_verified(*, member: Member) -> bool:
    """Verified badge from already-loaded data (no query): OAuth login, or a verified e-mail
    plus an approved main photo (SPEC §4)."""
    user = member.user
    return bool(user.oauth_verified or (user.email_verified and member.image))


def liked_member_ids(*, source: Member | None, target_ids: list[UUID]) -> set[UUID]:
    """Which of ``target_ids`` (Member ids) ``source`` has liked; one query."""
    if source is None or not target_ids:
        return set()
    return set(
        Like.objects.filter(source=source, target_id__in=target_ids).values_list(
            "target_id", flat=True
        )
    )


# --- lists and views (SPEC §6, §7) ------------------------------------------------------------

LIST_TYPES = ("source", "target", "mutual")
LIST_LIMIT = 60
VIEWS_LIMIT = 50


@dataclass
class LikeList:
    type: str
    members: list[Member]
    count: int
    can_see: bool  # False: free member on "target": show the count and blurred cards only
    liked: set[UUID] = field(default_factory=set)


def like_list(*, viewer: User, list_type: str) -> LikeList:
    """Members of ``/lists/?type=`` (SPEC §6): ``source`` = I liked, ``target`` = liked me
    (who only with Feature.SEE_WHO_LIKED_ME; otherwise ``members`` is empty and only the count
    is given), ``mutual`` = both. Newest first, at most LIST_LIMIT, blocked pairs hidden.
    Queries: block ids, the count, the page, my likes among them — independent of size."""
    me = Member.objects.filter(user=viewer).first()
    if me is None:
        return LikeList(type=list_type, members=[], count=0, can_see=True)
    hidden = blocked_user_ids(user_id=viewer.pk)
    if list_type == "target":
        likes = Like.objects.filter(target=me).exclude(source__user_id__in=hidden)
        likes = likes.filter(source__user__profile_complete=True, source__user__is_active=True)
        count = likes.count()
        if not has_feature(viewer, Feature.SEE_WHO_LIKED_ME):
            return LikeList(type=list_type, members=[], count=count, can_see=False)
        rows = likes.select_related("source__user").order_by("-created_at", "-id")[:LIST_LIMIT]
        members = [like.source for like in rows]
    else:
        likes = Like.objects.filter(source=me).exclude(target__user_id__in=hidden)
        likes = likes.filter(target__user__profile_complete=True, target__user__is_active=True)
        if list_type == "mutual":
            likes = likes.filter(
                Exists(Like.objects.filter(source_id=OuterRef("target_id"), target=me))
            )
        count = likes.count()
        rows = likes.select_related("target__user").order_by("-created_at", "-id")[:LIST_LIMIT]
        members = [like.target for like in rows]
    liked = liked_member_ids(source=me, target_ids=[m.pk for m in members])
    for m in members:
        m.liked_by_viewer = m.pk in liked  # type: ignore[attr-defined]
    return LikeList(type=list_type, members=members, count=count, can_see=True, liked=liked)


def profile_views_unseen_count(*, viewer: User) -> int:
    """How many members viewed ``viewer`` since the list was last opened (SPEC §7)."""
    hidden = blocked_user_ids(user_id=viewer.pk)
    return (
        ProfileView.objects.filter(viewed=viewer, seen=False).exclude(viewer_id__in=hidden).count()
    )


def profile_views_list(*, viewer: User) -> list[ProfileView]:
    """The last 50 views of ``viewer``'s profile, newest first, with the viewer's member
    loaded; blocked pairs and viewers without a profile hidden (SPEC §7). Premium only: the
    view checks Feature.SEE_WHO_VIEWED_ME."""
    hidden = blocked_user_ids(user_id=viewer.pk)
    return list(
        ProfileView.objects.filter(
            viewed=viewer, viewer__profile_complete=True, viewer__member__isnull=False
        )
        .exclude(viewer_id__in=hidden)
        .select_related("viewer__member")
        .order_by("-viewed_at", "-id")[:VIEWS_LIMIT]
    )


@dataclass
class ProfileActionsState:
    """What the like / block / unmatch / report buttons on a profile page show."""

    is_self: bool
    liked: bool = False
    liked_back: bool = False

    @property
    def is_match(self) -> bool:
        return self.liked and self.liked_back


def profile_actions_state(*, viewer: User, member: Member) -> ProfileActionsState:
    """Like state between ``viewer`` and ``member`` (one query)."""
    if member.user_id == viewer.pk:
        return ProfileActionsState(is_self=True)
    pairs = set(
        Like.objects.filter(
            Q(source__user_id=viewer.pk, target=member)
            | Q(source=member, target__user_id=viewer.pk)
        ).values_list("source_id", flat=True)
    )
    return ProfileActionsState(
        is_self=False, liked=bool(pairs - {member.pk}), liked_back=member.pk in pairs
    )


def member_for_action(*, viewer: User, user_id: UUID | str) -> Member:
    """The member a like/block/report request names (by user id). Raises Http404 for an
    unknown id, an incomplete profile, the viewer themself, or a blocked pair (SPEC §6)."""
    try:
        member = (
            Member.objects.select_related("user")
            .filter(user_id=user_id, user__profile_complete=True, user__is_active=True)
            .first()
        )
    except (ValueError, ValidationError) as exc:
        raise Http404 from exc
    if member is None or member.user_id == viewer.pk:
        raise Http404
    if is_blocked_pair(user_id=viewer.pk, other_id=member.user_id):
        raise Http404
    return member
