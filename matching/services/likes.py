"""Write services of matching (rules §6, §7, §11)."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from billing.services.entitlements import (
    Feature,
    has_feature,
    likes_per_12_hours,
    pass_undos_per_day,
)
from matching.models import (
    Block,
    Like,
    LocationChange,
    MatchNotification,
    Pass,
    PassUndo,
    ProfileView,
    Unmatch,
    UserInteraction,
)
from matching.selectors.discovery import PASS_HIDES_FOR
from miel import emails, metrics
from miel.mail import one_line
from miel.rawsql import db_uuid
from miel.realtime import push_to_user
from miel.text import is_visibly_empty
from notifications import quiet
from notifications.services import notification_queue
from profiles.models import Member, Photo, PromptAnswer
from profiles.services import LocationChangeLimited

logger = logging.getLogger(__name__)

#: Longest note a like may carry (issue 16).
LIKE_NOTE_MAX = 150
#: The window of the free members' like allowance (issue 16).
LIKE_LIMIT_WINDOW = timedelta(hours=12)
#: The window of the free members' undo allowance (issue 15).
UNDO_LIMIT_WINDOW = timedelta(hours=24)


class LimitReached(ValidationError):
    """A free member's allowance is used up (likes per 12 hours, undos per day): answered
    with 429 and the translated message."""


#: rules §11 interaction weights (views are computed from their duration).
ACTION_WEIGHTS = {
    UserInteraction.Action.LIKE: 2.0,
    UserInteraction.Action.MESSAGE: 3.0,
    UserInteraction.Action.PROFILE_CLICK: 1.5,
}


def interaction_weight(*, action: str, duration: int | None = None) -> float:
    """Weight of one interaction (rules §11).

    ``view``: 0.5 + min(duration / 60, 5) x 0.1, capped at 1.0 (``duration`` in seconds);
    like 2.0, message 3.0, profile_click 1.5.
    """
    if action == UserInteraction.Action.VIEW:
        minutes = min((duration or 0) / 60, 5)
        return min(0.5 + minutes * 0.1, 1.0)
    return ACTION_WEIGHTS[UserInteraction.Action(action)]


def interaction_record(
    *, user: Member, target: Member, action: str, duration: int | None = None
) -> UserInteraction | None:
    """Record that ``user`` did ``action`` on ``target`` (rules §11). Self-interactions are
    ignored (returns None). ``duration`` is in seconds (views only)."""
    if user.pk == target.pk:
        return None
    return UserInteraction.objects.create(
        user=user,
        target=target,
        action=action,
        duration=duration,
        weight=interaction_weight(action=action, duration=duration),
    )


# --- likes and matches (rules §6) --------------------------------------------------------------


@dataclass(frozen=True)
class LikeResult:
    """Outcome of :func:`like_toggle`: the state after the call."""

    liked: bool
    is_match: bool
    became_match: bool  # this call completed the pair
    changed: bool


def _lock_sql(a: Member, b: Member, liker: Member | None) -> tuple[str, list]:
    """PostgreSQL: the statement taking the pair's lock (and ``liker``'s, see
    :func:`_lock_pair`) and its parameters."""
    return _lock_sql_by_user_ids(a.user_id, b.user_id, liker.user_id if liker else None)


def _lock_sql_by_user_ids(
    a: UUID | str, b: UUID | str, liker: UUID | str | None
) -> tuple[str, list]:
    """:func:`_lock_sql` keyed by the members' User ids (one member per user, so the same
    pair), which a request knows before it has read the members."""
    low, high = sorted((str(a), str(b)))
    if liker is None:
        return "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"like:{low}:{high}"]
    # The pair, then the liker's allowance (always in this order: no cycle).
    return (
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0)),"
        " pg_advisory_xact_lock(hashtextextended(%s, 1))",
        [f"like:{low}:{high}", f"likes:{liker}"],
    )


def _lock_pair(a: Member, b: Member) -> bool:
    """Serialize likes and unlikes of one pair, either direction, until the transaction ends:
    the second request then reads the first's committed like and detects the match.

    PostgreSQL takes its locks in the round trip that reads the pair
    (:func:`_lock_and_read_pair`, :func:`_pair_locked`, statements of :func:`_lock_sql`): one
    transaction-scoped advisory lock keyed on the pair (no row is written, so profile edits of
    either member neither wait for likes nor make them wait), and for a like by a member with
    an allowance, after it, the liker's own lock, so two concurrent likes of one free member
    cannot both take the last like of the allowance (issue 16). A request never holds two pair
    locks, and the liker's lock is always the last one taken, so no two requests wait for each
    other in a cycle. The commit stays synchronous: a like that answered "it's a match" (and
    queued the match e-mails) must survive a crash of the database server.

    This function is the other databases' lock: both member rows, in id order, FOR NO KEY
    UPDATE (a no-op on SQLite, whose writers queue anyway). Returns True when the database
    really serializes the pair."""
    if not connection.features.has_select_for_update:
        return False
    list(
        Member.objects.select_for_update(no_key=True)
        .filter(pk__in=[a.pk, b.pk])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return True


#: A block between two members either way (parameters: their User ids a, b, b, a).
_BLOCK_EITHER_WAY_SQL = (
    "EXISTS(SELECT 1 FROM matching_block"
    " WHERE (blocker_id = %s AND blocked_id = %s) OR (blocker_id = %s AND blocked_id = %s))"
)

#: The viewer's member ``s``, the target's ``t`` and the target's account ``u`` of a like or
#: pass request (parameters: the two User ids).
_PAIR_FROM_SQL = (
    " FROM profiles_member s CROSS JOIN profiles_member t JOIN accounts_user u ON u.id = t.user_id"
    " WHERE s.user_id = %s AND t.user_id = %s"
)

#: Both likes of a pair and a block either way, in one round trip. Raw SQL: the same query
#: through the ORM (three Exists annotations) cost ~2 ms of CPU to build, 0.3 ms this way.
_PAIR_STATE_SQL = (
    "SELECT"  # noqa: S608 (constants only)
    " EXISTS(SELECT 1 FROM matching_like WHERE source_id = %s AND target_id = %s),"
    " EXISTS(SELECT 1 FROM matching_like WHERE source_id = %s AND target_id = %s),"
    f" {_BLOCK_EITHER_WAY_SQL},"
    " EXISTS(SELECT 1 FROM matching_pass WHERE source_id = %s AND target_id = %s),"
    " CASE WHEN %s THEN (SELECT COUNT(*) FROM matching_userinteraction"
    "  WHERE user_id = %s AND action = 'like' AND timestamp > %s) ELSE 0 END"
)


@dataclass(frozen=True)
class _PairState:
    mine: bool  # source likes target
    theirs: bool  # target likes source
    blocked: bool  # either way
    passed: bool  # source passed on target
    recent_likes: int  # likes source gave since ``since`` (their ``like`` interactions)


def _pair_state_params(
    *, source: Member, target: Member, since: datetime | None, count_likes: bool
) -> list:
    s, t = db_uuid(source.pk), db_uuid(target.pk)  # UUIDs as the database stores them
    su, tu = db_uuid(source.user_id), db_uuid(target.user_id)
    return [s, t, t, s, su, tu, tu, su, s, t, bool(count_likes), s, _window_start(since)]


def _window_start(since: datetime | None = None) -> Any:
    """The start of the like allowance's window as the statements take it (``since``, by
    default :data:`LIKE_LIMIT_WINDOW` before now): a parameter compared with interactions'
    ``timestamp``."""
    since = since or timezone.now() - LIKE_LIMIT_WINDOW
    return UserInteraction._meta.get_field("timestamp").get_db_prep_value(since, connection)


def _pair_state_of(row: tuple) -> _PairState:
    mine, theirs, blocked, passed, recent = row
    return _PairState(bool(mine), bool(theirs), bool(blocked), bool(passed), int(recent or 0))


def _pair_state(
    *, source: Member, target: Member, since: datetime | None = None, count_likes: bool = True
) -> _PairState:
    """The pair's likes, block and pass, and how many likes ``source`` gave since ``since``
    (default: the last 12 hours, the like allowance's window), in one query. With
    ``count_likes`` False (a member without an allowance) the count is not made (0): it grows
    with every like a premium member gives."""
    params = _pair_state_params(source=source, target=target, since=since, count_likes=count_likes)
    with connection.cursor() as cursor:
        cursor.execute(_PAIR_STATE_SQL, params)
        return _pair_state_of(cursor.fetchone())


def _lock_and_read_pair(
    *, source: Member, target: Member, liker: Member | None = None, count_likes: bool = False
) -> tuple[bool, _PairState]:
    """:func:`_lock_pair` then :func:`_pair_state`: ``(serialized, state)``.

    On PostgreSQL both statements go in one round trip (issue 20), still as two statements:
    under READ COMMITTED each takes its own snapshot when it starts, so the read, which starts
    once the lock is granted, sees every like committed while the lock was waited for."""
    if connection.vendor != "postgresql":
        serialized = _lock_pair(source, target)
        return serialized, _pair_state(source=source, target=target, count_likes=count_likes)
    lock_sql, lock_params = _lock_sql(source, target, liker)
    params = _pair_state_params(source=source, target=target, since=None, count_likes=count_likes)
    with connection.cursor() as cursor:
        cursor.execute(f"{lock_sql}; {_PAIR_STATE_SQL}", [*lock_params, *params])
        cursor.nextset()
        return True, _pair_state_of(cursor.fetchone())


#: Both members of a like request (by User ids: viewer, target), the target's account, and the
#: pair's state as :data:`_PAIR_STATE_SQL` reads it, in one statement. No row: one of the two
#: has no member.
_PAIR_AND_STATE_SQL = (
    "SELECT s.id, s.user_id, s.name, t.id, t.user_id, t.name,"  # noqa: S608 (constants only)
    " u.id, u.is_active, u.profile_complete, u.premium_until,"
    " EXISTS(SELECT 1 FROM matching_like WHERE source_id = s.id AND target_id = t.id),"
    " EXISTS(SELECT 1 FROM matching_like WHERE source_id = t.id AND target_id = s.id),"
    f" {_BLOCK_EITHER_WAY_SQL},"
    " EXISTS(SELECT 1 FROM matching_pass WHERE source_id = s.id AND target_id = t.id),"
    " CASE WHEN %s THEN (SELECT COUNT(*) FROM matching_userinteraction"
    "  WHERE user_id = s.id AND action = 'like' AND timestamp > %s) ELSE 0 END"
    f"{_PAIR_FROM_SQL}"
)


def _pair_locked(
    *, viewer: User, user_id: UUID | str, liker_lock: bool = False, count_likes: bool = False
) -> tuple[Member, Member, _PairState]:
    """PostgreSQL, in the caller's transaction: the pair's lock (and with ``liker_lock`` the
    viewer's allowance lock, see :func:`_lock_pair`), then the viewer's and the target's
    members and the pair's state, in one round trip (issue 20: a like request used to read
    the pair with :func:`matching.selectors.like_pair` first, one statement more). The read
    starts once the lock is granted (its own snapshot under READ COMMITTED).

    The members carry what :func:`matching.selectors.like_pair`'s do (``user`` of the viewer
    is ``viewer`` itself). Raises Http404 as that selector does: a malformed or unknown id,
    the viewer themself, a target whose account is inactive or incomplete, a viewer with no
    member."""
    from django.http import Http404

    from matching.selectors.relations import (
        LIKE_PAIR_MEMBER_FIELDS,
        LIKE_PAIR_USER_FIELDS,
        like_target_id,
    )
    from miel.rawsql import instance_from_row

    other_id = like_target_id(viewer=viewer, user_id=user_id)
    lock_sql, lock_params = _lock_sql_by_user_ids(
        viewer.pk, other_id, viewer.pk if liker_lock else None
    )
    me, to = db_uuid(viewer.pk), db_uuid(other_id)
    params = [me, to, to, me, bool(count_likes), _window_start(), me, to]
    with connection.cursor() as cursor:
        cursor.execute(f"{lock_sql}; {_PAIR_AND_STATE_SQL}", [*lock_params, *params])
        cursor.nextset()
        row = cursor.fetchone()
    if row is None:
        raise Http404
    source = instance_from_row(Member, LIKE_PAIR_MEMBER_FIELDS, row[0:3])
    source.user = viewer
    target = instance_from_row(Member, LIKE_PAIR_MEMBER_FIELDS, row[3:6])
    target.user = instance_from_row(User, LIKE_PAIR_USER_FIELDS, row[6:10])
    if not (target.user.is_active and target.user.profile_complete):
        raise Http404
    return source, target, _pair_state_of(row[10:15])


#: The two members of a like or pass request (by User ids: viewer, target), when the target's
#: account is active and complete and neither blocked the other: the pair that
#: :func:`_unlike_at_once` and :func:`_pass_at_once` write to. No row otherwise.
_PAIR_OPEN_SQL = (
    "SELECT s.id AS sid, s.name AS sname, t.id AS tid, t.user_id AS tuid, t.name AS tname,"
    " u.is_active, u.profile_complete, u.premium_until"
    f"{_PAIR_FROM_SQL} AND u.is_active AND u.profile_complete AND NOT {_BLOCK_EITHER_WAY_SQL}"
)

#: An unlike: the like deleted if the pair is open (:data:`_PAIR_OPEN_SQL`); the pair's
#: members and how many likes went.
_UNLIKE_SQL = (
    f"WITH pair AS ({_PAIR_OPEN_SQL}),"  # noqa: S608 (constants only)
    " gone AS (DELETE FROM matching_like l USING pair"
    " WHERE l.source_id = pair.sid AND l.target_id = pair.tid RETURNING l.id)"
    " SELECT sid, sname, tid, tuid, tname, tuid, is_active, profile_complete, premium_until,"
    " (SELECT COUNT(*) FROM gone) FROM pair"
)

#: A pass (an upsert: a second pass refreshes its time) if the pair is open; the pair's
#: members and the pass's id.
_PASS_SQL = (
    f"WITH pair AS ({_PAIR_OPEN_SQL}),"  # noqa: S608 (constants only)
    " passed AS (INSERT INTO matching_pass (id, source_id, target_id, created_at)"
    " SELECT %s, sid, tid, %s FROM pair ON CONFLICT (source_id, target_id)"
    " DO UPDATE SET created_at = EXCLUDED.created_at RETURNING id)"
    " SELECT sid, sname, tid, tuid, tname, tuid, is_active, profile_complete, premium_until,"
    " passed.id FROM pair CROSS JOIN passed"
)

#: A like (issue 20), up to where its notification's INSERT goes (see :func:`_like_at_once`):
#: if the pair is open (:data:`_PAIR_OPEN_SQL`), the pair's two likes and whether the
#: viewer's allowance has room (no count without an allowance); then, when the viewer already
#: likes the target, or this like neither completes a match nor goes over the allowance, the
#: viewer's pass on the target removed (issue 15) and, when not yet liked, the like and its
#: ``like`` interaction (rules §11) inserted. ``liked`` has a row exactly when the like was
#: stored. Parameters after the pair's: the allowance (limit or NULL, since, limit), the like
#: (id, time), the interaction (id, weight).
_LIKE_SQL = (
    f"WITH pair AS ({_PAIR_OPEN_SQL}),"  # noqa: S608 (constants only)
    " state AS (SELECT pair.*,"
    " EXISTS(SELECT 1 FROM matching_like WHERE source_id = sid AND target_id = tid) AS mine,"
    " EXISTS(SELECT 1 FROM matching_like WHERE source_id = tid AND target_id = sid) AS theirs,"
    " (CAST(%s AS integer) IS NULL OR (SELECT COUNT(*) FROM matching_userinteraction"
    "  WHERE user_id = sid AND action = 'like' AND timestamp > %s) < %s) AS room"
    " FROM pair),"
    " go AS (SELECT sid, tid, mine FROM state WHERE mine OR (room AND NOT theirs)),"
    " unpassed AS (DELETE FROM matching_pass p USING go"
    "  WHERE p.source_id = go.sid AND p.target_id = go.tid),"
    " liked AS (INSERT INTO matching_like"
    "  (id, created_at, source_id, target_id, note, prompt_id, prompt_answer, photo_id)"
    "  SELECT %s, %s, sid, tid, '', NULL, '', NULL FROM go WHERE NOT mine"
    "  RETURNING source_id, target_id, created_at),"
    " interacted AS (INSERT INTO matching_userinteraction"
    "  (id, action, duration, weight, timestamp, target_id, user_id)"
    "  SELECT %s, 'like', NULL, %s, created_at, target_id, source_id FROM liked)"
)
#: The end of :data:`_LIKE_SQL`'s statement, after the notification's part: the pair's
#: members, both likes as they were, and whether the like was stored.
_LIKE_SQL_END = (
    " SELECT sid, sname, tid, tuid, tname, tuid, is_active, profile_complete, premium_until,"
    " mine, theirs, (SELECT COUNT(*) FROM liked) FROM state"
)


def _at_once(
    *, viewer: User, other_id: UUID, sql: str, extra: list, liker_lock: bool = False
) -> tuple | None:
    """PostgreSQL: the pair's lock (:func:`_lock_sql_by_user_ids`; with ``liker_lock`` the
    viewer's allowance lock after it) then ``sql`` (one of :data:`_UNLIKE_SQL`,
    :data:`_PASS_SQL`, :data:`_LIKE_SQL`, with ``extra`` parameters after the pair's), sent as
    one query string in one round trip and, outside a transaction, in one implicit
    transaction (no BEGIN and no COMMIT of their own, issue 20). ``sql`` starts once the lock
    is granted, with its own snapshot under READ COMMITTED, so it sees every like committed
    meanwhile. Returns ``(source, target, the columns after the pair's)``, or None when the
    pair is not open (unknown member, inactive or incomplete target, a block): nothing was
    written, and the caller's full path says why. Raises what the database raises."""
    from matching.selectors.relations import LIKE_PAIR_MEMBER_FIELDS, LIKE_PAIR_USER_FIELDS
    from miel.rawsql import instance_from_row

    lock_sql, lock_params = _lock_sql_by_user_ids(
        viewer.pk, other_id, viewer.pk if liker_lock else None
    )
    me, to = db_uuid(viewer.pk), db_uuid(other_id)
    with connection.cursor() as cursor:
        cursor.execute(f"{lock_sql}; {sql}", [*lock_params, me, to, to, me, me, to, *extra])
        cursor.nextset()
        row = cursor.fetchone()
    if row is None:
        return None
    # The members as matching.selectors.like_pair loads them (what the like views read).
    source = instance_from_row(Member, LIKE_PAIR_MEMBER_FIELDS, (row[0], viewer.pk, row[1]))
    source.user = viewer
    target = instance_from_row(Member, LIKE_PAIR_MEMBER_FIELDS, row[2:5])
    target.user = instance_from_row(User, LIKE_PAIR_USER_FIELDS, row[5:9])
    return source, target, row[9:]


def _unlike_at_once(*, viewer: User, other_id: UUID) -> tuple[Member, LikeResult] | None:
    """An unlike request in one round trip (:func:`_at_once`): ``(target, result)``, or None
    when the pair is not open. The rules of :func:`like_toggle` with ``like=False``: a
    blocked pair changes nothing, no like is nothing to do (``changed`` False)."""
    done = _at_once(viewer=viewer, other_id=other_id, sql=_UNLIKE_SQL, extra=[])
    if done is None:
        return None
    _source, target, (deleted,) = done
    return target, LikeResult(
        liked=False, is_match=False, became_match=False, changed=bool(deleted)
    )


def _like_at_once(*, viewer: User, other_id: UUID) -> tuple[Member, LikeResult] | None:
    """A like request with no note, prompt or photo in one round trip (:func:`_at_once`,
    :data:`_LIKE_SQL`, with the target's ``like`` notification stored in the same statement
    through :func:`notifications.services.notification_insert_sql`): ``(target, result)``,
    or None when the full path must answer, nothing having been written: the pair is not
    open (404, ``blocked``), the like would complete a match (its notifications, e-mails and
    notes) or go over the viewer's allowance (:class:`LimitReached`). The rules of
    :func:`like_toggle` with ``like=True``: an existing like is no change (and removes the
    viewer's pass, as there), a free member takes their allowance's lock and counts the
    window's likes, a premium member neither; ``like.new`` goes to the target after commit,
    naming the liker only to a target whose plan shows likers."""
    from uuid6 import uuid7

    from notifications.services import notification_insert_sql, notification_inserted

    limit = likes_per_12_hours(viewer)
    now = timezone.now()
    note, note_sql, note_params = notification_insert_sql(
        user_id=other_id,
        kind="like",
        actor_id=viewer.pk,
        url=f"/members/{viewer.pk}/",
        source="liked",
    )
    done = _at_once(
        viewer=viewer,
        other_id=other_id,
        sql=f"{_LIKE_SQL}, noted AS ({note_sql}){_LIKE_SQL_END}",
        extra=[
            limit,
            _window_start(now - LIKE_LIMIT_WINDOW),
            limit,
            uuid7(),
            now,
            uuid7(),
            interaction_weight(action=UserInteraction.Action.LIKE),
            *note_params,
        ],
        liker_lock=limit is not None,
    )
    if done is None:
        return None
    source, target, (mine, theirs, stored) = done
    if mine:
        return target, LikeResult(
            liked=True, is_match=bool(theirs), became_match=False, changed=False
        )
    if not stored:  # a match to announce, or the allowance used up: the full path
        return None
    identity = _sender_identity(recipient=target.user, feature=Feature.SEE_WHO_LIKED_ME, who=source)
    notification_inserted(note, events=({"type": "like.new", **identity},))
    return target, LikeResult(liked=True, is_match=False, became_match=False, changed=True)


def _pass_at_once(*, viewer: User, other_id: UUID) -> Pass | None:
    """A pass request in one round trip (:func:`_at_once`): the Pass with both members, or
    None when the pair is not open. The rules of :func:`pass_member`."""
    from uuid6 import uuid7

    now = timezone.now()
    done = _at_once(viewer=viewer, other_id=other_id, sql=_PASS_SQL, extra=[uuid7(), now])
    if done is None:
        return None
    source, target, (pk,) = done
    return Pass(id=pk, source=source, target=target, created_at=now)


def like_note_clean(note: str | None) -> str:
    """A like's note (issue 16): surrounding whitespace removed, line breaks and other control
    characters turned into spaces; "" when absent or made only of invisible characters
    (:func:`miel.text.is_visibly_empty`). Raises ValidationError (``note_too_long``)
    over :data:`LIKE_NOTE_MAX` characters."""
    text = "".join(" " if (ch < " " or ch == "\x7f") else ch for ch in (note or "")).strip()
    if is_visibly_empty(text):  # zero-width spaces alone are no note
        return ""
    if len(text) > LIKE_NOTE_MAX:
        raise ValidationError(
            _("A note can be at most %(n)s characters.") % {"n": LIKE_NOTE_MAX},
            code="note_too_long",
        )
    return text


def likes_left(*, member: Member, now: datetime | None = None) -> int | None:
    """How many more likes ``member`` may give now: the free allowance
    (``settings.LIKES_PER_12_HOURS_FREE`` per rolling 12 hours) minus the likes given in the
    window, counted from the ``like`` interactions (an unlike does not give a like back);
    None for premium members (unlimited)."""
    limit = likes_per_12_hours(member.user)
    if limit is None:
        return None
    now = now or timezone.now()
    given = UserInteraction.objects.filter(
        user=member, action=UserInteraction.Action.LIKE, timestamp__gt=now - LIKE_LIMIT_WINDOW
    ).count()
    return max(0, limit - given)


@transaction.atomic
def like_toggle(
    *,
    source: Member,
    target: Member,
    like: bool | None = None,
    note: str = "",
    prompt_answer_id: UUID | str | None = None,
    photo_id: UUID | str | None = None,
) -> LikeResult:
    """Like or unlike ``target`` as ``source`` (rules §6).

    A new like may name one of ``target``'s prompt answers (``prompt_answer_id``, issue 18,
    "like a prompt"): the like records the prompt and a copy of the answer, which the target
    sees in their Likes. An id that is not one of ``target``'s answers raises ValidationError
    (``bad_prompt``). It may instead name one of ``target``'s approved photos (``photo_id``,
    issue 16, "Liked your photo"): the like records the photo; any other id raises
    ValidationError (``bad_photo``).

    A new like may carry a ``note`` (issue 16, at most 150 characters, see
    :func:`like_note_clean`): the target sees it with the like in their Likes, and when the
    pair matches each like's note becomes a chat message from its author (the older like's
    first), sent through :func:`messaging.services.message_send` after commit. A like removes
    ``source``'s pass on ``target`` (issue 15). Free members may give
    ``settings.LIKES_PER_12_HOURS_FREE`` likes per rolling 12 hours: one more raises
    :class:`LimitReached` (code ``like_limit``) and stores nothing.

    ``like`` True/False sets the state (idempotent: a double click or a retried request
    changes nothing the second time); None toggles. Runs under a lock on the pair (see
    :func:`_lock_pair`), with the unique (source, target) constraint as the last guard; a like
    by a member with an allowance (free) also takes that member's own lock and counts their
    likes of the window, a premium member's likes take neither (issue 20). A new
    like records a ``like`` interaction (weight 2.0); when it completes a pair both members get
    ``match.new`` and a "new match" e-mail (at most once per pair, ever); otherwise the target
    gets ``like.new``. Events and e-mails go out after commit. Raises ValidationError for a
    self-like or a blocked pair.

    PostgreSQL statements: the lock, one read of both likes and the block, then the INSERT of
    the like and of the interaction (a like) or one DELETE (an unlike).
    """
    if source.pk == target.pk:
        raise ValidationError(_("You cannot like yourself."), code="self")
    # The allowance's lock and count only for members who have an allowance (free members):
    # a premium member's likes of different members need not wait for each other.
    limit = likes_per_12_hours(source.user) if like is not False else None
    serialized, state = _lock_and_read_pair(
        source=source,
        target=target,
        liker=source if limit is not None else None,
        count_likes=limit is not None,
    )
    return _like_toggle_locked(
        source=source,
        target=target,
        state=state,
        serialized=serialized,
        like=like,
        note=note,
        prompt_answer_id=prompt_answer_id,
        photo_id=photo_id,
    )


def like_toggle_for(
    *,
    viewer: User,
    user_id: UUID | str,
    like: bool | None = None,
    note: str = "",
    prompt_answer_id: UUID | str | None = None,
    photo_id: UUID | str | None = None,
) -> tuple[Member, LikeResult]:
    """:func:`like_toggle` for a request by ``viewer`` naming the target by User id (the like
    view): ``(target, result)``. Raises Http404 as :func:`matching.selectors.like_pair` does,
    and what :func:`like_toggle` raises. On PostgreSQL the two members are read under the
    pair's lock, in the lock's round trip (:func:`_pair_locked`, issue 20), and a like or an
    unlike with no note, prompt or photo is one round trip in all (:func:`_like_at_once`,
    :func:`_unlike_at_once`) unless it completes a match or meets a used-up allowance;
    elsewhere :func:`matching.selectors.like_pair` then :func:`like_toggle`."""
    if connection.vendor != "postgresql":
        from matching.selectors import like_pair

        source, target = like_pair(viewer=viewer, user_id=user_id)
        return target, like_toggle(
            source=source,
            target=target,
            like=like,
            note=note,
            prompt_answer_id=prompt_answer_id,
            photo_id=photo_id,
        )
    if like is not None and not note and prompt_answer_id is None and photo_id is None:
        # A like or an unlike from the button: one round trip (issue 20). A pair that is not
        # open, a match to announce or a used-up allowance takes the full path below, which
        # says why (nothing was written).
        from matching.selectors.relations import like_target_id

        other_id = like_target_id(viewer=viewer, user_id=user_id)
        at_once = _like_at_once if like else _unlike_at_once
        done = at_once(viewer=viewer, other_id=other_id)
        if done is not None:
            return done
    with transaction.atomic():
        limit = likes_per_12_hours(viewer) if like is not False else None
        source, target, state = _pair_locked(
            viewer=viewer,
            user_id=user_id,
            liker_lock=limit is not None,
            count_likes=limit is not None,
        )
        return target, _like_toggle_locked(
            source=source,
            target=target,
            state=state,
            serialized=True,
            like=like,
            note=note,
            prompt_answer_id=prompt_answer_id,
            photo_id=photo_id,
        )


def _like_toggle_locked(
    *,
    source: Member,
    target: Member,
    state: _PairState,
    serialized: bool,
    like: bool | None,
    note: str,
    prompt_answer_id: UUID | str | None,
    photo_id: UUID | str | None,
) -> LikeResult:
    """The rest of :func:`like_toggle` once the pair is locked and ``state`` read (with the
    allowance's count when ``source`` has an allowance)."""
    limit = likes_per_12_hours(source.user) if like is not False else None
    note = like_note_clean(note)
    liked_prompt = _prompt_answer_of(target=target, answer_id=prompt_answer_id)
    liked_photo = _photo_of(target=target, photo_id=photo_id)
    existing, liked_back = state.mine, state.theirs
    if state.blocked:
        raise ValidationError(_("This member is not available."), code="blocked")
    want = (not existing) if like is None else like
    if want and state.passed:
        Pass.objects.filter(source=source, target=target).delete()
    if want and not existing and limit is not None and state.recent_likes >= limit:
        raise LimitReached(
            _(
                "You have used your %(n)s likes for now. More likes open up within 12 "
                "hours, or go premium for unlimited likes."
            )
            % {"n": limit},
            code="like_limit",
        )
    if want == existing:
        return LikeResult(
            liked=existing, is_match=existing and liked_back, became_match=False, changed=False
        )
    if not want:
        # One constant statement (issue 20): no table refers to a like and nothing listens
        # for its deletion, so the ORM's delete would only add its collector's work.
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM matching_like WHERE source_id = %s AND target_id = %s",
                [db_uuid(source.pk), db_uuid(target.pk)],
            )
        return LikeResult(liked=False, is_match=False, became_match=False, changed=True)
    prompt_fields = (
        {"prompt_id": liked_prompt.prompt_id, "prompt_answer": liked_prompt.answer}
        if liked_prompt
        else {}
    )
    if liked_photo:
        prompt_fields["photo"] = liked_photo
    if serialized and connection.vendor == "postgresql":
        # Nobody else can insert this like before we commit: the like and its interaction
        # in one statement (issue 20).
        _like_insert(
            source=source,
            target=target,
            note=note,
            prompt_id=liked_prompt.prompt_id if liked_prompt else None,
            prompt_answer=liked_prompt.answer if liked_prompt else "",
            photo_id=liked_photo.pk if liked_photo else None,
        )
    else:
        if serialized:
            Like.objects.create(source=source, target=target, note=note, **prompt_fields)
        else:
            try:
                with transaction.atomic():
                    Like.objects.create(source=source, target=target, note=note, **prompt_fields)
            except IntegrityError:  # a concurrent request inserted it first
                return LikeResult(
                    liked=True, is_match=liked_back, became_match=False, changed=False
                )
        interaction_record(user=source, target=target, action=UserInteraction.Action.LIKE)
    if liked_back:
        _match_announce(source=source, target=target)
        _match_notes_send(source=source, target=target)
    else:
        # like.new goes out with the bell's count, in one push after commit.
        identity = _sender_identity(
            recipient=target.user, feature=Feature.SEE_WHO_LIKED_ME, who=source
        )
        notification_queue(
            user_id=target.user_id,
            kind="like",
            actor_id=source.user_id,
            url=f"/members/{source.user_id}/",
            recipient=target.user,
            events=({"type": "like.new", **identity},),
        )
    return LikeResult(liked=True, is_match=liked_back, became_match=liked_back, changed=True)


