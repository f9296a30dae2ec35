"""Views that exist only for ``make bench`` (mounted under ``/_bench/`` when ``MIEL_BENCH=1``).

- ``hello``: the framework's floor - a minimal view behind the full middleware stack.
- ``members_naive``: the members list as the original app built it - every member matching
  the other filters loaded into Python, haversine computed in Python, sorted and sliced.
- ``members_offset``: the members list with the product's SQL filters but the original
  ``Paginator``: a full ``COUNT(*)`` plus ``OFFSET`` paging.

Both baselines render the product's template with the product's context, so the only
difference measured is how the page of members is found.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, F, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from matching import geo, selectors
from matching.forms import discover_filters_from_query
from matching.selectors import discovery
from matching.views.members import _chip_urls, _filters_query, _stories_strip_template, cards_link
from profiles.models import Member
from profiles.selectors import member_for_user


@require_GET
def hello(request: HttpRequest) -> HttpResponse:
    """Hello world through every middleware (session, auth, CSRF, locale, ...)."""
    return HttpResponse("Hello, world", content_type="text/plain")


def _base_queryset(*, viewer, filters: discovery.DiscoverFilters, now):  # type: ignore[no-untyped-def]
    today = timezone.localdate(now)
    qs = discovery.members_discoverable(viewer=viewer)
    if filters.genders:
        qs = qs.filter(gender__in=filters.genders)
    qs = qs.filter(date_of_birth__lte=discovery.dob_latest_for_age(filters.age_min, today=today))
    return qs.filter(
        date_of_birth__gt=discovery.dob_latest_for_age(filters.age_max + 1, today=today)
    )


def _cards(*, me: Member, members: list[Member], distances: list[float | None], now):  # type: ignore[no-untyped-def]
    liked = selectors.liked_member_ids(source=me, target_ids=[m.pk for m in members])
    for m, km in zip(members, distances, strict=True):
        m.distance_km = km  # type: ignore[attr-defined]
        m.oauth_verified = m.user.oauth_verified  # type: ignore[attr-defined]
        m.email_verified = m.user.email_verified  # type: ignore[attr-defined]
        m.liked = m.pk in liked  # type: ignore[attr-defined]
    return discovery.discover_cards(members, now=now)


def _render(request: HttpRequest, *, me: Member, page: discovery.DiscoverPage, next_url: str):
    cards_link(page.cards)
    query = _filters_query(page.filters, page.page_size)
    return render(
        request,
        "matching/member_list.html",
        {
            "page": page,
            "next_url": next_url,
            "query": query,
            "chips": _chip_urls(page.filters, page.page_size),
            "me": me,
            "genders": Member.Gender.choices,
            "page_sizes": discovery.PAGE_SIZES,
            "interests": [],
            "stories_strip": _stories_strip_template(),
            "like_next": request.get_full_path(),
        },
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@login_required
@require_GET
def members_naive(request: HttpRequest) -> HttpResponse:
    """Distance filtered in Python over every member that passes the other filters."""
    me = member_for_user(user=request.user)
    filters, size = discover_filters_from_query(request.GET, user=request.user, member=me)
    now = timezone.now()
    rows = list(
        _base_queryset(viewer=request.user, filters=filters, now=now).select_related("user")
    )
    kept: list[tuple[Member, float | None]] = []
    for m in rows:
        km = None
        if me.latitude is not None and m.latitude is not None and m.longitude is not None:
            km = geo.grid_distance_km(me.latitude, me.longitude, m.latitude, m.longitude)  # type: ignore[arg-type]
        limit = filters.distance_km if me.latitude is not None else None
        if limit is not None and (km is None or km > limit):
            continue
        kept.append((m, km))
    kept.sort(
        key=lambda t: (
            not (t[0].boosted_until and t[0].boosted_until > now),
            -(t[0].last_active_at.timestamp() if t[0].last_active_at else 0),
        )
    )
    number = _page_number(request)
    chunk = kept[(number - 1) * size : number * size]
    page = discovery.DiscoverPage(
        cards=_cards(
            me=me, members=[m for m, _ in chunk], distances=[k for _, k in chunk], now=now
        ),
        next_cursor=None,
        first_index=(number - 1) * size + 1,
        total=len(kept),
        filters=filters,
        viewer_has_location=me.latitude is not None,
        interests_allowed=False,
        page_size=size,
    )
    more = number * size < len(kept)
    next_url = "?" + urlencode({**request.GET.dict(), "page": number + 1}) if more else ""
    return _render(request, me=me, page=page, next_url=next_url)


@login_required
@require_GET
def members_offset(request: HttpRequest) -> HttpResponse:
    """The product's SQL filters, paged with ``Paginator`` (full COUNT + OFFSET)."""
    me = member_for_user(user=request.user)
    filters, size = discover_filters_from_query(request.GET, user=request.user, member=me)
    now = timezone.now()
    qs = _base_queryset(viewer=request.user, filters=filters, now=now)
    has_location = me.latitude is not None and me.longitude is not None
    if has_location:
        qs = qs.annotate(
            distance_km=geo.distance_expression(latitude=me.latitude, longitude=me.longitude)
        )
        if filters.distance_km is not None:
            qs = qs.filter(
                geo.location_q(latitude=me.latitude, longitude=me.longitude, km=filters.distance_km)
            ).filter(distance_km__lte=float(filters.distance_km))
    qs = qs.annotate(
        boosted=Case(
            When(boosted_until__gt=now, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    ).order_by("-boosted", F("last_active_at").desc(nulls_last=True), "-id")
    paginator = Paginator(qs.select_related("user"), size)
    number = _page_number(request)
    page_obj = paginator.get_page(number)
    members = list(page_obj.object_list)
    page = discovery.DiscoverPage(
        cards=_cards(
            me=me,
            members=members,
            distances=[getattr(m, "distance_km", None) for m in members],
            now=now,
        ),
        next_cursor=None,
        first_index=page_obj.start_index(),
        total=paginator.count,
        filters=filters,
        viewer_has_location=has_location,
        interests_allowed=False,
        page_size=size,
    )
    next_url = (
        "?" + urlencode({**request.GET.dict(), "page": page_obj.next_page_number()})
        if page_obj.has_next()
        else ""
    )
    return _render(request, me=me, page=page, next_url=next_url)
