"""Profile forms: onboarding, profile edit and photo upload (rules §3, §4)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from miel.text import validate_single_line

from .models import (
    ChildrenHave,
    ChildrenWant,
    Education,
    GenderIdentity,
    Habit,
    Intention,
    Interest,
    Language,
    Member,
    Observance,
    Orientation,
    Prompt,
    Pronouns,
)
from .services import (
    DETAIL_FIELDS,
    HEIGHT_MAX_CM,
    HEIGHT_MIN_CM,
    MAX_PHOTOS,
    MAX_PROMPTS,
    MIN_AGE,
    PROMPT_ANSWER_MAX,
    PhotoRejected,
    PreparedPhoto,
    photo_prepare,
    validate_adult,
    validate_coordinates,
)

# Fields a draft may hold (everything but files), so a reload restores them (rules §3).
DRAFT_FIELDS = (
    "name",
    "date_of_birth",
    "gender",
    "city",
    "country",
    "description",
    "interests",
    "preferred_genders",
    "preferred_age_min",
    "preferred_age_max",
    "latitude",
    "longitude",
    *DETAIL_FIELDS,
    *(f"visible_{name}" for name in DETAIL_FIELDS),
    *(f"prompt_{i}" for i in range(1, MAX_PROMPTS + 1)),
    *(f"answer_{i}" for i in range(1, MAX_PROMPTS + 1)),
)
DRAFT_LIST_FIELDS = frozenset({"interests", "preferred_genders", "languages"})
MAX_INTERESTS = 20
PREFERRED_GENDER_CHOICES = [
    (Member.Gender.MALE, _("Men")),
    (Member.Gender.FEMALE, _("Women")),
    (Member.Gender.OTHER, _("Other people")),
]


def _latest_adult_birthday() -> date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - MIN_AGE)
    except ValueError:  # today is 29 February
        return today.replace(year=today.year - MIN_AGE, day=28)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """0..MAX_PHOTOS photos, each validated and re-encoded by :func:`photo_prepare`."""

    widget = MultipleFileInput

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(
                _("You can upload at most %(n)d photos.") % {"n": MAX_PHOTOS}, code="too_many"
            )
        prepared: list[PreparedPhoto] = []
        errors: list[ValidationError] = []
        for upload in files:
            try:
                prepared.append(photo_prepare(upload=upload))
            except PhotoRejected as exc:
                errors.append(ValidationError(f"{upload.name}: {exc.messages[0]}", code=exc.code))
        if errors:
            raise ValidationError(errors)
        return prepared


def _optional_choice(label, choices):
    return forms.ChoiceField(
        label=label, choices=[("", _("Rather not say")), *choices], required=False
    )


class ProfileForm(forms.Form):
    """The profile answers shared by onboarding and the edit page."""

    name = forms.CharField(
        label=_("First name"),
        max_length=100,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("You must be 18 or older."),
    )
    gender = forms.ChoiceField(
        label=_("I am"), choices=Member.Gender.choices, widget=forms.RadioSelect
    )
    city = forms.CharField(
        label=_("City"),
        max_length=100,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=100,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    description = forms.CharField(
        label=_("About me"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 2000, "dir": "auto"}),
        help_text=_("A few sentences about you and what you are looking for."),
    )
    interests = forms.ModelMultipleChoiceField(
        label=_("Interests"),
        queryset=Interest.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_genders = forms.MultipleChoiceField(
        label=_("Show me"),
        choices=PREFERRED_GENDER_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one gender.")},
    )
    preferred_age_min = forms.IntegerField(
        label=_("Youngest age"), min_value=18, max_value=100, initial=18
    )
    preferred_age_max = forms.IntegerField(
        label=_("Oldest age"), min_value=18, max_value=100, initial=100
    )
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    # Intentions and life details (issue 18), all optional.
    intention = _optional_choice(_("Looking for"), Intention.choices)
    observance = _optional_choice(_("Religious outlook"), Observance.choices)
    height_cm = forms.IntegerField(
        label=_("Height (cm)"), required=False, min_value=HEIGHT_MIN_CM, max_value=HEIGHT_MAX_CM
    )
    children_have = _optional_choice(_("Children"), ChildrenHave.choices)
    children_want = _optional_choice(_("Family plans"), ChildrenWant.choices)
    smoking = _optional_choice(_("Smoking"), Habit.choices)
    drinking = _optional_choice(_("Drinking"), Habit.choices)
    gender_identity = _optional_choice(_("Gender identity"), GenderIdentity.choices)
    orientation = _optional_choice(_("Orientation"), Orientation.choices)
    pronouns = _optional_choice(_("Pronouns"), Pronouns.choices)
    education = _optional_choice(_("Education"), Education.choices)
    languages = forms.MultipleChoiceField(
        label=_("Languages I speak"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Prompts (issue 18): up to three (prompt, answer) slots, shown in slot order.
        prompts = Prompt.objects.all()
        for i in range(1, MAX_PROMPTS + 1):
            self.fields[f"prompt_{i}"] = forms.ModelChoiceField(
                label=_("Prompt %(n)d") % {"n": i},
                queryset=prompts,
                required=False,
                empty_label=_("Choose a prompt"),
            )
            self.fields[f"answer_{i}"] = forms.CharField(
                label=_("Your answer"),
                required=False,
                max_length=PROMPT_ANSWER_MAX,
                widget=forms.Textarea(
                    attrs={"rows": 2, "maxlength": PROMPT_ANSWER_MAX, "dir": "auto"}
                ),
            )
        # One "visible on my profile" switch per detail (issue 18); on unless switched off.
        for name in DETAIL_FIELDS:
            self.fields[f"visible_{name}"] = forms.BooleanField(
                label=_("Visible on my profile"), required=False, initial=True
            )
        self.fields["gender_identity"].help_text = _(
            "Decides how you appear in “Show me”: trans men with men, trans women with women,"
            " non-binary and the other identities with “other people”."
        )
        self.fields["date_of_birth"].widget.attrs["max"] = _latest_adult_birthday().isoformat()
        self.fields["date_of_birth"].widget.attrs["min"] = "1900-01-01"

    def clean_date_of_birth(self) -> date:
        value = self.cleaned_data["date_of_birth"]
        if value.year < 1900:
            raise ValidationError(_("Please enter a real date of birth."), code="too_old")
        validate_adult(value)
        return value

    def clean_interests(self):
        value = self.cleaned_data["interests"]
        if len(value) > MAX_INTERESTS:
            raise ValidationError(
                _("Choose at most %(n)d interests.") % {"n": MAX_INTERESTS}, code="too_many"
            )
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        low, high = data.get("preferred_age_min"), data.get("preferred_age_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "preferred_age_max",
                ValidationError(
                    _("The oldest age must not be below the youngest."), code="age_range"
                ),
            )
        seen: set[int] = set()
        for i in range(1, MAX_PROMPTS + 1):
            prompt, answer = data.get(f"prompt_{i}"), (data.get(f"answer_{i}") or "").strip()
            if answer and prompt is None:
                self.add_error(f"prompt_{i}", _("Choose the prompt you are answering."))
            elif prompt is not None and answer and prompt.pk in seen:
                self.add_error(f"prompt_{i}", _("Choose each prompt only once."))
            elif prompt is not None and answer:
                seen.add(prompt.pk)
        lat, lon = data.get("latitude"), data.get("longitude")
        try:
            validate_coordinates(lat, lon)
        except ValidationError as exc:
            self.add_error(None, exc)
        else:
            if lat is not None and lon is not None:  # both or neither (validated above)
                data["latitude"], data["longitude"] = round(lat, 5), round(lon, 5)
        return data

    def service_kwargs(self) -> dict:
        """The cleaned answers as keyword arguments of the profile services."""
        d = self.cleaned_data
        return {
            "name": d["name"],
            "date_of_birth": d["date_of_birth"],
            "gender": d["gender"],
            "city": d["city"],
            "country": d["country"],
            "description": d["description"],
            "interests": list(d["interests"]),
            "preferred_genders": d["preferred_genders"],
            "preferred_age_min": d["preferred_age_min"],
            "preferred_age_max": d["preferred_age_max"],
            "latitude": d.get("latitude"),
            "longitude": d.get("longitude"),
            "prompts": [
                (d[f"prompt_{i}"], d[f"answer_{i}"])
                for i in range(1, MAX_PROMPTS + 1)
                if d.get(f"prompt_{i}") is not None and d.get(f"answer_{i}")
            ],
            "details": {
                **{name: d.get(name) for name in DETAIL_FIELDS},
                # The switches count only when the page showed them (a marker field), so a
                # POST without them (an older page, a script) leaves the setting alone.
                "details_hidden": (
                    [n for n in DETAIL_FIELDS if not d.get(f"visible_{n}")]
                    if self.data.get("detail_switches")
                    else None
                ),
            },
        }

    def detail_rows(self) -> list[tuple]:
        """(detail field, its "visible on my profile" switch) per detail, for the template."""
        return [(self[name], self[f"visible_{name}"]) for name in DETAIL_FIELDS]

    def prompt_slots(self) -> list[tuple]:
        """(number, prompt field, answer field) per slot, for the template."""
        return [(i, self[f"prompt_{i}"], self[f"answer_{i}"]) for i in range(1, MAX_PROMPTS + 1)]

    @classmethod
    def initial_for(cls, member: Member) -> dict:
        user = member.user
        return {
            "name": member.name,
            "date_of_birth": member.date_of_birth,
            "gender": member.gender,
            "city": member.city,
            "country": member.country,
            "description": member.description,
            "interests": [i.pk for i in member.interests.all()],
            "preferred_genders": user.preferred_gender_list,
            "preferred_age_min": user.preferred_age_min,
            "preferred_age_max": user.preferred_age_max,
            "latitude": member.latitude,
            "longitude": member.longitude,
            **{name: getattr(member, name) for name in DETAIL_FIELDS},
            **{f"visible_{name}": name not in member.details_hidden for name in DETAIL_FIELDS},
            **{
                key: value
                for i, a in enumerate(member.prompt_answers.all(), start=1)
                for key, value in ((f"prompt_{i}", a.prompt_id), (f"answer_{i}", a.answer))
            },
        }


class CompleteProfileForm(ProfileForm):
    photos = MultiplePhotoField(
        label=_("Choose up to 6 photos"),
        help_text=_("Up to 6 JPEG, PNG or WebP photos, 10 MB each. Staff approve them first."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class PhotoUploadForm(forms.Form):
    photo = forms.FileField(
        label=_("Add a photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


def draft_from_post(post) -> dict:
    """The draft-able part of a POST as plain JSON-able data (lists for multi-value fields),
    each value length-capped so a session cannot be bloated."""
    draft: dict[str, object] = {}
    for key in DRAFT_FIELDS:
        if key in DRAFT_LIST_FIELDS:
            draft[key] = [v[:64] for v in post.getlist(key)][:100]
        elif key in post:
            draft[key] = post.get(key, "")[:2000]
    return draft
