"""Selfie verification pages (rules §4): the member's page and the staff queue."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from miel.types import AuthenticatedHttpRequest
from profiles.decorators import MemberRequest, member_required
from profiles.services import PhotoRejected

from . import selectors, services


@member_required
def verification_page(request: MemberRequest) -> HttpResponse:
    """``GET`` the member's verification state; ``POST action=start`` starts an attempt (the
    server picks the pose); ``POST`` with ``attempt`` + ``selfie`` (a file) submits the photo."""
    member = request.member
    status = 200
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "start":
                services.selfie_attempt_start(member=member)
                return redirect("profiles:verification")
            upload = request.FILES.get("selfie")
            if upload is None:
                raise PhotoRejected(_("Choose or take a photo first."), code="missing")
            services.selfie_submit(
                member=member, attempt_id=request.POST.get("attempt", ""), upload=upload
            )
            messages.success(request, _("Thank you! Our team will check your selfie soon."))
            return redirect("profiles:verification")
        except PhotoRejected as exc:
            error, status = exc.messages[0], exc.status
        except ValidationError as exc:
            error, status = exc.messages[0], 409
    state = selectors.verification_state(member=member)
    return render(
        request,
        "profiles/verification.html",
        {"state": state, "error": error, "member": member},
        status=status,
    )


@staff_required
def selfie_queue(request: HttpRequest) -> HttpResponse:
    """Pending selfies beside the member's approved photos and the pose asked for."""
    items, count = selectors.selfie_queue()
    return render(request, "moderation/selfies.html", {"items": items, "count": count})


@staff_required
@require_POST
def selfie_decide(request: AuthenticatedHttpRequest, selfie_id: uuid.UUID) -> HttpResponse:
    """``decision=approve`` or ``decision=reject`` (+ ``reason``)."""
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose approve or reject."))
        return redirect("profiles:selfie_queue")
    try:
        done = services.selfie_decide(
            moderator=request.user,
            selfie_id=selfie_id,
            approve=decision == "approve",
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("profiles:selfie_queue")
    if done:
        messages.success(request, _("Decision saved."))
    else:
        messages.warning(request, _("Already decided by someone else."))
    return redirect("profiles:selfie_queue")


@staff_required
@never_cache
def selfie_image(request: HttpRequest, selfie_id: uuid.UUID) -> FileResponse:
    """The selfie image, streamed to staff only (no public URL exists)."""
    selfie = selectors.selfie_for_staff(selfie_id=selfie_id)
    if selfie is None:
        raise Http404
    response = FileResponse(selfie.file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
