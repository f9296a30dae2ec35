"""Backups (issue 21): ``make backup`` / ``make restore``.

A backup is a folder ``BACKUP_DIR/miel-<UTC time>/`` with

- ``database.dump``: ``pg_dump --format=custom`` of the primary (``DATABASE_URL``);
- ``media.tar.gz``: the local media folders (``MEDIA_ROOT`` as ``media/``, ``PRIVATE_MEDIA_ROOT``
  as ``private_media/``) when files are stored locally;
- ``media-listing.txt``: the object names and sizes in the bucket when photos are on
  Cloudinary or videos on S3 (those services keep the files; the listing says what the
  database refers to at the time of the dump);
- ``manifest.json``: when, which database, which files.

:func:`restore` loads ``database.dump`` into a database (``pg_restore --clean --if-exists
--no-owner``; the database must exist) and unpacks ``media.tar.gz`` into the media folders.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import connections


class BackupError(Exception):
    """A backup or restore step failed; the message says which and why."""


def _pg_env(config: dict[str, Any]) -> dict[str, str]:
    """libpq variables for a Django database ``config`` (no secret on a command line)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if config.get(key):
            env[var] = str(config[key])
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    env["PGDATABASE"] = str(config["NAME"])
    return env


def _url_config(database_url: str) -> dict[str, Any]:
    parts = urlsplit(database_url)
    return {
        "HOST": parts.hostname or "",
        "PORT": parts.port or "",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "NAME": unquote(parts.path.lstrip("/")),
    }


def _run(cmd: list[str], env: dict[str, str]) -> None:
    tool = shutil.which(cmd[0])
    if tool is None:
        raise BackupError(f"{cmd[0]} is not installed (Debian: postgresql-client)")
    result = subprocess.run(  # noqa: S603 - fixed tool, arguments from settings
        [tool, *cmd[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {result.stderr.strip()[-2000:]}")


def _bucket_listing() -> list[str]:
    """``name<TAB>size`` lines for the photos on Cloudinary and the videos on S3, if used."""
    lines: list[str] = []
    if settings.VIDEO_BUCKET:
        from django.core.files.storage import storages

        bucket = storages["videos"].bucket  # type: ignore[attr-defined]
        lines += [f"s3://{bucket.name}/{obj.key}\t{obj.size}" for obj in bucket.objects.all()]
    if settings.CLOUDINARY_URL:
        import cloudinary
        import cloudinary.api

        cloudinary.config(cloudinary_url=settings.CLOUDINARY_URL)
        cursor = None
        while True:
            page = cloudinary.api.resources(max_results=500, next_cursor=cursor)
            lines += [
                f"cloudinary:{r['public_id']}\t{r.get('bytes', '')}" for r in page["resources"]
            ]
            cursor = page.get("next_cursor")
            if not cursor:
                break
    return lines


def backup(directory: Path) -> Path:
    """Write a backup folder under ``directory``; returns its path. Raises
    :class:`BackupError` (PostgreSQL only; pg_dump must be installed)."""
    config = connections["default"].settings_dict
    if connections["default"].vendor != "postgresql":
        raise BackupError("make backup needs DATABASE_URL pointing at PostgreSQL")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = directory / f"miel-{stamp}"
    target.mkdir(parents=True, exist_ok=False)
    target.chmod(0o700)  # members' data
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(target / "database.dump"),
        ],
        _pg_env(config),
    )
    files = ["database.dump"]
    with tarfile.open(target / "media.tar.gz", "w:gz") as tar:
        for folder, arcname in (
            (settings.MEDIA_ROOT, "media"),
            (settings.PRIVATE_MEDIA_ROOT, "private_media"),
        ):
            if Path(folder).is_dir():
                tar.add(str(folder), arcname=arcname)
    files.append("media.tar.gz")
    listing = _bucket_listing()
    if listing:
        (target / "media-listing.txt").write_text("\n".join(listing) + "\n")
        files.append("media-listing.txt")
    manifest = {
        "created": datetime.now(UTC).isoformat(),
        "database": config["NAME"],
        "files": {name: (target / name).stat().st_size for name in files},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def latest(directory: Path) -> Path:
    """The newest backup folder under ``directory``."""
    found = sorted(p for p in directory.glob("miel-*") if (p / "database.dump").is_file())
    if not found:
        raise BackupError(f"no backup in {directory}")
    return found[-1]


def restore(
    source: Path,
    *,
    database_url: str | None = None,
    media_root: Path | None = None,
    private_media_root: Path | None = None,
) -> None:
    """Load the backup folder ``source`` into ``database_url`` (default: ``DATABASE_URL``,
    which must exist) and its files into the media folders (default: the settings')."""
    dump = source / "database.dump"
    if not dump.is_file():
        raise BackupError(f"{dump} not found")
    config = _url_config(database_url) if database_url else connections["default"].settings_dict
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--dbname",
            str(config["NAME"]),
            str(dump),
        ],
        _pg_env(config),
    )
    archive = source / "media.tar.gz"
    if archive.is_file():
        roots = {
            "media": Path(media_root or settings.MEDIA_ROOT),
            "private_media": Path(private_media_root or settings.PRIVATE_MEDIA_ROOT),
        }
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                top, _, rest = member.name.partition("/")
                if top not in roots or not rest:
                    continue
                member.name = rest
                tar.extract(member, roots[top], filter="data")
