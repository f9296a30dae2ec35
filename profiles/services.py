"""Profile write services: onboarding, profile edits and photos (rules §3, §4)."""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    CharField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Concat
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import User
from miel.media import field_file_save, file_delete_on_commit
from miel.text import is_visibly_empty, validate_single_line

from .models import (
    GENDER_IDENTITY_GROUP,
    PHOTO_ALT_MAX,
    Interest,
    Language,
    Member,
    Photo,
    Prompt,
    PromptAnswer,
    age_on,
)

logger = logging.getLogger(__name__)

MIN_AGE = 18
MAX_PHOTOS = 6
#: Prompts a member may answer, and the longest answer (characters) (issue 18).
MAX_PROMPTS = 3
PROMPT_ANSWER_MAX = 200
#: Heights a member may give (cm).
HEIGHT_MIN_CM, HEIGHT_MAX_CM = 120, 230
#: The life-detail fields of Member (issue 18), all optional.
DETAIL_FIELDS = (
    "intention",
    "observance",
    "height_cm",
    "children_have",
    "children_want",
    "smoking",
    "drinking",
    "gender_identity",
    "orientation",
    "pronouns",
    "education",
    "languages",
)
#: Detail fields holding a list of choices (the others hold one value).
DETAIL_LIST_FIELDS = frozenset({"languages"})
# Accepted by content (Pillow's detected format), never by file name or content type.
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
# Stored photos are re-encoded to at most this many pixels on the long side.
PHOTO_MAX_SIDE = 2048
PHOTO_JPEG_QUALITY = 85


#: ``last_active_at`` is written at most once a minute per user (rules §5 "online").
LAST_ACTIVE_THROTTLE = timedelta(seconds=60)


def user_touch_last_active(*, user: User) -> bool:
    """Refresh ``last_active_at`` on the user and their member row (the copy discovery sorts
    by), at most once a minute. Called by :class:`profiles.middleware.LastActiveMiddleware` and
    the WebSocket consumer.

    Returns True when a write happened. Two UPDATEs by primary key, no reads.
    """
    now = timezone.now()
    if user.last_active_at and now - user.last_active_at < LAST_ACTIVE_THROTTLE:
        return False
    User.objects.filter(pk=user.pk).update(last_active_at=now)
    Member.objects.filter(user_id=user.pk).update(last_active_at=now)
    user.last_active_at = now
    return True


class LocationChangeLimited(ValidationError):
    """The member moved their position ``settings.LOCATION_CHANGES_PER_HOUR`` times within
    the last hour (rules §5); views answer 429 with the message. Raised by
    ``matching.services.location_change_count`` (the limit is counted there), defined here so
    the profile edit can tell it from other errors without importing matching."""

    code_name = "location_rate_limited"


class PhotoRejected(ValidationError):
    """An upload that is not an acceptable photo. ``status`` is the HTTP status a view returns:
    413 too large, 400 not an image / decompression bomb, 409 limit reached."""

    def __init__(self, message: str, *, code: str, status: int = 400) -> None:
        super().__init__(message, code=code)
        self.status = status


@dataclass(frozen=True)
class PreparedPhoto:
    """A validated, re-encoded JPEG with every metadata block removed."""

    content: bytes
    width: int
    height: int


# --- photos ---------------------------------------------------------------------------------