#: A like and its ``like`` interaction (rules §11) in one PostgreSQL statement: the INSERT of
#: the like in a data-modifying CTE, then the interaction's. The columns are the models'.
_LIKE_INSERT_SQL = (
    "WITH liked AS (INSERT INTO matching_like"
    " (id, created_at, source_id, target_id, note, prompt_id, prompt_answer, photo_id)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s))"
    " INSERT INTO matching_userinteraction"
    " (id, action, duration, weight, timestamp, target_id, user_id)"
    " VALUES (%s, %s, NULL, %s, %s, %s, %s)"
)


def _like_insert(
    *,
    source: Member,
    target: Member,
    note: str,
    prompt_id: int | None,
    prompt_answer: str,
    photo_id: UUID | None,
) -> None:
    """INSERT ``source``'s like of ``target`` and its ``like`` interaction (weight
    :func:`interaction_weight`) in one statement, on PostgreSQL under the pair lock (the
    caller's). What ``Like.objects.create`` and :func:`interaction_record` do, without two ORM
    compilations and one round trip (issue 20). Raises IntegrityError if the like exists."""
    from uuid6 import uuid7

    now = timezone.now()
    action = UserInteraction.Action.LIKE
    with connection.cursor() as cursor:
        cursor.execute(
            _LIKE_INSERT_SQL,
            [
                uuid7(),
                now,
                source.pk,
                target.pk,
                note,
                prompt_id,
                prompt_answer,
                photo_id,
                uuid7(),
                str(action),
                interaction_weight(action=action),
                now,
                target.pk,
                source.pk,
            ],
        )


