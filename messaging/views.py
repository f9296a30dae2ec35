"""Messaging pages (rules §8): chat, mailbox and per-message actions. Thin: parse, call one
service or selector, render. Every object named in a URL goes through a participant selector
(404 for anyone else)."""

from __future__ import annotations

import uuid

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from matching.models import Like
from miel.page_cache import viewer_page_cache
from miel.types import AuthenticatedHttpRequest
from profiles.models import Member

from . import conversation_selectors, selectors, services
from .models import MESSAGE_MAX_CHARS


def _me(request: AuthenticatedHttpRequest) -> Member:
    """The signed-in user's member (the profile-completion middleware guarantees one)."""
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
        # The form's idempotency key for the next message (issue 13 item 14); chat.js
        # replaces it after each send.
        "client_key": uuid.uuid4().hex,
    }


def _chat_state(*, me: Member, other: Member, has_history: bool) -> dict:
    """What the chat page shows instead of, or as, the message box (issue 16): ``can_send``
    (a mutual match, no block); otherwise ``closed`` (they have a history: no longer a match)
    or the way to a match (``i_liked``: I already liked them, waiting for them)."""

    can_send = selectors.can_message(sender_id=me.user_id, recipient_id=other.user_id)
    state = {"can_send": can_send, "closed": False, "i_liked": False}
    if not can_send:
        state["closed"] = has_history
        state["i_liked"] = Like.objects.filter(source=me, target=other).exists()
    return state


def _row(message, me: Member) -> dict:
    return {
        "m": message,
        **selectors.message_flags(message=message, member=me),
        "story_image": selectors.story_thumbnail_url(message),
    }


