from __future__ import annotations

import pytest

from tests.storage.servers import fake_cloudinary, local_s3


@pytest.fixture
def s3(monkeypatch):
    with local_s3(monkeypatch) as server:
        yield server


@pytest.fixture
def cloudinary_fake(monkeypatch):
    with fake_cloudinary(monkeypatch) as fake:
        yield fake
