"""A stored file shared by several rows survives until the last row goes."""

import pytest
from django.core.files.storage import storages

from profiles.models import Photo
from tests.factories import PhotoFactory

pytestmark = pytest.mark.django_db


def test_deleting_one_of_two_photos_sharing_a_file_keeps_the_file(
    django_capture_on_commit_callbacks,
):
    first = PhotoFactory()
    second = PhotoFactory(member=first.member)
    Photo.objects.filter(pk=second.pk).update(file=first.file.name)
    storage = storages["photos"]

    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    assert storage.exists(first.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        Photo.objects.get(pk=second.pk).delete()
    assert not storage.exists(first.file.name)