def _prompt_answer_of(*, target: Member, answer_id: UUID | str | None) -> PromptAnswer | None:
    """``target``'s prompt answer ``answer_id`` (None when no id is given); ValidationError
    ``bad_prompt`` when the id is malformed or not one of ``target``'s answers."""
    if answer_id in (None, ""):
        return None
    try:
        answer = PromptAnswer.objects.filter(pk=answer_id, member=target).first()
    except (ValidationError, ValueError):
        answer = None
    if answer is None:
        raise ValidationError(_("This prompt is no longer on the profile."), code="bad_prompt")
    return answer


def _photo_of(*, target: Member, photo_id: UUID | str | None) -> Photo | None:
    """``target``'s approved photo ``photo_id`` (None when no id is given); ValidationError
    ``bad_photo`` when the id is malformed or not an approved photo of ``target``."""
    if photo_id in (None, ""):
        return None
    try:
        photo = Photo.objects.filter(pk=photo_id, member=target, is_approved=True).first()
    except (ValidationError, ValueError):
        photo = None
    if photo is None:
        raise ValidationError(_("This photo is no longer on the profile."), code="bad_photo")
    return photo


def _match_notes_send(*, source: Member, target: Member) -> None:
    """The notes of a new match's two likes become chat messages from their authors, the
    older like's first (issue 16), after commit, through the messaging service (which
    checks the pair again). A refused or failed send is logged, never raised: the match
    stands."""
    notes = [
        (like.source_id, like.target_id, like.note)
        for like in Like.objects.filter(
            Q(source=source, target=target) | Q(source=target, target=source)
        )
        .exclude(note="")
        .order_by("created_at", "id")
    ]
    if not notes:
        return
    members = {source.pk: source, target.pk: target}

    def send() -> None:
        # At call time: messaging.services imports this module (interaction_record).
        from messaging.services import message_send

        for sender_id, recipient_id, text in notes:
            try:
                message_send(sender=members[sender_id], recipient=members[recipient_id], text=text)
            except Exception:
                logger.warning("like note not sent as a message", exc_info=True)

    transaction.on_commit(send)


