"""The staff moderation queue at ``/moderation/`` (rules §14).

Anonymous visitors go to the login page; signed-in members who are not staff get a 404 (the
page's existence is not revealed). One form carries bulk selections; each card's own buttons
act on that one item.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from miel.types import AuthenticatedHttpRequest
from safety import selectors as safety_selectors

from . import selectors, services


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """Pending photos, pending videos and open reports with previews, oldest first."""
    return render(
        request,
        "moderation/queue.html",
        {
            "queue": selectors.moderation_queue(),
            "log": selectors.moderation_log_rows(),
            "decisions": safety_selectors.decision_log(),
            "report_actions": [
                (services.Action.DISMISS, _("Dismiss")),
                (services.Action.WARN, _("Warn")),
                (services.Action.REMOVE, _("Remove content")),
                (services.Action.BAN, _("Ban account")),
            ],
            "appeal_actions": [
                (services.Action.UPHOLD, _("Uphold ban")),
                (services.Action.LIFT, _("Lift ban")),
            ],
        },
    )


@staff_required
@require_POST
def act(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Apply one decision. A card button posts ``one=<action>|<kind>:<id>``; the bulk bar posts
    ``action`` with the checked ``item`` values. A report or appeal card's note comes as
    ``note-<kind>:<id>``."""
    one = request.POST.get("one", "")
    if one:
        action, _sep, raw = one.partition("|")
        raw_items = [raw]
    else:
        action, raw_items = request.POST.get("action", ""), request.POST.getlist("item")
    items = [item for item in map(services.Item.parse, raw_items) if item is not None]
    if action not in services.Action.__members__.values() or not items:
        messages.error(request, _("Choose an action and at least one item."))
        return redirect("moderation:queue", permanent=False)
    notes = {item: request.POST.get(f"note-{item.kind}:{item.id}", "") for item in items}
    outcome = services.moderation_apply(
        moderator=request.user, action=action, items=items, notes=notes
    )
    if outcome.done:
        messages.success(
            request,
            ngettext("%(n)d item done.", "%(n)d items done.", outcome.done) % {"n": outcome.done},
        )
    if outcome.skipped:
        messages.warning(
            request,
            ngettext(
                "%(n)d item skipped (already handled or not applicable).",
                "%(n)d items skipped (already handled or not applicable).",
                outcome.skipped,
            )
            % {"n": outcome.skipped},
        )
    return redirect("moderation:queue")
