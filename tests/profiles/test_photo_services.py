"""Photo upload rules (rules §4): content validation, EXIF/GPS stripping, bombs, limits."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from profiles import services
from profiles.models import Photo
from profiles.services import PhotoRejected
from tests.factories import MemberFactory, PhotoFactory, image_bytes, image_upload

pytestmark = pytest.mark.django_db


def jpeg_with_gps_exif(orientation: int = 1, size: tuple[int, int] = (80, 40)) -> bytes:
    image = Image.new("RGB", size, "red")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = orientation  # Orientation
    gps = {1: "N", 2: (32.0, 5.0, 7.0), 3: "E", 4: (34.0, 46.0, 54.0)}
    exif[0x8825] = gps  # GPSInfo IFD
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR claims ``width`` x ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_source_jpeg_really_has_gps_exif():
    # Given the fixture image: make sure the test below can fail.
    with Image.open(io.BytesIO(jpeg_with_gps_exif())) as image:
        exif = image.getexif()
        assert exif[0x010F] == "SpyCam"
        assert exif.get_ifd(0x8825)


def test_photo_add_strips_all_exif_including_gps():
    member = MemberFactory()
    upload = SimpleUploadedFile("me.jpg", jpeg_with_gps_exif(), content_type="image/jpeg")

    photo = services.photo_add(member=member, upload=upload)

    photo.file.open("rb")
    data = photo.file.read()
    photo.file.close()
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert "exif" not in stored.info
        assert b"SpyCam" not in data
        assert b"Exif" not in data
    assert photo.is_approved is False
    assert photo.file.name.startswith(f"photos/{member.id}/")


def test_photo_add_applies_exif_orientation_before_stripping():
    member = MemberFactory()
    # Orientation 6 = rotate 90° clockwise for display: an 80x40 image shows as 40x80.
    upload = SimpleUploadedFile("r.jpg", jpeg_with_gps_exif(orientation=6), "image/jpeg")

    photo = services.photo_add(member=member, upload=upload)

    assert (photo.width, photo.height) == (40, 80)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_photo_add_accepts_png_and_webp_and_reencodes_to_jpeg(fmt):
    member = MemberFactory()
    photo = services.photo_add(
        member=member, upload=image_upload(name="x.bin", fmt=fmt, size=(30, 20))
    )
    with photo.file.open("rb") as f, Image.open(f) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (30, 20)


def test_png_with_transparency_is_flattened():
    buf = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(buf, "PNG")
    photo = services.photo_add(
        member=MemberFactory(), upload=SimpleUploadedFile("t.png", buf.getvalue(), "image/png")
    )
    with photo.file.open("rb") as f, Image.open(f) as stored:
        assert stored.getpixel((5, 5))[0] > 240  # white, not black


def test_text_file_named_jpg_is_rejected():
    upload = SimpleUploadedFile("evil.jpg", b"<?php echo 'hi'; ?>" * 20, "image/jpeg")
    with pytest.raises(PhotoRejected) as exc:
        services.photo_add(member=MemberFactory(), upload=upload)
    assert exc.value.status == 400
    assert exc.value.code == "not_image"
    assert Photo.objects.count() == 0


def test_gif_is_rejected_even_though_pillow_reads_it():
    upload = SimpleUploadedFile("a.jpg", image_bytes("GIF"), "image/jpeg")
    with pytest.raises(PhotoRejected) as exc:
        services.photo_prepare(upload=upload)
    assert exc.value.code == "not_image"


def test_decompression_bomb_is_rejected_before_decoding():
    upload = SimpleUploadedFile("bomb.png", png_header_claiming(30000, 30000), "image/png")
    with pytest.raises(PhotoRejected) as exc:
        services.photo_add(member=MemberFactory(), upload=upload)
    assert exc.value.status == 400
    assert exc.value.code == "too_many_pixels"


def test_image_just_over_pixel_limit_is_rejected(settings):
    settings.PHOTO_MAX_PIXELS = 100 * 100
    with pytest.raises(PhotoRejected):
        services.photo_prepare(upload=image_upload(size=(101, 100)))
    assert services.photo_prepare(upload=image_upload(size=(100, 100))).width == 100


def test_truncated_jpeg_is_rejected():
    data = image_bytes("JPEG", size=(200, 200))[:300]
    with pytest.raises(PhotoRejected) as exc:
        services.photo_prepare(upload=SimpleUploadedFile("t.jpg", data, "image/jpeg"))
    assert exc.value.code == "not_image"


def test_file_over_10_mb_is_rejected_with_413(settings):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * settings.PHOTO_MAX_BYTES, "image/jpeg")
    with pytest.raises(PhotoRejected) as exc:
        services.photo_prepare(upload=big)
    assert exc.value.status == 413


def test_at_most_six_photos():
    member = MemberFactory()
    for _ in range(6):
        services.photo_add(member=member, upload=image_upload())
    with pytest.raises(PhotoRejected) as exc:
        services.photo_add(member=member, upload=image_upload())
    assert exc.value.status == 409
    assert member.photos.count() == 6


def test_photo_delete_removes_file_from_storage(django_capture_on_commit_callbacks):
    member = MemberFactory()
    photo = services.photo_add(member=member, upload=image_upload())
    storage, name = photo.file.storage, photo.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        services.photo_delete(member=member, photo_id=photo.pk)

    assert not storage.exists(name)
    assert not Photo.objects.filter(pk=photo.pk).exists()


def test_other_member_cannot_delete_or_set_main():
    owner_photo = PhotoFactory(is_approved=True)
    intruder = MemberFactory()
    with pytest.raises(Http404):
        services.photo_delete(member=intruder, photo_id=owner_photo.pk)
    with pytest.raises(Http404):
        services.photo_set_main(member=intruder, photo_id=owner_photo.pk)
    assert Photo.objects.filter(pk=owner_photo.pk).exists()


def test_only_an_approved_photo_can_be_main():
    member = MemberFactory()
    pending = PhotoFactory(member=member, is_approved=False)
    with pytest.raises(PhotoRejected) as exc:
        services.photo_set_main(member=member, photo_id=pending.pk)
    assert exc.value.status == 409
    approved = PhotoFactory(member=member, is_approved=True)
    services.photo_set_main(member=member, photo_id=approved.pk)
    member.refresh_from_db()
    assert member.image == approved.url


def test_approve_first_photo_becomes_main_and_second_does_not_replace_it():
    member = MemberFactory(image="")
    first = services.photo_add(member=member, upload=image_upload())
    second = services.photo_add(member=member, upload=image_upload())

    services.photo_approve(photo=first)
    services.photo_approve(photo=second)

    member.refresh_from_db()
    first.refresh_from_db()
    assert first.is_approved
    assert member.image == first.url
    assert member.user.__class__.objects.get(pk=member.user_id).image == first.url


def test_reject_deletes_file_and_row(django_capture_on_commit_callbacks):
    photo = services.photo_add(member=MemberFactory(), upload=image_upload())
    storage, name = photo.file.storage, photo.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_reject(photo=photo)
    assert not storage.exists(name)
    assert not Photo.objects.filter(pk=photo.pk).exists()


def test_deleting_main_photo_promotes_next_approved(django_capture_on_commit_callbacks):
    member = MemberFactory(image="")
    a = PhotoFactory(member=member, is_approved=True)
    b = PhotoFactory(member=member, is_approved=True)
    services.photo_approve(photo=a)
    member.refresh_from_db()
    assert member.image == a.url

    with django_capture_on_commit_callbacks(execute=True):
        services.photo_delete(member=member, photo_id=a.pk)

    member.refresh_from_db()
    assert member.image == b.url