def _sender_identity(*, recipient: User, feature: Feature, who: Member) -> dict[str, str]:
    """Who liked / viewed, for a live notice: only for recipients whose plan shows it (rules
    §6, §7). Free members get an anonymous "someone" notice; the WebSocket frame must not hand
    them the premium list one event at a time."""
    if not has_feature(recipient, feature):
        return {}
    return {"from_user_id": str(who.user_id), "name": who.name}


def _match_announce(*, source: Member, target: Member) -> None:
    from matching.tasks import send_match_email

    for me, other in ((source, target), (target, source)):
        notification_queue(
            user_id=me.user_id,
            kind="match",
            actor_id=other.user_id,
            url=f"/members/{other.user_id}/chat/",
            recipient=me.user,
        )
        push_to_user(
            me.user_id,
            "match.new",
            other_user_id=str(other.user_id),
            name=other.name,
            url=f"/members/{other.user_id}/",
            chat_url=f"/members/{other.user_id}/chat/",
        )
    created = MatchNotification.objects.bulk_create(
        [
            MatchNotification(user_id=source.user_id, other_id=target.user_id),
            MatchNotification(user_id=target.user_id, other_id=source.user_id),
        ],
        ignore_conflicts=True,
    )
    del created  # ignore_conflicts gives no reliable pks; the task looks rows up by pair
    metrics.MATCHES.inc()  # /metrics (issue 21); a rare rollback after this over-counts
    for me, other in ((source, target), (target, source)):
        pair = (str(me.user_id), str(other.user_id))
        transaction.on_commit(partial(send_match_email.delay, *pair))


