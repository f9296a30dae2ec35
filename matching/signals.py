"""Receivers of the events lower apps send for matching to act on (docs/architecture.md
"Side effects"). Connected by ``MatchingConfig.ready`` (:func:`connect`)."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from profiles.models import Member
from profiles.signals import member_page_viewed

from .services import profile_view_record


def _member_page_viewed(sender: Any, *, viewer: User, viewed: Member, **kwargs: Any) -> None:
    """A member's profile page was shown: record the view (rules §7)."""
    profile_view_record(viewer=viewer, viewed=viewed)


def connect() -> None:
    member_page_viewed.connect(_member_page_viewed, dispatch_uid="matching_profile_view")
