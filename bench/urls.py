"""Routes of the bench-only views; mounted at ``/_bench/`` only when ``MIEL_BENCH=1``."""

from django.urls import path

from . import views

app_name = "bench"

urlpatterns = [
    path("hello", views.hello, name="hello"),
    path("members-naive/", views.members_naive, name="members_naive"),
    path("members-offset/", views.members_offset, name="members_offset"),
]
