"""``make backup`` / ``make restore`` (issue 21): a backup restored into a fresh database has
the data and the media files."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tests.conftest import is_postgresql, require_service
from tests.factories import PhotoFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fresh_database():
    """The name of a new, empty database on the test server; dropped afterwards."""
    require_service(
        is_postgresql() and bool(shutil.which("pg_dump")) and bool(shutil.which("createdb")),
        "needs PostgreSQL and its client tools",
    )
    name = f"miel_restore_{uuid.uuid4().hex[:8]}"
    s = connection.settings_dict
    args = ["-h", s.get("HOST") or "127.0.0.1", "-p", str(s.get("PORT") or 5432), "-U", s["USER"]]
    subprocess.run(["createdb", *args, name], check=True, timeout=60)  # noqa: S603, S607
    try:
        yield name
    finally:
        subprocess.run(["dropdb", *args, "--if-exists", name], check=False, timeout=60)  # noqa: S603, S607


def test_a_backup_restores_into_a_fresh_database_with_its_media(tmp_path, fresh_database):
    photo = PhotoFactory()
    email = photo.member.user.email
    stored = Path(settings.MEDIA_ROOT) / photo.file.name
    assert stored.is_file()

    call_command("backup", dir=str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    assert {p.name for p in folder.iterdir()} >= {"database.dump", "media.tar.gz", "manifest.json"}

    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{fresh_database}"
    restored_media = tmp_path / "restored-media"
    call_command(
        "restore",
        str(folder),
        database_url=url,
        media_root=str(restored_media),
        private_media_root=str(tmp_path / "restored-private"),
    )

    with psycopg.connect(url) as pg:
        row = pg.execute("SELECT email FROM accounts_user WHERE email = %s", [email]).fetchone()
        assert row == (email,)
        count = pg.execute("SELECT count(*) FROM profiles_photo").fetchone()
        assert count == (1,)
    restored = restored_media / photo.file.name
    assert restored.read_bytes() == stored.read_bytes()


def test_restore_without_a_backup_says_so(tmp_path, settings):
    from django.core.management.base import CommandError

    settings.BACKUP_DIR = tmp_path
    with pytest.raises(CommandError, match="no backup"):
        call_command("restore")