def match_email_send_once(*, user_id: UUID, other_id: UUID) -> bool:
    """Send ``user_id`` the "new match" e-mail about ``other_id`` at most once (rules §6).

    Locks the pair's MatchNotification row (``sent_at`` NULL) for the transaction, sends, and
    only then records ``sent_at``: a send that raises (mail server down, a bad header) rolls
    back and leaves the row unsent for the task's retry; a duplicated task waits on the lock
    and then finds it sent. The subject is one line whatever the other member's name holds
    (:func:`miel.mail.one_line`). Respects ``User.email_notifications["new_match"]`` (a
    disabled switch marks the row done without sending). Returns True when an e-mail was sent.
    """
    with transaction.atomic():
        notice = (
            MatchNotification.objects.select_for_update()
            .filter(user_id=user_id, other_id=other_id, sent_at__isnull=True)
            .first()
        )
        if notice is None:
            return False
        user = User.objects.filter(pk=user_id).first()
        other = Member.objects.filter(user_id=other_id).first()
        send = (
            user is not None
            and other is not None
            and user.is_active
            and (user.email_notifications or {}).get("new_match", True)
        )
        if send and quiet.hold_if_quiet(
            user_id=user_id, channel="email", kind="match", key=f"match:{other_id}"
        ):
            send = False  # quiet hours / Shabbat: one summary after (docs/rules.md §19)
        if send:
            language = _user_language(user)  # type: ignore[arg-type]
            with translation.override(language):
                context = {
                    "user": user,
                    "other": other,
                    "profile_url": f"{settings.SITE_URL}/members/{other.user_id}/",  # type: ignore[union-attr]
                }
                subject = one_line(_("It's a match with %(name)s!") % {"name": other.name})  # type: ignore[union-attr]
                body = render_to_string("matching/email/new_match.txt", context)
            emails.branded_mail_send(
                to=[user.email],  # type: ignore[union-attr]
                subject=subject,
                text=body,
                language=language,
                from_email=settings.DEFAULT_FROM_EMAIL,
                unsubscribe_user=user,
                unsubscribe_kind="new_match",
            )
        notice.sent_at = timezone.now()
        notice.save(update_fields=["sent_at"])
    return bool(send)


