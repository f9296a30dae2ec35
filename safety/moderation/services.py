"""Moderation decisions (rules §14): approve / reject media, settle reports, in bulk.

Every decision is written to Django's admin log (``LogEntry``: who, when, what), so it also
shows in each object's admin history. Each item is decided in its own transaction: one item
that another moderator already handled is skipped without undoing the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.db import transaction
from django.db.models import Model

from accounts.models import User
from profiles import services as photo_services
from profiles import video_services, voice_services
from profiles.models import Photo, Video, VoicePrompt
from safety import services as safety_services


class Action(StrEnum):
    APPROVE = "approve"  # photos, videos
    REJECT = "reject"  # photos, videos: the row and the stored file are deleted
    DISMISS = "dismiss"  # reports: nothing wrong
    WARN = "warn"  # reports: the reported member is warned
    REMOVE = "remove"  # reports: the reported content is taken down
    BAN = "ban"  # reports: deactivate the reported account, settle all its open reports
    UPHOLD = "uphold"  # appeals: the ban stays
    LIFT = "lift"  # appeals: the account is active again


class Kind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"
    VOICE = "voice"  # voice prompts (issue 18)
    REPORT = "report"
    APPEAL = "appeal"


ALLOWED = {
    Kind.PHOTO: {Action.APPROVE, Action.REJECT},
    Kind.VIDEO: {Action.APPROVE, Action.REJECT},
    Kind.VOICE: {Action.APPROVE, Action.REJECT},
    Kind.REPORT: {Action.DISMISS, Action.WARN, Action.REMOVE, Action.BAN},
    Kind.APPEAL: {Action.UPHOLD, Action.LIFT},
}


@dataclass(frozen=True)
class Item:
    kind: Kind
    id: UUID

    @classmethod
    def parse(cls, value: str) -> Item | None:
        """``"photo:<uuid>"`` -> Item; None for anything malformed."""
        kind, _, raw = value.partition(":")
        try:
            return cls(kind=Kind(kind), id=UUID(raw))
        except ValueError:
            return None


@dataclass(frozen=True)
class Outcome:
    done: int
    skipped: int


def _log(*, moderator: User, objects: Iterable[Model], flag: int, message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=moderator.pk, queryset=list(objects), action_flag=flag, change_message=message
    )


def _pending_media(
    moderator: User,
    action: Action,
    pk: UUID,
    *,
    model: type[Photo] | type[Video] | type[VoicePrompt],
    approve: Callable[[Any], object],
    reject: Callable[[Any], object],
) -> bool:
    """Approve or reject one pending photo, video or voice prompt, logged. The row is locked,
    so a second moderator deciding the same item waits and then finds it decided (False)."""
    item = model.objects.select_for_update().filter(pk=pk).first()
    if item is None:
        return False
    if action is Action.APPROVE:
        if item.is_approved:
            return False
        approve(item)
        _log(moderator=moderator, objects=[item], flag=CHANGE, message="Approved (moderation)")
    else:  # logged first: rejecting deletes the row
        _log(moderator=moderator, objects=[item], flag=DELETION, message="Rejected (moderation)")
        reject(item)
    return True


def _photo(moderator: User, action: Action, pk: UUID) -> bool:
    return _pending_media(
        moderator,
        action,
        pk,
        model=Photo,
        approve=lambda p: photo_services.photo_approve(photo=p),
        reject=lambda p: photo_services.photo_reject(photo=p),
    )


def _video(moderator: User, action: Action, pk: UUID) -> bool:
    return _pending_media(
        moderator,
        action,
        pk,
        model=Video,
        approve=lambda v: video_services.video_approve(video=v),
        reject=lambda v: video_services.video_reject(video=v),
    )


def _voice(moderator: User, action: Action, pk: UUID) -> bool:
    return _pending_media(
        moderator,
        action,
        pk,
        model=VoicePrompt,
        approve=lambda v: voice_services.voice_approve(voice=v),
        reject=lambda v: voice_services.voice_reject(voice=v),
    )


def _report(moderator: User, action: Action, pk: UUID, note: str = "") -> bool:
    # Decisions on reports (with their log, notices and bans) belong to safety.services.
    return safety_services.report_decide(
        moderator=moderator, report_id=pk, action=action.value, note=note
    )


def _appeal(moderator: User, action: Action, pk: UUID, note: str = "") -> bool:
    return safety_services.appeal_decide(
        moderator=moderator, appeal_id=pk, action=action.value, note=note
    )


_HANDLERS = {Kind.PHOTO: _photo, Kind.VIDEO: _video, Kind.VOICE: _voice}
_DECISIONS = {Kind.REPORT: _report, Kind.APPEAL: _appeal}  # these take a note


def moderation_apply(
    *, moderator: User, action: str, items: Iterable[Item], notes: dict[Item, str] | None = None
) -> Outcome:
    """Apply ``action`` to each item (rules §14). ``moderator`` must be staff (the view checks).
    ``notes``: the moderator's note per report / appeal item (kept in its decision row).

    Approving a member's first photo makes it the main photo (``photo_approve``); rejecting
    deletes the row and, after commit, the stored file. Items of a kind the action does not
    apply to, and items already handled, are counted as skipped. Raises ValueError for an
    unknown action.
    """
    act = Action(action)
    done = skipped = 0
    for item in dict.fromkeys(items):  # de-duplicated, order kept
        if act not in ALLOWED[item.kind]:
            skipped += 1
            continue
        with transaction.atomic():
            if item.kind in _DECISIONS:
                note = (notes or {}).get(item, "")
                ok = _DECISIONS[item.kind](moderator, act, item.id, note)
            else:
                ok = _HANDLERS[item.kind](moderator, act, item.id)
        done, skipped = (done + 1, skipped) if ok else (done, skipped + 1)
    return Outcome(done=done, skipped=skipped)
