"""Reads for the moderation queue (SPEC §14)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from matching.models import Report
from profiles.models import Photo, Video

QUEUE_LIMIT = 60  # items per section per page load; the oldest first


@dataclass(frozen=True)
class ModerationQueue:
    photos: list[Photo]
    videos: list[Video]
    reports: list[Report]
    photo_count: int
    video_count: int
    report_count: int

    @property
    def is_empty(self) -> bool:
        return not (self.photo_count or self.video_count or self.report_count)


def moderation_queue(*, limit: int = QUEUE_LIMIT) -> ModerationQueue:
    """Pending photos and videos and open reports, oldest first (what waited longest goes
    first), each with its member / reporter loaded for the previews. Six queries."""
    photos = Photo.objects.filter(is_approved=False).select_related("member__user")
    videos = Video.objects.filter(is_approved=False).select_related("member__user")
    reports = Report.objects.filter(status=Report.Status.OPEN).select_related(
        "reporter__member", "reported__member"
    )
    return ModerationQueue(
        photos=list(photos.order_by("created_at", "id")[:limit]),
        videos=list(videos.order_by("created_at", "id")[:limit]),
        reports=list(reports.order_by("created_at", "id")[:limit]),
        photo_count=photos.count(),
        video_count=videos.count(),
        report_count=reports.count(),
    )


def moderation_log(*, limit: int = 20) -> QuerySet[LogEntry]:
    """The latest moderation decisions (admin log entries on photos, videos and reports)."""
    types = ContentType.objects.get_for_models(Photo, Video, Report).values()
    return (
        LogEntry.objects.filter(content_type__in=types)
        .select_related("user", "content_type")
        .order_by("-action_time")[:limit]
    )
