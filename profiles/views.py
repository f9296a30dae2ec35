"""Profile pages: onboarding, own profile edit with photos, and the member profile page
(rules §3, §4). Views parse input, call one service or selector and render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miel.error_views import insufficient_storage
from miel.media import StorageFull
from miel.page_cache import viewer_page_cache
from miel.types import AuthenticatedHttpRequest

from . import selectors, services, signals
from .decorators import MemberRequest, member_required
from .forms import CompleteProfileForm, PhotoUploadForm, ProfileForm, draft_from_post
from .models import PHOTO_ALT_MAX, Member
from .services import MAX_PHOTOS, PhotoRejected

DRAFT_SESSION_KEY = "profile_draft"
PROFILE_TABS = ("profile", "photos")


def _form_context(form: ProfileForm) -> dict:
    raw = form["interests"].value() or []
    return {
        "form": form,
        "interest_groups": selectors.interests_by_category(),
        "selected_interests": {str(v) for v in raw},
    }


@login_required
def complete_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Onboarding (rules §3). The draft saved by :func:`complete_profile_draft` pre-fills the
    form after a reload; a valid submit creates the member and clears the draft."""
    if request.user.profile_complete:
        return redirect("profiles:member_edit")
    status = 200
    if request.method == "POST":
        form = CompleteProfileForm(request.POST, request.FILES)
        request.session[DRAFT_SESSION_KEY] = draft_from_post(request.POST)
        if form.is_valid():
            try:
                services.member_complete_profile(
                    user=request.user, photos=form.cleaned_data["photos"], **form.service_kwargs()
                )
            except ValidationError as exc:
                if exc.code == "already_complete":
                    return redirect("profiles:member_edit")
                form.add_error(None, exc)
            except StorageFull as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                request.session.pop(DRAFT_SESSION_KEY, None)
                messages.success(request, _("Welcome to Miel! Your profile is ready."))
                return redirect("matching:discover")
        status = status if status != 200 else 400
    else:
        draft = request.session.get(DRAFT_SESSION_KEY) or {}
        form = CompleteProfileForm(
            initial={"preferred_age_min": 18, "preferred_age_max": 100, **draft}
        )
    context = _form_context(form) | {
        "max_photos": MAX_PHOTOS,
        "has_draft": bool(request.session.get(DRAFT_SESSION_KEY)),
    }
    return render(request, "profiles/complete_profile.html", context, status=status)


