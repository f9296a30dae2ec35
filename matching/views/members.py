"""Discovery and matching pages (rules §5, §6, §7): thin views over selectors and services."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.services.entitlements import Feature, has_feature
from matching import selectors, services
from matching.cities import city_get, city_search
from matching.forms import CityForm, LocationForm, ReportForm, discover_filters_from_query
from matching.selectors import discovery
from matching.services import reports
from miel.bidi import isolate
from miel.page_cache import viewer_page_cache
from miel.types import AuthenticatedHttpRequest
from profiles.decorators import MemberRequest, member_required
from profiles.models import (
    ChildrenHave,
    ChildrenWant,
    Habit,
    Intention,
    Interest,
    Member,
    Observance,
)

CHIPS = (
    ("all", gettext_lazy("All")),
    ("new", gettext_lazy("New")),
    ("online", gettext_lazy("Online")),
    ("near", gettext_lazy("Near")),
)


def _filters_query(filters: discovery.DiscoverFilters, page_size: int) -> dict[str, str]:
    query = {
        "gender": ",".join(filters.genders),
        "age_min": str(filters.age_min),
        "age_max": str(filters.age_max),
        "distance": "any" if filters.distance_km is None else str(filters.distance_km),
        "order": filters.order,
        "size": str(page_size),
    }
    if filters.with_photo:
        query["with_photo"] = "1"
    if filters.online:
        query["online"] = "1"
    if filters.interest_ids:
        query["interests"] = ",".join(str(i) for i in filters.interest_ids)
    if filters.intentions:
        query["intention"] = ",".join(filters.intentions)
    if filters.observances:
        query["observance"] = ",".join(filters.observances)
    for key in ("children_want", "children_have", "smoking"):
        if getattr(filters, key):
            query[key] = ",".join(getattr(filters, key))
    if filters.height_min is not None:
        query["height_min"] = str(filters.height_min)
    if filters.height_max is not None:
        query["height_max"] = str(filters.height_max)
    return query


def _chip_urls(filters: discovery.DiscoverFilters, page_size: int) -> list[dict]:
    base = _filters_query(filters, page_size)
    base.pop("online", None)
    variants = {
        "all": {**base, "order": "active"},
        "new": {**base, "order": "newest"},
        "online": {**base, "order": "active", "online": "1"},
        "near": {**base, "order": "distance"},
    }
    if filters.online:
        current = "online"
    else:
        current = {"active": "all", "newest": "new", "distance": "near"}[filters.order]
    return [
        {
            "key": key,
            "label": label,
            "url": "?" + urlencode(variants[key]),
            "active": key == current,
        }
        for key, label in CHIPS
    ]


def _stories_strip_template() -> str | None:
    try:
        get_template("stories/_strip.html")
    except TemplateDoesNotExist:
        return None
    return "stories/_strip.html"


_NO_ID = str(UUID(int=0))


def cards_link(cards: list[discovery.DiscoverCard]) -> None:
    """Fill each card's profile and like URLs and photo alt text: two ``reverse()`` calls for
    the whole page (the URLs differ only by the user id) instead of four per card."""
    profile = reverse("profiles:member_detail", args=[_NO_ID])
    like_url = reverse("matching:like", args=[_NO_ID])
    photo_of = _("Photo of %(name)s")
    for card in cards:
        user_id = str(card.member.user_id)
        card.profile_url = profile.replace(_NO_ID, user_id)
        card.like_url = like_url.replace(_NO_ID, user_id)
        card.photo_alt = photo_of % {"name": isolate(card.member.name)}


#: Distances offered in the members filter, in km; "any" lifts the limit.
DISTANCE_CHOICES = (5, 10, 25, 50, 100, 200, 500)


def _distance_choices(current: int | None) -> list[tuple[str, str]]:
    """The distance filter's choices as (value, label): "any" first (a translated label for
    the value ``any`` the query understands), then the usual distances plus ``current`` (km)
    when it is another number (a saved preference or a typed URL)."""
    kms = sorted({*DISTANCE_CHOICES, *([current] if current else [])})
    return [("any", _("Any distance"))] + [
        (str(km), _("%(km)s km") % {"km": f"{km:,}"}) for km in kms
    ]


@viewer_page_cache
@member_required
@require_GET
def member_list(request: MemberRequest) -> HttpResponse:
    """``/members/`` (rules §5). An htmx request with a cursor returns only the next cards."""
    me = request.member
    filters, page_size = discover_filters_from_query(request.GET, user=request.user, member=me)
    cursor = request.GET.get("cursor") or None
    try:
        page = discovery.members_discover(
            viewer=request.user,
            filters=filters,
            cursor=cursor,
            page_size=page_size,
            viewer_member=me,
        )
    except discovery.InvalidCursor:
        return HttpResponseBadRequest(_("This link has expired. Reload the list."))
    cards_link(page.cards)
    query = _filters_query(page.filters, page.page_size)
    next_url = f"?{urlencode({**query, 'cursor': page.next_cursor})}" if page.next_cursor else ""
    context = {
        "page": page,
        "next_url": next_url,
        # Every like form on the page posts back to this page (no-JS fallback).
        "like_next": request.get_full_path(),
    }
    if request.htmx and cursor:
        return render(request, "matching/_member_page.html", context)
    deck_query = {k: v for k, v in query.items() if k != "size"}
    context.update(
        query=query,
        query_string=urlencode(deck_query),
        chips=_chip_urls(page.filters, page.page_size),
        me=me,
        genders=Member.Gender.choices,
        intentions=Intention.choices,
        observances=Observance.choices,
        detail_filters=[
            ("children_want", _("Family plans"), ChildrenWant.choices, page.filters.children_want),
            ("children_have", _("Children"), ChildrenHave.choices, page.filters.children_have),
            ("smoking", _("Smoking"), Habit.choices, page.filters.smoking),
        ],
        page_sizes=discovery.PAGE_SIZES,
        distance_choices=_distance_choices(page.filters.distance_km),
        interests=list(Interest.objects.order_by("category", "slug"))
        if page.interests_allowed
        else [],
        stories_strip=_stories_strip_template(),
    )
    return render(request, "matching/member_list.html", context)


def _safe_next(request: AuthenticatedHttpRequest) -> str:
    """The ``next`` field when it is a path on this site ("/..."), else "" (no open
    redirects; a bare word would reach ``redirect()`` as a URL name, control characters a
    header)."""
    target = request.POST.get("next", "")
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return ""


def _like_button_response(
    request: AuthenticatedHttpRequest, target: Member, result: services.LikeResult
) -> HttpResponse:
    """htmx's answer to a like / unlike: the new button, plus the match dialog when this like
    completed a pair. The button alone is rendered from its own variables, without the site's
    context processors (issue 20: they were ~60 % of the like's rendering), and without a
    hidden CSRF field: htmx sends the token in its header (``hx-headers`` on ``<body>``)."""
    context = {
        "target": target,
        "liked": result.liked,
        "result": result,
        "like_next": _safe_next(request) or request.get_full_path(),
        "csrf_in_header": True,
    }
    if result.became_match:  # the dialog's push prompt needs the request's context
        return render(request, "matching/_like_response.html", context)
    return HttpResponse(
        render_to_string("matching/_like_button.html", {**context, "request": request})
    )


@login_required
@require_POST
def like(request: AuthenticatedHttpRequest, user_id: UUID) -> HttpResponse:
    """Like/unlike (rules §6). ``action`` = like | unlike (idempotent) or absent (toggle);
    ``note`` (optional, at most 150 characters) goes with a new like (issue 16), and so does
    ``prompt`` (the id of one of their prompt answers: "like a prompt", issue 18), or
    ``photo`` (the id of one of their approved photos: "Liked your photo", issue 16). htmx gets
    the new button (plus the match dialog when this like completed a pair), a script asking
    for JSON the state (and the match dialog's data). Over the free members' like allowance:
    429 with the reason (htmx, JSON), else a flash message."""
    action = request.POST.get("action")
    want = {"like": True, "unlike": False}.get(action or "")
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        target, result = services.like_toggle_for(
            viewer=request.user,
            user_id=user_id,
            like=want,
            note=request.POST.get("note", ""),
            prompt_answer_id=request.POST.get("prompt") or None,
            photo_id=request.POST.get("photo") or None,
        )
    except ValidationError as exc:
        if exc.code == "blocked":  # a blocked pair looks like an unknown member (rules §6)
            raise Http404 from None
        # Over the free allowance (issue 16): 429 for scripts and htmx, else a message.
        status = 429 if isinstance(exc, services.LimitReached) else 400
        if wants_json:
            return JsonResponse({"error": exc.messages[0]}, status=status)
        if request.htmx or status == 400:
            return HttpResponse(exc.messages[0], status=status)
        messages.error(request, exc.messages[0])
        return redirect(_safe_next(request) or reverse("profiles:member_detail", args=[user_id]))
    if request.htmx:
        return _like_button_response(request, target, result)
    if wants_json:
        data: dict[str, object] = {
            "liked": result.liked,
            "match": result.is_match,
            "new_match": result.became_match,
        }
        if result.became_match:  # what the match dialog shows (matching.js)
            data.update(
                name=target.name,
                url=reverse("profiles:member_detail", args=[target.user_id]),
                chat_url=f"/members/{target.user_id}/chat/",
            )
        return JsonResponse(data)
    if result.became_match:
        messages.success(request, _("It's a match with %(name)s!") % {"name": isolate(target.name)})
    return redirect(_safe_next(request) or reverse("profiles:member_detail", args=[user_id]))


@member_required
@require_http_methods(["GET", "POST"])
def unmatch(request: MemberRequest, user_id: UUID) -> HttpResponse:
    """Unmatch (issue 16) or remove my like (rules §6). GET: the confirmation page (works
    without JS); POST: do it (see :func:`matching.services.unmatch`)."""
    me = request.member
    target = selectors.member_for_action(viewer=request.user, user_id=user_id)
    if request.method == "GET":
        is_match = selectors.is_mutual_match(user_id=request.user.pk, other_id=target.user_id)
        return render(
            request, "matching/unmatch_confirm.html", {"target": target, "is_match": is_match}
        )
    services.unmatch(source=me, target=target)
    messages.info(request, _("You unmatched %(name)s.") % {"name": isolate(target.name)})
    response = redirect(reverse("matching:lists") + "?type=mutual")
    if request.htmx:
        response["HX-Redirect"] = response["Location"]
    return response


@member_required
@require_POST
def block(request: MemberRequest, user_id: UUID) -> HttpResponse:
    """Block a member: both disappear for each other everywhere (rules §6)."""
    target = selectors.member_for_action(viewer=request.user, user_id=user_id)
    services.block_create(blocker=request.user, blocked=target.user)
    messages.info(
        request,
        _("%(name)s is blocked. You won't see each other any more.")
        % {"name": isolate(target.name)},
    )
    response: HttpResponse = redirect("matching:member_list")
    if request.htmx:
        response["HX-Redirect"] = response["Location"]
    return response


@member_required
def report(request: MemberRequest, user_id: UUID) -> HttpResponse:
    """Report a member from where it happened (rules §6): a profile, a chat (with chosen
    messages as evidence; ``?message=<id>`` preselects one), a story (``?story=<id>``) or a
    photo (``?photo=<id>``), a reason, optional text and an optional block. Evidence the
    reporter may not attach answers 400 and stores nothing."""
    target = selectors.member_for_report(viewer=request.user, user_id=user_id)
    form = ReportForm(request.POST or None, initial=_report_initial(request))
    status = 400  # bad input; 429 over a report limit
    if request.method == "POST":
        if form.is_valid():
            try:
                reports.report_create(
                    reporter=request.user,
                    reported=target.user,
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data["text"],
                    evidence=form.evidence(),
                    block=form.cleaned_data["block"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                if isinstance(exc, reports.ReportLimited):
                    status = 429
            else:
                messages.success(request, _("Thank you. Our moderators will look at your report."))
                if form.cleaned_data["block"] or selectors.is_blocked_pair(
                    user_id=request.user.pk, other_id=target.user_id
                ):
                    return redirect("matching:member_list")
                if request.POST.get("from") == "chat":
                    return redirect("messaging:chat", user_id=target.user_id)
                return redirect("profiles:member_detail", user_id=target.user_id)
        context = _report_context(request, target, form)
        return render(request, "matching/report.html", context, status=status)
    return render(request, "matching/report.html", _report_context(request, target, form))


def _report_initial(request: AuthenticatedHttpRequest) -> dict[str, object]:
    initial: dict[str, object] = {}
    for key in ("story", "photo"):
        if _is_uuid(request.GET.get(key)):
            initial[key] = request.GET[key]
    if _is_uuid(request.GET.get("message")):
        initial["message"] = [request.GET["message"]]
        initial["reason"] = "harassment"
    return initial


def _is_uuid(value: str | None) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def _report_context(
    request: AuthenticatedHttpRequest, target, form: ReportForm
) -> dict[str, object]:
    """The report page: the evidence on offer (the conversation's latest messages when the
    report comes from a chat) and the story or photo named, each only if it may be attached."""
    data = request.POST if request.method == "POST" else request.GET
    chosen = set(data.getlist("message")) | {str(v) for v in (form.initial.get("message") or [])}
    from_chat = bool(chosen) or data.get("from") == "chat"
    conversation = []
    if from_chat:
        rows = reports.conversation_messages(reporter=request.user, reported=target.user)
        conversation = [
            {"m": m, "mine": m.sender.user_id == request.user.pk, "checked": str(m.pk) in chosen}
            for m in reversed(rows[: reports.REPORT_PICKABLE_MESSAGES])
        ]
    story = photo = None
    try:
        if _is_uuid(data.get("story")):
            story = reports.reportable_story(
                reporter=request.user, reported=target.user, story_id=data["story"]
            )
        if _is_uuid(data.get("photo")):
            photo = reports.reportable_photo(reported=target.user, photo_id=data["photo"])
    except ValidationError:
        pass  # the form says so on submit
    return {
        "form": form,
        "target": target,
        "from_chat": from_chat,
        "conversation": conversation,
        "story": story,
        "photo": photo,
        "max_messages": reports.REPORT_MAX_MESSAGES,
    }


@viewer_page_cache
@login_required
@require_GET
def lists(request: AuthenticatedHttpRequest) -> HttpResponse:
    """``/lists/?type=target|mutual|source`` (rules §6). The Likes tab opens on "Liked me",
    as dating apps do (matches also head the Chats list); an unknown type too."""
    list_type = request.GET.get("type", "target")
    if list_type not in selectors.LIST_TYPES:
        list_type = "target"
    data = selectors.like_list(viewer=request.user, list_type=list_type)
    tabs = [
        ("target", _("Liked me")),
        ("mutual", _("Matches")),
        ("source", _("I liked")),
    ]
    return render(request, "matching/lists.html", {"data": data, "tabs": tabs})


@login_required
@require_GET
def profile_views(request: AuthenticatedHttpRequest) -> HttpResponse:
    """``/views/``: who viewed me (premium); free members see the unseen count (rules §7)."""
    can_see = has_feature(request.user, Feature.SEE_WHO_VIEWED_ME)
    unseen = selectors.profile_views_unseen_count(viewer=request.user)
    views = selectors.profile_views_list(viewer=request.user) if can_see else []
    if can_see:
        services.profile_views_mark_seen(viewer=request.user)
    return render(
        request,
        "matching/views.html",
        {"views": views, "can_see": can_see, "unseen": unseen},
    )


@login_required
@require_POST
def view_duration(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Beacon from the profile page: seconds spent on a profile (rules §11)."""
    target = selectors.member_for_action(
        viewer=request.user, user_id=request.POST.get("user_id", "")
    )
    try:
        seconds = int(float(request.POST.get("seconds", "")))
    except (ValueError, OverflowError):  # "abc", "nan"; "inf" and "1e309" overflow int()
        return HttpResponseBadRequest(_("Invalid duration."))
    services.view_duration_report(viewer=request.user, viewed=target, seconds=seconds)
    return HttpResponse(status=204)


@login_required
@require_POST
def profile_click(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Beacon from a list: a member card was opened (rules §11, weight 1.5)."""
    target = selectors.member_for_action(
        viewer=request.user, user_id=request.POST.get("user_id", "")
    )
    services.profile_click_record(viewer=request.user, target=target)
    return HttpResponse(status=204)


@member_required
@require_POST
def location_set(request: MemberRequest) -> HttpResponse:
    """Store the browser's geolocation (rules §4). JSON or form POST; answers JSON."""
    me = request.member
    form = LocationForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _("The location is not valid.")}, status=400)
    try:
        services.location_set(
            member=me,
            latitude=form.cleaned_data["latitude"],
            longitude=form.cleaned_data["longitude"],
        )
    except services.LocationChangeLimited as exc:
        return JsonResponse({"error": exc.messages[0]}, status=429)
    return JsonResponse({"ok": True})


@member_required
@require_POST
def location_city(request: MemberRequest) -> HttpResponse:
    """Set the location to a chosen city's coordinates (rules §4)."""
    me = request.member
    form = CityForm(request.POST)
    city = city_get(form.cleaned_data["city"]) if form.is_valid() else None
    if city is None:
        messages.error(request, _("Choose a city from the list."))
        status = 400
    else:
        try:
            services.location_set(
                member=me,
                latitude=city.latitude,
                longitude=city.longitude,
                city=city.name,
                country=city.country,
            )
        except services.LocationChangeLimited as exc:
            messages.error(request, exc.messages[0])
            status = 429
        else:
            messages.success(request, _("Your location is set to %(city)s.") % {"city": city.name})
            status = 302
    response: HttpResponse = redirect("matching:member_list")
    if request.htmx:
        response = HttpResponse(status=204 if status == 302 else status)
        response["HX-Redirect"] = reverse("matching:member_list")
    return response


@login_required
@require_GET
def city_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    """htmx: up to 10 cities matching ``q`` for the location picker."""
    return render(
        request, "matching/_city_options.html", {"cities": city_search(request.GET.get("q", ""))}
    )
