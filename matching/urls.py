from django.urls import path

from . import smart_views, views

app_name = "matching"

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("smart-matches/", smart_views.smart_matches, name="smart_matches"),
]
