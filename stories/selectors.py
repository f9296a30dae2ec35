"""Read side of stories (rules §10).

Every read of a story goes through :func:`visible_stories`: it is the one place that applies the
24-hour window, the privacy level, blocks and the owner's profile state, so a story page, its
image, its JSON, the strip and every write that names a story all get the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from billing.services.entitlements import Feature, has_feature
from matching.models import Like
from matching.selectors import discoverable, not_blocked

from .models import Story, StoryReaction, StoryView

#: The strip shows at most this many stories (newest first), so one page render stays bounded.
STRIP_MAX_STORIES = 200
#: The owner's viewer list shows at most this many viewers (newest first).
VIEWER_LIST_MAX = 500


def mutual_match_user_ids(*, user_id: UUID | str) -> QuerySet:
    """User ids of ``user_id``'s mutual matches, as a subquery (both Like rows exist; the same
    rule as ``matching.selectors.is_mutual_match``)."""
    return Like.objects.filter(
        source__user_id=user_id, target__likes_given__target__user_id=user_id
    ).values("target__user_id")


def visible_stories(*, viewer, now: datetime | None = None, include_expired: bool = False):
    """Stories ``viewer`` may see right now (rules §10).

    - anonymous: nothing;
    - only active stories with ``expires_at > now`` (exactly 24 h from creation, whether or not
      the cleanup job ran), unless ``include_expired`` (used by writes to tell "expired" apart
      from "not yours to see");
    - the owner's own stories, PUBLIC stories, PREMIUM stories for viewers with
      ``Feature.VIEW_PREMIUM_STORIES``, PRIVATE stories of mutual matches;
    - never stories of a blocked pair (either direction), of an incomplete profile or of a
      banned (inactive) account;
    - stories of members hidden from the viewer's discovery (paused, or incognito without
      having liked the viewer: ``matching.selectors.discoverable``) only for mutual matches.
    """
    if viewer is None or not viewer.is_authenticated:
        return Story.objects.none()
    now = now or timezone.now()
    matches = mutual_match_user_ids(user_id=viewer.pk)
    allowed = Q(privacy=Story.Privacy.PUBLIC)
    if has_feature(viewer, Feature.VIEW_PREMIUM_STORIES):
        allowed |= Q(privacy=Story.Privacy.PREMIUM)
    allowed = (
        Q(user_id=viewer.pk)
        | Q(privacy=Story.Privacy.PRIVATE, user_id__in=matches)
        | allowed & (discoverable(viewer_id=viewer.pk) | Q(user_id__in=matches))
    )
    qs = Story.objects.filter(
        allowed, is_active=True, user__profile_complete=True, user__is_active=True
    )
    if not include_expired:
        qs = qs.filter(expires_at__gt=now)
    # Blocks as subqueries: no query of their own (the strip is on every members page).
    return qs.filter(not_blocked(user_id=viewer.pk)).select_related("user", "user__member")


def story_for_viewer(
    *, viewer, story_id: UUID | str, include_expired: bool = False, now: datetime | None = None
) -> Story:
    """The story ``story_id`` if ``viewer`` may see it; ``Http404`` otherwise (also for
    anonymous viewers, so a direct URL reveals nothing)."""
    story = (
        visible_stories(viewer=viewer, now=now, include_expired=include_expired)
        .filter(pk=story_id)
        .first()
    )
    if story is None:
        raise Http404("No such story.")
    return story


def story_image_visible(*, viewer, name: str) -> bool | None:
    """May ``viewer`` fetch the stored story image ``name``? Exactly when they may see its
    story (:func:`visible_stories`: privacy, blocks, the 24 hours; staff see every story's
    image). ``None`` when no story holds ``name``."""
    story_ids = list(Story.objects.filter(image=name).values_list("pk", flat=True)[:1])
    if not story_ids:
        return None
    if not viewer.is_authenticated:
        return False
    if viewer.is_staff:
        return True
    return visible_stories(viewer=viewer).filter(pk=story_ids[0]).exists()


def story_for_owner(*, owner, story_id: UUID | str, include_expired: bool = False) -> Story:
    """``owner``'s own active story ``story_id``; ``Http404`` for anyone else's (rules §10)."""
    if owner is None or not owner.is_authenticated:
        raise Http404("No such story.")
    qs = Story.objects.filter(pk=story_id, user_id=owner.pk, is_active=True)
    if not include_expired:
        qs = qs.filter(expires_at__gt=timezone.now())
    story = qs.select_related("user", "user__member").first()
    if story is None:
        raise Http404("No such story.")
    return story


def with_viewer_state(qs: QuerySet, *, viewer) -> QuerySet:
    """Annotate ``viewed`` (bool) and ``my_reaction`` (type or None) for ``viewer``."""
    return qs.annotate(
        viewed=Exists(StoryView.objects.filter(story=OuterRef("pk"), viewer_id=viewer.pk)),
        my_reaction=Subquery(
            StoryReaction.objects.filter(story=OuterRef("pk"), user_id=viewer.pk).values(
                "reaction_type"
            )[:1]
        ),
    )


@dataclass
class StoryGroup:
    """One circle of the strip: one member's visible stories, oldest first."""

    user_id: UUID
    name: str
    avatar_url: str
    is_own: bool
    stories: list[Story] = field(default_factory=list)

    @property
    def has_unviewed(self) -> bool:
        return any(not s.viewed for s in self.stories)

    @property
    def latest_at(self) -> datetime:
        return max(s.created_at for s in self.stories)


