"""WebSocket routes. The messaging app owns the one authenticated socket (rules §9)."""

from django.urls import path

from messaging.consumers import RealtimeConsumer

websocket_urlpatterns: list = [
    path("ws/", RealtimeConsumer.as_asgi()),
]
