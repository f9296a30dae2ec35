"""Voice prompt pages (issue 18): record or upload, edit the transcript, delete. Views parse
input and call one service (profiles.voice_services)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from miel.media import StorageFull

from . import selectors, voice_services
from .models import Member, Prompt, VoicePrompt
from .voice_services import (
    TRANSCRIPT_MAX,
    VOICE_MAX_BYTES,
    VOICE_MAX_SECONDS,
    VoiceRejected,
)

# Multipart overhead allowed on top of the file before a request is refused unparsed.
MULTIPART_SLACK_BYTES = 256 * 1024


def _member(request: HttpRequest) -> Member:
    """The signed-in member (every view here is ``login_required``)."""
    return selectors.member_for_user(user=cast(User, request.user))


def _page(
    request: HttpRequest,
    *,
    error: str = "",
    error_field: str = "",
    status: int = 200,
    chosen_prompt: int = 0,
    transcript: str = "",
) -> HttpResponse:
    """The page; after a rejected upload the member's prompt choice and transcript stay and the
    error sits next to ``error_field`` ("prompt", "file" or a voice id's transcript), focused."""
    member = _member(request)
    voices = list(
        VoicePrompt.objects.filter(member=member).select_related("prompt").order_by("-created_at")
    )
    for voice in voices:  # a rejected transcript's error goes next to that transcript
        voice.transcript_error = error if error_field == f"transcript-{voice.pk}" else ""  # type: ignore[attr-defined]
    return render(
        request,
        "profiles/voice_manage.html",
        {
            "member": member,
            "voices": voices,
            "prompts": Prompt.objects.all(),
            "error": error,
            "error_field": error_field or "file",
            "chosen_prompt": chosen_prompt,
            "transcript": transcript,
            "max_seconds": VOICE_MAX_SECONDS,
            "max_mb": VOICE_MAX_BYTES // (1024 * 1024),
            "max_bytes": VOICE_MAX_BYTES,
            "transcript_max": TRANSCRIPT_MAX,
        },
        status=status,
    )


@login_required
def voice_manage(request: HttpRequest) -> HttpResponse:
    """GET: the member's voice prompt (approved / pending) and the recorder. POST (multipart
    ``prompt``, ``file``, optional ``transcript``): a new pending voice prompt, or the page
    again with the error and its status (400 / 413 / 415 / 422 / 507)."""
    if request.method != "POST":
        return _page(request)
    member = _member(request)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    try:
        if declared > VOICE_MAX_BYTES + MULTIPART_SLACK_BYTES:
            raise VoiceRejected(
                _("The recording is too large (at most %(mb)d MB).")
                % {"mb": VOICE_MAX_BYTES // (1024 * 1024)},
                code="too_large",
                status=413,
            )
        prompt = Prompt.objects.filter(pk=_int(request.POST.get("prompt"))).first()
        if prompt is None:
            raise VoiceRejected(_("Choose the prompt you are answering."), code="no_prompt")
        upload = request.FILES.get("file")
        if upload is None:
            raise VoiceRejected(_("Record or choose a recording."), code="missing")
        voice_services.voice_add(
            member=member,
            prompt=prompt,
            upload=upload,
            transcript=request.POST.get("transcript", ""),
        )
    except (VoiceRejected, StorageFull) as exc:
        message = exc.messages[0] if isinstance(exc, VoiceRejected) else exc.message
        return _page(
            request,
            error=message,
            error_field="prompt" if getattr(exc, "code", "") == "no_prompt" else "file",
            status=exc.status,
            chosen_prompt=_int(request.POST.get("prompt")),
            transcript=request.POST.get("transcript", ""),
        )
    messages.success(
        request, _("Your recording was saved. It will appear on your profile once approved.")
    )
    return redirect("profiles:voice_manage")


def _int(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        return 0


@login_required
@require_POST
def voice_transcript(request: HttpRequest, voice_id: str) -> HttpResponse:
    """Save the transcript of one of the member's voice prompts (404 for anyone else's)."""
    member = _member(request)
    try:
        voice_services.voice_set_transcript(
            member=member, voice_id=voice_id, transcript=request.POST.get("transcript", "")
        )
    except VoiceRejected as exc:
        return _page(
            request, error=exc.messages[0], error_field=f"transcript-{voice_id}", status=exc.status
        )
    messages.success(request, _("The transcript was saved."))
    return redirect("profiles:voice_manage")


@login_required
@require_POST
def voice_delete(request: HttpRequest, voice_id: str) -> HttpResponse:
    """Delete one of the member's voice prompts (404 for anyone else's)."""
    member = _member(request)
    voice_services.voice_delete(member=member, voice_id=voice_id)
    messages.success(request, _("The recording was deleted."))
    return redirect("profiles:voice_manage")
