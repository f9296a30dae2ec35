"""Read-side rules of matching (rules §6, §7): blocks and matches (shared by every app), like
lists and profile views. The members list (rules §5) is in :mod:`matching.selectors.discovery`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from billing.services.entitlements import Feature, has_feature
from matching.models import Block, Like, ProfileView, Unmatch
from miel.rawsql import db_uuid, instance_from_row
from notifications.models import QuietSettings
from profiles.models import Member


def is_blocked_pair(*, user_id: UUID | str, other_id: UUID | str) -> bool:
    """True when either user (User ids) blocked the other (rules §6: hides both ways)."""
    return Block.objects.filter(
        Q(blocker_id=user_id, blocked_id=other_id) | Q(blocker_id=other_id, blocked_id=user_id)
    ).exists()


def blocked_user_ids(*, user_id: UUID | str) -> set[UUID]:
    """User ids hidden from ``user_id`` because of a block in either direction."""
    rows = Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)).values_list(
        "blocker_id", "blocked_id"
    )
    return {other for pair in rows for other in pair} - {UUID(str(user_id))}


class NotBlocked(Func):
    """``column NOT IN (users ``user_id`` blocked) AND column NOT IN (users who blocked
    ``user_id``)`` for a User id ``column`` (rules §6: hidden both ways). Two uncorrelated
    subqueries on ``matching_block`` (hashed once per statement by PostgreSQL), written as one
    SQL fragment: no query of its own, unlike :func:`blocked_user_ids`, and far less ORM work
    than two ``__in`` querysets, which every members-list statement carries."""

    output_field = BooleanField()

    def __init__(self, column: str, *, user_id: UUID | str) -> None:
        super().__init__(F(column))
        self.user_id = user_id

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        uid = Block._meta.get_field("blocker").target_field.get_db_prep_value(
            self.user_id, connection
        )
        table = connection.ops.quote_name(Block._meta.db_table)
        # Only a compiled column reference and the quoted table name go into the text.
        blocked = f'SELECT "blocked_id" FROM {table} WHERE "blocker_id" = %s'  # noqa: S608
        blockers = f'SELECT "blocker_id" FROM {table} WHERE "blocked_id" = %s'  # noqa: S608
        sql = f"{column} NOT IN ({blocked}) AND {column} NOT IN ({blockers})"
        return sql, (*params, uid, *params, uid)


def not_blocked(*, user_id: UUID | str, field: str = "user_id") -> NotBlocked:
    """A filter (``qs.filter(not_blocked(user_id=...))``) that drops rows whose ``field`` (a
    User id column) is in a blocked pair with ``user_id``, either way (rules §6)."""
    return NotBlocked(field, user_id=user_id)


def discoverable(*, viewer_id: UUID | str | None, field: str = "user_id") -> Q:
    """A filter (``qs.filter(discoverable(viewer_id=...))``) that keeps the rows whose
    ``field`` (a User id column) the viewer (a User id) may meet in discovery, on top of
    ``Member.listed`` and blocks (rules §5, Settings → Visibility):

    - not a **paused** member (``Member.paused_at`` set): hidden from everyone's discovery;
    - not an **incognito** member (``User.incognito`` with premium still active) unless they
      liked the viewer: incognito members are seen only by members they liked;
    - not a member in **Shabbat and holiday mode** who chose to be hidden, between candle
      lighting and havdalah (``QuietSettings.shabbat_start`` / ``shabbat_end``, stored by a
      beat task, so no calendar is computed here; issue 19, ``docs/rules.md §19``).

    The one place these rules live: the members list, the deck, smart matches and the assistant
    (when the cached set is read, so pausing, resuming or going incognito shows at once) and
    the stories strip (for non-matches) all use it. Two
    uncorrelated ``NOT IN`` subqueries over the few paused / incognito / resting members
    (partial indexes ``member_paused_idx``, ``user_incognito_idx`` and
    ``notif_shabbat_hidden_idx``); building it runs no query."""
    paused = Member.objects.filter(paused_at__isnull=False).values("user_id")
    incognito = User.objects.filter(incognito=True, premium_until__gt=timezone.now())
    if viewer_id is not None:
        incognito = incognito.exclude(
            pk__in=Like.objects.filter(target__user_id=viewer_id).values("source__user_id")
        )
    now = timezone.now()
    resting = QuietSettings.objects.filter(
        shabbat_mode=True, shabbat_hide=True, shabbat_start__lte=now, shabbat_end__gt=now
    ).values("user_id")
    return (
        ~Q(**{f"{field}__in": paused})
        & ~Q(**{f"{field}__in": incognito.values("pk")})
        & ~Q(**{f"{field}__in": resting})
    )


def direct_link_q(*, viewer_id: UUID | str, prefix: str = "") -> Q:
    """A filter keeping the members ``viewer_id`` (a User id) may open by a direct link: those
    :func:`discoverable` shows the viewer, plus, when hidden (paused, incognito, resting),
    those who liked the viewer or share a conversation with them (issue 16). ``prefix`` is the
    path to the Member from the filtered model (``""`` on Member, ``"member__"`` on its
    photos). The one owner of the rule for profile pages, chats and the member's media files.
    Subqueries only; building it runs no query. Blocks are the callers' check."""
    # At call time: messaging.selectors imports this module (block and link rules).
    from messaging.models import Message

    pk = f"{prefix}pk" if prefix else "pk"
    liked_viewer = Like.objects.filter(target__user_id=viewer_id).values("source_id")
    wrote_viewer = Message.objects.filter(recipient__user_id=viewer_id).values("sender_id")
    written_by_viewer = Message.objects.filter(sender__user_id=viewer_id).values("recipient_id")
    return (
        discoverable(viewer_id=viewer_id, field=f"{prefix}user_id")
        | Q(**{f"{pk}__in": liked_viewer})
        | Q(**{f"{pk}__in": wrote_viewer})
        | Q(**{f"{pk}__in": written_by_viewer})
    )