def stories_strip(*, viewer, now: datetime | None = None) -> list[StoryGroup]:
    """The strip for ``viewer`` (rules §10): own group first, then groups with an unviewed story,
    then the rest, each part newest first. Stories carry ``viewed`` and ``my_reaction``; the
    viewer's own stories also ``view_count``. At most :data:`STRIP_MAX_STORIES` stories, in a
    fixed number of queries (blocks, stories, own view counts)."""
    if viewer is None or not viewer.is_authenticated:
        return []
    stories = list(
        with_viewer_state(visible_stories(viewer=viewer, now=now), viewer=viewer).order_by(
            "-created_at", "-id"
        )[:STRIP_MAX_STORIES]
    )
    own_ids = [s.pk for s in stories if s.user_id == viewer.pk]
    counts: dict[UUID, int] = {}
    if own_ids:
        counts = dict(
            StoryView.objects.filter(story_id__in=own_ids)
            .values("story_id")
            .annotate(n=Count("id"))
            .values_list("story_id", "n")
        )
    groups: dict[UUID, StoryGroup] = {}
    for story in reversed(stories):  # oldest first inside each group
        is_own = story.user_id == viewer.pk
        if is_own:
            story.viewed = True
            story.view_count = counts.get(story.pk, 0)
        group = groups.get(story.user_id)
        if group is None:
            member = getattr(story.user, "member", None)
            group = groups[story.user_id] = StoryGroup(
                user_id=story.user_id,
                name=member.name if member else story.user.name,
                avatar_url=member.image if member else "",
                is_own=is_own,
            )
        group.stories.append(story)
    return sorted(
        groups.values(),
        key=lambda g: (not g.is_own, not g.has_unviewed, -g.latest_at.timestamp()),
    )


@dataclass
class StoryInsights:
    """What the owner sees about one story (rules §10)."""

    view_count: int
    reaction_counts: dict[str, int]
    full_list: bool
    viewers: list[StoryView] = field(default_factory=list)
    reactions: list[StoryReaction] = field(default_factory=list)

    @property
    def reaction_rows(self) -> list[tuple[str, str, int]]:
        """``(type, emoji, count)`` for every reaction type, in a fixed order."""
        return [
            (value, emoji, self.reaction_counts.get(value, 0))
            for value, emoji in StoryReaction.ReactionType.choices
        ]


def story_insights(*, owner, story: Story) -> StoryInsights:
    """Counts for every owner; the viewer list and who reacted how only with
    ``Feature.STORY_VIEWER_LIST`` (premium). ``story`` must be ``owner``'s (use
    :func:`story_for_owner`)."""
    assert story.user_id == owner.pk
    reaction_counts = dict(
        StoryReaction.objects.filter(story=story)
        .values("reaction_type")
        .annotate(n=Count("id"))
        .values_list("reaction_type", "n")
    )
    view_count = StoryView.objects.filter(story=story).count()
    full = has_feature(owner, Feature.STORY_VIEWER_LIST)
    insights = StoryInsights(view_count=view_count, reaction_counts=reaction_counts, full_list=full)
    if full:
        reaction_of = dict(
            StoryReaction.objects.filter(story=story).values_list("user_id", "reaction_type")
        )
        insights.viewers = list(
            StoryView.objects.filter(story=story)
            .select_related("viewer", "viewer__member")
            .order_by("-viewed_at")[:VIEWER_LIST_MAX]
        )
        for view in insights.viewers:
            view.reaction = reaction_of.get(view.viewer_id)
        insights.reactions = list(
            StoryReaction.objects.filter(story=story)
            .select_related("user", "user__member")
            .order_by("-created_at")[:VIEWER_LIST_MAX]
        )
    return insights


def my_stories(*, owner) -> QuerySet:
    """``owner``'s live stories with view and reaction counts, newest first."""
    return (
        Story.objects.filter(user_id=owner.pk, is_active=True, expires_at__gt=timezone.now())
        .annotate(
            view_count=Count("views", distinct=True),
            reaction_count=Count("reactions", distinct=True),
        )
        .order_by("-created_at")
    )


def stories_posted_between(*, user_id: UUID | str, start: datetime, end: datetime) -> int:
    """Stories ``user_id`` created in ``[start, end)`` (deleted and expired ones included: they
    count toward the daily limit)."""
    return Story.objects.filter(user_id=user_id, created_at__gte=start, created_at__lt=end).count()
