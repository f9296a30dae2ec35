from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("settings/", views.account_settings, name="settings"),
    path("accounts/verification/resend/", views.verification_resend, name="verification_resend"),
]

# Account rights (helper 8: accounts/views_rights.py).
from . import views_rights  # noqa: E402

urlpatterns += [
    path("settings/data/", views_rights.data_page, name="data"),
    path("settings/data/download/", views_rights.data_download, name="data_download"),
    path("settings/delete/", views_rights.delete_page, name="delete"),
]