def _user_language(user: User) -> str:
    return getattr(user, "language", None) or settings.LANGUAGE_CODE


@transaction.atomic
def unmatch(*, source: Member, target: Member) -> bool:
    """``source`` removes their like of ``target`` (rules §6); when the two were a mutual match
    this is an unmatch (issue 16): both likes are deleted, an :class:`Unmatch` row records
    that ``source`` is never shown to ``target`` in discovery again, and after commit both get
    ``chat.closed`` (``with_user_id`` = the other side) so an open chat page closes its message
    box at once; from then on :func:`messaging.selectors.can_message` refuses both ways.

    Runs under the pair lock (:func:`_lock_pair`); the unique pair constraint absorbs a double
    submit. Returns True when something was removed."""
    _serialized, state = _lock_and_read_pair(source=source, target=target)
    if not (state.mine and state.theirs):
        deleted, _rows = Like.objects.filter(source=source, target=target).delete()
        return bool(deleted)
    Like.objects.filter(Q(source=source, target=target) | Q(source=target, target=source)).delete()
    Unmatch.objects.get_or_create(unmatcher_id=source.user_id, other_id=target.user_id)
    for me, other in ((source, target), (target, source)):
        push_to_user(me.user_id, "chat.closed", with_user_id=str(other.user_id))
    return True


# --- pass and undo (issue 15) -----------------------------------------------------------------


@transaction.atomic
def pass_member(*, source: Member, target: Member, now: datetime | None = None) -> Pass:
    """``source`` passes on ``target`` (issue 15): ``target`` leaves ``source``'s discovery
    (deck, members list, smart matches, assistant) for 30 days
    (:data:`matching.selectors.discovery.PASS_HIDES_FOR`). Idempotent: one row per pair (unique
    constraint), a second pass refreshes its time, so a double click stores one pass. Runs
    under the same pair lock as likes. Likes are left as they are. Raises ValidationError
    for oneself (``self``) or a blocked pair (``blocked``)."""
    if source.pk == target.pk:
        raise ValidationError(_("You cannot pass on yourself."), code="self")
    now = now or timezone.now()
    _serialized, state = _lock_and_read_pair(source=source, target=target)
    return _pass_locked(source=source, target=target, state=state, now=now)