@viewer_page_cache
@login_required
@require_GET
def chat(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """The live chat with one member; opening it marks their messages read (rules §8)."""
    me = _me(request)
    other = selectors.conversation_for_participant(user=request.user, other_id=user_id)
    services.conversation_mark_read(reader=me, other=other)
    before = request.GET.get("before")
    context = _chat_context(me=me, other=other, before=before)
    if request.htmx and request.GET.get("partial") == "thread":
        context["earlier"] = bool(before)
        # "Say hello" only where a message can be sent (not to a non-match).
        context["can_send"] = selectors.can_message(
            sender_id=me.user_id, recipient_id=other.user_id
        )
        return render(request, "messaging/_thread.html", context)
    context.update(
        _chat_state(me=me, other=other, has_history=bool(context["messages_page"].messages))
    )
    return render(request, "messaging/chat.html", context)


@login_required
@require_POST
def chat_send(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Send a message (htmx form post; plain form post without JS). 404 when the recipient is
    unknown, incomplete, the sender, or blocked either way: nothing is saved and a blocked
    sender cannot tell the block from a missing conversation (rules §6, §8). 403 (nothing
    saved) when the two are not a mutual match (issue 16)."""
    me, other = selectors.chat_send_pair(user=request.user, other_id=user_id)
    try:
        message = services.message_send(
            sender=me,
            recipient=other,
            text=request.POST.get("text"),
            client_key=request.POST.get("client_key") or None,
            # Issue 16 nudges: ask "Are you sure?" until the sender confirms.
            ask_first=request.POST.get("confirm_nudge") != "1",
            chat_rule=getattr(other, "may_message", None),  # read with the pair
        )
    except services.NudgeNeeded:
        return _nudge_prompt(request, me, other)
    except services.MessageLimited as exc:
        return _send_error(request, other, exc, status=429)
    except services.MessageRefused as exc:
        return _send_error(request, other, exc, status=403)
    except ValidationError as exc:
        bad_input = exc.code in ("bad_characters", "bad_client_key", "client_key_reused")
        return _send_error(request, other, exc, status=400 if bad_input else 422)
    if request.htmx:
        return render(request, "messaging/_message.html", {"row": _row(message, me), "me": me})
    return redirect("messaging:chat", user_id=other.user_id)


def _nudge_prompt(request: AuthenticatedHttpRequest, me: Member, other: Member) -> HttpResponse:
    """ "Are you sure?" (issue 16) for a text that matched the nudge list: nothing is stored;
    "Send anyway" posts the same text and key with ``confirm_nudge=1``, "Edit" goes back to
    the text. 409 with the prompt fragment for htmx; without JS the chat page with the prompt
    and the text back in the box."""
    context = {
        "other": other,
        "nudge_text": request.POST.get("text", ""),
        "nudge_client_key": request.POST.get("client_key", ""),
    }
    if request.htmx:
        return render(request, "messaging/_nudge.html", context, status=409)
    # The whole chat page: the members afresh (the send loaded only what it needs).
    me = _me(request)
    other = selectors.chat_partner(user=request.user, other_id=other.user_id)
    context["other"] = other
    page = _chat_context(me=me, other=other)
    page.update(_chat_state(me=me, other=other, has_history=bool(page["messages_page"].messages)))
    page.update(context, nudge=True)
    return render(request, "messaging/chat.html", page, status=409)


def _send_error(
    request: AuthenticatedHttpRequest, other, exc: ValidationError, *, status: int
) -> HttpResponse:
    """The refusal of a send: the error fragment for htmx; without JS the chat page itself
    with the error and the same status for a refusal (403 / 429), a flash message and a
    redirect for invalid text (422)."""
    text = " ".join(exc.messages)
    if request.htmx:
        return render(request, "messaging/_error.html", {"error": text}, status=status)
    if status in (400, 403, 429):
        # The whole chat page: the members afresh (the send loaded only what it needs).
        me = _me(request)
        other = selectors.chat_partner(user=request.user, other_id=other.user_id)
        context = _chat_context(me=me, other=other)
        context.update(
            _chat_state(me=me, other=other, has_history=bool(context["messages_page"].messages))
        )
        context["send_error"] = text
        return render(request, "messaging/chat.html", context, status=status)
    flash.error(request, text)
    return redirect("messaging:chat", user_id=other.user_id)


@login_required
@require_POST
def chat_read(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Mark the thread read (the open chat calls this when a message arrives live)."""
    me = _me(request)
    # A blocked pair answers 404: no read receipt crosses a block (rules §6).
    other = selectors.conversation_for_participant(user=request.user, other_id=user_id)
    services.conversation_mark_read(reader=me, other=other)
    return HttpResponse(status=204)


#: The row actions' URL names; see :func:`_row_urls`.
_ROW_URLS = ("message_open", "message_star", "message_archive", "message_delete")
_URL_SENTINEL = "00000000-0000-0000-0000-000000000000"


def _row_urls() -> dict[str, str]:
    """The row actions' URLs with a placeholder id, reversed once per response: a ``{% url %}``
    per link (7 per row) was half of the mailbox's rendering time."""
    return {
        name: reverse(f"messaging:{name}", kwargs={"message_id": _URL_SENTINEL})
        for name in _ROW_URLS
    }


def _mailbox_row(message, user_id, urls: dict[str, str]) -> dict:
    """What ``_mailbox_row.html`` shows of ``message`` to the participant of User ``user_id``:
    the other member, this side's flags and the action URLs."""
    mine = message.sender.user_id == user_id
    pk = str(message.pk)
    row = {
        "m": message,
        "mine": mine,
        "other": message.recipient if mine else message.sender,
        "unread": not mine and message.date_read is None,
        "starred": message.sender_starred if mine else message.recipient_starred,
        "archived": message.sender_archived if mine else message.recipient_archived,
    }
    for name, url in urls.items():
        row[name] = url.replace(_URL_SENTINEL, pk)
    return row


def _when(moment, today) -> str:
    """A row's time: the hour today, the weekday this week, else the date (local time)."""
    local = timezone.localtime(moment)
    if local.date() == today:
        return date_format(local, "H:i")
    if (today - local.date()).days < 7:
        return date_format(local, "D")
    return date_format(local, "SHORT_DATE_FORMAT")


def _conversation_rows(page: conversation_selectors.ConversationPage) -> list[dict]:
    """What ``_conversation_row.html`` shows of each row: the row, its chat URL and time."""
    chat_url = reverse("messaging:chat", kwargs={"user_id": _URL_SENTINEL})
    today = timezone.localdate()
    return [
        {
            "c": row,
            "chat_url": chat_url.replace(_URL_SENTINEL, str(row.other_user_id)),
            "when": _when(row.last.created, today),
        }
        for row in page.rows
    ]


@viewer_page_cache
@login_required
@require_GET
def mailbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """``/messages/``: the conversations, one row per member, newest first, with the strip of
    new matches; ``?container=archived`` the archived ones; ``?container=starred`` the starred
    messages (issue 15, rules §8). "Load more" pages by cursor.

    Queries besides the session and the user: the page (rows + badge) and the strip."""
    container = request.GET.get("container", "")
    if container == selectors.Container.STARRED:
        return _starred(request)
    archived = container == selectors.Container.ARCHIVED
    partial = bool(request.htmx and request.GET.get("cursor"))
    page = conversation_selectors.conversation_page(
        user_id=request.user.pk, archived=archived, cursor=request.GET.get("cursor")
    )
    context = {
        "archived_view": archived,
        "rows": _conversation_rows(page),
        "next_cursor": page.next_cursor,
    }
    if partial:
        return render(request, "messaging/_conversation_rows.html", context)
    if not archived:
        context["new_matches"] = conversation_selectors.new_matches(user_id=request.user.pk)
    if page.unread is not None:  # else the context processor counts (one more query)
        context["unread_message_count"] = page.unread
    return render(request, "messaging/mailbox.html", context)


def _starred(request: AuthenticatedHttpRequest) -> HttpResponse:
    """``/messages/?container=starred``: the starred messages, newest first, paged by cursor."""
    container = selectors.Container.STARRED
    partial = bool(request.htmx and request.GET.get("cursor"))
    page = selectors.mailbox_page(
        user_id=request.user.pk,
        container=container,
        cursor=request.GET.get("cursor"),
        with_unread=not partial,
    )
    urls = _row_urls()
    context: dict[str, object] = {
        "container": container,
        "rows": [_mailbox_row(m, request.user.pk, urls) for m in page.messages],
        "next_cursor": page.next_cursor,
    }
    if partial:
        return render(request, "messaging/_mailbox_rows.html", context)
    if page.unread is not None:
        context["unread_message_count"] = page.unread
    return render(request, "messaging/starred.html", context)


@login_required
@require_POST
def conversation_archive(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Archive (``value=1``) or bring back (``value=0``) my conversation with a member, for me
    only; back to the list it was on (issue 15). 404 for a member I cannot chat with."""
    me = _me(request)
    other = selectors.conversation_for_participant(user=request.user, other_id=user_id)
    archived = _flag(request)
    services.conversation_set_archived(owner=me, other=other, archived=archived)
    flash.success(request, _("Conversation archived.") if archived else _("Conversation restored."))
    url = reverse("messaging:mailbox")
    return redirect(url if archived else f"{url}?container=archived")


@login_required
@require_POST
def conversation_mute(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Mute (``value=1``) or unmute (``value=0``) my conversation with a member: no e-mail about
    its new messages for me (issue 15). 404 for a member I cannot chat with."""
    me = _me(request)
    other = selectors.conversation_for_participant(user=request.user, other_id=user_id)
    services.conversation_set_muted(owner=me, other=other, muted=_flag(request))
    back = reverse("messaging:mailbox")
    if request.POST.get("container") == selectors.Container.ARCHIVED:
        back += "?container=archived"
    return redirect(back)


@login_required
@require_GET
def message_open(request: AuthenticatedHttpRequest, message_id: uuid.UUID) -> HttpResponse:
    """A message's permalink: the chat with the other participant, marking it read."""
    me = _me(request)
    message = selectors.message_for_reader(user=request.user, message_id=message_id)
    other = message.recipient if message.sender_id == me.pk else message.sender
    services.message_mark_read(member=me, message=message)
    return redirect(reverse("messaging:chat", kwargs={"user_id": other.user_id}))


def _flag(request: AuthenticatedHttpRequest) -> bool:
    return request.POST.get("value", "1") not in ("0", "false", "off", "")


def _action_response(
    request: AuthenticatedHttpRequest, message, me, container: str | None
) -> HttpResponse:
    if request.htmx:
        row = _mailbox_row(message, me.user_id, _row_urls())
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


def _container(request: AuthenticatedHttpRequest) -> str | None:
    c = request.POST.get("container")
    return c if c in selectors.Container.ALL else None


@login_required
@require_POST
def message_star(request: AuthenticatedHttpRequest, message_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    message = selectors.message_for_participant(user=request.user, message_id=message_id)
    services.message_set_starred(member=me, message=message, starred=_flag(request))
    if request.POST.get("from") == "chat":  # the star on a chat bubble (issue 15)
        if request.htmx:
            return render(request, "messaging/_message.html", {"row": _row(message, me), "me": me})
        other = message.recipient if message.sender_id == me.pk else message.sender
        return redirect("messaging:chat", user_id=other.user_id)
    return _action_response(request, message, me, _container(request))


@login_required
@require_POST
def message_archive(request: AuthenticatedHttpRequest, message_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    message = selectors.message_for_participant(user=request.user, message_id=message_id)
    services.message_set_archived(member=me, message=message, archived=_flag(request))
    return _action_response(request, message, me, _container(request))


@login_required
@require_POST
def message_delete(request: AuthenticatedHttpRequest, message_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    message = selectors.message_for_participant(user=request.user, message_id=message_id)
    services.message_delete(member=me, message=message)
    if request.htmx:
        return HttpResponse("")
    return redirect(f"{reverse('messaging:mailbox')}?container={_container(request) or 'inbox'}")


@login_required
@require_POST
def message_read(request: AuthenticatedHttpRequest, message_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    message = selectors.message_for_reader(user=request.user, message_id=message_id)
    services.message_mark_read(member=me, message=message)
    return _action_response(request, message, me, _container(request))
