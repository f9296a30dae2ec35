"""Profiles: Member, Photo, Video and the Interest catalogue (rules §2, §4)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from miel.models import UUIDModel


def photos_storage():
    return storages["photos"]


def videos_storage():
    return storages["videos"]


def selfies_storage():
    """Private storage for verification selfies: never served publicly (only the staff view
    streams them), see ``STORAGES["selfies"]``."""
    return storages["selfies"]


def age_on(date_of_birth: date, today: date) -> int:
    """Completed years on ``today``. A 29 February birthday is reached on 1 March in common
    years (rules §3), which is what comparing (month, day) tuples gives."""
    return (
        today.year
        - date_of_birth.year
        - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    )


class Interest(models.Model):
    """One entry of the fixed interest catalogue (about 70, in the seed's 10 categories)."""

    class Category(models.TextChoices):
        ENTERTAINMENT = "entertainment", _("Entertainment")
        OUTDOOR = "outdoor", _("Outdoor")
        HOBBIES = "hobbies", _("Hobbies")
        TECH = "tech", _("Tech")
        WELLNESS = "wellness", _("Wellness")
        FOOD = "food", _("Food & Drink")
        SOCIAL = "social", _("Social")
        SPIRITUAL = "spiritual", _("Spiritual")
        PETS = "pets", _("Pets")
        EDUCATION = "education", _("Education")

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60, help_text="English name")
    name_he = models.CharField(max_length=60)
    icon = models.CharField(max_length=8)
    category = models.CharField(max_length=20, choices=Category.choices)

    class Meta:
        ordering = ["category", "slug"]

    def __str__(self) -> str:
        return f"{self.icon} {self.label}"

    @property
    def label(self) -> str:
        """Name in the active language."""
        return self.name_he if (get_language() or "he").startswith("he") else self.name


