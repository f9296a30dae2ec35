from django.urls import path

from . import views

app_name = "profiles"

urlpatterns = [
    path("complete-profile/", views.complete_profile, name="complete_profile"),
    path("members/edit/", views.member_edit, name="member_edit"),
    path("members/<uuid:user_id>/", views.member_detail, name="member_detail"),
]
