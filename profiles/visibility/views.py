"""Settings → Visibility form handler (SPEC §5); the form is on the settings page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from profiles import selectors

from . import services


@login_required
def visibility_update(request: HttpRequest) -> HttpResponse:
    """Settings → Visibility. ``POST`` checkboxes ``paused``, ``incognito``,
    ``show_distance``; 403 for incognito without premium (the page again, with the error)."""
    member = selectors.member_for_user(user=request.user)
    if request.method != "POST":
        return render(request, "profiles/visibility.html", {"member": member})
    try:
        services.member_visibility_update(
            member=member,
            paused=bool(request.POST.get("paused")),
            incognito=bool(request.POST.get("incognito")),
            show_distance=bool(request.POST.get("show_distance")),
        )
    except ValidationError as exc:
        context = {"member": member, "visibility_error": exc.messages[0]}
        return render(request, "profiles/visibility.html", context, status=403)
    messages.success(request, _("Your visibility settings were saved."))
    return redirect("profiles:visibility")
