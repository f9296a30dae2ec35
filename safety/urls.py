from django.urls import path

from . import views

app_name = "safety"

urlpatterns = [
    path("safety/", views.page, {"name": "safety"}, name="safety"),
    path("privacy/", views.page, {"name": "privacy"}, name="privacy"),
    path("terms/", views.page, {"name": "terms"}, name="terms"),
    path("appeal/", views.appeal, name="appeal"),
    path("moderation/story/<uuid:story_id>/image/", views.story_image, name="story_image"),
]
