from django.urls import path

from . import views

app_name = "profiles"

urlpatterns = [
    path("complete-profile/", views.complete_profile, name="complete_profile"),
    path("complete-profile/draft/", views.complete_profile_draft, name="complete_profile_draft"),
    path("me/", views.me, name="me"),
    path("members/edit/", views.member_edit, name="member_edit"),
    path("members/edit/photos/", views.photo_upload, name="photo_upload"),
    path("members/edit/photos/<uuid:photo_id>/delete/", views.photo_delete, name="photo_delete"),
    path("members/edit/photos/<uuid:photo_id>/main/", views.photo_set_main, name="photo_set_main"),
    path("members/edit/photos/<uuid:photo_id>/move/", views.photo_move, name="photo_move"),
    path(
        "members/edit/photos/<uuid:photo_id>/describe/",
        views.photo_describe,
        name="photo_describe",
    ),
    path("members/edit/photos/order/", views.photo_reorder, name="photo_reorder"),
    path("members/<uuid:user_id>/", views.member_detail, name="member_detail"),
]

# Video intro (helper 8: profiles/video_views.py).
from . import video_views  # noqa: E402

urlpatterns += [
    path("members/edit/video/", video_views.video_manage, name="video_manage"),
    path("members/edit/video/upload/", video_views.video_upload, name="video_upload"),
    path("members/edit/video/direct/", video_views.video_direct_start, name="video_direct_start"),
    path(
        "members/edit/video/direct/confirm/",
        video_views.video_direct_confirm,
        name="video_direct_confirm",
    ),
    path(
        "members/edit/video/<uuid:video_id>/delete/",
        video_views.video_delete,
        name="video_delete",
    ),
    path("members/<uuid:user_id>/video/", video_views.video_play, name="video_play"),
]

# Voice prompt (issue 18).
from . import voice_views  # noqa: E402

urlpatterns += [
    path("members/edit/voice/", voice_views.voice_manage, name="voice_manage"),
    path(
        "members/edit/voice/<uuid:voice_id>/transcript/",
        voice_views.voice_transcript,
        name="voice_transcript",
    ),
    path(
        "members/edit/voice/<uuid:voice_id>/delete/", voice_views.voice_delete, name="voice_delete"
    ),
]

# Selfie verification (rules §4): the member's page and the staff queue.
from .verification import views as verification_views  # noqa: E402

urlpatterns += [
    path("settings/verification/", verification_views.verification_page, name="verification"),
    path("moderation/selfies/", verification_views.selfie_queue, name="selfie_queue"),
    path(
        "moderation/selfies/<uuid:selfie_id>/decide/",
        verification_views.selfie_decide,
        name="selfie_decide",
    ),
    path(
        "moderation/selfies/<uuid:selfie_id>/image/",
        verification_views.selfie_image,
        name="selfie_image",
    ),
]

# Settings → Visibility (rules §5): pause, incognito, show my distance.
from .visibility import views as visibility_views  # noqa: E402

urlpatterns += [
    path("settings/visibility/", visibility_views.visibility_update, name="visibility"),
]
