from django.urls import path

from . import views

app_name = "dateshare"

urlpatterns = [
    path("members/<uuid:user_id>/share-date/", views.share_page, name="share"),
    path("members/share-date/<uuid:share_id>/revoke/", views.revoke, name="revoke"),
    path("date/<str:token>/", views.public, name="public"),
    path("date/<str:token>/photo/", views.public_photo, name="public_photo"),
]