@login_required
@require_POST
def complete_profile_draft(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save the onboarding answers so far in the session (htmx, on every change)."""
    if request.user.profile_complete:
        return HttpResponse(status=204)
    request.session[DRAFT_SESSION_KEY] = draft_from_post(request.POST)
    return render(request, "profiles/_draft_saved.html")


@member_required
def me(request: MemberRequest) -> HttpResponse:
    """``/me/``: the Profile tab's page, linking my profile, its editing, settings and
    premium (issue 15 navigation)."""
    member = request.member
    return render(request, "profiles/me.html", {"member": member})


@member_required
def member_edit(request: MemberRequest) -> HttpResponse:
    """Edit one's own profile, preferences and location; photos are managed on the same page
    by the photo views below (rules §3, §4)."""
    member = request.member
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.member_update_profile(member=member, **form.service_kwargs())
            except ValidationError as exc:
                form.add_error(None, exc)
                if isinstance(exc, services.LocationChangeLimited):
                    status = 429
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("profiles:member_edit")
        status = status if status != 200 else 400
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(member))
    context = _form_context(form) | _photo_context(request, member)
    return render(request, "profiles/member_edit.html", context, status=status)


def _photo_context(
    request: AuthenticatedHttpRequest,
    member: Member,
    upload_form: PhotoUploadForm | None = None,
    error: str = "",
) -> dict:
    photos = list(selectors.photos_visible(member=member, viewer=request.user))
    return {
        "member": member,
        "photos": photos,
        "upload_form": upload_form or PhotoUploadForm(),
        "photo_error": error,
        "can_add_photo": len(photos) < MAX_PHOTOS,
        "max_photos": MAX_PHOTOS,
        "photo_alt_max": PHOTO_ALT_MAX,
    }


def _photo_response(
    request: AuthenticatedHttpRequest,
    member: Member,
    *,
    status: int = 200,
    error: str = "",
    upload_form: PhotoUploadForm | None = None,
) -> HttpResponse:
    """The photo manager again (htmx: swapped in place, the error inline), or back to the
    edit page with the error as a message (no JS). A 400 goes out as 422 to htmx: with DEBUG
    on, django-htmx replaces the whole document with any 400/403/404/500 htmx response (it
    shows Django's debug page), which is how a bad upload became a bare fragment (issue 15)."""
    if request.htmx:
        member.refresh_from_db(fields=["image"])
        context = _photo_context(request, member, upload_form, error)
        status = 422 if status == 400 else status
        return render(request, "profiles/_photo_manager.html", context, status=status)
    if error:
        messages.error(request, error)
    return redirect(reverse("profiles:member_edit") + "#photos")


@member_required
@require_POST
def photo_upload(request: MemberRequest) -> HttpResponse:
    """Add a photo (pending). Errors come back inline with 400/409/413, and 507 when the disk
    is full (inline for htmx, else the styled 507 page) (rules §4, issue 13 item 10)."""
    member = request.member
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _photo_response(
            request, member, status=400, error=_("Choose a photo to upload."), upload_form=form
        )
    try:
        services.photo_add(member=member, upload=form.cleaned_data["photo"])
    except PhotoRejected as exc:
        return _photo_response(request, member, status=exc.status, error=exc.messages[0])
    except StorageFull as exc:
        if not request.htmx:
            return insufficient_storage(request)
        return _photo_response(request, member, status=exc.status, error=exc.message)
    if not request.htmx:
        messages.success(request, _("Photo uploaded. It will appear once approved."))
    return _photo_response(request, member)


@member_required
@require_POST
def photo_delete(request: MemberRequest, photo_id: uuid.UUID) -> HttpResponse:
    member = request.member
    services.photo_delete(member=member, photo_id=photo_id)
    return _photo_response(request, member)


@member_required
@require_POST
def photo_describe(request: MemberRequest, photo_id: uuid.UUID) -> HttpResponse:
    """Save what one of my photos shows (``alt_text``, issue 17); 400 (422 to htmx) with the
    error inline for a too long or empty-looking text, 404 for anyone else's photo."""
    member = request.member
    try:
        services.photo_describe(
            member=member, photo_id=photo_id, alt_text=request.POST.get("alt_text", "")
        )
    except ValidationError as exc:
        return _photo_response(request, member, status=400, error=exc.messages[0])
    return _photo_response(request, member)


@member_required
@require_POST
def photo_set_main(request: MemberRequest, photo_id: uuid.UUID) -> HttpResponse:
    member = request.member
    try:
        services.photo_set_main(member=member, photo_id=photo_id)
    except PhotoRejected as exc:
        return _photo_response(request, member, status=exc.status, error=exc.messages[0])
    return _photo_response(request, member)


@member_required
@require_POST
def photo_move(request: MemberRequest, photo_id: uuid.UUID) -> HttpResponse:
    """Move a photo one place earlier (``step=-1``) or later (``step=1``) in my order."""
    member = request.member
    step = -1 if request.POST.get("step") == "-1" else 1
    services.photo_move(member=member, photo_id=photo_id, step=step)
    return _photo_response(request, member)


@member_required
@require_POST
def photo_reorder(request: MemberRequest) -> HttpResponse:
    """Save my photos' order after a drag (``order``: every photo id, first to last)."""
    member = request.member
    try:
        services.photo_reorder(member=member, photo_ids=request.POST.getlist("order"))
    except ValidationError as exc:
        return _photo_response(request, member, status=409, error=exc.messages[0])
    return _photo_response(request, member)


@viewer_page_cache
@login_required
def member_detail(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """A member's profile page with tabs profile / photos / chat (rules §4). 404 for unknown,
    incomplete or blocked profiles."""
    member = selectors.member_for_profile_page(viewer=request.user, user_id=user_id)
    viewer_member = getattr(request.user, "member", None)
    tab = request.GET.get("tab", "profile")
    if tab not in PROFILE_TABS:
        tab = "profile"
    is_own = member.user_id == request.user.pk
    # rules §7: matching records the view (its receiver, connected by MatchingConfig.ready).
    signals.member_page_viewed.send(sender=Member, viewer=request.user, viewed=member)
    context = {
        "member": member,
        "profile_user": member.user,
        "is_own": is_own,
        "tab": tab,
        "photos": selectors.photos_visible(member=member, viewer=request.user),
        "video": selectors.video_visible(member=member, viewer=request.user),
        "distance": "" if is_own else selectors.distance_km_display(viewer_member, member),
        "is_verified": selectors.is_verified(member),
        "interests": sorted(member.interests.all(), key=lambda i: (i.category, i.slug)),
        "prompt_answers": selectors.prompt_answers(member=member),
        "detail_chips": selectors.detail_chips(member, shown_to_owner=is_own),
        "voice": selectors.voice_prompt_shown(member=member),
        "can_like_prompts": not is_own,
    }
    return render(request, "profiles/member_detail.html", context)
