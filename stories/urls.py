from django.urls import path

from . import views

app_name = "stories"

urlpatterns = [
    path("stories/new/", views.story_new, name="new"),
    path("stories/mine/", views.my_stories, name="mine"),
    path("stories/strip/", views.strip, name="strip"),
    path("stories/<uuid:story_id>/", views.story_detail, name="detail"),
    path("stories/<uuid:story_id>/image/", views.story_image, name="image"),
    path("stories/<uuid:story_id>/view/", views.story_view, name="view"),
    path("stories/<uuid:story_id>/react/", views.story_react, name="react"),
    path("stories/<uuid:story_id>/reply/", views.story_reply, name="reply"),
    path("stories/<uuid:story_id>/delete/", views.story_delete, name="delete"),
    path("stories/<uuid:story_id>/insights/", views.story_insights, name="insights"),
]
