"""Safety pages (``/safety/``, ``/privacy/``, ``/terms/``) and the ban appeal (rules §6)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.adapters import APPEAL_SESSION_KEY
from accounts.decorators import staff_required
from accounts.models import User
from stories.models import Story

from . import selectors, services
from .forms import AppealForm

#: The session key the login flow sets for a banned account that gave its right password.
PAGE_LANGUAGES = ("he", "en")


@staff_required
@require_GET
def story_image(request: HttpRequest, story_id: UUID) -> FileResponse:
    """A reported story's photo for the moderation queue (staff only; the member-facing image
    URL checks the story's privacy against the viewer, which staff do not pass). Only stories
    that a report points at."""
    story = Story.objects.filter(pk=story_id, reports__isnull=False).distinct().first()
    if story is None or not story.image:
        raise Http404
    try:
        handle = story.image.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def page(request: HttpRequest, name: str) -> HttpResponse:
    """A static safety page, written out per language (legal text reads better whole than
    cut into translated sentences): ``safety/pages/<name>_<lang>.html``."""
    lang = (get_language() or "he")[:2]
    lang = lang if lang in PAGE_LANGUAGES else "he"
    return render(request, f"safety/pages/{name}_{lang}.html", {"page": name})


def appeal(request: HttpRequest) -> HttpResponse:
    """The appeal form a banned member sees after logging in with the right password (the
    account adapter remembers who in the session). One appeal per account; then the page
    shows its status."""
    user_id = request.session.get(APPEAL_SESSION_KEY)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return redirect("account_login")
    banned = selectors.is_banned(user=user)
    existing = selectors.appeal_for(user=user)
    form = AppealForm(request.POST or None)
    status = 200
    if request.method == "POST" and banned and existing is None:
        if form.is_valid():
            try:
                existing = services.appeal_submit(user=user, text=form.cleaned_data["text"])
            except ValidationError as exc:
                form.add_error("text", exc)
                status = 400
            else:
                messages.success(
                    request, _("Your appeal was sent. We will e-mail you the decision.")
                )
                return redirect("safety:appeal")
        else:
            status = 400
    context = {"banned": banned, "appeal": existing, "form": form, "account": user}
    return render(request, "safety/appeal.html", context, status=status)