class Prompt(models.Model):
    """One entry of the fixed prompt catalogue (about 40, issue 18), kept as data like the
    interests (data migration ``0015_prompt_catalogue``). Members answer up to three."""

    slug = models.SlugField(max_length=40, unique=True)
    text = models.CharField(max_length=120, help_text="English text")
    text_he = models.CharField(max_length=120)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Text in the active language."""
        return self.text_he if (get_language() or "he").startswith("he") else self.text


#: The columns the members list filters on (rules §5), carried by its indexes.
_LISTING_FILTER_COLUMNS = (
    "gender",
    "date_of_birth",
    "user_id",
    "boosted_until",
    # Both sides' preferences (issue 15): the candidate's own wishes, tested against the viewer.
    "prefers_male",
    "prefers_female",
    "prefers_other",
    "preferred_age_min",
    "preferred_age_max",
)
_LISTING_COLUMNS = ("latitude", "longitude", *_LISTING_FILTER_COLUMNS)


class Intention(models.TextChoices):
    """What a member is looking for (issue 18)."""

    LONG_TERM = "long_term", _("Long-term relationship")
    LONG_OPEN = "long_open", _("Long-term, open to short")
    SHORT_OPEN = "short_open", _("Short-term, open to long")
    SHORT_FUN = "short_fun", _("Short-term fun")
    FRIENDS = "friends", _("New friends")
    FIGURING = "figuring", _("Still figuring it out")


class Observance(models.TextChoices):
    """Religious outlook, in the common Israeli terms (issue 18). The first four form a scale
    (see :data:`OBSERVANCE_SCALE`); "other" is outside it."""

    SECULAR = "secular", _("Secular")
    TRADITIONAL = "traditional", _("Traditional")
    RELIGIOUS = "religious", _("Religious")
    ORTHODOX = "orthodox", _("Orthodox")
    OTHER = "other", _("Other outlook")


#: Position of each observance on the secular → Orthodox scale (smart matches, issue 18).
OBSERVANCE_SCALE = {"secular": 0, "traditional": 1, "religious": 2, "orthodox": 3}


class ChildrenHave(models.TextChoices):
    NO = "no", _("No children")
    YES = "yes", _("Has children")


class ChildrenWant(models.TextChoices):
    WANT = "want", _("Wants children")
    OPEN = "open", _("Open to children")
    NO = "no", _("Doesn't want children")


class Habit(models.TextChoices):
    NEVER = "never", _("Never")
    SOMETIMES = "sometimes", _("Sometimes")
    OFTEN = "often", _("Often")


class Education(models.TextChoices):
    """Highest education level (issue 18)."""

    HIGH_SCHOOL = "high_school", _("High school")
    VOCATIONAL = "vocational", _("Vocational training")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")
    YESHIVA = "yeshiva", _("Yeshiva / seminary")


class Pronouns(models.TextChoices):
    SHE = "she", _("she/her")
    HE = "he", _("he/him")
    THEY = "they", _("they/them")
    SHE_THEY = "she_they", _("she/they")
    HE_THEY = "he_they", _("he/they")
    ANY = "any", _("any pronouns")


class GenderIdentity(models.TextChoices):
    """How a member describes their gender (issue 18), beyond the three discovery groups of
    :class:`Member.Gender`. Each maps to one group (:data:`GENDER_IDENTITY_GROUP`), which is
    what "show me" and discovery match on."""

    MAN = "man", _("Man")
    WOMAN = "woman", _("Woman")
    NON_BINARY = "non_binary", _("Non-binary")
    TRANS_MAN = "trans_man", _("Trans man")
    TRANS_WOMAN = "trans_woman", _("Trans woman")
    GENDERQUEER = "genderqueer", _("Genderqueer")
    GENDERFLUID = "genderfluid", _("Genderfluid")
    AGENDER = "agender", _("Agender")


#: Gender identity → the discovery group (Member.gender) it is shown under ("show me").
GENDER_IDENTITY_GROUP = {
    "man": "male",
    "trans_man": "male",
    "woman": "female",
    "trans_woman": "female",
    "non_binary": "other",
    "genderqueer": "other",
    "genderfluid": "other",
    "agender": "other",
}


class Orientation(models.TextChoices):
    STRAIGHT = "straight", _("Straight")
    GAY = "gay", _("Gay")
    LESBIAN = "lesbian", _("Lesbian")
    BISEXUAL = "bisexual", _("Bisexual")
    PANSEXUAL = "pansexual", _("Pansexual")
    QUEER = "queer", _("Queer")
    ASEXUAL = "asexual", _("Asexual")
    QUESTIONING = "questioning", _("Questioning")


class Language(models.TextChoices):
    HEBREW = "he", _("Hebrew")
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    RUSSIAN = "ru", _("Russian")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    AMHARIC = "am", _("Amharic")
    YIDDISH = "yi", _("Yiddish")
    GERMAN = "de", _("German")
    ITALIAN = "it", _("Italian")
    PORTUGUESE = "pt", _("Portuguese")
    ROMANIAN = "ro", _("Romanian")
    UKRAINIAN = "uk", _("Ukrainian")
    PERSIAN = "fa", _("Persian")


class Member(UUIDModel):
    """The dating profile of a user (1:1), created when onboarding completes (rules §0, §3)."""

    class Gender(models.TextChoices):
        MALE = "male", _("Man")
        FEMALE = "female", _("Woman")
        OTHER = "other", _("Other")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member"
    )
    name = models.CharField(_("name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    description = models.TextField(_("about me"), max_length=2000)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=100)
    image = models.CharField(
        max_length=500, blank=True, help_text="URL of the main (approved) photo"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    location_updated_at = models.DateTimeField(null=True, blank=True)
    location_enabled = models.BooleanField(default=False)
    max_distance = models.PositiveIntegerField(default=50, help_text="km")
    boosted_until = models.DateTimeField(null=True, blank=True)
    video_url = models.CharField(max_length=500, blank=True)
    video_uploaded_at = models.DateTimeField(null=True, blank=True)
    # Denormalised from User.last_active_at so the members list orders on one table (rules §16).
    last_active_at = models.DateTimeField(null=True, blank=True)
    # Denormalised from User: ``is_active and profile_complete``, so the members list filters
    # on this table alone (rules §16). A member row is created when the profile is completed,
    # hence True by default; profiles.services.member_user_sync keeps it in step with the
    # user (called by the services that change either flag, and on every User save).
    listed = models.BooleanField(default=True, editable=False)
    # Denormalised copies of User.preferred_age_min / preferred_age_max (the seed's columns,
    # rules §2; User stays the source of truth), so smart-match scoring reads every
    # candidate's range from this table alone (rules §11, §16). Kept in step by the same
    # profiles.services.member_user_sync as ``listed``; a new member copies its user's values.
    preferred_age_min = models.PositiveSmallIntegerField(
        default=18, editable=False, help_text="Copy of User.preferred_age_min (years)"
    )
    preferred_age_max = models.PositiveSmallIntegerField(
        default=100, editable=False, help_text="Copy of User.preferred_age_max (years)"
    )
    # Denormalised copy of User.preferred_genders (a comma-separated list), one flag per
    # gender, so discovery keeps only members who would want to see the viewer ("both sides'
    # preferences", issue 15) with a plain column test on this table. Kept in step by
    # profiles.services.member_user_sync, like the age range above.
    prefers_male = models.BooleanField(default=True, editable=False)
    prefers_female = models.BooleanField(default=True, editable=False)
    prefers_other = models.BooleanField(default=False, editable=False)
    interests = models.ManyToManyField(Interest, blank=True, related_name="members")
    # The verified badge (an approved selfie, rules §4): written only by
    # profiles.verification.services.selfie_decide, read through profiles.selectors.is_verified
    # (or this column in list queries). Existing members start unverified.
    verified = models.BooleanField(_("verified"), default=False, editable=False)
    # Settings → Visibility (rules §5): a paused member is hidden from discovery everywhere
    # (matching.selectors.discoverable) while matches and chats go on; ``show_distance`` off
    # = others see the city only, never a distance number.
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    show_distance = models.BooleanField(_("show my distance"), default=True)
    # Intentions and life details (issue 18): all optional ("" / None = not said), shown as
    # chips on the profile and the deck; intention and observance also count in smart matches.
    intention = models.CharField(
        _("looking for"), max_length=20, choices=Intention.choices, blank=True, default=""
    )
    observance = models.CharField(
        _("religious outlook"), max_length=20, choices=Observance.choices, blank=True, default=""
    )
    height_cm = models.PositiveSmallIntegerField(_("height (cm)"), null=True, blank=True)
    children_have = models.CharField(
        _("children"), max_length=10, choices=ChildrenHave.choices, blank=True, default=""
    )
    children_want = models.CharField(
        _("want children"), max_length=10, choices=ChildrenWant.choices, blank=True, default=""
    )
    smoking = models.CharField(
        _("smoking"), max_length=10, choices=Habit.choices, blank=True, default=""
    )
    drinking = models.CharField(
        _("drinking"), max_length=10, choices=Habit.choices, blank=True, default=""
    )
    # More of "about me" (issue 18), all optional. ``gender_identity`` refines ``gender`` (the
    # discovery group it maps to, GENDER_IDENTITY_GROUP); ``languages`` holds Language codes.
    gender_identity = models.CharField(
        _("gender identity"),
        max_length=20,
        choices=GenderIdentity.choices,
        blank=True,
        default="",
    )
    orientation = models.CharField(
        _("orientation"), max_length=20, choices=Orientation.choices, blank=True, default=""
    )
    pronouns = models.CharField(
        _("pronouns"), max_length=10, choices=Pronouns.choices, blank=True, default=""
    )
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True, default=""
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    #: Names of the detail fields (profiles.services.DETAIL_FIELDS) the member keeps off their
    #: profile: not shown to others anywhere nor usable in their filters (issue 18).
    details_hidden = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="profiles_member_coordinates_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(max_distance__gte=1, max_distance__lte=20000),
                name="profiles_member_max_distance_range",
            ),
            models.CheckConstraint(  # as accounts_user_preferred_age_range
                condition=models.Q(preferred_age_min__gte=18, preferred_age_max__lte=100)
                & models.Q(preferred_age_min__lte=models.F("preferred_age_max")),
                name="profiles_member_preferred_age_range",
            ),
        ]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="member_lat_lon_idx"),
            models.Index(fields=["gender", "date_of_birth"], name="member_gender_dob_idx"),
            # The few paused members, for the discovery filter's NOT IN (matching.selectors).
            models.Index(
                fields=["user"],
                condition=models.Q(paused_at__isnull=False),
                name="member_paused_idx",
            ),
            # The members list (matching.selectors.discovery, rules §16) over listed members only: each
            # ordering, the same over boosted members (few), and the bounding box. Every
            # filtered column is INCLUDEd, so the rows a page skips are never read from the
            # table (index-only scans).
            models.Index(
                fields=["-last_active_at", "-id"],
                include=_LISTING_COLUMNS,
                condition=models.Q(listed=True),
                name="member_listed_active_idx",
            ),
            models.Index(
                fields=["-created", "-id"],
                include=_LISTING_COLUMNS,
                condition=models.Q(listed=True),
                name="member_listed_newest_idx",
            ),
            models.Index(
                fields=["-last_active_at", "-id"],
                include=_LISTING_COLUMNS,
                condition=models.Q(listed=True, boosted_until__isnull=False),
                name="member_boosted_active_idx",
            ),
            models.Index(
                fields=["-created", "-id"],
                include=_LISTING_COLUMNS,
                condition=models.Q(listed=True, boosted_until__isnull=False),
                name="member_boosted_newest_idx",
            ),
            models.Index(
                fields=["latitude", "longitude"],
                include=(*_LISTING_FILTER_COLUMNS, "last_active_at", "created"),
                condition=models.Q(listed=True),
                name="member_listed_geo_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, timezone.localdate())

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_boosted(self) -> bool:
        return self.boosted_until is not None and self.boosted_until > timezone.now()


class PromptAnswer(UUIDModel):
    """A member's answer to one catalogue prompt (issue 18): at most
    :data:`profiles.services.MAX_PROMPTS` per member, in the member's order (``position``
    0 first), one answer per prompt. Written only by ``profiles.services.member_prompts_set``."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="prompt_answers")
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="answers")
    answer = models.CharField(_("answer"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "prompt"], name="prompt_answer_one_per_prompt"
            ),
            models.UniqueConstraint(
                fields=["member", "position"], name="prompt_answer_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prompt_id}: {self.answer[:30]}"


#: Longest member-written photo description (characters), issue 17.
PHOTO_ALT_MAX = 150


def photo_upload_to(instance: Photo, filename: str) -> str:
    return f"photos/{instance.member_id}/{instance.id}.{filename.rsplit('.', 1)[-1]}"


class Photo(UUIDModel):
    """A profile photo; pending until staff approve it (rules §4)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="photos")
    # Indexed: /media/ looks a file up by name (miel.media_views; demo rows share files).
    file = models.ImageField(
        upload_to=photo_upload_to, storage=photos_storage, max_length=500, db_index=True
    )
    public_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    is_approved = models.BooleanField(default=False, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    #: The member's order of their photos (0 first); the first approved one is the main photo
    #: (issue 15). New photos go last; profiles.services.photo_reorder / photo_move change it.
    position = models.PositiveSmallIntegerField(default=0)
    #: What the photo shows, in the member's words, read out by screen readers (issue 17);
    #: empty: the pages say "Photo 2 of Dana". Written by profiles.services.photo_describe.
    alt_text = models.CharField(
        _("photo description"), max_length=PHOTO_ALT_MAX, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "created_at", "id"]
        indexes = [
            models.Index(
                fields=["member", "is_approved", "created_at"], name="photo_member_approved_idx"
            )
        ]

    def __str__(self) -> str:
        return f"Photo {self.id} of {self.member_id}"

    @property
    def url(self) -> str:
        return self.file.url


def video_upload_to(instance: Video, filename: str) -> str:
    return f"videos/{instance.member_id}/{instance.id}.{filename.rsplit('.', 1)[-1]}"


def video_poster_upload_to(instance: Video, filename: str) -> str:
    return f"videos/{instance.member_id}/{instance.id}.poster.jpg"


class Video(UUIDModel):
    """A video intro; pending until staff approve it (rules §4)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="videos")
    file = models.FileField(upload_to=video_upload_to, storage=videos_storage, max_length=500)
    # A JPEG frame for the player's ``poster=`` (profiles.video_remux.video_poster); empty when
    # no frame could be decoded.
    poster = models.FileField(
        upload_to=video_poster_upload_to, storage=videos_storage, max_length=500, blank=True
    )
    is_approved = models.BooleanField(default=False, db_index=True)
    duration = models.PositiveIntegerField(null=True, blank=True, help_text="seconds")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"Video {self.id} of {self.member_id}"

    @property
    def url(self) -> str:
        return self.file.url

    @property
    def poster_url(self) -> str:
        """URL of the poster frame, or "" when there is none."""
        return self.poster.url if self.poster else ""


