"""Settings → Visibility form handler (rules §5); the form is on the settings page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from profiles.decorators import MemberRequest, member_required

from . import services


@member_required
def visibility_update(request: MemberRequest) -> HttpResponse:
    """Settings → Visibility. ``POST`` checkboxes ``paused``, ``incognito``,
    ``show_distance``; 403 for incognito without premium (the page again, with the error)."""
    member = request.member
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
