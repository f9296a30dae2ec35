"""``manage.py expire_stories [--dry-run]``: the beat job, by hand (rules §10, §14)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from stories.services import stories_expire


class Command(BaseCommand):
    help = "Deactivate stories older than 24 hours and delete their media."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be expired."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        count = stories_expire(dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"{count} expired stories would be deactivated (dry run).")
        else:
            self.stdout.write(self.style.SUCCESS(f"Expired {count} stories."))
