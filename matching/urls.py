from django.urls import path

from . import blocking_views, deck_views, smart_views, views

app_name = "matching"

urlpatterns = [
    path("discover/", deck_views.discover, name="discover"),
    path("discover/cards/", deck_views.discover_cards, name="discover_cards"),
    path("members/pass/undo/", deck_views.pass_undo, name="pass_undo"),
    path("members/", views.member_list, name="member_list"),
    path("smart-matches/", smart_views.smart_matches, name="smart_matches"),
    path("members/<uuid:user_id>/like/", views.like, name="like"),
    path("members/<uuid:user_id>/pass/", deck_views.pass_view, name="pass"),
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
