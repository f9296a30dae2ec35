"""Where verification selfies are kept: a local folder outside MEDIA_ROOT with no URL."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under ``settings.PRIVATE_MEDIA_ROOT`` (read on every use, so a test or a deploy
    can point it elsewhere), never served: :meth:`url` refuses. Staff see a selfie only through
    the streaming view ``profiles:selfie_image``."""

    @property
    def base_location(self) -> str:
        return str(self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT))

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL")
