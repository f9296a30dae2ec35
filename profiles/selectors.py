"""Profile read rules (rules §4, §5): who may see which profile, photo and distance."""

from __future__ import annotations

from collections import OrderedDict
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from matching.selectors import direct_link_q, is_blocked_pair, not_blocked, shown_by_direct_link
from miel.geo import grid_distance_km

from .models import Interest, Member, Photo, Video, VoicePrompt


def member_for_profile_page(*, viewer: User, user_id: UUID | str) -> Member:
    """The member a profile page shows (rules §4). Raises Http404 for an unknown id, a user
    without a complete profile, or when either user blocked the other (rules §6).

    A member hidden from the viewer's discovery (paused, or incognito without having liked
    the viewer: :func:`matching.selectors.discoverable`) is shown by a direct link only to
    those they already know: a member who liked the viewer, or one the viewer has a
    conversation with (a match's chat keeps working while paused); else Http404 too."""
    member = (
        Member.objects.select_related("user")
        .prefetch_related("interests")
        .filter(user_id=user_id, user__profile_complete=True, user__is_active=True)
        .first()
    )
    if member is None:
        raise Http404
    if member.user_id == viewer.pk:
        return member
    if is_blocked_pair(user_id=viewer.pk, other_id=member.user_id):
        raise Http404
    if not shown_by_direct_link(viewer_id=viewer.pk, member=member):
        raise Http404
    return member


def member_for_user(*, user: User) -> Member:
    """The signed-in user's own member row; 404 when the profile is not complete."""
    member = Member.objects.select_related("user").filter(user=user).first()
    if member is None:
        raise Http404
    return member


def photos_visible(*, member: Member, viewer: User) -> QuerySet[Photo]:
    """The owner sees every photo (pending ones too); anyone else only approved ones."""
    qs = Photo.objects.filter(member=member).order_by("position", "created_at", "id")
    if member.user_id != viewer.pk:
        qs = qs.filter(is_approved=True)
    return qs


def video_visible(*, member: Member, viewer: User) -> Video | None:
    """The newest approved video intro (the owner also sees a pending one)."""
    qs = Video.objects.filter(member=member).order_by("-created_at", "id")
    if member.user_id != viewer.pk:
        qs = qs.filter(is_approved=True)
    return qs.first()


def is_verified(member: Member) -> bool:
    """The verified badge (rules §4): the member's verification selfie was approved by staff.
    The one definition of "verified": pages, cards, smart matches, the assistant and the data
    export call this (list queries read the same ``Member.verified`` column, kept by
    ``profiles.verification.services.selfie_decide``). No query."""
    return bool(member.verified)


def media_file_visible(*, viewer: User, name: str) -> bool | None:
    """May ``viewer`` fetch the stored photo, video or poster file ``name``? (issue 13 item 7)

    The same rules as the pages: staff see every file; the owner sees their own files, pending
    ones too; any other signed-in member sees approved files of an active, complete profile,
    unless either blocked the other; anonymous visitors see none. A file shared by several
    rows (demo photos) is visible when any of them is. Returns ``None`` when no photo or video
    row holds ``name`` (not a profile file). At most four indexed queries (photos, videos,
    voice prompts).
    """
    holders = [
        Photo.objects.filter(file=name),
        Video.objects.filter(Q(file=name) | Q(poster=name)),
        VoicePrompt.objects.filter(file=name),
    ]
    if not any(qs.exists() for qs in holders):
        return None
    if not viewer.is_authenticated:
        return False
    if viewer.is_staff:
        return True
    for qs in holders:
        visible = qs.filter(
            Q(member__user_id=viewer.pk)
            | Q(
                is_approved=True,
                member__user__is_active=True,
                member__user__profile_complete=True,
            )
            & direct_link_q(viewer_id=viewer.pk, prefix="member__")
        ).filter(not_blocked(user_id=viewer.pk, field="member__user_id"))
        if visible.exists():
            return True
    return False


