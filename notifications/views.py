"""The notification centre page (issue 19)."""

from __future__ import annotations

from typing import cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import push, quiet, selectors, services


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """``/notifications/``: the latest notifications, newest first; opening it marks them read
    (the rows show as new this once)."""
    items = selectors.notification_list(user=request.user)
    services.notifications_mark_read(user_id=cast("UUID", request.user.pk))
    response = render(
        request,
        "notifications/list.html",
        {"items": items, "unread_notification_count": 0},
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Web Push (issue 19 C) ---------------------------------------------------------------------


def _json_body(request: HttpRequest) -> dict | None:
    import json

    if len(request.body) > 4096:
        return None
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


@login_required
@require_POST
def push_subscribe(request: HttpRequest) -> JsonResponse:
    """``POST /notifications/push/subscribe/`` with the browser's ``PushSubscription`` as JSON
    (``endpoint``, ``keys.p256dh``, ``keys.auth``): this browser gets pushes. 404 when push is
    off, 400 with a translated error for a bad subscription."""
    if not push.push_enabled():
        return JsonResponse(
            {"error": _("Push notifications are not set up on this site.")}, status=404
        )
    data = _json_body(request)
    keys = data.get("keys") if data else None
    if not data or not isinstance(keys, dict):
        return JsonResponse(
            {"error": _("This browser's push subscription is not valid.")}, status=400
        )
    try:
        push.subscription_save(
            user=request.user,
            endpoint=str(data.get("endpoint", "")),
            p256dh=str(keys.get("p256dh", "")),
            auth=str(keys.get("auth", "")),
        )
    except push.BadSubscription as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"ok": True}, status=201)


@login_required
@require_POST
def push_unsubscribe(request: HttpRequest) -> JsonResponse:
    """``POST /notifications/push/unsubscribe/`` with ``{"endpoint": ...}``: this browser stops
    getting pushes (only the member's own subscription can be removed)."""
    data = _json_body(request) or {}
    push.subscription_delete(user=request.user, endpoint=str(data.get("endpoint", "")))
    return JsonResponse({"ok": True})


@login_required
@require_POST
def push_preferences(request: HttpRequest) -> HttpResponse:
    """``POST /notifications/push/settings/``: the per-kind switches and previews (checkboxes);
    back to Settings."""
    push.push_settings_save(
        user=request.user,
        **{name: request.POST.get(name) == "on" for name in push.SWITCHES},
    )
    messages.success(request, _("Your notification settings were saved."))
    return redirect(f"{reverse('accounts:settings')}#push")


# --- quiet hours and Shabbat mode (issue 19 E) ---------------------------------------------------


@login_required
@require_POST
def quiet_settings(request: HttpRequest) -> HttpResponse:
    """``POST /notifications/quiet/``: save quiet hours and Shabbat mode; back to Settings
    (a bad time or the same start and end: the error is shown there, nothing saved)."""
    from .forms import QuietSettingsForm

    form = QuietSettingsForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(f"{reverse('accounts:settings')}#quiet")
    quiet.quiet_settings_save(user=request.user, **form.cleaned_data)
    messages.success(request, _("Your quiet hours were saved."))
    return redirect(f"{reverse('accounts:settings')}#quiet")


@login_required
@require_POST
def push_prompt_done(request: HttpRequest) -> JsonResponse:
    """``POST /notifications/push/prompt-done/``: the member answered or dismissed the "turn on
    notifications" card shown after their first match; it is not shown again."""
    push.push_prompt_done(user=request.user)
    return JsonResponse({"ok": True})


# --- one-click unsubscribe (issue 19 D, RFC 8058) -------------------------------------------------


@csrf_exempt  # RFC 8058: mail providers POST here without a session; the signed token is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """``/unsubscribe/<token>/`` from an e-mail, no login needed: GET shows what will stop and
    a confirm button; POST (the button, or the mail provider's one-click
    ``List-Unsubscribe=One-Click``) turns that e-mail kind off. A bad token answers 404 with a
    page saying the link is not valid."""
    found = services.unsubscribe_resolve(token=token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    user, kind = found
    done = request.method == "POST"
    if done:
        services.email_kind_unsubscribe(user=user, kind=kind)
    response = render(
        request,
        "notifications/unsubscribe.html",
        {"kind_label": services.email_kind_label(kind), "done": done, "token": token},
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
