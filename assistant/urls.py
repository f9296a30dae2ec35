from django.urls import path

from . import views

app_name = "assistant"

urlpatterns = [
    path("assistant/", views.panel, name="panel"),
    path("assistant/send/", views.send, name="send"),
    path("assistant/clear/", views.clear, name="clear"),
    path("assistant/answers/<uuid:message_id>/refund/", views.refund, name="refund"),
    path("assistant/api/chat/", views.api_chat, name="api_chat"),
]