def voice_upload_to(instance: VoicePrompt, filename: str) -> str:
    # Under videos/: the same private storage and /media/ rules as the video intros.
    return f"videos/voice/{instance.member_id}/{instance.id}.{filename.rsplit('.', 1)[-1]}"


class VoicePrompt(UUIDModel):
    """One prompt answered with a recording (issue 18): at most 30 s, stored remuxed without
    metadata (profiles.voice_services), pending until staff approve it. A member has at most
    one approved and one pending voice prompt; approving a newer one replaces the older."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="voice_prompts")
    prompt = models.ForeignKey(Prompt, on_delete=models.PROTECT, related_name="voice_answers")
    file = models.FileField(upload_to=voice_upload_to, storage=videos_storage, max_length=500)
    duration = models.PositiveSmallIntegerField(help_text="seconds, rounded")
    transcript = models.CharField(_("transcript"), max_length=500, blank=True)
    is_approved = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"Voice prompt {self.id} of {self.member_id}"

    @property
    def url(self) -> str:
        return self.file.url


def selfie_upload_to(instance: Selfie, filename: str) -> str:
    return f"selfies/{instance.member_id}/{instance.id}.jpg"


class Selfie(UUIDModel):
    """One verification attempt (rules §4): a pose chosen by the server, then the member's photo
    of themselves in that pose, then a staff decision. Never shown to other members."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for your photo")
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="selfies")
    pose = models.CharField(max_length=30)
    file = models.ImageField(
        upload_to=selfie_upload_to, storage=selfies_storage, max_length=500, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            # One attempt in progress per member: a double click starts one attempt.
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status__in=["open", "pending"]),
                name="profiles_selfie_one_open_per_member",
            ),
        ]
        indexes = [
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(status="pending"),
                name="selfie_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Selfie {self.id} of {self.member_id} ({self.status})"
