"""Shared model bases."""

import uuid6
from django.db import models


class UUIDModel(models.Model):
    """Abstract base with a non-sequential, time-ordered UUIDv7 primary key (rules §2).

    UUIDv7 keeps B-tree inserts local (like a sequence) while never exposing counts or
    allowing ids to be guessed in URLs.
    """

    id = models.UUIDField(primary_key=True, default=uuid6.uuid7, editable=False)

    class Meta:
        abstract = True
