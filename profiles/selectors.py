"""Profile read rules (SPEC §4, §5): who may see which profile, photo and distance."""

from __future__ import annotations

import math
from collections import OrderedDict
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from matching.selectors import is_blocked_pair

from .models import Interest, Member, Photo, Video

EARTH_RADIUS_KM = 6371.0
# Coordinates are snapped to this grid (degrees of latitude, ~1.1 km) before any distance is
# shown, so repeated queries cannot trilaterate anyone (SPEC §5).
GRID_DEGREES = 0.01


def member_for_profile_page(*, viewer: User, user_id: UUID | str) -> Member:
    """The member a profile page shows (SPEC §4). Raises Http404 for an unknown id, a user
    without a complete profile, or when either user blocked the other (SPEC §6)."""
    member = (
        Member.objects.select_related("user")
        .prefetch_related("interests")
        .filter(user_id=user_id, user__profile_complete=True, user__is_active=True)
        .first()
    )
    if member is None:
        raise Http404
    if member.user_id != viewer.pk and is_blocked_pair(user_id=viewer.pk, other_id=member.user_id):
        raise Http404
    return member


def member_for_user(*, user: User) -> Member:
    """The signed-in user's own member row; 404 when the profile is not complete."""
    member = Member.objects.select_related("user").filter(user=user).first()
    if member is None:
        raise Http404
    return member


def photos_visible(*, member: Member, viewer: User) -> QuerySet[Photo]:
    """The owner sees every photo (pending ones too); anyone else only approved ones."""
    qs = Photo.objects.filter(member=member).order_by("position", "created_at", "id")
    if member.user_id != viewer.pk:
        qs = qs.filter(is_approved=True)
    return qs


def video_visible(*, member: Member, viewer: User) -> Video | None:
    """The newest approved video intro (the owner also sees a pending one)."""
    qs = Video.objects.filter(member=member).order_by("-created_at", "id")
    if member.user_id != viewer.pk:
        qs = qs.filter(is_approved=True)
    return qs.first()


def member_is_verified(*, member: Member) -> bool:
    """Verified badge: an OAuth login, or a verified e-mail plus an approved photo (SPEC §4)."""
    user = member.user
    if user.oauth_verified:
        return True
    if user.email_verified is None:
        from allauth.account.models import EmailAddress

        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            return False
    return Photo.objects.filter(member=member, is_approved=True).exists()


def interests_by_category() -> OrderedDict[str, tuple[str, list[Interest]]]:
    """The interest catalogue grouped by category, in the catalogue's order, for forms."""
    labels = dict(Interest.Category.choices)
    groups: OrderedDict[str, tuple[str, list[Interest]]] = OrderedDict()
    for interest in Interest.objects.order_by("category", "slug"):
        groups.setdefault(interest.category, (str(labels.get(interest.category, "")), []))
        groups[interest.category][1].append(interest)
    return groups


def snap(value: float) -> float:
    """Snap a coordinate to the ~1 km grid."""
    return round(value / GRID_DEGREES) * GRID_DEGREES


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (R = 6371); correct across the 180° meridian and poles."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_km(a: Member, b: Member) -> float | None:
    """Distance between two members from grid-snapped coordinates; None when either lacks a
    location (never shown as 0 km, SPEC §5)."""
    if not (a.has_location and b.has_location):
        return None
    return haversine_km(
        snap(a.latitude),  # type: ignore[arg-type]
        snap(a.longitude),  # type: ignore[arg-type]
        snap(b.latitude),  # type: ignore[arg-type]
        snap(b.longitude),  # type: ignore[arg-type]
    )


def distance_km_display(a: Member | None, b: Member | None) -> str:
    """Whole km as text ("12 km", "less than 1 km"), or "" when unknown (SPEC §5)."""
    if a is None or b is None:
        return ""
    km = distance_km(a, b)
    if km is None:
        return ""
    if km < 1:
        return _("less than 1 km")
    return _("%(km)s km") % {"km": f"{round(km):,}"}
