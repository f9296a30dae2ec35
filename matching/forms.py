"""Input parsing for discovery and matching (rules §5, §6)."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from profiles.models import (
    ChildrenHave,
    ChildrenWant,
    Habit,
    Intention,
    Interest,
    Member,
    Observance,
)
from profiles.services import HEIGHT_MAX_CM, HEIGHT_MIN_CM

from .models import Report
from .selectors.discovery import DEFAULT_PAGE_SIZE, ORDERS, PAGE_SIZES, DiscoverFilters
from .services.reports import Evidence


def _int_or(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def _flag(value: str | None) -> bool:
    return (value or "").lower() in {"1", "true", "on", "yes"}


def discover_filters_from_query(
    query: QueryDict, *, user: User, member: Member | None
) -> tuple[DiscoverFilters, int]:
    """Filters and page size from the members-list URL (rules §5). Missing values come from
    the user's saved preferences (genders, age range) and the member's ``max_distance``;
    bad values fall back to those defaults rather than erroring, so a hand-edited URL still
    shows a page. ``distance=any`` (or ``0``, or the filter form's field left empty) lifts the
    distance limit; a missing ``distance`` is the member's own maximum."""
    valid_genders = set(Member.Gender.values)
    if "gender" in query:
        picked = {g for raw in query.getlist("gender") for g in raw.split(",")}
        genders = tuple(g for g in Member.Gender.values if g in picked & valid_genders)
    else:
        genders = tuple(g for g in user.preferred_gender_list if g in valid_genders)
    age_min = _int_or(query.get("age_min"), user.preferred_age_min, 18, 100)
    age_max = _int_or(query.get("age_max"), user.preferred_age_max, 18, 100)
    if age_min > age_max:
        age_min, age_max = age_max, age_min
    default_distance = member.max_distance if member else 50
    raw_distance = query.get("distance")
    distance: int | None
    if raw_distance is not None and raw_distance.strip() in {"any", "0", ""}:
        distance = None
    else:
        distance = _int_or(raw_distance, default_distance, 1, 20000)
    interest_ids: list[int] = []
    for raw in query.getlist("interests"):
        for part in raw.split(","):
            if part.strip().isdigit():
                interest_ids.append(int(part))
    order = query.get("order", "active")
    if order not in ORDERS:
        order = "active"
    page_size = _int_or(query.get("size"), DEFAULT_PAGE_SIZE, 1, 100)
    if page_size not in PAGE_SIZES:
        page_size = DEFAULT_PAGE_SIZE
    intentions = _picked(query, "intention", Intention.values)
    observances = _picked(query, "observance", Observance.values)
    height_min = _height(query.get("height_min"))
    height_max = _height(query.get("height_max"))
    if height_min is not None and height_max is not None and height_min > height_max:
        height_min, height_max = height_max, height_min
    filters = DiscoverFilters(
        genders=genders,
        age_min=age_min,
        age_max=age_max,
        distance_km=distance,
        with_photo=_flag(query.get("with_photo")),
        online=_flag(query.get("online")),
        interest_ids=tuple(sorted(set(interest_ids)))[:20],
        order=order,
        intentions=intentions,
        observances=observances,
        children_want=_picked(query, "children_want", ChildrenWant.values),
        children_have=_picked(query, "children_have", ChildrenHave.values),
        smoking=_picked(query, "smoking", Habit.values),
        height_min=height_min,
        height_max=height_max,
    )
    return filters, page_size


def _height(raw: str | None) -> int | None:
    """A height bound in cm within the profile's range, or None (empty or not a number)."""

    try:
        value = int((raw or "").strip())
    except ValueError:
        return None
    return max(HEIGHT_MIN_CM, min(HEIGHT_MAX_CM, value))


def _picked(query: QueryDict, key: str, valid: list[str]) -> tuple[str, ...]:
    """The valid values of a repeatable / comma-separated filter, in ``valid`` order; unknown
    values are ignored."""
    picked = {v for raw in query.getlist(key) for v in raw.split(",")}
    return tuple(v for v in valid if v in picked)


class ReportForm(forms.Form):
    """A report's reason, text, the block offer and its evidence ids (rules §6). The ids are
    only parsed here; ``matching.services.reports.report_create`` checks who may attach what."""

    reason = forms.ChoiceField(
        label=_("Reason"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("What happened? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    block = forms.BooleanField(label=_("Also block this member"), required=False)
    message = forms.TypedMultipleChoiceField(required=False, coerce=UUID, choices=())
    story = forms.UUIDField(required=False, widget=forms.HiddenInput)
    photo = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Any well-formed id is accepted here; the service refuses foreign ones (400).
        self.fields["message"].valid_value = _is_uuid  # type: ignore[attr-defined]

    def evidence(self) -> Evidence:
        """The attached evidence, ids as given (the report service checks them)."""
        data = self.cleaned_data
        return Evidence(
            message_ids=list(dict.fromkeys(data.get("message") or [])),
            story_id=data.get("story"),
            photo_id=data.get("photo"),
        )


def _is_uuid(value: object) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


class LocationForm(forms.Form):
    latitude = forms.FloatField(min_value=-90, max_value=90)
    longitude = forms.FloatField(min_value=-180, max_value=180)


class CityForm(forms.Form):
    city = forms.IntegerField(label=_("City"))


def interest_choices() -> list[Interest]:
    return list(Interest.objects.order_by("category", "slug"))
