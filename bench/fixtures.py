"""Bench fixtures (rules §16), built in the bench database after ``seed_demo``: viewers chosen
by how crowded their surroundings are, logged-in sessions, like targets, a mailbox with 200
conversations, a smart-match viewer with about 10 000 candidates and the 1 000 WebSocket users.

Needs ``django.setup()`` first. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts.models import User
from matching.models import Like
from messaging.models import Message
from profiles.models import Member

#: ~km per degree of latitude; the neighbour counts below use plain boxes (good enough to
#: rank viewers by how crowded their area is).
KM_PER_DEG = 111.2
ALLOWED_CSRF = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass
class Login:
    user_id: str
    member_id: str
    session: str
    csrf: str  # an unmasked CSRF secret: used as both the cookie and the X-CSRFToken header

    @property
    def cookie(self) -> str:
        return f"sessionid={self.session}; csrftoken={self.csrf}"


def login(user: User) -> Login:
    """A real database session for ``user`` (what the login form would create)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    member = Member.objects.only("id").get(user=user)
    return Login(
        user_id=str(user.pk),
        member_id=str(member.pk),
        session=store.session_key,
        csrf=get_random_string(32, ALLOWED_CSRF),
    )


def logins_bulk(users: list[User]) -> list[Login]:
    """Sessions for many users with one INSERT (the WebSocket scenario's 1 000 users)."""
    store = SessionStore()
    expire = timezone.now() + timedelta(days=1)
    rows, out = [], []
    members = dict(Member.objects.filter(user__in=users).values_list("user_id", "id"))
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = store.encode(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
        )
        rows.append(Session(session_key=key, session_data=data, expire_date=expire))
        out.append(
            Login(str(user.pk), str(members[user.pk]), key, get_random_string(32, ALLOWED_CSRF))
        )
    Session.objects.bulk_create(rows, batch_size=1000)
    return out


