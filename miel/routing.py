"""WebSocket routes. The messaging app owns the one authenticated socket (SPEC §9)."""

websocket_urlpatterns: list = []