def photo_prepare(*, upload) -> PreparedPhoto:
    """Validate an uploaded file by its content and re-encode it (rules §4).

    Steps: size <= ``settings.PHOTO_MAX_BYTES`` (else 413); Pillow must detect JPEG/PNG/WebP from
    the bytes; the pixel count from the header must be <= ``settings.PHOTO_MAX_PIXELS`` *before*
    any decoding (decompression bombs, 400); the image is decoded, rotated per its EXIF
    orientation, flattened to RGB, shrunk to ``PHOTO_MAX_SIDE`` and saved as a fresh JPEG
    without EXIF/GPS/ICC/XMP. Raises :class:`PhotoRejected`. No side effects.
    """
    size = getattr(upload, "size", None)
    if size is None or size > settings.PHOTO_MAX_BYTES:
        raise PhotoRejected(
            _("The photo is too large (at most %(mb)d MB).")
            % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
            code="too_large",
            status=413,
        )
    if size == 0:
        raise PhotoRejected(_("The file is empty."), code="empty")
    not_image = PhotoRejected(
        _("This file is not a JPEG, PNG or WebP image."), code="not_image", status=400
    )
    bomb = PhotoRejected(
        _("The image has too many pixels (at most %(mp)d megapixels).")
        % {"mp": settings.PHOTO_MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
        status=400,
    )
    upload.seek(0)
    data = upload.read(settings.PHOTO_MAX_BYTES + 1)
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise PhotoRejected(_("The photo is too large."), code="too_large", status=413)
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard warns below its hard limit; treat the warning as fatal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in PHOTO_FORMATS:
                    raise not_image
                width, height = probe.size
                if width <= 0 or height <= 0:
                    raise not_image
                if width * height > settings.PHOTO_MAX_PIXELS:
                    raise bomb
                probe.verify()  # structural check (CRC, truncation) without decoding pixels
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                image: Image.Image = ImageOps.exif_transpose(opened)
                if image.mode in ("RGBA", "LA") or (
                    image.mode == "P" and "transparency" in image.info
                ):
                    rgba = image.convert("RGBA")
                    flat = Image.new("RGB", rgba.size, (255, 255, 255))
                    flat.paste(rgba, mask=rgba.getchannel("A"))
                    image = flat
                else:
                    image = image.convert("RGB")
                image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
                # A brand-new image object carries no info dict: nothing of the original's
                # EXIF, GPS, XMP, ICC or comments can survive into the output.
                clean = Image.new("RGB", image.size)
                clean.paste(image)
                out = io.BytesIO()
                clean.save(out, "JPEG", quality=PHOTO_JPEG_QUALITY, optimize=True)
                return PreparedPhoto(content=out.getvalue(), width=clean.width, height=clean.height)
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise bomb from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise not_image from exc


def _photo_store(*, member: Member, prepared: PreparedPhoto) -> Photo:
    """Save a prepared photo as ``member``'s last one (call under the member's row lock)."""
    last = Photo.objects.filter(member=member).aggregate(last=Max("position"))["last"]
    photo = Photo(
        member=member,
        is_approved=False,
        width=prepared.width,
        height=prepared.height,
        position=0 if last is None else last + 1,
    )
    # A failed write leaves no partial file; a full disk raises StorageFull (507).
    field_file_save(photo.file, "photo.jpg", ContentFile(prepared.content))
    try:
        photo.save()
    except Exception:
        photo.file.delete(save=False)
        raise
    return photo


@transaction.atomic
def photo_add(*, member: Member, upload) -> Photo:
    """Validate, clean and store a new photo for ``member``; it is pending (rules §4).

    At most ``MAX_PHOTOS`` per member, checked under a row lock on the member so two concurrent
    uploads cannot both take the last slot. Raises :class:`PhotoRejected` (413 too large,
    400 not an image or a bomb, 409 limit reached) and :class:`miel.media.StorageFull` (disk
    full: no file and no row are left).
    """
    prepared = photo_prepare(upload=upload)
    Member.objects.select_for_update().only("id").get(pk=member.pk)
    if Photo.objects.filter(member=member).count() >= MAX_PHOTOS:
        raise PhotoRejected(
            _("You can have at most %(n)d photos.") % {"n": MAX_PHOTOS},
            code="too_many",
            status=409,
        )
    return _photo_store(member=member, prepared=prepared)


def _photo_for_owner(*, member: Member, photo_id: UUID | str) -> Photo:
    try:
        return Photo.objects.select_for_update().get(pk=photo_id, member=member)
    except (Photo.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def _member_refresh_main(*, member: Member, removed_url: str | None = None) -> None:
    """Point ``member.image`` at the main photo: the first approved one in the member's order
    (issue 15), or none. ``removed_url`` is kept for callers; the rule no longer needs it."""
    first_photo = Photo.objects.filter(member=member, is_approved=True).first()  # Meta order
    image = first_photo.url if first_photo else ""
    if image != member.image:
        member.image = image
        Member.objects.filter(pk=member.pk).update(image=image)
        User.objects.filter(pk=member.user_id).update(image=image)


def _file_delete_on_commit(photo: Photo) -> None:
    # miel.media's post_delete receiver does the same for cascades; twice is harmless.
    file_delete_on_commit(photo.file)


@transaction.atomic
def photo_delete(*, member: Member, photo_id: UUID | str) -> None:
    """Delete one of ``member``'s photos and its file (rules §4). 404 for anyone else's photo.

    When it was the main photo, the next approved photo (or none) becomes main. The file is
    removed from storage after the commit.
    """
    photo = _photo_for_owner(member=member, photo_id=photo_id)
    url = photo.url
    photo.delete()
    _file_delete_on_commit(photo)
    member.refresh_from_db(fields=["image"])
    _member_refresh_main(member=member, removed_url=url)


@transaction.atomic
def photo_set_main(*, member: Member, photo_id: UUID | str) -> Photo:
    """Make one of ``member``'s approved photos the main photo (rules §4): it moves first in
    the member's order (issue 15: the first approved photo is the main one).

    404 for anyone else's photo; :class:`PhotoRejected` (409) for a pending one.
    """
    photo = _photo_for_owner(member=member, photo_id=photo_id)
    if not photo.is_approved:
        raise PhotoRejected(
            _("Only an approved photo can be your main photo."), code="pending", status=409
        )
    order = [p.pk for p in _photos_locked(member=member)]
    order.remove(photo.pk)
    _photos_renumber(member=member, order=[photo.pk, *order])
    return photo


def _photos_locked(*, member: Member) -> list[Photo]:
    """``member``'s photos in their order, after locking the member row: the lock serialises
    reorders, moves and uploads of one member (two tabs dragging at once)."""
    Member.objects.select_for_update().only("id").get(pk=member.pk)
    return list(Photo.objects.filter(member=member).only("id", "position"))


def _photos_renumber(*, member: Member, order: list) -> None:
    """Give the photos of ``order`` (ids) positions 0, 1, ... and refresh the main photo."""
    photos = Photo.objects.in_bulk(order)
    changed = []
    for position, pk in enumerate(order):
        photo = photos[pk]
        if photo.position != position:
            photo.position = position
            changed.append(photo)
    Photo.objects.bulk_update(changed, ["position"])
    member.refresh_from_db(fields=["image"])
    _member_refresh_main(member=member)


@transaction.atomic
def photo_reorder(*, member: Member, photo_ids: list[str]) -> None:
    """Put ``member``'s photos in the order of ``photo_ids`` (drag and drop, issue 15); the
    first approved photo becomes the main one. ``photo_ids`` must name each of the member's
    photos exactly once: anything else (a stale list after a delete in another tab, someone
    else's photo, junk) raises ValidationError and changes nothing."""
    current = {str(p.pk): p.pk for p in _photos_locked(member=member)}
    if len(photo_ids) != len(current) or set(photo_ids) != set(current):
        raise ValidationError(
            _("Your photos changed meanwhile. Reload the page and try again."), code="stale"
        )
    _photos_renumber(member=member, order=[current[i] for i in photo_ids])


@transaction.atomic
def photo_move(*, member: Member, photo_id: UUID | str, step: int) -> None:
    """Move one of ``member``'s photos one place earlier (``step=-1``) or later (``step=1``),
    the move buttons of the photo grid (issue 15). At either end it stays put. 404 for anyone
    else's photo."""
    order = [p.pk for p in _photos_locked(member=member)]
    photo = _photo_for_owner(member=member, photo_id=photo_id)
    at = order.index(photo.pk)
    to = min(len(order) - 1, max(0, at + (1 if step > 0 else -1)))
    order[at], order[to] = order[to], order[at]
    _photos_renumber(member=member, order=order)


@transaction.atomic
def photo_describe(*, member: Member, photo_id: UUID | str, alt_text: str) -> Photo:
    """Set the description of one of ``member``'s photos (issue 17, docs/rules.md §4): what
    screen readers say for it on every page. Whitespace is collapsed, at most
    ``PHOTO_ALT_MAX`` (150) characters; an empty text goes back to the default ("Photo 2 of
    Dana"). Raises ``ValidationError`` for a longer text or invisible-only characters (bidi
    controls), ``Http404`` for anyone else's photo."""
    text = " ".join((alt_text or "").split())
    if len(text) > PHOTO_ALT_MAX:
        raise ValidationError(
            _("A photo description can have at most %(max)d characters.") % {"max": PHOTO_ALT_MAX}
        )
    if text and is_visibly_empty(text):
        raise ValidationError(_("Describe the photo in words."))
    photo = _photo_for_owner(member=member, photo_id=photo_id)
    if photo.alt_text != text:
        photo.alt_text = text
        photo.save(update_fields=["alt_text", "updated_at"])
    return photo


@transaction.atomic
def photo_approve(*, photo: Photo) -> Photo:
    """Approve a photo (staff, rules §4/§14). When its member has no main photo yet, the first
    approved photo becomes the main one. Idempotent."""
    photo = Photo.objects.select_for_update().select_related("member").get(pk=photo.pk)
    member = Member.objects.select_for_update().get(pk=photo.member_id)
    if not photo.is_approved:
        photo.is_approved = True
        photo.save(update_fields=["is_approved", "updated_at"])
    _member_refresh_main(member=member)
    return photo


@transaction.atomic
def photo_reject(*, photo: Photo) -> None:
    """Reject a photo (staff): the row goes and its file is deleted from storage after commit.
    If it was somehow the main photo, the next approved photo takes its place."""
    photo = Photo.objects.select_for_update().select_related("member").get(pk=photo.pk)
    member = photo.member
    url = photo.url
    photo.delete()
    _file_delete_on_commit(photo)
    member.refresh_from_db(fields=["image"])
    _member_refresh_main(member=member, removed_url=url)


# --- onboarding and profile edits -----------------------------------------------------------


def validate_adult(date_of_birth: date, *, today: date | None = None) -> None:
    """Raise ValidationError unless the person is at least 18 on ``today`` (rules §3).

    Age in completed years via :func:`profiles.models.age_on`, so a 29 February birthday is
    reached on 1 March in common years.
    """
    today = today or timezone.localdate()
    if date_of_birth > today:
        raise ValidationError(_("The date of birth is in the future."), code="future")
    if age_on(date_of_birth, today) < MIN_AGE:
        raise ValidationError(
            _("You must be at least %(age)d years old to use Miel.") % {"age": MIN_AGE},
            code="underage",
        )


def validate_coordinates(latitude: float | None, longitude: float | None) -> None:
    """Both or neither; latitude -90..90, longitude -180..180."""
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("The location is incomplete."), code="location_incomplete")
    if latitude is None or longitude is None:
        return
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError(_("The location is not valid."), code="location_invalid")


def _validate_single_lines(**fields: str) -> None:
    """Names and places are one line: no CR, LF, NUL or other control characters (they end up
    in e-mail subjects and headers). Raises ValidationError keyed by field."""
    errors = {}
    for key, value in fields.items():
        try:
            validate_single_line(value)
        except ValidationError as exc:
            errors[key] = exc
    if errors:
        raise ValidationError(errors)


def _apply_preferences(
    user: User, *, preferred_genders: Sequence[str], age_min: int, age_max: int
) -> None:
    if not (MIN_AGE <= age_min <= age_max <= 100):
        raise ValidationError(
            _("The age range must be between 18 and 100, minimum first."), code="age_range"
        )
    valid = {g.value for g in Member.Gender}
    genders = [g for g in Member.Gender.values if g in set(preferred_genders) & valid]
    if not genders:
        raise ValidationError(_("Choose at least one gender."), code="genders")
    user.preferred_genders = ",".join(genders)
    user.preferred_age_min = age_min
    user.preferred_age_max = age_max


#: Member columns copied from User by :func:`member_user_sync` (and the User fields they follow).
MEMBER_USER_FIELDS = frozenset(
    {"is_active", "profile_complete", "preferred_genders", "preferred_age_min", "preferred_age_max"}
)


def member_gender_flags(preferred_genders: str) -> dict[str, bool]:
    """``Member.prefers_<gender>`` values for a ``User.preferred_genders`` list ("male,female")."""
    wanted = {g.strip() for g in (preferred_genders or "").split(",")}
    return {f"prefers_{g}": g in wanted for g in Member.Gender.values}


def _prefers_from_user(gender: str) -> Subquery:
    """SQL for ``Member.prefers_<gender>`` read from the member's user: the comma-separated
    ``preferred_genders`` wrapped in commas contains ``,gender,`` ("male" is inside
    "female", so a bare substring test would be wrong)."""
    wrapped = Concat(Value(","), F("preferred_genders"), Value(","), output_field=CharField())
    return Subquery(
        User.objects.filter(pk=OuterRef("user_id"))
        .annotate(wrapped=wrapped)
        .values(
            v=ExpressionWrapper(Q(wrapped__contains=f",{gender},"), output_field=BooleanField())
        )
    )


def member_user_sync(*, user_ids: Iterable[UUID | str]) -> int:
    """Copy these users' (User ids) denormalised fields onto their members: ``Member.listed``
    = ``is_active and profile_complete`` (rules §5: the members list) and
    ``Member.preferred_age_min`` / ``preferred_age_max`` and ``prefers_<gender>`` (rules §11:
    smart-match scoring; issue 15: both sides' preferences in discovery), so
    those queries read ``profiles_member`` alone (rules §16). One UPDATE that writes only the
    members whose copy differs; returns how many it wrote.

    Call after any write to those User fields that bypasses ``User.save()`` (a queryset
    ``update()``); ``save()`` is covered by the receiver in :mod:`profiles.signals`."""
    ids = list(user_ids)
    if not ids:
        return 0
    user = User.objects.filter(pk=OuterRef("user_id"))
    visible = Q(user__is_active=True, user__profile_complete=True)
    stale = (
        Q(listed=True) & ~visible
        | Q(listed=False) & visible
        | ~Q(preferred_age_min=F("user__preferred_age_min"))
        | ~Q(preferred_age_max=F("user__preferred_age_max"))
    )
    flags = {f"prefers_{g}": _prefers_from_user(g) for g in Member.Gender.values}
    for name, flag in flags.items():
        stale |= ~Q(**{name: flag})
    is_visible = ExpressionWrapper(
        Q(is_active=True, profile_complete=True), output_field=BooleanField()
    )
    return (
        Member.objects.filter(user_id__in=ids)
        .filter(stale)
        .update(
            listed=Subquery(user.values(v=is_visible)),
            preferred_age_min=Subquery(user.values("preferred_age_min")),
            preferred_age_max=Subquery(user.values("preferred_age_max")),
            **flags,
        )
    )


@transaction.atomic
def member_complete_profile(
    *,
    user: User,
    name: str,
    date_of_birth: date,
    gender: str,
    city: str,
    country: str,
    description: str,
    interests: Iterable[Interest],
    preferred_genders: Sequence[str],
    preferred_age_min: int,
    preferred_age_max: int,
    latitude: float | None = None,
    longitude: float | None = None,
    photos: Sequence[PreparedPhoto] = (),
    prompts: Sequence[tuple[Prompt, str]] | None = None,
    details: dict | None = None,
) -> Member:
    """Create the user's Member from the onboarding answers (rules §3) and mark the profile
    complete; the name is copied to the user.

    Runs under a row lock on the user, so a double submit creates one member (the second call
    raises ValidationError ``already_complete``). ``photos`` are already validated
    (:func:`photo_prepare`); at most ``MAX_PHOTOS``; all start pending. ``prompts`` and
    ``details`` (issue 18, optional) go to :func:`member_prompts_set` and
    :func:`member_details_set`. Raises ValidationError for an under-18 date of birth, bad
    coordinates, a bad preference range or bad prompts / details.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.profile_complete or Member.objects.filter(user=locked).exists():
        raise ValidationError(_("Your profile is already complete."), code="already_complete")
    validate_adult(date_of_birth)
    validate_coordinates(latitude, longitude)
    _validate_single_lines(name=name, city=city, country=country)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("You can have at most %(n)d photos.") % {"n": MAX_PHOTOS}, code="too_many"
        )
    _apply_preferences(
        locked,
        preferred_genders=preferred_genders,
        age_min=preferred_age_min,
        age_max=preferred_age_max,
    )
    now = timezone.now()
    has_location = latitude is not None
    try:
        with transaction.atomic():
            member = Member.objects.create(
                user=locked,
                name=name.strip(),
                date_of_birth=date_of_birth,
                gender=gender,
                city=city.strip(),
                country=country.strip(),
                description=description.strip(),
                latitude=latitude,
                longitude=longitude,
                location_enabled=has_location,
                location_updated_at=now if has_location else None,
                last_active_at=locked.last_active_at or now,
                # The profile is complete once this transaction commits.
                listed=locked.is_active,
                preferred_age_min=locked.preferred_age_min,  # copies (member_user_sync)
                preferred_age_max=locked.preferred_age_max,
                **member_gender_flags(locked.preferred_genders),
            )
    except IntegrityError as exc:  # a concurrent onboarding won the one-member-per-user race
        raise ValidationError(
            _("Your profile is already complete."), code="already_complete"
        ) from exc
    member.interests.set(list(interests))
    if prompts is not None:  # issue 18: optional prompt answers and life details
        member_prompts_set(member=member, answers=prompts)
    if details:
        member_details_set(member=member, **details)
    stored: list[Photo] = []
    try:
        for prepared in photos:
            stored.append(_photo_store(member=member, prepared=prepared))
    except Exception:
        for photo in stored:
            photo.file.delete(save=False)
        raise
    locked.name = member.name
    locked.profile_complete = True
    locked.save(
        update_fields=[
            "name",
            "profile_complete",
            "preferred_genders",
            "preferred_age_min",
            "preferred_age_max",
        ]
    )
    user.name, user.profile_complete = locked.name, True
    user.preferred_genders = locked.preferred_genders
    user.preferred_age_min, user.preferred_age_max = (
        locked.preferred_age_min,
        locked.preferred_age_max,
    )
    return member


@transaction.atomic
def member_update_profile(
    *,
    member: Member,
    name: str,
    date_of_birth: date,
    gender: str,
    city: str,
    country: str,
    description: str,
    interests: Iterable[Interest],
    preferred_genders: Sequence[str],
    preferred_age_min: int,
    preferred_age_max: int,
    latitude: float | None = None,
    longitude: float | None = None,
    prompts: Sequence[tuple[Prompt, str]] | None = None,
    details: dict | None = None,
) -> Member:
    """Save the profile edit form (rules §3/§4): member fields, interests, the user's
    preferences and location. Same validation as onboarding. Name is copied to the user. A new
    position counts towards the hourly limit of location changes (raises
    ``LocationChangeLimited``, a ValidationError, over it). ``prompts`` and
    ``details`` (issue 18) replace the prompt answers / life details; None leaves them. A
    ``gender`` outside the group of the member's gender identity clears the identity (they
    would disagree on the page)."""
    validate_adult(date_of_birth)
    validate_coordinates(latitude, longitude)
    _validate_single_lines(name=name, city=city, country=country)
    user = User.objects.select_for_update().get(pk=member.user_id)
    _apply_preferences(
        user,
        preferred_genders=preferred_genders,
        age_min=preferred_age_min,
        age_max=preferred_age_max,
    )
    location_changed = (latitude, longitude) != (member.latitude, member.longitude)
    if location_changed and latitude is not None:
        # At call time: a layer exception listed in pyproject.toml (the limit is matching's).
        from matching.services import location_change_count

        location_change_count(member=member)  # rules §5: at most N moves an hour
    member.name = name.strip()
    member.date_of_birth = date_of_birth
    if member.gender_identity and GENDER_IDENTITY_GROUP.get(member.gender_identity) != gender:
        # "I am" changed to another group than the gender identity belongs to (issue 18): the
        # identity no longer describes the member, so it goes rather than disagree on the page.
        member.gender_identity = ""
    member.gender = gender
    member.city = city.strip()
    member.country = country.strip()
    member.description = description.strip()
    member.latitude, member.longitude = latitude, longitude
    member.location_enabled = latitude is not None
    fields = [
        "name",
        "date_of_birth",
        "gender",
        "gender_identity",
        "city",
        "country",
        "description",
        "latitude",
        "longitude",
        "location_enabled",
        "updated",
    ]
    if location_changed:
        member.location_updated_at = timezone.now() if latitude is not None else None
        fields.append("location_updated_at")
    member.save(update_fields=fields)
    member.interests.set(list(interests))
    if prompts is not None:  # issue 18: None = leave the answers as they are
        member_prompts_set(member=member, answers=prompts)
    if details is not None:
        member_details_set(member=member, **details)
    user.name = member.name
    user.save(update_fields=["name", "preferred_genders", "preferred_age_min", "preferred_age_max"])
    return member


# --- prompts and life details (issue 18) ----------------------------------------------------


def member_prompts_set(*, member: Member, answers: Sequence[tuple[Prompt, str]]) -> None:
    """Replace ``member``'s prompt answers with ``answers`` (prompt, text) in that order (the
    first is shown first). Answers are stripped and control characters become spaces; empty
    ones are dropped. At most :data:`MAX_PROMPTS`, each at most :data:`PROMPT_ANSWER_MAX`
    characters, each prompt once; else ValidationError (``too_many_prompts``,
    ``prompt_too_long``, ``prompt_twice``) and nothing changes. Call inside a transaction
    (the profile services do); runs under a row lock on the member so two saves do not mix.
    """
    cleaned: list[tuple[Prompt, str]] = []
    for prompt, text in answers:
        text = "".join(" " if (ch < " " or ch == "\x7f") else ch for ch in (text or "")).strip()
        if not text:
            continue
        if len(text) > PROMPT_ANSWER_MAX:
            raise ValidationError(
                _("An answer can be at most %(n)d characters.") % {"n": PROMPT_ANSWER_MAX},
                code="prompt_too_long",
            )
        cleaned.append((prompt, text))
    if len(cleaned) > MAX_PROMPTS:
        raise ValidationError(
            _("You can answer at most %(n)d prompts.") % {"n": MAX_PROMPTS},
            code="too_many_prompts",
        )
    if len({p.pk for p, _text in cleaned}) != len(cleaned):
        raise ValidationError(_("Choose each prompt only once."), code="prompt_twice")
    with transaction.atomic():
        Member.objects.select_for_update().only("id").get(pk=member.pk)
        PromptAnswer.objects.filter(member=member).delete()
        PromptAnswer.objects.bulk_create(
            [
                PromptAnswer(member=member, prompt=prompt, answer=text, position=i)
                for i, (prompt, text) in enumerate(cleaned)
            ]
        )


def member_details_set(
    *, member: Member, details_hidden: Sequence[str] | None = None, **details: object
) -> Member:
    """Save ``member``'s intention and life details (issue 18): any of
    :data:`DETAIL_FIELDS`; "" / None / [] clears one. Choices are checked against the
    model's (``languages``: a list of Language codes, kept in catalogue order without
    repeats), the height against :data:`HEIGHT_MIN_CM`..:data:`HEIGHT_MAX_CM` cm; else
    ValidationError (``bad_detail``, ``bad_height``). A ``gender_identity`` also sets the
    discovery group ``gender`` it maps to (:data:`profiles.models.GENDER_IDENTITY_GROUP`), so
    "show me" and discovery keep working. ``details_hidden``: the detail fields the member
    keeps off their profile (None leaves the setting as it is)."""
    fields = []
    for name, value in details.items():
        if name not in DETAIL_FIELDS:
            raise ValidationError(_("Unknown profile detail."), code="bad_detail")
        if name == "height_cm":
            if value in ("", None):
                value = None
            elif not (isinstance(value, int) and HEIGHT_MIN_CM <= value <= HEIGHT_MAX_CM):
                raise ValidationError(
                    _("Height must be between %(low)d and %(high)d cm.")
                    % {"low": HEIGHT_MIN_CM, "high": HEIGHT_MAX_CM},
                    code="bad_height",
                )
        elif name in DETAIL_LIST_FIELDS:
            codes = [str(v) for v in (value or [])] if isinstance(value, list | tuple) else None
            if codes is None or not set(codes) <= set(Language.values):
                raise ValidationError(_("Unknown profile detail."), code="bad_detail")
            value = [code for code in Language.values if code in codes]
        else:
            value = value or ""
            choices = {c for c, _label in Member._meta.get_field(name).choices or ()}  # type: ignore[union-attr]
            if value and value not in choices:
                raise ValidationError(_("Unknown profile detail."), code="bad_detail")
        setattr(member, name, value)
        fields.append(name)
    if details.get("gender_identity"):
        member.gender = GENDER_IDENTITY_GROUP[str(details["gender_identity"])]
        fields.append("gender")
    if details_hidden is not None:
        if not set(details_hidden) <= set(DETAIL_FIELDS):
            raise ValidationError(_("Unknown profile detail."), code="bad_detail")
        member.details_hidden = [name for name in DETAIL_FIELDS if name in set(details_hidden)]
        fields.append("details_hidden")
    if fields:
        member.save(update_fields=[*fields, "updated"])
    return member
