from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
]
