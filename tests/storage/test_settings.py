"""Storage backends are chosen by environment (rules §1): local by default, Cloudinary for
photos/stories with CLOUDINARY_URL, S3 for videos with VIDEO_BUCKET (+ optional endpoint)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
django.setup()
from django.core.files.storage import storages
from profiles.models import Photo, Video
from stories.models import Story
v = storages["videos"]
print(json.dumps({
    "photos": type(storages["photos"]).__name__,
    "videos": type(v).__name__,
    "photo_field": type(Photo._meta.get_field("file").storage).__name__,
    "story_field": type(Story._meta.get_field("image").storage).__name__,
    "video_field": type(Video._meta.get_field("file").storage).__name__,
    "endpoint": getattr(v, "endpoint_url", None),
    "bucket": getattr(v, "bucket_name", None),
    "addressing": getattr(v, "addressing_style", None),
}))
"""


def _probe(**env: str) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "CLOUDINARY", "VIDEO_BUCKET"))
    }
    clean.update(DJANGO_SETTINGS_MODULE="miel.settings", **env)
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_default_is_local_files():
    got = _probe()
    assert got["photos"] == got["videos"] == "FileSystemStorage"
    assert got["photo_field"] == got["video_field"] == "FileSystemStorage"


def test_cloudinary_and_s3_from_environment():
    got = _probe(
        CLOUDINARY_URL="cloudinary://k:s@cloud",
        VIDEO_BUCKET="videos-bucket",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_S3_REGION_NAME="",  # empty variables count as unset
    )
    assert got["photos"] == got["photo_field"] == got["story_field"] == "CloudinaryStorage"
    assert got["videos"] == got["video_field"] == "S3Storage"
    assert got["bucket"] == "videos-bucket"
    assert got["endpoint"] == "http://127.0.0.1:9000"
    assert got["addressing"] == "path"
