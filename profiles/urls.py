from django.urls import path

from . import views

app_name = "profiles"

urlpatterns = [
    path("complete-profile/", views.complete_profile, name="complete_profile"),
    path("complete-profile/draft/", views.complete_profile_draft, name="complete_profile_draft"),
    path("members/edit/", views.member_edit, name="member_edit"),
    path("members/edit/photos/", views.photo_upload, name="photo_upload"),
    path("members/edit/photos/<uuid:photo_id>/delete/", views.photo_delete, name="photo_delete"),
    path("members/edit/photos/<uuid:photo_id>/main/", views.photo_set_main, name="photo_set_main"),
    path("members/<uuid:user_id>/", views.member_detail, name="member_detail"),
]
