"""A moderation ban (a queryset UPDATE of ``is_active``, no ``save()``)
ends the member's open sessions at once with either session backend (cached_db reads the
session from the cache, never the user row), and takes them off the members list."""

from __future__ import annotations

import pytest

from matching.models import Report
from matching.selectors.discovery import DiscoverFilters, members_discover
from safety.moderation.services import Item, Kind, moderation_apply
from tests.accounts.test_sessions import engine, logged_in  # noqa: F401  (engine: fixture)
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_ban_signs_out_every_session_and_unlists_the_member(engine):  # noqa: F811
    viewer = MemberFactory()
    member = MemberFactory(name="Banned")
    browser = logged_in(member)
    assert browser.get("/settings/").status_code == 200
    report = Report.objects.create(
        reporter=viewer.user, reported=member.user, reason=Report.Reason.SCAM
    )
    moderator = UserFactory(is_staff=True)

    moderation_apply(moderator=moderator, action="ban", items=[Item(Kind.REPORT, report.pk)])

    assert browser.get("/settings/").status_code == 302  # to the login page
    page = members_discover(viewer=viewer.user, filters=DiscoverFilters())
    assert "Banned" not in [c.member.name for c in page.cards]