def shown_by_direct_link(*, viewer_id: UUID | str, member: Member) -> bool:
    """May ``viewer_id`` (a User id) open ``member``'s pages by a direct link (profile, chat)?
    Yes unless :func:`discoverable` hides the member from the viewer (paused, or incognito
    without having liked them) and the member neither liked the viewer nor has a
    conversation with them: a paused member's matches and chats keep working, strangers get
    a 404 (issue 16; :func:`direct_link_q`). Blocks are checked by the callers. One query."""
    return Member.objects.filter(pk=member.pk).filter(direct_link_q(viewer_id=viewer_id)).exists()


def not_unmatched_by(*, user_id: UUID) -> Q:
    """A filter for Member querysets (``qs.filter(not_unmatched_by(user_id=...))``) that drops
    members who unmatched ``user_id`` (a User id): an unmatcher is not shown to the other
    again in discovery (issue 16). A subquery on ``matching_unmatch``, no query of its own."""
    return ~Q(user_id__in=Unmatch.objects.filter(other_id=user_id).values("unmatcher_id"))


def is_mutual_match(*, user_id: UUID | str, other_id: UUID | str) -> bool:
    """True when the two users (User ids) liked each other. One query: two probes of the pair
    index, the members' ids from scalar subqueries (an OR of joins scanned the like table)."""
    a = Subquery(Member.objects.filter(user_id=user_id).values("pk")[:1])
    b = Subquery(Member.objects.filter(user_id=other_id).values("pk")[:1])
    return (
        Like.objects.filter(Q(source_id=a, target_id=b) | Q(source_id=b, target_id=a)).count() == 2
    )


def liked_member_ids(*, source: Member | None, target_ids: list[UUID]) -> set[UUID]:
    """Which of ``target_ids`` (Member ids) ``source`` has liked; one query."""
    if source is None or not target_ids:
        return set()
    return set(
        Like.objects.filter(source=source, target_id__in=target_ids).values_list(
            "target_id", flat=True
        )
    )


# --- lists and views (rules §6, §7) ------------------------------------------------------------

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
    notes: int = 0  # "target" for free members: how many of the likes carry a note
    photos: int = 0  # "target" for free members: how many of the likes were on a photo