def _neighbours(member_ids: list[str], km: float) -> dict[str, int]:
    """How many located members lie in a box of +-``km`` around each member."""
    dlat = km / KM_PER_DEG
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.id::text, (
                SELECT count(*) FROM profiles_member o
                WHERE o.latitude BETWEEN s.latitude - %s AND s.latitude + %s
                  AND o.longitude BETWEEN s.longitude - %s / cos(radians(s.latitude))
                                      AND s.longitude + %s / cos(radians(s.latitude))
            )
            FROM profiles_member s WHERE s.id::text = ANY(%s)
            """,
            [dlat, dlat, dlat, dlat, member_ids],
        )
        return dict(cursor.fetchall())


def pick_viewers(*, rng: random.Random, sample: int = 300) -> dict[str, Member]:
    """Dense, mid and rural viewers: among ``sample`` random located members (demo accounts
    only), the most crowded 10 km box, the median one, and the least crowded whose 100 km box
    still holds at least 100 members (so the 100 km list has pages)."""
    ids = list(
        Member.objects.filter(
            latitude__isnull=False,
            user__profile_complete=True,
            user__is_active=True,
            user__email__startswith="member",
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    chosen = [str(i) for i in rng.sample(ids, min(sample, len(ids)))]
    n10 = _neighbours(chosen, 10)
    ranked = sorted(chosen, key=lambda i: (n10[i], i))
    dense, mid = ranked[-1], ranked[len(ranked) // 2]
    rural = None
    for candidate in ranked[: len(ranked) // 3]:
        if _neighbours([candidate], 100)[candidate] >= 100:
            rural = candidate
            break
    rural = rural or ranked[0]
    members = {
        str(pk): m
        for pk, m in Member.objects.select_related("user").in_bulk([dense, mid, rural]).items()
    }
    return {"dense": members[dense], "mid": members[mid], "rural": members[rural]}


def like_targets(*, viewer: Member, count: int = 48) -> list[str]:
    """User ids of ``count`` members near ``viewer`` that the viewer has not liked (their likes
    are cleared so the like/unlike toggle starts from "not liked")."""
    targets = list(
        Member.objects.filter(
            user__profile_complete=True,
            user__is_active=True,
            latitude__range=(viewer.latitude - 0.3, viewer.latitude + 0.3),
            longitude__range=(viewer.longitude - 0.3, viewer.longitude + 0.3),
        )
        .exclude(pk=viewer.pk)
        .order_by("id")
        .values_list("id", "user_id")[:count]
    )
    Like.objects.filter(source=viewer, target_id__in=[t[0] for t in targets]).delete()
    return [str(u) for _, u in targets]


def mailbox_with_conversations(
    *, member: Member, conversations: int = 200, rng: random.Random
) -> int:
    """Give ``member`` ``conversations`` partners with 1-4 messages each way (bulk insert);
    returns the number of messages in the member's mailbox afterwards. The member's earlier
    messages are deleted first, so a reused database (``BENCH_REUSE``) keeps 200
    conversations instead of gaining 200 more per run."""
    Message.objects.filter(Q(sender=member) | Q(recipient=member)).delete()
    partners = list(
        Member.objects.filter(user__profile_complete=True, user__is_active=True)
        .exclude(pk=member.pk)
        .order_by("?")
        .values_list("id", flat=True)[:conversations]
    )
    now = timezone.now()
    rows = []
    for n, partner in enumerate(partners):
        at = now - timedelta(days=n % 30, minutes=rng.randint(1, 1000))
        for k in range(rng.randint(2, 8)):
            incoming = k % 2 == 0
            at += timedelta(minutes=rng.randint(1, 90))
            rows.append(
                Message(
                    sender_id=partner if incoming else member.pk,
                    recipient_id=member.pk if incoming else partner,
                    text=f"bench message {n}.{k}: how was your week?",
                    created=min(at, now),
                    date_read=None if (incoming and k >= 4) else min(at, now),
                )
            )
    with transaction.atomic():
        Message.objects.bulk_create(rows, batch_size=2000)
    return (
        Message.objects.filter(recipient=member).count()
        + Message.objects.filter(sender=member).count()
    )


def filler_messages(*, total: int, exclude: Member) -> int:
    """Top ``messaging_message`` up to ``total`` rows (rules §16: the mailbox "with 1M
    messages") with messages between random pairs of other members, then ANALYZE it; returns
    the number of rows. PostgreSQL only: one INSERT ... SELECT over ``generate_series`` (about
    a minute per million rows on 2 busy cores). ``exclude`` (the mailbox member) gets none, so
    their 200 conversations stay what the scenario measures."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM messaging_message")
        missing = total - cursor.fetchone()[0]
        if missing > 0:
            cursor.execute(
                """
                WITH m AS (
                    SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n
                    FROM profiles_member WHERE id <> %(exclude)s
                ), pairs AS (
                    SELECT g, floor(random() * m.n)::int AS s,
                           1 + floor(random() * (m.n - 1))::int AS step
                    FROM m, generate_series(1, %(missing)s) AS g
                )
                INSERT INTO messaging_message (
                    id, text, sender_id, recipient_id, created, date_read, sender_deleted,
                    recipient_deleted, sender_starred, recipient_starred, sender_archived,
                    recipient_archived
                )
                SELECT gen_random_uuid(), 'filler message ' || g,
                       m.ids[1 + pairs.s], m.ids[1 + (pairs.s + pairs.step) %% m.n],
                       now() - random() * interval '365 days',
                       CASE WHEN g %% 5 = 0 THEN NULL ELSE now() END,
                       false, false, g %% 50 = 0, false, false, g %% 40 = 0
                FROM pairs, m
                """,
                {"exclude": exclude.pk, "missing": missing},
            )
        cursor.execute("ANALYZE messaging_message")
        cursor.execute("SELECT count(*) FROM messaging_message")
        return cursor.fetchone()[0]


def smart_viewer(*, member: Member, target: int = 10_000) -> int:
    """Set ``member``'s preferences (women, a contiguous age range from 22 up) so that their
    smart-match candidate set is as close to ``target`` as the data allows; returns its size."""
    from matching.smart.engine import candidate_queryset
    from profiles.services import member_user_sync

    user = member.user
    lo = 22
    best = (None, 0)
    for hi in range(lo + 2, 71):
        User.objects.filter(pk=user.pk).update(
            preferred_genders="female", preferred_age_min=lo, preferred_age_max=hi
        )
        user.refresh_from_db()
        count = candidate_queryset(member=member).count()
        if best[0] is None or abs(count - target) < abs(best[1] - target):
            best = (hi, count)
        if count >= target:
            break
    User.objects.filter(pk=user.pk).update(preferred_age_max=best[0])
    member_user_sync(user_ids=[user.pk])  # the member's copy of the range (update() skips it)
    user.refresh_from_db()
    return candidate_queryset(member=member).count()


def ws_users(*, exclude: set[str], count: int = 1000) -> list[User]:
    """``count`` complete members' users for the WebSocket scenario."""
    return list(
        User.objects.filter(
            profile_complete=True, is_active=True, member__isnull=False, email__startswith="member"
        )
        .exclude(pk__in=exclude)
        .order_by("email")[:count]
    )


def matched_with(*, member: Member, logins: list[Login]) -> None:
    """Make ``member`` a mutual match of every login's member: only matches may chat (issue
    16), and the chat scenarios send from ``member`` to them."""
    ids = [lg.member_id for lg in logins]
    Like.objects.bulk_create(
        [Like(source_id=member.pk, target_id=i) for i in ids]
        + [Like(source_id=i, target_id=member.pk) for i in ids],
        ignore_conflicts=True,
        batch_size=2000,
    )
