from django.urls import path

from .views import blocks, deck, members, smart

app_name = "matching"

urlpatterns = [
    path("discover/", deck.discover, name="discover"),
    path("discover/cards/", deck.discover_cards, name="discover_cards"),
    path("members/pass/undo/", deck.pass_undo, name="pass_undo"),
    path("members/", members.member_list, name="member_list"),
    path("smart-matches/", smart.smart_matches, name="smart_matches"),
    path("members/<uuid:user_id>/like/", members.like, name="like"),
    path("members/<uuid:user_id>/pass/", deck.pass_view, name="pass"),
    path("members/<uuid:user_id>/unmatch/", members.unmatch, name="unmatch"),
    path("members/<uuid:user_id>/block/", members.block, name="block"),
    path("members/<uuid:user_id>/report/", members.report, name="report"),
    path("lists/", members.lists, name="lists"),
    path("views/", members.profile_views, name="views"),
    path("views/duration/", members.view_duration, name="view_duration"),
    path("interactions/click/", members.profile_click, name="profile_click"),
    path("location/", members.location_set, name="location_set"),
    path("location/city/", members.location_city, name="location_city"),
    path("location/cities/", members.city_options, name="city_options"),
    path("settings/blocked/", blocks.blocked_list, name="blocked_list"),
    path("settings/blocked/<uuid:user_id>/unblock/", blocks.unblock, name="unblock"),
]
