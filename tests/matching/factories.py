"""Helpers for matching tests."""

from __future__ import annotations

from datetime import date

from profiles.models import Member
from tests.factories import MemberFactory


def member_at(lat: float | None, lon: float | None, **kwargs: object) -> Member:
    """A complete member at (lat, lon); None for no location."""
    return MemberFactory(latitude=lat, longitude=lon, location_enabled=lat is not None, **kwargs)


def viewer_member(**kwargs: object) -> Member:
    """A viewer who wants everyone 18-100 within the default 50 km."""
    member = MemberFactory(date_of_birth=date(1990, 1, 1), **kwargs)
    user = member.user
    user.preferred_genders = "male,female,other"
    user.preferred_age_min, user.preferred_age_max = 18, 100
    user.save(update_fields=["preferred_genders", "preferred_age_min", "preferred_age_max"])
    return member
