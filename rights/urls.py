from django.urls import path

from . import views

app_name = "rights"

urlpatterns = [
    path("settings/data/", views.data_page, name="data"),
    path("settings/data/download/", views.data_download, name="data_download"),
    path("settings/delete/", views.delete_page, name="delete"),
]