def _pass_locked(*, source: Member, target: Member, state: _PairState, now: datetime) -> Pass:
    """The rest of :func:`pass_member` once the pair is locked and ``state`` read."""
    if state.blocked:
        raise ValidationError(_("This member is not available."), code="blocked")
    if connection.vendor == "postgresql":  # one statement, no savepoint (issue 20)
        from uuid6 import uuid7

        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO matching_pass (id, source_id, target_id, created_at) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (source_id, target_id) "
                "DO UPDATE SET created_at = EXCLUDED.created_at RETURNING id",
                [uuid7(), source.pk, target.pk, now],
            )
            (pk,) = cursor.fetchone()
        return Pass(id=pk, source=source, target=target, created_at=now)
    if state.passed and Pass.objects.filter(source=source, target=target).update(created_at=now):
        return Pass.objects.get(source=source, target=target)
    try:
        with transaction.atomic():
            return Pass.objects.create(source=source, target=target, created_at=now)
    except IntegrityError:  # a concurrent pass of the pair (without a pair lock: SQLite)
        Pass.objects.filter(source=source, target=target).update(created_at=now)
        return Pass.objects.get(source=source, target=target)


def pass_member_for(*, viewer: User, user_id: UUID | str) -> Pass:
    """:func:`pass_member` for a request by ``viewer`` naming the member by User id (the
    pass view); the Pass carries both members. Raises Http404 as
    :func:`matching.selectors.like_pair` does, and what :func:`pass_member` raises. On
    PostgreSQL the pass is one round trip (:func:`_pass_at_once`, issue 20); a pair that is
    not open takes the full path (the members read under the pair's lock), which says why."""
    if connection.vendor != "postgresql":
        from matching.selectors import like_pair

        source, target = like_pair(viewer=viewer, user_id=user_id)
        return pass_member(source=source, target=target)
    from matching.selectors.relations import like_target_id

    passed = _pass_at_once(viewer=viewer, other_id=like_target_id(viewer=viewer, user_id=user_id))
    if passed is not None:  # one round trip (issue 20); else the full path says why
        return passed
    with transaction.atomic():
        source, target, state = _pair_locked(viewer=viewer, user_id=user_id)
        return _pass_locked(source=source, target=target, state=state, now=timezone.now())


def undos_left(*, member: Member, now: datetime | None = None) -> int | None:
    """Undos ``member`` may still use: ``settings.PASS_UNDOS_PER_DAY_FREE`` (1) per rolling
    24 hours minus those used, for free members; None for premium (unlimited)."""
    limit = pass_undos_per_day(member.user)
    if limit is None:
        return None
    now = now or timezone.now()
    used = PassUndo.objects.filter(member=member, created_at__gt=now - UNDO_LIMIT_WINDOW).count()
    return max(0, limit - used)


@transaction.atomic
def pass_undo(*, member: Member, now: datetime | None = None) -> Member:
    """Undo ``member``'s latest pass (issue 15): the pass is deleted, so the member passed
    on is back in discovery, and the undo is recorded. Free members may undo once per
    rolling 24 hours (:func:`undos_left`), premium members without limit. Serialized per
    member (a row lock on ``member``), so a double click cannot spend one allowance twice.

    Returns the member brought back. Raises :class:`LimitReached` (``undo_limit``) when the
    allowance is used up and ValidationError (``nothing_to_undo``) without a pass in the
    last 30 days."""
    now = now or timezone.now()
    list(Member.objects.select_for_update(no_key=True).filter(pk=member.pk).values_list("pk"))
    left = undos_left(member=member, now=now)
    if left is not None and left <= 0:
        raise LimitReached(
            _("You can undo one pass a day. Go premium to undo as many as you like."),
            code="undo_limit",
        )
    last = (
        Pass.objects.filter(source=member, created_at__gt=now - PASS_HIDES_FOR)
        .select_related("target")
        .order_by("-created_at", "-id")
        .first()
    )
    if last is None:
        raise ValidationError(_("There is no pass to undo."), code="nothing_to_undo")
    target = last.target
    last.delete()
    PassUndo.objects.create(member=member, target=target, created_at=now)
    return target


# --- block (rules §6; reports: matching/reports.py) ---------------------------------------------------------------


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> Block:
    """``blocker`` blocks ``blocked`` (rules §6): both are hidden from each other everywhere
    (every selector excludes blocked pairs) and likes between them, both directions, are
    deleted. After commit both get ``chat.closed`` (as for an unmatch): open chat pages close
    their message box and the sockets forget their cached "may type" answer, so real-time
    delivery between the two ends at once. Idempotent (the unique pair constraint absorbs a
    double submit). Raises ValidationError for a self-block.

    The block and the deletion of the likes are one transaction, under the pair's lock on
    PostgreSQL (the likes' lock, :func:`_lock_pair`): a like of the pair in flight commits
    first and its like is then deleted, and a like that starts meanwhile waits and then reads
    the block. Without it a like that had read the pair before the block committed could
    store its like (and a match) after the block's DELETE had run."""
    if blocker.pk == blocked.pk:
        raise ValidationError(_("You cannot block yourself."), code="self")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            lock_sql, lock_params = _lock_sql_by_user_ids(blocker.pk, blocked.pk, None)
            with connection.cursor() as cursor:
                cursor.execute(lock_sql, lock_params)
        try:
            with transaction.atomic():
                block, _created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        except IntegrityError:  # a concurrent block of the pair (without the lock: SQLite)
            block = Block.objects.get(blocker=blocker, blocked=blocked)
        Like.objects.filter(
            Q(source__user_id=blocker.pk, target__user_id=blocked.pk)
            | Q(source__user_id=blocked.pk, target__user_id=blocker.pk)
        ).delete()
        for me, other in ((blocker, blocked), (blocked, blocker)):
            push_to_user(me.pk, "chat.closed", with_user_id=str(other.pk))
    return block


# --- profile views (rules §7, §11) -------------------------------------------------------------

VIEW_THROTTLE = timedelta(minutes=1)
#: A duration report is accepted for the viewer's latest view interaction within this window.
VIEW_DURATION_WINDOW = timedelta(hours=2)
MAX_VIEW_DURATION = 60 * 60


_PROFILE_VIEW_UPSERT = """
INSERT INTO matching_profileview (id, viewer_id, viewed_id, viewed_at, seen)
VALUES (%s, %s, %s, %s, false)
ON CONFLICT (viewer_id, viewed_id) DO UPDATE SET viewed_at = EXCLUDED.viewed_at, seen = false
WHERE matching_profileview.viewed_at <= %s
RETURNING id
"""


