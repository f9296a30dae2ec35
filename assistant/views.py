"""Assistant endpoints (rules §12): the panel (htmx), send, clear and a JSON API."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from miel.text import BadJSON, json_loads_limited
from miel.types import AuthenticatedHttpRequest
from profiles.models import Member

from . import selectors, services, skills


def _viewer(request: AuthenticatedHttpRequest) -> Member:
    return Member.objects.select_related("user").get(user=request.user)


def _target(raw: str | None) -> str | None:
    try:
        return str(uuid.UUID(str(raw))) if raw else None
    except ValueError:
        return None


def _panel_context(request: AuthenticatedHttpRequest) -> dict:
    viewer = _viewer(request)
    return {
        "shown": selectors.shown_messages(
            viewer=viewer, messages=selectors.history_for(user=request.user)
        ),
        "quota": services.quota_status(user=request.user),
    }


@login_required
@require_GET
def panel(request: AuthenticatedHttpRequest) -> HttpResponse:
    """History and quota: the panel body for htmx, a full page otherwise (works without JS)."""
    context = _panel_context(request)
    if request.htmx:
        return render(request, "assistant/_log.html", context)
    context["intents"] = [(i, skills.quick_action_text(i)) for i in skills.INTENTS]
    return render(request, "assistant/page.html", context)


@login_required
@require_POST
def send(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One message (typed or a quick action). htmx gets the new turn; 400 / 429 get a
    friendly message in the panel."""
    try:
        turn = services.assistant_message_send(
            user=request.user,
            text=request.POST.get("text", ""),
            intent=request.POST.get("intent") or None,
            target_user_id=_target(request.POST.get("target")),
        )
    except ValidationError as exc:
        return render(request, "assistant/_notice.html", {"notice": exc.messages[0]}, status=400)
    except services.QuotaExceeded as exc:
        return render(
            request,
            "assistant/_notice.html",
            {"notice": exc.message, "quota": services.quota_status(user=request.user)},
            status=429,
        )
    if not request.htmx:
        return redirect("assistant:panel")
    viewer = _viewer(request)
    return render(
        request,
        "assistant/_turn.html",
        {
            "shown": selectors.shown_messages(
                viewer=viewer, messages=[turn.user_message, turn.reply]
            ),
            "quota": turn.quota,
        },
    )


@login_required
@require_POST
def refund(request: AuthenticatedHttpRequest, message_id: uuid.UUID) -> HttpResponse:
    """Mark "Not what I asked" on one answer: it stops counting against today's quota (once per
    answer; the service checks ownership and limits). 404 for another member's or an unknown
    answer, 409 with a friendly notice when refused. htmx gets the updated note + quota."""
    from .models import AIMessage

    try:
        quota = services.assistant_answer_refund(user=request.user, message_id=message_id)
    except AIMessage.DoesNotExist as exc:
        raise Http404 from exc
    except services.RefundRefused as exc:
        if not request.htmx:
            return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
        return render(request, "assistant/_refund.html", {"notice": exc.message}, status=409)
    if not request.htmx:
        return redirect("assistant:panel")
    return render(request, "assistant/_refund.html", {"refunded": True, "quota": quota})


@login_required
@require_POST
def clear(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.assistant_history_clear(user=request.user)
    if request.htmx:
        return render(request, "assistant/_log.html", _panel_context(request))
    return redirect("assistant:panel")


@login_required
@require_POST
def api_chat(request: AuthenticatedHttpRequest) -> JsonResponse:
    """JSON API: ``{"text": ..., "intent": ..., "target": ...}`` (JSON body or form) →
    ``{"reply", "cards", "remaining", "error"}``; 400 bad input, 429 over the daily quota."""
    if request.content_type == "application/json":
        # Size, depth and character limits (issue 13 item 11): 400, never a 500.
        try:
            data = json_loads_limited(request.body or b"{}")
        except BadJSON as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        if not isinstance(data, dict):
            return JsonResponse({"error": _("The request is not valid JSON.")}, status=400)
    else:
        data = request.POST
    try:
        turn = services.assistant_message_send(
            user=request.user,
            text=str(data.get("text") or ""),
            intent=str(data.get("intent") or "") or None,
            target_user_id=_target(data.get("target")),
        )
    except ValidationError as exc:
        return JsonResponse({"error": exc.messages[0]}, status=400)
    except services.QuotaExceeded as exc:
        return JsonResponse(
            {"error": exc.message, "resets_at": exc.resets_at.isoformat(), "remaining": 0},
            status=429,
        )
    viewer = _viewer(request)
    shown = selectors.shown_messages(viewer=viewer, messages=[turn.reply])[0]
    return JsonResponse(
        {
            "reply": turn.reply.content,
            "error": turn.error,
            "remaining": turn.quota.remaining if turn.quota else None,
            "intent": (turn.reply.metadata or {}).get("intent"),
            "message_id": str(turn.reply.pk),
            "cards": [
                {
                    "user_id": str(card.member.user_id),
                    "name": card.member.name,
                    "age": card.member.age,
                    "score": card.match.score,
                    "verified": card.verified,
                    "reason": card.reason,
                    "url": f"/members/{card.member.user_id}/",
                }
                for card in shown.cards
            ],
        }
    )
