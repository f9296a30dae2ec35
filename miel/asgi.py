"""ASGI entry point: HTTP through Django, WebSockets at ``/ws/`` through Channels (rules §9).

What a socket handshake costs matters (rules §16: 1 000 sockets reconnecting within 5 s):

- The socket stack has channels' cookie and session middleware but not its AuthMiddleware:
  the consumer loads the session's user itself, in the same thread trip as the rest of its
  connect work (``messaging.consumers._socket_open``), instead of one more trip on the
  process's single thread-sensitive thread per handshake.
- :class:`ProcessCaches`: Django keeps one cache client per *async task*, so every socket
  built its own Redis connection pool and opened new TCP connections for its session
  (``cached_db``) and presence counter. Sockets share the process's clients instead.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miel.settings")

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402

from miel.metrics import WebSocketMetrics  # noqa: E402
from miel.routing import websocket_urlpatterns  # noqa: E402


class ProcessCaches:
    """ASGI middleware: the connection's task uses this process's cache clients.

    ``django.core.cache.caches`` is local to each asyncio task (asgiref ``Local``), so without
    this every WebSocket created a new client, hence a new Redis pool and TCP connection, the
    first time its session or presence counter touched the cache. The clients are created once
    per process and shared: Django's Redis and local-memory backends are thread-safe.
    """

    def __init__(self, inner) -> None:
        self.inner = inner
        self.shared: dict | None = None

    async def __call__(self, scope, receive, send):
        if self.shared is None:
            self.shared = {alias: caches.create_connection(alias) for alias in settings.CACHES}
        for alias, cache in self.shared.items():
            caches[alias] = cache  # visible to this task and the threads it hands work to
        return await self.inner(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": WebSocketMetrics(  # open sockets for /metrics (issue 21)
            AllowedHostsOriginValidator(
                ProcessCaches(SessionMiddlewareStack(URLRouter(websocket_urlpatterns)))
            )
        ),
    }
)
