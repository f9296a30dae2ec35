from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("members/<uuid:user_id>/chat/", views.chat, name="chat"),
    path("members/<uuid:user_id>/chat/send/", views.chat_send, name="chat_send"),
    path("members/<uuid:user_id>/chat/read/", views.chat_read, name="chat_read"),
    path("messages/", views.mailbox, name="mailbox"),
    path(
        "messages/with/<uuid:user_id>/archive/",
        views.conversation_archive,
        name="conversation_archive",
    ),
    path("messages/with/<uuid:user_id>/mute/", views.conversation_mute, name="conversation_mute"),
    path("messages/<uuid:message_id>/", views.message_open, name="message_open"),
    path("messages/<uuid:message_id>/star/", views.message_star, name="message_star"),
    path("messages/<uuid:message_id>/archive/", views.message_archive, name="message_archive"),
    path("messages/<uuid:message_id>/delete/", views.message_delete, name="message_delete"),
    path("messages/<uuid:message_id>/read/", views.message_read, name="message_read"),
]
