"""Write side of stories (rules §10): publish, view, react, reply, delete, expire.

Every service that names a story looks it up through ``stories.selectors`` first, so privacy,
blocks and the 24-hour window apply to writes exactly as to reads (``Http404`` for a story the
user may not see). Business-rule failures raise :class:`StoryError` subclasses carrying a
translated message and the HTTP status a view should answer with.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.services.entitlements import Feature, has_feature, stories_daily_limit
from matching.selectors import blocked_user_ids
from messaging.services import MessageLimited, MessageRefused, message_send
from miel.media import field_file_save
from miel.realtime import push_to_user
from miel.text import is_visibly_empty, text_check
from notifications.services import notification_queue

from . import selectors
from .filters import STORY_FILTERS
from .images import clean_story_image
from .models import (
    STORY_LIFETIME,
    STORY_TEXT_MAX_CHARS,
    Story,
    StoryReaction,
    StoryReply,
    StoryView,
)

logger = logging.getLogger(__name__)

REPLY_MAX_CHARS = 2000


class StoryError(Exception):
    """A story rule was broken; ``message`` is translated, ``status`` is the HTTP status."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class StoryForbidden(StoryError):
    status = 403


class StoryLimitReached(StoryError):
    status = 429


class StoryExpired(StoryError):
    status = 400


# --- publishing -----------------------------------------------------------------------------


def user_zone(user: User) -> ZoneInfo:
    """The user's time zone (``User.time_zone``), the site's when unknown."""
    try:
        return ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def local_day_bounds(*, user: User, at: datetime) -> tuple[datetime, datetime]:
    """``[start, end)`` of the calendar day containing ``at`` in the user's time zone, as aware
    datetimes (23 or 25 hours long on a daylight-saving change)."""
    zone = user_zone(user)
    day = at.astimezone(zone).date()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _checked(text: str | None) -> str:
    """``text`` ("" for None), or StoryError (400) for a NUL or an unpaired surrogate (issue
    13 item 11)."""
    try:
        return text_check(text)
    except ValidationError as exc:
        raise StoryError(exc.messages[0]) from exc


def _clean_text(
    text_overlay: str, text_x: float | None, text_y: float | None
) -> tuple[str, float | None, float | None]:
    text = _checked(text_overlay).strip()
    if len(text) > STORY_TEXT_MAX_CHARS:
        raise StoryError(
            _("The text can be at most %(max)d characters.") % {"max": STORY_TEXT_MAX_CHARS}
        )
    if not text:
        return "", None, None
    position = []
    for value in (text_x, text_y):
        if value is None or value == "":
            position.append(0.5)
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not (0.0 <= number <= 1.0):  # also rejects NaN
            raise StoryError(_("The text position must be between 0 and 1."))
        position.append(number)
    return text, position[0], position[1]


@transaction.atomic
def story_publish(
    *,
    user: User,
    upload,
    text_overlay: str = "",
    text_x: float | None = None,
    text_y: float | None = None,
    filter: str = "",
    privacy: str = Story.Privacy.PUBLIC,
) -> Story:
    """Publish a photo story for ``user`` (rules §10).

    ``upload``: an uploaded image, validated and re-encoded without EXIF by the profile-photo
    pipeline (JPEG/PNG/WebP up to 10 MB). ``text_overlay``: up to 100 characters;
    ``text_x``/``text_y``: its centre as fractions 0-1 of the width/height (0.5 when text is
    given without a position). ``filter``: a name from ``stories.filters.STORY_FILTERS``.
    ``privacy``: PUBLIC, PREMIUM or PRIVATE.

    Free members may publish ``billing.services.stories_daily_limit`` (1) stories per calendar
    day in their own time zone, premium members without limit; the count
    runs while holding a lock on the user's row, so two concurrent posts cannot both pass.

    Raises :class:`StoryError` (400, bad input or image), :class:`StoryLimitReached` (429) and
    :class:`miel.media.StorageFull` (disk full; no file and no row are left). Side effects after commit: ``story.new`` to the mutual matches allowed to see it.
    """
    if not hasattr(user, "member"):
        raise StoryForbidden(_("Complete your profile before posting a story."))
    text, x, y = _clean_text(text_overlay, text_x, text_y)
    if filter not in STORY_FILTERS:
        raise StoryError(_("Unknown filter."))
    if privacy not in Story.Privacy.values:
        raise StoryError(_("Choose who can see the story."))
    data, ext = clean_story_image(upload)

    locked = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    daily_limit = stories_daily_limit(locked)  # the one owner of the rule (billing)
    if daily_limit is not None:
        start, end = local_day_bounds(user=locked, at=now)
        posted = selectors.stories_posted_between(user_id=user.pk, start=start, end=end)
        if posted >= daily_limit:
            raise StoryLimitReached(
                _(
                    "Free members can post one story a day. Come back tomorrow, or go "
                    "Premium for unlimited stories."
                )
            )

    story = Story(
        user=user,
        text_overlay=text,
        text_x=x,
        text_y=y,
        filter=filter,
        privacy=privacy,
        created_at=now,
        expires_at=now + STORY_LIFETIME,
    )
    # A failed write leaves no partial file; a full disk raises StorageFull (507).
    field_file_save(story.image, f"{story.pk}.{ext}", ContentFile(data))
    try:
        story.save()
        _notify_matches_of_new_story(story=story, owner=locked)
    except BaseException:
        # The transaction rolls back; the file must not stay behind (field_file_save named it).
        if story.image.name:
            story.image.storage.delete(story.image.name)
        raise
    return story


