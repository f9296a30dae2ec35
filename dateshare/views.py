"""Share my date pages (rules §6 safety): create / revoke from a match's chat, and the public
page a friend opens without an account."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching.selectors import is_mutual_match
from profiles import selectors as profile_selectors
from profiles.decorators import MemberRequest, member_required

from . import selectors, services


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Jerusalem")


@member_required
def share_page(request: MemberRequest, user_id: str) -> HttpResponse:
    """``GET`` the form and the live links for dates with this match; ``POST`` ``when``
    (``YYYY-MM-DDTHH:MM`` in the member's time zone) and ``place`` creates a link. 403 when
    the member is not a match; 400 with the form for bad input."""
    creator = request.member
    partner = profile_selectors.member_for_profile_page(viewer=request.user, user_id=user_id)
    zone_name = request.user.time_zone
    status, error = 200, ""
    if request.method == "POST":
        try:
            when = datetime.fromisoformat(request.POST.get("when", "").strip())
        except ValueError:
            when = None
        try:
            if when is None:
                raise ValidationError(_("Choose the date's time."), code="when")
            share = services.date_share_create(
                creator=creator,
                partner=partner,
                starts_at=timezone.make_aware(when.replace(tzinfo=None), _zone(zone_name)),
                place=request.POST.get("place", ""),
                time_zone=zone_name,
            )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            status, error = 400, exc.messages[0]
        else:
            messages.success(request, _("Your link is ready. Send it to a friend you trust."))
            return redirect(f"{request.path}#share-{share.pk}")
    elif not _is_match(creator, partner):
        raise PermissionDenied
    shares = [
        (s, request.build_absolute_uri(f"/date/{s.token}/"))
        for s in selectors.date_shares_for_pair(creator=creator, partner=partner)
    ]
    context = {
        "partner": partner,
        "shares": shares,
        "error": error,
        "form": request.POST if status != 200 else {},
    }
    return render(request, "dateshare/share.html", context, status=status)


def _is_match(creator, partner) -> bool:

    return is_mutual_match(user_id=creator.user_id, other_id=partner.user_id)


@member_required
@require_POST
def revoke(request: MemberRequest, share_id: str) -> HttpResponse:
    """Revoke one of my links (404 for anyone else's)."""
    creator = request.member
    share = services.date_share_revoke(creator=creator, share_id=share_id)
    messages.success(request, _("The link no longer works."))
    return redirect("dateshare:share", user_id=share.partner.user_id)


_R = TypeVar("_R", bound=HttpResponseBase)


def _private(response: _R) -> _R:
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def public(request: HttpRequest, token: str) -> HttpResponse:
    """The friend's page: no login; 404 for unknown, revoked and expired links."""
    share = selectors.date_share_public(token=token)
    context = {
        "share": share,
        "partner_name": selectors.first_name(share.partner),
        "creator_name": selectors.first_name(share.creator),
        "starts_local": timezone.localtime(share.starts_at, _zone(share.time_zone)),
        "has_photo": selectors.main_photo(member=share.partner) is not None,
    }
    return _private(render(request, "dateshare/public.html", context))


def public_photo(request: HttpRequest, token: str) -> HttpResponseBase:
    """The partner's main photo for the public page, under the same rules as the page."""
    share = selectors.date_share_public(token=token)
    photo = selectors.main_photo(member=share.partner)
    if photo is None:
        raise Http404
    return _private(FileResponse(photo.file.open("rb"), content_type="image/jpeg"))
