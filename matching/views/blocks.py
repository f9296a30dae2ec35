"""Settings → Blocked members: the list and the unblock button (rules §6). Thin views over
``matching.services.blocks``."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from matching.services.blocks import block_lift, blocked_members
from miel.types import AuthenticatedHttpRequest


@login_required
@require_GET
def blocked_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The members I blocked (name and photo only) with an Unblock button each."""
    return render(
        request, "matching/blocked.html", {"blocked": blocked_members(blocker=request.user)}
    )


@login_required
@require_POST
def unblock(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Lift my block on ``user_id`` (POST, CSRF-checked). 404 unless I blocked them, so the
    answer says nothing about blocks other people made."""
    if not block_lift(blocker=request.user, blocked_id=user_id):
        raise Http404
    messages.success(
        request,
        _("Unblocked. You can see each other again; a previous match is not restored."),
    )
    return redirect("matching:blocked_list")
