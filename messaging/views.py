"""Messaging pages (SPEC §8): chat, mailbox and per-message actions. Thin: parse, call one
service or selector, render. Every object named in a URL goes through a participant selector
(404 for anyone else)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from profiles.models import Member

from . import selectors, services
from .models import MESSAGE_MAX_CHARS


def _me(request: HttpRequest) -> Member:
    """The signed-in user's member (the profile-completion middleware guarantees one)."""
    from django.http import Http404

    member = Member.objects.filter(user_id=request.user.pk).first()
    if member is None:
        raise Http404
    return member


def _chat_context(*, me: Member, other: Member, before: str | None = None) -> dict:
    page = selectors.chat_history(member=me, other=other, before=before)
    return {
        "me": me,
        "other": other,
        "messages_page": page,
        "thread": [_row(m, me) for m in page.messages],
        "max_chars": MESSAGE_MAX_CHARS,
    }


def _row(message, me: Member) -> dict:  # type: ignore[no-untyped-def]
    return {
        "m": message,
        **selectors.message_flags(message=message, member=me),
        "story_image": selectors.story_thumbnail_url(message),
    }


@login_required
@require_GET
def chat(request: HttpRequest, user_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    """The live chat with one member; opening it marks their messages read (SPEC §8)."""
    me = _me(request)
    other = selectors.conversation_for_participant(user=request.user, other_id=user_id)
    services.conversation_mark_read(reader=me, other=other)
    before = request.GET.get("before")
    context = _chat_context(me=me, other=other, before=before)
    if request.htmx and request.GET.get("partial") == "thread":
        context["earlier"] = bool(before)
        return render(request, "messaging/_thread.html", context)
    return render(request, "messaging/chat.html", context)


@login_required
@require_POST
def chat_send(request: HttpRequest, user_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    """Send a message (htmx form post; plain form post without JS)."""
    me = _me(request)
    other = selectors.chat_partner(user=request.user, other_id=user_id)
    try:
        message = services.message_send(sender=me, recipient=other, text=request.POST.get("text"))
    except services.MessageRefused as exc:
        return _send_error(request, other, exc, status=403)
    except ValidationError as exc:
        return _send_error(request, other, exc, status=422)
    if request.htmx:
        return render(request, "messaging/_message.html", {"row": _row(message, me), "me": me})
    return redirect("messaging:chat", user_id=other.user_id)


def _send_error(request, other, exc: ValidationError, *, status: int) -> HttpResponse:  # type: ignore[no-untyped-def]
    text = " ".join(exc.messages)
    if request.htmx:
        return render(request, "messaging/_error.html", {"error": text}, status=status)
    from django.contrib import messages as flash

    flash.error(request, text)
    return redirect("messaging:chat", user_id=other.user_id)


@login_required
@require_POST
def chat_read(request: HttpRequest, user_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    """Mark the thread read (the open chat calls this when a message arrives live)."""
    me = _me(request)
    other = selectors.chat_partner(user=request.user, other_id=user_id)
    services.conversation_mark_read(reader=me, other=other)
    return HttpResponse(status=204)


@login_required
@require_GET
def mailbox(request: HttpRequest) -> HttpResponse:
    """``/messages/?container=inbox|outbox|starred|archived`` with "load more" (SPEC §8)."""
    me = _me(request)
    container = request.GET.get("container", selectors.Container.INBOX)
    if container not in selectors.Container.ALL:
        container = selectors.Container.INBOX
    page = selectors.mailbox_page(member=me, container=container, cursor=request.GET.get("cursor"))
    context = {
        "me": me,
        "container": container,
        "containers": [
            (selectors.Container.INBOX, _("Inbox")),
            (selectors.Container.OUTBOX, _("Sent")),
            (selectors.Container.STARRED, _("Starred")),
            (selectors.Container.ARCHIVED, _("Archived")),
        ],
        "rows": [_row(m, me) for m in page.messages],
        "next_cursor": page.next_cursor,
    }
    if request.htmx and request.GET.get("cursor"):
        return render(request, "messaging/_mailbox_rows.html", context)
    return render(request, "messaging/mailbox.html", context)


@login_required
@require_GET
def message_open(request: HttpRequest, message_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    """A message's permalink: the chat with the other participant, marking it read."""
    me = _me(request)
    message = selectors.message_for_participant(user=request.user, message_id=message_id)
    other = message.recipient if message.sender_id == me.pk else message.sender
    services.message_mark_read(member=me, message=message)
    return redirect(reverse("messaging:chat", kwargs={"user_id": other.user_id}))


def _flag(request: HttpRequest) -> bool:
    return request.POST.get("value", "1") not in ("0", "false", "off", "")


def _action_response(request, message, me, container: str | None) -> HttpResponse:  # type: ignore[no-untyped-def]
    if request.htmx:
        row = _row(message, me)
        visible = container is None or _still_in(container, row)
        if not visible:
            return HttpResponse("")
        return render(request, "messaging/_mailbox_row.html", {"row": row, "container": container})
    return redirect(f"{reverse('messaging:mailbox')}?container={container or 'inbox'}")


def _still_in(container: str, row: dict) -> bool:
    if container == selectors.Container.STARRED:
        return row["starred"]
    if container == selectors.Container.ARCHIVED:
        return row["archived"]
    return not row["archived"]


def _container(request: HttpRequest) -> str | None:
    c = request.POST.get("container")
    return c if c in selectors.Container.ALL else None


@login_required
@require_POST
def message_star(request: HttpRequest, message_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    me = _me(request)
    message = selectors.message_for_participant(user=request.user, message_id=message_id)
    services.message_set_starred(member=me, message=message, starred=_flag(request))
    return _action_response(request, message, me, _container(request))


@login_required
@require_POST
def message_archive(request: HttpRequest, message_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    me = _me(request)
    message = selectors.message_for_participant(user=request.user, message_id=message_id)
    services.message_set_archived(member=me, message=message, archived=_flag(request))
    return _action_response(request, message, me, _container(request))


@login_required
@require_POST
def message_delete(request: HttpRequest, message_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    me = _me(request)
    message = selectors.message_for_participant(user=request.user, message_id=message_id)
    services.message_delete(member=me, message=message)
    if request.htmx:
        return HttpResponse("")
    return redirect(f"{reverse('messaging:mailbox')}?container={_container(request) or 'inbox'}")


@login_required
@require_POST
def message_read(request: HttpRequest, message_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    me = _me(request)
    message = selectors.message_for_participant(user=request.user, message_id=message_id)
    services.message_mark_read(member=me, message=message)
    return _action_response(request, message, me, _container(request))