def interests_by_category() -> OrderedDict[str, tuple[str, list[Interest]]]:
    """The interest catalogue grouped by category, in the catalogue's order, for forms."""
    labels = dict(Interest.Category.choices)
    groups: OrderedDict[str, tuple[str, list[Interest]]] = OrderedDict()
    for interest in Interest.objects.order_by("category", "slug"):
        groups.setdefault(interest.category, (str(labels.get(interest.category, "")), []))
        groups[interest.category][1].append(interest)
    return groups


def distance_km(a: Member, b: Member) -> float | None:
    """Distance between two members' ~2 km grid cells (:func:`miel.geo.grid_distance_km`);
    None when either lacks a location (never shown as 0 km, rules §5)."""
    if not (a.has_location and b.has_location):
        return None
    return grid_distance_km(a.latitude, a.longitude, b.latitude, b.longitude)  # type: ignore[arg-type]


def distance_km_display(a: Member | None, b: Member | None) -> str:
    """Whole km from viewer ``a`` to the shown member ``b`` as text ("12 km", "less than 1
    km"), or "" when unknown or when ``b`` turned "Show my distance" off (rules §5)."""
    if a is None or b is None or not b.show_distance:
        return ""
    km = distance_km(a, b)
    if km is None:
        return ""
    if km < 1:
        return _("less than 1 km")
    return _("%(km)s km") % {"km": f"{round(km):,}"}


# --- prompts and life details (issue 18) ----------------------------------------------------

#: Detail field → icon of its chip, in the order the chips are shown.
DETAIL_CHIP_ICONS = (
    ("intention", "🎯"),
    ("gender_identity", "⚧"),
    ("pronouns", "💬"),
    ("orientation", "🌈"),
    ("height_cm", "📏"),
    ("observance", "🕍"),
    ("children_have", "👶"),
    ("children_want", "🍼"),
    ("smoking", "🚬"),
    ("drinking", "🍷"),
    ("education", "🎓"),
    ("languages", "🗣️"),
)


def details_shown(member: Member, *, shown_to_owner: bool = False) -> set[str]:
    """The detail fields of ``member`` others may see: all but those in
    ``member.details_hidden`` (issue 18); every field for the owner (``shown_to_owner``)."""
    names = {name for name, _icon in DETAIL_CHIP_ICONS}
    if shown_to_owner:
        return names
    hidden = member.details_hidden if isinstance(member.details_hidden, list) else []
    return names - set(hidden)


def detail_chips(member: Member, *, shown_to_owner: bool = False) -> list[tuple[str, str]]:
    """(icon, label in the active language) for each life detail ``member`` gave and shows
    (issue 18), in :data:`DETAIL_CHIP_ICONS` order; none for details left empty or hidden
    (``Member.details_hidden``) unless ``shown_to_owner``. No query."""
    from .models import Language

    shown = details_shown(member, shown_to_owner=shown_to_owner)
    chips = []
    for name, icon in DETAIL_CHIP_ICONS:
        value = getattr(member, name, None)
        if value in ("", None, []) or name not in shown:
            continue
        if name == "height_cm":
            label = _("%(cm)d cm") % {"cm": value}
        elif name == "smoking":
            label = _("Smoking: %(how)s") % {"how": member.get_smoking_display()}
        elif name == "drinking":
            label = _("Drinking: %(how)s") % {"how": member.get_drinking_display()}
        elif name == "languages":
            names = dict(Language.choices)
            label = ", ".join(str(names[code]) for code in value if code in names)
            if not label:
                continue
        else:
            label = str(getattr(member, f"get_{name}_display")())
        chips.append((icon, label))
    return chips


def prompt_answers(*, member: Member) -> list:
    """``member``'s prompt answers in their order, each with its prompt (one query)."""
    from .models import PromptAnswer

    return list(
        PromptAnswer.objects.filter(member=member).select_related("prompt").order_by("position")
    )


def voice_prompt_shown(*, member: Member) -> VoicePrompt | None:
    """``member``'s approved voice prompt with its prompt, or None (one query; issue 18)."""
    return (
        VoicePrompt.objects.filter(member=member, is_approved=True)
        .select_related("prompt")
        .order_by("-created_at")
        .first()
    )