def _notify_matches_of_new_story(*, story: Story, owner: User) -> None:
    """Queue ``story.new`` for the owner's mutual matches who may see ``story`` (after commit)."""
    match_ids = set(
        selectors.mutual_match_user_ids(user_id=owner.pk).values_list("target__user_id", flat=True)
    )
    match_ids -= blocked_user_ids(user_id=owner.pk)
    if not match_ids:
        return
    recipients = User.objects.filter(pk__in=match_ids, profile_complete=True)
    name = getattr(getattr(owner, "member", None), "name", "") or owner.name
    for recipient in recipients:
        if story.privacy == Story.Privacy.PREMIUM and not has_feature(
            recipient, Feature.VIEW_PREMIUM_STORIES
        ):
            continue
        push_to_user(
            recipient.pk,
            "story.new",
            story_id=str(story.pk),
            owner_id=str(owner.pk),
            name=name,
        )


# --- viewing and reacting -------------------------------------------------------------------


def _interactable(*, user: User, story_id: UUID | str) -> Story:
    """The story if ``user`` may react to / reply to it: visible to them (else ``Http404``),
    not their own (403) and not expired (400)."""
    story = selectors.story_for_viewer(viewer=user, story_id=story_id, include_expired=True)
    if story.user_id == user.pk:
        raise StoryForbidden(_("You cannot react to or reply to your own story."))
    if story.expires_at <= timezone.now():
        raise StoryExpired(_("This story has expired."))
    return story


def story_view_record(*, viewer: User, story_id: UUID | str) -> bool:
    """Record that ``viewer`` saw the story, once per viewer (rules §10; the unique constraint
    makes concurrent calls safe). Own stories are not counted, nor the views of a premium
    incognito member ("my views are not recorded", issue 16). Returns True when a new view
    was recorded. Raises ``Http404`` for a story ``viewer`` may not see (or expired)."""
    story = selectors.story_for_viewer(viewer=viewer, story_id=story_id)
    if story.user_id == viewer.pk:
        return False
    if viewer.incognito and has_feature(viewer, Feature.INCOGNITO):
        return False
    _, created = StoryView.objects.get_or_create(story=story, viewer=viewer)
    return created


def story_react(*, user: User, story_id: UUID | str, reaction_type: str) -> StoryReaction:
    """Set ``user``'s reaction on a story to ``reaction_type`` (HEART, FIRE, LOVE_EYES, EYES),
    replacing an earlier one: one reaction per user per story, guaranteed by a unique
    constraint (concurrent calls end with one row). Raises ``Http404`` (not visible),
    :class:`StoryForbidden` (own story), :class:`StoryExpired`, :class:`StoryError` (unknown
    type). Reacting also records a view."""
    if reaction_type not in StoryReaction.ReactionType.values:
        raise StoryError(_("Unknown reaction."))
    story = _interactable(user=user, story_id=story_id)
    with transaction.atomic():
        StoryView.objects.get_or_create(story=story, viewer=user)
        reaction, _created = StoryReaction.objects.update_or_create(
            story=story,
            user=user,
            defaults={"reaction_type": reaction_type},
            create_defaults={"reaction_type": reaction_type, "created_at": timezone.now()},
        )
    return reaction


def story_reaction_remove(*, user: User, story_id: UUID | str) -> bool:
    """Remove ``user``'s reaction; True when there was one. Same errors as :func:`story_react`."""
    story = _interactable(user=user, story_id=story_id)
    deleted, _ = StoryReaction.objects.filter(story=story, user=user).delete()
    return deleted > 0


# --- replies --------------------------------------------------------------------------------


