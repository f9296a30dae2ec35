"""``manage.py clean_stored_videos [--dry-run]``: remux the videos stored before uploads were
remuxed (issue 13 item 3), so none keeps its location or camera metadata, and give them a
poster frame. Videos that already have a poster were stored clean and are skipped."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from profiles.models import Video
from profiles.video_services import video_clean_stored


class Command(BaseCommand):
    help = "Remux stored videos without metadata and add their poster frames."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count them.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        pending = Video.objects.filter(poster="").order_by("created_at", "id")
        if dry_run:
            self.stdout.write(f"{pending.count()} videos would be cleaned (dry run).")
            return
        cleaned = failed = 0
        for video in pending.iterator(chunk_size=100):
            if video_clean_stored(video=video):
                cleaned += 1
            else:
                failed += 1
        self.stdout.write(self.style.SUCCESS(f"Cleaned {cleaned} videos; {failed} unreadable."))
