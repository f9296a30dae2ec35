"""Query counts of every list page (rules §16): a page with 8 rows runs exactly as many queries
as a page with 2, so an N+1 cannot come back unnoticed; and each stays under a fixed ceiling.

Already covered elsewhere: ``/members/`` (its exact count in
tests/matching/test_discover_listing.py) and ``/lists/?type=source``
(tests/matching/test_discover.py), the smart-match engine and cache
(tests/matching/test_smart_engine.py, test_smart_cache_views.py), the stories strip selector
(tests/stories/test_strip.py) and the unread badge (tests/messaging/test_services.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matching.models import Like, ProfileView, Report
from messaging.models import ConversationState, Message
from profiles.models import Member
from tests.factories import MemberFactory, PhotoFactory

pytestmark = pytest.mark.django_db

#: Whole-request ceiling: session, user, member, blocks, the page's own queries, the navigation
#: badge and the stories strip of base.html. A new per-row query breaks the equality below long
#: before it reaches this.
CEILING = 20


def _premium(member: Member) -> None:
    member.user.premium_until = timezone.now() + timedelta(days=30)
    member.user.save(update_fields=["premium_until"])


def _count(client, path: str) -> int:
    client.get(path)  # warm: last-active write, session refresh
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


def _grows(client, path: str, add: Callable[[int], None]) -> tuple[int, int]:
    add(2)
    small = _count(client, path)
    add(6)
    big = _count(client, path)
    return small, big


def _liked_me(me: Member) -> Callable[[int], None]:
    def add(n: int) -> None:
        for _ in range(n):
            Like.objects.create(source=MemberFactory(), target=me)

    return add


def _matches(me: Member) -> Callable[[int], None]:
    def add(n: int) -> None:
        for _ in range(n):
            other = MemberFactory()
            Like.objects.create(source=me, target=other)
            Like.objects.create(source=other, target=me)

    return add


def _viewed_me(me: Member) -> Callable[[int], None]:
    def add(n: int) -> None:
        for _ in range(n):
            ProfileView.objects.create(viewer=MemberFactory().user, viewed=me.user)

    return add


def _conversations(me: Member, *, archived: bool = False) -> Callable[[int], None]:
    """n conversations of 3 messages (both ways) and n new matches without a message."""

    def add(n: int) -> None:
        for _ in range(n):
            other = MemberFactory()
            Message.objects.create(sender=other, recipient=me, text="hi")
            Message.objects.create(sender=me, recipient=other, text="hello")
            Message.objects.create(sender=other, recipient=me, text="how are you?")
            ConversationState.objects.create(
                owner=me, other=other, archived_at=timezone.now() if archived else None
            )
            match = MemberFactory()
            Like.objects.create(source=me, target=match)
            Like.objects.create(source=match, target=me)

    return add


def _messages(me: Member, container: str) -> Callable[[int], None]:
    def add(n: int) -> None:
        for _ in range(n):
            other = MemberFactory()
            if container == "outbox":
                Message.objects.create(sender=me, recipient=other, text="hello")
            else:
                Message.objects.create(
                    sender=other,
                    recipient=me,
                    text="hello",
                    recipient_starred=container == "starred",
                    recipient_archived=container == "archived",
                )

    return add


@pytest.mark.parametrize(
    ("path", "setup", "premium"),
    [
        ("/lists/?type=target", _liked_me, True),
        ("/lists/?type=target", _liked_me, False),
        ("/lists/?type=mutual", _matches, False),
        ("/views/", _viewed_me, True),
        ("/messages/", _conversations, False),
        ("/messages/?container=archived", lambda me: _conversations(me, archived=True), False),
        ("/messages/?container=starred", lambda me: _messages(me, "starred"), False),
    ],
)
def test_list_page_queries_do_not_grow_with_rows(client, path, setup, premium):
    me = MemberFactory()
    if premium:
        _premium(me)
    client.force_login(me.user)
    small, big = _grows(client, path, setup(me))
    assert small == big <= CEILING


def test_smart_matches_page_queries_do_not_grow_with_candidates(client):
    me = MemberFactory(gender=Member.Gender.MALE)
    me.user.preferred_genders = "female"
    me.user.save(update_fields=["preferred_genders"])
    client.force_login(me.user)

    def add(n: int) -> None:
        for _ in range(n):
            MemberFactory(gender=Member.Gender.FEMALE)
        from matching.smart import smart_match_cache_invalidate

        smart_match_cache_invalidate(user=me.user)

    small, big = _grows(client, "/smart-matches/", add)
    assert small == big <= CEILING


def test_moderation_queue_queries_do_not_grow_with_items(client):
    staff = MemberFactory()
    staff.user.is_staff = True
    staff.user.save(update_fields=["is_staff"])
    client.force_login(staff.user)

    def add(n: int) -> None:
        for _ in range(n):
            PhotoFactory(is_approved=False)
            Report.objects.create(
                reporter=MemberFactory().user,
                reported=MemberFactory().user,
                reason=Report.Reason.SCAM,
            )

    small, big = _grows(client, "/moderation/", add)
    assert small == big <= CEILING
