"""Stories pages and endpoints (rules §10). Thin: parse, call one selector or service, answer.

Every view that names a story goes through ``stories.selectors`` (privacy, blocks, the 24-hour
window), so a direct URL to a story, its JSON or its image answers 404 to anyone who may not
see it, anonymous visitors included.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from billing.services.entitlements import (
    FREE_STORIES_PER_DAY,
    Feature,
    has_feature,
    stories_daily_limit,
)
from miel.media import StorageFull
from miel.types import AuthenticatedHttpRequest, HtmxHttpRequest

from . import selectors, services
from .forms import ReplyForm, StoryForm
from .models import StoryReaction
from .serializers import group_to_dict, story_to_dict, viewer_labels
from .services import StoryError


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _signed_in(request: HttpRequest) -> User:
    """The signed-in user of a story write, or 404: these endpoints answer an anonymous visitor
    as they answer anyone who may not see the story (rules §10), not with a login redirect."""
    if not request.user.is_authenticated:
        raise Http404("No such story.")
    return request.user


def _error(exc: StoryError) -> JsonResponse:
    return JsonResponse({"error": exc.message}, status=exc.status)


@login_required
@require_http_methods(["GET", "POST"])
def story_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The "post a story" page."""
    status = 200
    if request.method == "POST":
        form = StoryForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                story = services.story_publish(
                    user=request.user,
                    upload=data["photo"],
                    text_overlay=data["text_overlay"],
                    text_x=data["text_x"],
                    text_y=data["text_y"],
                    filter=data["filter"] or "",
                    privacy=data["privacy"],
                )
            except StoryError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            except StorageFull as exc:  # disk full: nothing was kept (507)
                if _wants_json(request):
                    return JsonResponse({"error": exc.message, "code": exc.code}, status=exc.status)
                form.add_error(None, exc.message)
                status = exc.status
            else:
                if _wants_json(request):
                    return JsonResponse(
                        {"story": story_to_dict(story, viewer=request.user)}, status=201
                    )
                messages.success(request, _("Your story is live for 24 hours."))
                return redirect("stories:mine")
        else:
            status = 400
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=status)
    else:
        form = StoryForm()
    context = {
        "form": form,
        "unlimited": stories_daily_limit(request.user) is None,
        "free_per_day": FREE_STORIES_PER_DAY,
    }
    return render(request, "stories/story_new.html", context, status=status)


@require_GET
def story_detail(request: HttpRequest, story_id: uuid.UUID) -> HttpResponse:
    """One story: JSON for API clients, else a page with the viewer open on it."""
    if not request.user.is_authenticated and not _wants_json(request):
        return redirect(f"{reverse('account_login')}?next={request.path}")
    qs = selectors.with_viewer_state(
        selectors.visible_stories(viewer=request.user), viewer=request.user
    )
    story = qs.filter(pk=story_id).first()
    if story is None:
        raise Http404("No such story.")
    data = story_to_dict(story, viewer=request.user)
    if _wants_json(request):
        return JsonResponse({"story": data})
    member = getattr(story.user, "member", None)
    group = selectors.StoryGroup(
        user_id=story.user_id,
        name=member.name if member else story.user.name,
        avatar_url=member.image if member else "",
        is_own=story.user_id == request.user.pk,
        stories=[story],
    )
    return render(
        request,
        "stories/story_detail.html",
        {
            "story": story,
            "owner_name": group.name,
            "viewer_data": {
                "groups": [group_to_dict(group, viewer=request.user)],
                "labels": viewer_labels(),
                "close_url": reverse("matching:member_list"),
            },
        },
    )


@require_GET
def story_image(request: HttpRequest, story_id: uuid.UUID) -> FileResponse:
    """The story photo, streamed after the same permission check as the story itself."""
    story = selectors.story_for_viewer(viewer=request.user, story_id=story_id)
    if not story.image:
        raise Http404("No such story.")
    try:
        handle = story.image.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("No such story.") from exc
    response = FileResponse(handle, content_type="image/jpeg")
    # Private: shared caches must never keep a permission-checked image.
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = "inline"
    return response


@require_POST
def story_view(request: HttpRequest, story_id: uuid.UUID) -> HttpResponse:
    """Record that the signed-in member saw the story (once per viewer)."""
    created = services.story_view_record(viewer=_signed_in(request), story_id=story_id)
    return JsonResponse({"recorded": created})


@require_http_methods(["POST", "DELETE"])
def story_react(request: HttpRequest, story_id: uuid.UUID) -> JsonResponse:
    """POST ``reaction=HEART|FIRE|LOVE_EYES|EYES`` sets or changes the reaction; DELETE (or an
    empty ``reaction``) removes it."""
    user = _signed_in(request)
    reaction = "" if request.method == "DELETE" else request.POST.get("reaction", "").strip()
    try:
        if reaction:
            services.story_react(user=user, story_id=story_id, reaction_type=reaction)
        else:
            services.story_reaction_remove(user=user, story_id=story_id)
    except StoryError as exc:
        return _error(exc)
    return JsonResponse({"reaction": reaction or None})


@require_POST
def story_reply(request: HttpRequest, story_id: uuid.UUID) -> JsonResponse:
    """Reply to a story: a chat message to its owner."""
    sender = _signed_in(request)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        selectors.story_for_viewer(viewer=sender, story_id=story_id)  # 404 first
        return JsonResponse({"error": _("A reply must be 1 to 2000 characters.")}, status=400)
    try:
        reply = services.story_reply(
            sender=sender, story_id=story_id, text=form.cleaned_data["text"]
        )
    except StoryError as exc:
        return _error(exc)
    return JsonResponse({"reply_id": str(reply.pk), "message": _("Reply sent")}, status=201)


@require_POST
def story_delete(request: HtmxHttpRequest, story_id: uuid.UUID) -> HttpResponse:
    """Delete one's own story (404 for anyone else's)."""
    services.story_delete(owner=_signed_in(request), story_id=story_id)
    if _wants_json(request) or request.htmx:
        return JsonResponse({"deleted": True})
    messages.success(request, _("Story deleted."))
    return redirect("stories:mine")


@require_GET
def story_insights(request: HttpRequest, story_id: uuid.UUID) -> HttpResponse:
    """Who saw and reacted to one's own story: the full list for premium, counts for free."""
    story = selectors.story_for_owner(owner=request.user, story_id=story_id)
    insights = selectors.story_insights(owner=request.user, story=story)
    if _wants_json(request):
        payload: dict = {
            "view_count": insights.view_count,
            "reaction_counts": insights.reaction_counts,
            "full_list": insights.full_list,
        }
        if insights.full_list:
            payload["viewers"] = [
                {
                    "user_id": str(v.viewer_id),
                    "name": getattr(getattr(v.viewer, "member", None), "name", v.viewer.name),
                    "viewed_at": v.viewed_at.isoformat(),
                    "reaction": v.reaction,
                }
                for v in insights.viewers
            ]
        return JsonResponse(payload)
    return render(
        request,
        "stories/_insights.html",
        {
            "story": story,
            "insights": insights,
            "reaction_types": StoryReaction.ReactionType.choices,
        },
    )


@login_required
@require_GET
def my_stories(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The owner's live stories with their counts."""
    stories = list(selectors.my_stories(owner=request.user))
    return render(
        request,
        "stories/my_stories.html",
        {
            "stories": stories,
            "full_list": has_feature(request.user, Feature.STORY_VIEWER_LIST),
        },
    )


@login_required
@require_GET
def strip(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The strip alone, for a live refresh (``miel:story.new``)."""
    return render(request, "stories/_strip.html")
