"""Reads for the moderation queue (SPEC §14)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from matching.models import Report
from profiles.models import Photo, Video
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

    @property
    def is_empty(self) -> bool:
        return not (self.photo_count or self.video_count or self.report_count or self.appeal_count)


def moderation_queue(*, limit: int = QUEUE_LIMIT) -> ModerationQueue:
    """Pending photos and videos, open reports (with their evidence: messages, story, photo)
    and open ban appeals, oldest first (what waited longest goes first), each with its member
    / reporter loaded for the previews."""
    photos = Photo.objects.filter(is_approved=False).select_related("member__user")
    videos = Video.objects.filter(is_approved=False).select_related("member__user")
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
    )


def moderation_log(*, limit: int = 20) -> QuerySet[LogEntry]:
    """The latest moderation decisions (admin log entries on photos, videos and reports)."""
    types = ContentType.objects.get_for_models(Photo, Video, Report).values()
    return (
        LogEntry.objects.filter(content_type__in=types)
        .select_related("user", "content_type")
        .order_by("-action_time")[:limit]
    )
