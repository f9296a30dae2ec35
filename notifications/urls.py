from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("notifications/push/unsubscribe/", views.push_unsubscribe, name="push_unsubscribe"),
    path("notifications/push/settings/", views.push_preferences, name="push_settings"),
    path("notifications/push/prompt-done/", views.push_prompt_done, name="push_prompt_done"),
    path("notifications/quiet/", views.quiet_settings, name="quiet_settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