@transaction.atomic
def story_reply(*, sender: User, story_id: UUID | str, text: str) -> StoryReply:
    """Reply to a story (rules §10): a StoryReply and a chat message to the owner that carries
    the story (the chat shows its thumbnail). ``text``: 1-2000 characters.

    Raises ``Http404`` (not visible, blocked), :class:`StoryForbidden` (own story),
    :class:`StoryExpired`, :class:`StoryError` (empty or too long). After commit: a
    ``story.reply`` event to the owner.
    """
    text = _checked(text).strip()
    if is_visibly_empty(text):
        raise StoryError(_("Write a reply first."))
    if len(text) > REPLY_MAX_CHARS:
        raise StoryError(_("A reply can be at most %(max)d characters.") % {"max": REPLY_MAX_CHARS})
    story = _interactable(user=sender, story_id=story_id)
    sender_member = getattr(sender, "member", None)
    owner = story.user
    if sender_member is None:
        raise StoryForbidden(_("Complete your profile first."))
    reply = StoryReply.objects.create(
        story=story, sender=sender, recipient=owner, message_text=text
    )
    message = _send_chat_message(
        sender=sender_member, recipient=owner.member, text=text, story=story
    )
    notification_queue(
        user_id=owner.pk,
        kind="story_reply",
        actor_id=sender.pk,
        url=f"/members/{sender.pk}/chat/",
        message_id=message.pk if message else None,
    )
    push_to_user(
        owner.pk,
        "story.reply",
        story_id=str(story.pk),
        reply_id=str(reply.pk),
        message_id=str(message.pk) if message else None,
        sender_id=str(sender.pk),
        sender_name=sender_member.name,
        text=text,
    )
    return reply


def _send_chat_message(*, sender, recipient, text: str, story: Story):
    """The chat message of a story reply, sent through messaging (rules §8, §10): it records
    the ``message`` interaction, pushes ``message.new`` and queues the e-mail."""

    try:
        return message_send(sender=sender, recipient=recipient, text=text, story=story)
    except MessageLimited as exc:  # the chat's sending limits (issue 16): 429
        raise StoryLimitReached(exc.messages[0]) from exc
    except MessageRefused as exc:
        raise StoryForbidden(exc.messages[0]) from exc
    except ValidationError as exc:
        raise StoryError(exc.messages[0]) from exc


# --- deleting and expiring ------------------------------------------------------------------


def _story_storage():
    return Story._meta.get_field("image").storage


def _delete_files(names: list[str]) -> None:
    storage = _story_storage()
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:  # a missing file or a storage hiccup must not undo the deactivation
            logger.warning("could not delete story media %s", name, exc_info=True)


def stories_deactivate(story_ids: list, *, erase_text: bool = False) -> int:
    """Deactivate the given active stories and delete their media after commit (also the
    admin's take-down action). Rows are
    locked (``skip_locked``) so concurrent runs never handle one story twice."""
    with transaction.atomic():
        rows = list(
            Story.objects.select_for_update(skip_locked=True)
            .filter(pk__in=story_ids, is_active=True)
            .values_list("pk", "image")
        )
        if not rows:
            return 0
        changes: dict = {"is_active": False, "image": ""}
        if erase_text:
            changes["text_overlay"] = ""
        count = Story.objects.filter(pk__in=[pk for pk, _ in rows], is_active=True).update(
            **changes
        )
        names = [name for _, name in rows]
        transaction.on_commit(lambda: _delete_files(names))
    return count


def story_delete(*, owner: User, story_id: UUID | str) -> None:
    """Delete ``owner``'s own story (rules §10): it disappears everywhere at once, its photo and
    text are erased (the file after commit). The row stays as an inactive tombstone so the
    free daily limit cannot be dodged by deleting and posting again. Another member's story
    raises ``Http404``."""
    story = selectors.story_for_owner(owner=owner, story_id=story_id, include_expired=True)
    stories_deactivate([story.pk], erase_text=True)


def stories_expire(*, dry_run: bool = False, batch_size: int = 500) -> int:
    """Deactivate every active story past ``expires_at`` and delete its media (rules §10).
    Returns how many stories were (or, with ``dry_run``, would be) expired. Idempotent: a
    second run finds nothing. Readers never depend on it: selectors filter on ``expires_at``."""
    now = timezone.now()
    # A story an open report points at keeps its photo until the report is decided (rules §6:
    # the moderators see the evidence); it is hidden all the same (readers check expires_at).
    expired = Story.objects.filter(is_active=True, expires_at__lte=now).exclude(
        reports__status="open"
    )
    if dry_run:
        return expired.count()
    total = 0
    while True:
        ids = list(expired.order_by("expires_at").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return total
        done = stories_deactivate(ids)
        total += done
        if done == 0:  # everything left is locked by a concurrent run
            return total