def like_list(*, viewer: User, list_type: str) -> LikeList:
    """Members of ``/lists/?type=`` (rules §6): ``source`` = I liked, ``target`` = liked me
    (who only with Feature.SEE_WHO_LIKED_ME; otherwise ``members`` is empty and only the count
    is given), ``mutual`` = both. Newest first, at most LIST_LIMIT, blocked pairs hidden.
    Queries: block ids, the count, the page, my likes among them — independent of size."""
    me = Member.objects.filter(user=viewer).first()
    if me is None:
        return LikeList(type=list_type, members=[], count=0, can_see=True)
    hidden = blocked_user_ids(user_id=viewer.pk)
    if list_type == "target":
        likes = _likes_received(me=me, hidden=hidden)
        count = likes.count()
        if not has_feature(viewer, Feature.SEE_WHO_LIKED_ME):
            notes = likes.exclude(note="").count() if count else 0
            photos = likes.exclude(photo=None).count() if count else 0
            return LikeList(
                type=list_type, members=[], count=count, can_see=False, notes=notes, photos=photos
            )
        rows = likes.select_related("source__user", "prompt", "photo").order_by(
            "-created_at", "-id"
        )[:LIST_LIMIT]
        members = []
        for like in rows:  # the note that came with each like (issue 16)
            like.source.like_note = like.note  # type: ignore[attr-defined]
            # The prompt of mine they liked, if any (issue 18), and my answer as it was then.
            like.source.liked_prompt = like.prompt.label if like.prompt else ""  # type: ignore[attr-defined]
            like.source.liked_prompt_answer = like.prompt_answer  # type: ignore[attr-defined]
            # The photo of mine they liked, if any (issue 16): my own photo, shown as is.
            like.source.liked_photo = like.photo  # type: ignore[attr-defined]
            members.append(like.source)
    else:
        likes = Like.objects.filter(source=me).exclude(target__user_id__in=hidden)
        likes = likes.filter(target__user__profile_complete=True, target__user__is_active=True)
        if list_type == "mutual":
            likes = likes.filter(
                Exists(Like.objects.filter(source_id=OuterRef("target_id"), target=me))
            )
        count = likes.count()
        rows = likes.select_related("target__user").order_by("-created_at", "-id")[:LIST_LIMIT]
        members = []
        for like in rows:
            like.target.like_note = like.note if list_type == "source" else ""  # type: ignore[attr-defined]
            members.append(like.target)
    liked = liked_member_ids(source=me, target_ids=[m.pk for m in members])
    for m in members:
        m.liked_by_viewer = m.pk in liked  # type: ignore[attr-defined]
    return LikeList(type=list_type, members=members, count=count, can_see=True, liked=liked)


def _likes_received(*, me: Member, hidden: set[UUID]) -> QuerySet[Like]:
    """Likes on ``me`` that "Liked me" counts: from complete, active members outside blocked
    pairs (``hidden``: User ids)."""
    return Like.objects.filter(
        target=me, source__user__profile_complete=True, source__user__is_active=True
    ).exclude(source__user_id__in=hidden)


@dataclass
class LikesReceived:
    """What a member may know about the likes they received (rules §6, §13): ``count`` always;
    ``likes`` = (liker's User id, liked at) oldest first only when ``can_see``, else empty."""

    count: int
    can_see: bool
    likes: list[tuple[UUID, datetime]]


def likes_received(*, viewer: User) -> LikesReceived:
    """Every like ``viewer`` received, under the rules of "Liked me" (:func:`like_list`): the
    same likers (complete, active, not blocked either way) and who they are only with
    Feature.SEE_WHO_LIKED_ME; free members get the count alone. Not capped (the data export
    uses it). Queries: block ids, the count, the rows (premium only)."""
    me = Member.objects.filter(user=viewer).first()
    if me is None:
        return LikesReceived(
            count=0, can_see=has_feature(viewer, Feature.SEE_WHO_LIKED_ME), likes=[]
        )
    likes = _likes_received(me=me, hidden=blocked_user_ids(user_id=viewer.pk))
    count = likes.count()
    if not has_feature(viewer, Feature.SEE_WHO_LIKED_ME):
        return LikesReceived(count=count, can_see=False, likes=[])
    rows = likes.order_by("created_at", "id").values_list("source__user_id", "created_at")
    return LikesReceived(count=count, can_see=True, likes=list(rows))


def profile_views_unseen_count(*, viewer: User) -> int:
    """How many members viewed ``viewer`` since the list was last opened (rules §7)."""
    hidden = blocked_user_ids(user_id=viewer.pk)
    return (
        ProfileView.objects.filter(viewed=viewer, seen=False).exclude(viewer_id__in=hidden).count()
    )


