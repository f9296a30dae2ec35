"""Local S3 (moto in server mode, over real HTTP) and fake Cloudinary, as context managers that
switch the Photo/Story and Video storages to them for one test."""

from __future__ import annotations

import atexit
import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import requests
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from miel.storage import CloudinaryStorage
from profiles.models import Photo, Video
from stories.models import Story
from tests.storage.fakes import FakeCloudinary

FIXTURES = Path(__file__).parent / "fixtures"
BUCKET = "miel-videos-test"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalS3:
    endpoint: str
    client: object
    storage: S3Storage

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=BUCKET)  # type: ignore[attr-defined]
        return sorted(o["Key"] for o in listed.get("Contents", []))

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()  # type: ignore[attr-defined]


_moto: ThreadedMotoServer | None = None
_moto_endpoint = ""


def _moto_server() -> str:
    """One moto server per test process (started on first use, stopped at exit)."""
    global _moto, _moto_endpoint
    if _moto is None:
        port = free_port()
        _moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        _moto.start()
        atexit.register(_moto.stop)
        _moto_endpoint = f"http://127.0.0.1:{port}"
    return _moto_endpoint


@contextlib.contextmanager
def local_s3(monkeypatch) -> Iterator[LocalS3]:  # type: ignore[no-untyped-def]
    """moto's S3 over HTTP on a local port, emptied for this test; Video files go to a fresh
    bucket there (as VIDEO_BUCKET + AWS_S3_ENDPOINT_URL configure it in production)."""
    endpoint = _moto_server()
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **creds)
    client.create_bucket(Bucket=BUCKET)
    storage = S3Storage(
        bucket_name=BUCKET,
        endpoint_url=endpoint,
        region_name="us-east-1",
        access_key="testing",
        secret_key="testing",
        default_acl=None,
        querystring_auth=True,
        signature_version="s3v4",
        addressing_style="path",
        file_overwrite=False,
    )
    monkeypatch.setattr(Video._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(Video._meta.get_field("poster"), "storage", storage)
    yield LocalS3(endpoint=endpoint, client=client, storage=storage)


@contextlib.contextmanager
def fake_cloudinary(monkeypatch) -> Iterator[FakeCloudinary]:  # type: ignore[no-untyped-def]
    """The fake Cloudinary API on a free port; Photo and Story files go to it."""
    fake = FakeCloudinary(cloud_name="miel-test", api_key="123456", api_secret="s3cr3t").start()
    try:
        storage = CloudinaryStorage(cloudinary_url=fake.cloudinary_url)
        monkeypatch.setattr(Photo._meta.get_field("file"), "storage", storage)
        monkeypatch.setattr(Story._meta.get_field("image"), "storage", storage)
        yield fake
    finally:
        fake.stop()
