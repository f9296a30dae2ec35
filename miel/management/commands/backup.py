"""``manage.py backup [--dir DIR]``: database dump + media archive (miel/backups.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from miel import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format) and the media folders or bucket listing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=settings.BACKUP_DIR, help="where backups go")

    def handle(self, *args: object, **options: str) -> None:
        try:
            target = backups.backup(Path(options["dir"]))
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(target))
