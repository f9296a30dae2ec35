"""Billing pages: premium, checkout, portal, return page, boosts, Stripe webhook (rules §13)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from miel.types import AuthenticatedHttpRequest

from . import services, stripe_client
from .plans import PLANS
from .selectors import premium_status, transactions_for_user
from .services.entitlements import FEATURE_LABELS
from .templatetags.billing import BOOST_CHOICES

logger = logging.getLogger(__name__)


def _context(request: AuthenticatedHttpRequest) -> dict[str, object]:
    return {
        "plans": list(PLANS.values()),
        "features": list(FEATURE_LABELS.values()),
        "status": premium_status(user=request.user),
        "payments_configured": stripe_client.is_configured(),
        "transactions": transactions_for_user(user=request.user)[:5],
        "boost_choices": BOOST_CHOICES,
        "user_tz": request.user.time_zone or "Asia/Jerusalem",
    }


@login_required
@require_GET
def premium(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The three plans, what premium includes, and the member's status."""
    context = _context(request)
    if request.GET.get("checkout") == "canceled":
        context["notice"] = _("Checkout was cancelled. Nothing was charged.")
    return render(request, "billing/premium.html", context)


@login_required
@require_POST
def checkout(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create a Stripe Checkout Session and send the browser there (303)."""
    success_url = (
        request.build_absolute_uri(reverse("billing:success")) + "?session_id={CHECKOUT_SESSION_ID}"
    )
    cancel_url = request.build_absolute_uri(reverse("billing:premium")) + "?checkout=canceled"
    try:
        url = services.checkout_start(
            user=request.user,
            plan_id=request.POST.get("plan", ""),
            success_url=success_url,
            cancel_url=cancel_url,
        )
    except services.BillingError as exc:
        context = _context(request) | {"error": exc.message}
        return render(request, "billing/premium.html", context, status=exc.status)
    return HttpResponseRedirect(url, status=303)


@login_required
@require_POST
def portal(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open Stripe's customer portal (cancel / resume) and send the browser there (303)."""
    try:
        url = services.portal_start(
            user=request.user, return_url=request.build_absolute_uri(reverse("billing:premium"))
        )
    except services.BillingError as exc:
        context = _context(request) | {"error": exc.message}
        return render(request, "billing/premium.html", context, status=exc.status)
    return HttpResponseRedirect(url, status=303)


@login_required
@require_GET
def success(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where Stripe sends the member back. Shows status only: the ``session_id`` in the URL is
    never trusted and never grants anything (rules §13 fix); the webhook does."""
    return render(request, "billing/success.html", _context(request))


@login_required
@require_GET
def status(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The status box alone (the return page polls it with htmx until premium shows)."""
    context = _context(request) | {"poll": request.GET.get("poll") == "1"}
    return render(request, "billing/_status.html", context)


def _safe_next(request: AuthenticatedHttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("billing:premium")


@login_required
@require_POST
def boost(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Spend boosts (``hours``, default 24; ceil(h/24) boosts). htmx gets the boost box back;
    a plain form is redirected to ``next`` with a message."""
    error: str | None = None
    http_status = 200
    result = None
    try:
        hours = int(request.POST.get("hours", "24"))
    except ValueError:
        error, http_status = _("Choose how many hours to boost for."), 400
    else:
        try:
            result = services.boost_spend(user=request.user, hours=hours)
        except services.BillingError as exc:
            error, http_status = exc.message, exc.status
    request.user.refresh_from_db()
    if request.htmx:
        return render(
            request,
            "billing/_boost_button.html",
            {"boost_error": error, "boost_result": result, "boost_next": _safe_next(request)},
            status=http_status,
        )
    if error:
        context = _context(request) | {"error": error}
        return render(request, "billing/premium.html", context, status=http_status)
    messages.success(request, _("Boost on! You are at the top of discovery."))
    return HttpResponseRedirect(_safe_next(request), status=303)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe → Miel. Verified on the raw body; 400 for anything unsigned or malformed, 503 when
    Stripe could not be asked (Stripe retries later), 200 otherwise (duplicates included)."""
    try:
        result = services.webhook_event_process(
            payload=request.body, sig_header=request.headers.get("Stripe-Signature")
        )
    except services.WebhookRejected as exc:
        logger.warning("stripe webhook rejected: %s", exc)
        return HttpResponse(_("Invalid webhook."), status=400, content_type="text/plain")
    except stripe_client.StripeNotConfigured:
        return HttpResponse(
            _("Payments are not configured on this site."), status=503, content_type="text/plain"
        )
    except stripe_client.StripeUnavailable:
        return HttpResponse(
            _("The payment service is not answering."), status=503, content_type="text/plain"
        )
    return HttpResponse(result.outcome, status=200, content_type="text/plain")
