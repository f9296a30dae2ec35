"""Video intro pages (rules §4): manage / upload (through the site or straight to S3), delete,
and a stable play URL for an approved video. Views parse input and call one service."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miel.media import StorageFull
from miel.types import AuthenticatedHttpRequest

from . import selectors, video_services
from .decorators import MemberRequest, member_required
from .models import Video
from .video_services import VIDEO_MAX_SECONDS, VideoRejected

# Multipart overhead allowed on top of the file itself before a request is refused unparsed.
MULTIPART_SLACK_BYTES = 1024 * 1024


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _video_json(video: Video) -> dict:
    return {
        "id": str(video.pk),
        "is_approved": video.is_approved,
        "duration": video.duration,
        "url": video.url,
    }


def _error(request: MemberRequest, exc: VideoRejected | StorageFull) -> HttpResponse:
    message = exc.message if isinstance(exc, StorageFull) else exc.messages[0]
    if _wants_json(request):
        return JsonResponse({"error": message, "code": exc.code}, status=exc.status)
    return _manage_page(request, error=message, status=exc.status)


def _manage_page(request: MemberRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    member = request.member
    videos = list(Video.objects.filter(member=member).order_by("-created_at", "id"))
    return render(
        request,
        "profiles/video_manage.html",
        {
            "member": member,
            "videos": videos,
            "error": error,
            "direct_upload": video_services.video_direct_upload_available(),
            "max_mb": settings.VIDEO_MAX_BYTES // (1024 * 1024),
            "max_bytes": settings.VIDEO_MAX_BYTES,
            "max_seconds": VIDEO_MAX_SECONDS,
        },
        status=status,
    )


@member_required
def video_manage(request: MemberRequest) -> HttpResponse:
    """The member's video intro: current (approved / pending) videos and the upload form."""
    return _manage_page(request)


@member_required
@require_POST
def video_upload(request: MemberRequest) -> HttpResponse:
    """Upload through the site (multipart field ``file``). JSON for the XHR uploader, else a
    redirect back to the page. A body larger than the limit is refused before it is parsed."""
    member = request.member
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    try:
        if declared > settings.VIDEO_MAX_BYTES + MULTIPART_SLACK_BYTES:
            raise VideoRejected(
                _("The video is too large (at most %(mb)d MB).")
                % {"mb": settings.VIDEO_MAX_BYTES // (1024 * 1024)},
                code="too_large",
                status=413,
            )
        upload = request.FILES.get("file")
        if upload is None:
            raise VideoRejected(_("Choose a video file."), code="missing")
        video = video_services.video_add(member=member, upload=upload)
    except (VideoRejected, StorageFull) as exc:  # StorageFull: 507, nothing kept
        return _error(request, exc)
    message = _("Your video was uploaded. It will appear on your profile once approved.")
    if _wants_json(request):
        return JsonResponse(
            {
                "video": _video_json(video),
                "message": message,
                "redirect": reverse("profiles:video_manage"),
            },
            status=201,
        )
    messages.success(request, message)
    return redirect("profiles:video_manage")


@member_required
@require_POST
def video_direct_start(request: MemberRequest) -> HttpResponse:
    """Start a direct upload to S3: returns the presigned POST (url + fields) and a token."""
    member = request.member
    try:
        size = int(request.POST.get("size", ""))
    except ValueError:
        return JsonResponse({"error": _("The file size is missing.")}, status=400)
    try:
        direct = video_services.video_direct_upload_start(
            member=member, content_type=request.POST.get("content_type", ""), size=size
        )
    except VideoRejected as exc:
        return JsonResponse({"error": exc.messages[0], "code": exc.code}, status=exc.status)
    return JsonResponse(
        {"url": direct.upload.url, "fields": direct.upload.fields, "token": direct.token}
    )


@member_required
@require_POST
def video_direct_confirm(request: MemberRequest) -> HttpResponse:
    """Confirm a direct upload: the object is validated from storage and becomes a pending video."""
    member = request.member
    try:
        video = video_services.video_direct_upload_confirm(
            member=member, token=request.POST.get("token", "")
        )
    except VideoRejected as exc:
        return JsonResponse({"error": exc.messages[0], "code": exc.code}, status=exc.status)
    except StorageFull as exc:
        return JsonResponse({"error": exc.message, "code": exc.code}, status=exc.status)
    return JsonResponse(
        {
            "video": _video_json(video),
            "message": _("Your video was uploaded. It will appear on your profile once approved."),
            "redirect": reverse("profiles:video_manage"),
        },
        status=201,
    )


@member_required
@require_POST
def video_delete(request: MemberRequest, video_id: str) -> HttpResponse:
    """Delete one of the member's own videos (404 for anyone else's)."""
    member = request.member
    video_services.video_delete(member=member, video_id=video_id)
    messages.success(request, _("The video was deleted."))
    return redirect("profiles:video_manage")


@login_required
def video_play(request: AuthenticatedHttpRequest, user_id: str) -> HttpResponse:
    """Redirect to the storage URL of a member's approved video (a fresh signed URL on S3).
    404 when there is none, for blocked pairs and unknown members."""
    member = selectors.member_for_profile_page(viewer=request.user, user_id=user_id)
    video = Video.objects.filter(member=member, is_approved=True).order_by("-created_at").first()
    if video is None:
        raise Http404
    return HttpResponseRedirect(video.url)
