"""``manage.py restore [PATH] [--database-url URL] [--media-root DIR]`` (miel/backups.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from miel import backups


class Command(BaseCommand):
    help = "Restore a backup folder (default: the newest in BACKUP_DIR) into a database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default="", help="a backup folder")
        parser.add_argument("--database-url", default="", help="default: DATABASE_URL")
        parser.add_argument("--media-root", default="", help="default: MEDIA_ROOT")
        parser.add_argument("--private-media-root", default="", help="default: PRIVATE_MEDIA_ROOT")

    def handle(self, *args: object, **options: str) -> None:
        try:
            source = (
                Path(options["path"])
                if options["path"]
                else backups.latest(Path(settings.BACKUP_DIR))
            )
            backups.restore(
                source,
                database_url=options["database_url"] or None,
                media_root=Path(options["media_root"]) if options["media_root"] else None,
                private_media_root=(
                    Path(options["private_media_root"]) if options["private_media_root"] else None
                ),
            )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {source}")
