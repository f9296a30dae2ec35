"""Reads for the moderation queue (rules §14)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from matching.models import Report
from profiles.models import Member, Photo, Video, VoicePrompt
from safety import selectors as safety_selectors

QUEUE_LIMIT = 60  # items per section per page load; the oldest first


@dataclass(frozen=True)
class ModerationQueue:
    photos: list[Photo]
    videos: list[Video]
    reports: list[Report]
    photo_count: int
    video_count: int
    report_count: int
    appeals: list[safety_selectors.AppealRow]
    appeal_count: int
    voices: list[VoicePrompt] = field(default_factory=list)
    voice_count: int = 0

    @property
    def is_empty(self) -> bool:
        return not (
            self.photo_count
            or self.video_count
            or self.voice_count
            or self.report_count
            or self.appeal_count
        )


def moderation_queue(*, limit: int = QUEUE_LIMIT) -> ModerationQueue:
    """Pending photos and videos, open reports (with their evidence: messages, story, photo)
    and open ban appeals, oldest first (what waited longest goes first), each with its member
    / reporter loaded for the previews."""
    photos = Photo.objects.filter(is_approved=False).select_related("member__user")
    videos = Video.objects.filter(is_approved=False).select_related("member__user")
    voices = VoicePrompt.objects.filter(is_approved=False).select_related("member__user", "prompt")
    reports, report_count = safety_selectors.open_reports(limit=limit)
    appeals, appeal_count = safety_selectors.open_appeals(limit=limit)
    return ModerationQueue(
        photos=list(photos.order_by("created_at", "id")[:limit]),
        videos=list(videos.order_by("created_at", "id")[:limit]),
        reports=reports,
        photo_count=photos.count(),
        video_count=videos.count(),
        report_count=report_count,
        appeals=appeals,
        appeal_count=appeal_count,
        voices=list(voices.order_by("created_at", "id")[:limit]),
        voice_count=voices.count(),
    )


def moderation_log(*, limit: int = 20) -> QuerySet[LogEntry]:
    """The latest moderation decisions (admin log entries on photos, videos and reports)."""
    types = ContentType.objects.get_for_models(Photo, Video, VoicePrompt, Report).values()
    return (
        LogEntry.objects.filter(content_type__in=types)
        .select_related("user", "content_type")
        .order_by("-action_time")[:limit]
    )


@dataclass(frozen=True)
class LogRow:
    """One moderation log entry in words: when, by whom, what happened, to whose content."""

    when: datetime
    moderator: str
    what: str
    member_name: str


#: "Photo <uuid> of <member uuid>" (``Photo.__str__``/``Video.__str__``/``Selfie.__str__``).
_OF_MEMBER = re.compile(r"\bof ([0-9a-f-]{36})\b")


def _what(entry: LogEntry) -> str:
    content_type = entry.content_type
    model = content_type.model if content_type is not None else ""
    removed = entry.action_flag == DELETION
    if model == "photo":
        return _("Photo rejected") if removed else _("Photo approved")
    if model == "video":
        return _("Video rejected") if removed else _("Video approved")
    if model == "voiceprompt":
        return _("Voice prompt rejected") if removed else _("Voice prompt approved")
    if model == "selfie":
        return _("Selfie rejected") if "rejected" in entry.change_message else _("Selfie approved")
    if model == "report":
        return _("Report handled")
    return str(content_type.name) if content_type is not None else "—"


def moderation_log_rows(*, limit: int = 20) -> list[LogRow]:
    """:func:`moderation_log` in the active language, without raw ids (issue 17): each entry as
    a translated action ("Photo approved") and the member's name (two queries in all)."""
    entries = list(moderation_log(limit=limit))
    member_ids = {m.group(1) for e in entries if (m := _OF_MEMBER.search(e.object_repr))}
    names: dict[str, str] = {
        str(pk): name
        for pk, name in Member.objects.filter(pk__in=member_ids).values_list("pk", "name")
    }
    rows = []
    for e in entries:
        match = _OF_MEMBER.search(e.object_repr)
        rows.append(
            LogRow(
                when=e.action_time,
                moderator=e.user.email if e.user_id else "—",
                what=_what(e),
                member_name=names.get(match.group(1), "") if match else "",
            )
        )
    return rows
