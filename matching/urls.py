from django.urls import path
from django.views.generic import RedirectView

from . import blocking_views, smart_views, views

app_name = "matching"

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    # placeholder until the deck lands
    path(
        "discover/",
        RedirectView.as_view(pattern_name="matching:member_list"),
        name="discover",
    ),
    path("smart-matches/", smart_views.smart_matches, name="smart_matches"),
    path("members/<uuid:user_id>/like/", views.like, name="like"),
    # placeholder until the deck lands (its Pass endpoint replaces this)
    path(
        "members/<uuid:user_id>/pass/",
        RedirectView.as_view(pattern_name="matching:member_list"),
        name="pass",
    ),
    path("members/<uuid:user_id>/unmatch/", views.unmatch, name="unmatch"),
    path("members/<uuid:user_id>/block/", views.block, name="block"),
    path("members/<uuid:user_id>/report/", views.report, name="report"),
    path("lists/", views.lists, name="lists"),
    path("views/", views.profile_views, name="views"),
    path("views/duration/", views.view_duration, name="view_duration"),
    path("interactions/click/", views.profile_click, name="profile_click"),
    path("location/", views.location_set, name="location_set"),
    path("location/city/", views.location_city, name="location_city"),
    path("location/cities/", views.city_options, name="city_options"),
    path("settings/blocked/", blocking_views.blocked_list, name="blocked_list"),
    path("settings/blocked/<uuid:user_id>/unblock/", blocking_views.unblock, name="unblock"),
]