def _profile_view_upsert(*, viewer_id: UUID, viewed_id: UUID, now: datetime) -> bool:
    """Insert the pair's view row, or refresh it when its last view is at least
    ``VIEW_THROTTLE`` old: one statement on PostgreSQL (issue 20: the profile page's hot path
    ran a savepoint, an UPDATE and a failing INSERT for every throttled view). True when a
    row was written."""
    if connection.vendor == "postgresql":
        from uuid6 import uuid7

        with connection.cursor() as cursor:
            cursor.execute(
                _PROFILE_VIEW_UPSERT, [uuid7(), viewer_id, viewed_id, now, now - VIEW_THROTTLE]
            )
            return cursor.fetchone() is not None
    updated = ProfileView.objects.filter(
        viewer_id=viewer_id, viewed_id=viewed_id, viewed_at__lte=now - VIEW_THROTTLE
    ).update(viewed_at=now, seen=False)
    if updated:
        return True
    try:
        with transaction.atomic():
            ProfileView.objects.create(viewer_id=viewer_id, viewed_id=viewed_id, viewed_at=now)
    except IntegrityError:
        return False
    return True


def profile_view_record(*, viewer: User, viewed: Member, now: datetime | None = None) -> bool:
    """Record that ``viewer`` opened ``viewed``'s profile (rules §7).

    Nothing for one's own profile, for premium incognito viewers, or when the pair's last view
    is under a minute old. One row per pair: a conditional UPDATE refreshes an older row
    (latest time, ``seen`` false); otherwise an INSERT in a savepoint, where the unique pair
    constraint makes concurrent first views record once. A recorded view adds a ``view``
    interaction and pushes ``profile.viewed`` to the viewed member after commit.
    Returns True when a view was recorded.
    """
    if viewed.user_id == viewer.pk:
        return False
    if viewer.incognito and has_feature(viewer, Feature.INCOGNITO):
        return False
    now = now or timezone.now()
    with transaction.atomic():
        if not _profile_view_upsert(viewer_id=viewer.pk, viewed_id=viewed.user_id, now=now):
            return False  # viewed within the minute (or a concurrent first view)
        viewer_member = Member.objects.filter(user=viewer).first()
        if viewer_member is None:
            transaction.set_rollback(True)
            return False
        interaction_record(user=viewer_member, target=viewed, action=UserInteraction.Action.VIEW)
        notification_queue(
            user_id=viewed.user_id,
            kind="view",
            actor_id=viewer.pk,
            url=f"/members/{viewer.pk}/",
        )
        push_to_user(
            viewed.user_id,
            "profile.viewed",
            **_sender_identity(
                recipient=viewed.user, feature=Feature.SEE_WHO_VIEWED_ME, who=viewer_member
            ),
        )
    return True


def view_duration_report(*, viewer: User, viewed: Member, seconds: int) -> bool:
    """Store how long ``viewer`` looked at ``viewed``'s profile on their latest ``view``
    interaction without a duration, re-weighting it per rules §11 (0.5 + min(s/60, 5) x 0.1,
    at most 1.0). ``seconds`` is clamped to 0..3600. Returns True when a row was updated."""
    seconds = max(0, min(int(seconds), MAX_VIEW_DURATION))
    latest = (
        UserInteraction.objects.filter(
            user__user_id=viewer.pk,
            target=viewed,
            action=UserInteraction.Action.VIEW,
            duration__isnull=True,
            timestamp__gte=timezone.now() - VIEW_DURATION_WINDOW,
        )
        .order_by("-timestamp")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None:
        return False
    return bool(
        UserInteraction.objects.filter(pk=latest, duration__isnull=True).update(
            duration=seconds,
            weight=interaction_weight(action=UserInteraction.Action.VIEW, duration=seconds),
        )
    )


def profile_click_record(*, viewer: User, target: Member) -> UserInteraction | None:
    """A card was clicked in a list (rules §11, weight 1.5)."""
    me = Member.objects.filter(user=viewer).first()
    if me is None:
        return None
    return interaction_record(user=me, target=target, action=UserInteraction.Action.PROFILE_CLICK)


def profile_views_mark_seen(*, viewer: User) -> int:
    """Mark every view of ``viewer``'s profile seen (opening /views/, rules §7)."""
    return ProfileView.objects.filter(viewed=viewer, seen=False).update(seen=True)


# --- location (rules §4, §5) -------------------------------------------------------------------

#: Stored coordinates are rounded to 3 decimals (~100 m): precise enough for distances, and
#: nobody's doorstep is kept.
LOCATION_DECIMALS = 3


LOCATION_CHANGE_WINDOW = timedelta(hours=1)


def location_change_count(*, member: Member) -> None:
    """Count one change of ``member``'s own position, or refuse it (rules §5).

    At most ``settings.LOCATION_CHANGES_PER_HOUR`` (default 10) changes in any 60 minutes
    (a sliding window over :class:`LocationChange` rows), so probing the distance filter from
    many positions is slow. Race-safe: the member's row is locked for the transaction, so two
    concurrent changes cannot both take the last place. Call inside ``transaction.atomic``
    before saving the new position. Raises :class:`LocationChangeLimited`."""
    Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True).first()
    now = timezone.now()
    since = now - LOCATION_CHANGE_WINDOW
    LocationChange.objects.filter(member=member, changed_at__lt=since).delete()
    limit = settings.LOCATION_CHANGES_PER_HOUR
    if LocationChange.objects.filter(member=member, changed_at__gte=since).count() >= limit:
        raise LocationChangeLimited(
            _(
                "You have changed your location %(limit)d times in the last hour. "
                "Please try again later."
            )
            % {"limit": limit},
            code=LocationChangeLimited.code_name,
        )
    LocationChange.objects.create(member=member, changed_at=now)


@transaction.atomic
def location_set(
    *, member: Member, latitude: float, longitude: float, city: str = "", country: str = ""
) -> Member:
    """Store ``member``'s location from the browser or a chosen city (rules §4).

    Rounded to ~100 m; ``location_enabled`` on and ``location_updated_at`` now. A city choice
    also updates the member's city/country text. A new position counts towards the hourly
    limit (:func:`location_change_count`; the same position again does not). Raises
    ValidationError for coordinates out of range, :class:`LocationChangeLimited` over the
    limit."""
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("The location is not valid."), code="location_invalid") from exc
    if not (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    ):
        raise ValidationError(_("The location is not valid."), code="location_invalid")
    latitude, longitude = round(latitude, LOCATION_DECIMALS), round(longitude, LOCATION_DECIMALS)
    if (latitude, longitude) != (member.latitude, member.longitude):
        location_change_count(member=member)
    member.latitude, member.longitude = latitude, longitude
    member.location_enabled = True
    member.location_updated_at = timezone.now()
    fields = ["latitude", "longitude", "location_enabled", "location_updated_at", "updated"]
    if city:
        member.city = city[:100]
        fields.append("city")
    if country:
        member.country = country[:100]
        fields.append("country")
    member.save(update_fields=fields)
    return member
