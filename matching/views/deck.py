"""The Discover deck, pass and undo (issue 15): thin views over :mod:`matching.selectors.deck`,
:mod:`matching.selectors.discovery` and :mod:`matching.services`."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from matching import selectors, services
from matching.forms import discover_filters_from_query
from matching.selectors import deck, discovery
from matching.views.members import _filters_query, _safe_next, cards_link
from miel.bidi import isolate
from miel.page_cache import viewer_page_cache
from miel.types import AuthenticatedHttpRequest
from profiles.decorators import MemberRequest, member_required


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _batch(request: MemberRequest, me, *, cursor: str | None):
    """One batch of deck cards for the request's filters, and the URL of the next batch."""
    filters, _size = discover_filters_from_query(request.GET, user=request.user, member=me)
    page = discovery.members_discover(
        viewer=request.user,
        filters=filters,
        cursor=cursor,
        page_size=deck.DECK_BATCH,
        viewer_member=me,
        exclude_liked=True,
    )
    cards_link(page.cards)
    query = _filters_query(page.filters, page.page_size)
    query.pop("size", None)
    next_url = ""
    if page.next_cursor:
        next_url = (
            reverse("matching:discover_cards")
            + "?"
            + urlencode({**query, "cursor": page.next_cursor})
        )
    return deck.deck_cards(page.cards), next_url, query


@viewer_page_cache
@member_required
@require_GET
def discover(request: MemberRequest) -> HttpResponse:
    """``/discover/``: the deck, one member at a time (issue 15). The first batch is rendered
    here (the first card shown, the next ones hidden and their main photos loading); the
    script asks :func:`discover_cards` for more when few are left. ``first`` (a user id, after
    an undo without JavaScript) puts that member on top when they may be shown."""
    me = request.member
    try:
        cards, next_url, query = _batch(request, me, cursor=None)
    except discovery.InvalidCursor:  # no cursor here; kept for symmetry
        raise Http404 from None
    first = request.GET.get("first")
    if first:
        try:
            first_member = selectors.like_pair(viewer=request.user, user_id=first)[1]
        except Http404:
            first_member = None
        if first_member is not None:
            card = deck.deck_card_for(viewer_member=me, member_pk=first_member.pk)
            if card is not None:
                cards = [card, *[c for c in cards if c.member.pk != card.member.pk]]
                cards_link([card.card])
    filters_url = reverse("matching:member_list") + "?" + urlencode({**query, "filters": "open"})
    return render(
        request,
        "matching/discover.html",
        {
            "cards": cards,
            "next_url": next_url,
            "browse_url": reverse("matching:member_list") + "?" + urlencode(query),
            "filters_url": filters_url + "#filters",
            "undos_left": services.undos_left(member=me),
            # A paused member still swipes; the deck reminds them nobody new sees them.
            "paused": me.paused_at is not None,
        },
    )


@member_required
@require_GET
def discover_cards(request: MemberRequest) -> HttpResponse:
    """The next batch of deck cards (an HTML fragment) after ``cursor``; the fragment's root
    carries the URL of the batch after it (``data-next-url``, empty at the end)."""
    me = request.member
    cursor = request.GET.get("cursor") or None
    try:
        cards, next_url, _query = _batch(request, me, cursor=cursor)
    except discovery.InvalidCursor:
        return HttpResponse(_("This link has expired. Reload the page."), status=400)
    return render(request, "matching/_deck_batch.html", {"cards": cards, "next_url": next_url})


@login_required
@require_POST
def pass_view(request: AuthenticatedHttpRequest, user_id: str) -> HttpResponse:
    """Pass on a member (issue 15): they leave my discovery for 30 days. JSON for the deck,
    204 for htmx, else back to ``next`` (or the deck)."""
    try:
        passed = services.pass_member_for(viewer=request.user, user_id=user_id)
    except ValidationError as exc:
        if exc.code == "blocked":  # a blocked pair looks like an unknown member (rules §6)
            raise Http404 from None
        if _wants_json(request):
            return JsonResponse({"error": exc.messages[0]}, status=400)
        return HttpResponse(exc.messages[0], status=400)
    if _wants_json(request):
        return JsonResponse(
            {"passed": True, "undos_left": services.undos_left(member=passed.source)}
        )
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(_safe_next(request) or reverse("matching:discover"))


@member_required
@require_POST
def pass_undo(request: MemberRequest) -> HttpResponse:
    """Bring back the member passed last (issue 15): free members once a day, premium
    without limit. JSON for the deck (the card to put back on top); otherwise back to the
    deck with that member first. Over the allowance: 429; nothing to undo: 409."""
    me = request.member
    try:
        target = services.pass_undo(member=me)
    except services.LimitReached as exc:
        return _refused(request, exc, status=429)
    except ValidationError as exc:
        return _refused(request, exc, status=409)
    if _wants_json(request):
        card = deck.deck_card_for(viewer_member=me, member_pk=target.pk)
        html = ""
        if card is not None:
            cards_link([card.card])
            html = render_to_string(
                "matching/_deck_card.html", {"c": card, "hidden": False}, request=request
            )
        return JsonResponse(
            {
                "user_id": str(target.user_id),
                "name": target.name,
                "html": html,
                "undos_left": services.undos_left(member=me),
            }
        )
    messages.info(request, _("%(name)s is back.") % {"name": isolate(target.name)})
    return redirect(reverse("matching:discover") + "?" + urlencode({"first": target.user_id}))


def _refused(
    request: AuthenticatedHttpRequest, exc: ValidationError, *, status: int
) -> HttpResponse:
    """A refused like / pass / undo: the translated reason as JSON or text with ``status``
    for scripts and htmx; otherwise a flash message and back to the deck."""
    message = exc.messages[0]
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    if request.htmx:
        return HttpResponse(message, status=status)
    messages.error(request, message)
    return redirect(_safe_next(request) or reverse("matching:discover"))


__all__ = ["discover", "discover_cards", "pass_undo", "pass_view"]