def profile_views_list(*, viewer: User) -> list[ProfileView]:
    """The last 50 views of ``viewer``'s profile, newest first, with the viewer's member
    loaded; blocked pairs, viewers without a profile and banned or deactivated viewers hidden
    (rules §7, as in the like lists). Premium only: the view checks Feature.SEE_WHO_VIEWED_ME."""
    hidden = blocked_user_ids(user_id=viewer.pk)
    return list(
        ProfileView.objects.filter(
            viewed=viewer,
            viewer__profile_complete=True,
            viewer__is_active=True,
            viewer__member__isnull=False,
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
    """Like state between ``viewer`` and ``member`` (one query: two probes of the pair index;
    the viewer's member id comes from a scalar subquery, as an OR of joins on both sides made
    PostgreSQL scan the whole like table, 130 ms at 100 000 members)."""
    if member.user_id == viewer.pk:
        return ProfileActionsState(is_self=True)
    me = Subquery(Member.objects.filter(user_id=viewer.pk).values("pk")[:1])
    pairs = set(
        Like.objects.filter(
            Q(source_id=me, target_id=member.pk) | Q(source_id=member.pk, target_id=me)
        ).values_list("source_id", flat=True)
    )
    return ProfileActionsState(
        is_self=False, liked=bool(pairs - {member.pk}), liked_back=member.pk in pairs
    )


def member_for_report(*, viewer: User, user_id: UUID | str) -> Member:
    """The member a report names (by user id): like :func:`member_for_action` but across a
    block, either way, so that a member who was blocked by (or blocked) someone can still
    report what happened before (rules §6). Raises Http404 for an unknown id, an incomplete or
    inactive profile and the viewer themself."""
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
    return member


def member_for_action(*, viewer: User, user_id: UUID | str) -> Member:
    """The member a like/block/unmatch request names (by user id). Raises Http404 for an
    unknown id, an incomplete profile, the viewer themself, or a blocked pair (rules §6)."""
    member = member_for_report(viewer=viewer, user_id=user_id)
    if is_blocked_pair(user_id=viewer.pk, other_id=member.user_id):
        raise Http404
    return member


#: What a like or a pass reads of both members (:func:`like_pair`).
LIKE_PAIR_MEMBER_FIELDS = ("id", "user_id", "name")
LIKE_PAIR_USER_FIELDS = ("id", "is_active", "profile_complete", "premium_until")
#: Both members of a like and their users, by User ids (parameters: viewer, target).
_LIKE_PAIR_SQL = (
    "SELECT m.id, m.user_id, m.name, u.id, u.is_active, u.profile_complete, u.premium_until"
    " FROM profiles_member m JOIN accounts_user u ON u.id = m.user_id"
    " WHERE m.user_id IN (%s, %s)"
)


def like_target_id(*, viewer: User, user_id: UUID | str) -> UUID:
    """The User id a like or pass request names, as a UUID. Raises Http404 for a malformed id
    and for the viewer themself."""
    try:
        other_id = UUID(str(user_id))
    except ValueError:
        raise Http404 from None
    if other_id == viewer.pk:
        raise Http404
    return other_id


def like_pair(*, viewer: User, user_id: UUID | str) -> tuple[Member, Member]:
    """``(viewer's member, target member)`` for a like request naming ``user_id`` (a User id),
    in one query (rules §6, §16). Raises Http404 for a malformed or unknown id, an incomplete
    or inactive target, the viewer themself, and when the viewer has no member.

    Blocks are not checked here: :func:`matching.services.like_toggle` reads them under its
    pair lock, in the query that reads the likes. Both members carry only ``id``, ``user_id``
    and ``name``, with ``user`` holding ``is_active``, ``profile_complete`` and
    ``premium_until`` (what the like and its notice read); any other field costs a query.

    One constant SQL statement (:data:`_LIKE_PAIR_SQL`), not the ORM's: compiling the ORM
    query cost ~0.45 ms of CPU per like against ~0.15 ms for this (issue 20: like/pass
    throughput)."""
    other_id = like_target_id(viewer=viewer, user_id=user_id)
    me_id, to_id = db_uuid(viewer.pk), db_uuid(other_id)
    with connection.cursor() as cursor:
        cursor.execute(_LIKE_PAIR_SQL, [me_id, to_id])
        rows = cursor.fetchall()
    split = len(LIKE_PAIR_MEMBER_FIELDS)
    members = []
    for row in rows:
        member = instance_from_row(Member, LIKE_PAIR_MEMBER_FIELDS, row[:split])
        member.user = instance_from_row(User, LIKE_PAIR_USER_FIELDS, row[split:])
        members.append(member)
    by_user = {m.user_id: m for m in members}
    me, target = by_user.get(viewer.pk), by_user.get(other_id)
    if (
        me is None
        or target is None
        or not target.user.profile_complete
        or not target.user.is_active
    ):
        raise Http404
    return me, target
