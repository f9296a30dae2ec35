"""ASGI entry point: HTTP through Django, WebSockets at ``/ws/`` through Channels (rules §9).

What a socket handshake costs matters (rules §16: 1 000 sockets reconnecting within 5 s):

- The socket stack has channels' cookie and session middleware but not its AuthMiddleware:
  the consumer loads the session's user itself, in the same thread trip as the rest of its
  connect work (``messaging.consumers._socket_open``), instead of one more trip on the
  process's single thread-sensitive thread per handshake.
- :class:`ProcessCaches`: Django keeps one cache client per *async task*, so every socket
  built its own Redis connection pool and opened new TCP connections for its session
  (``cached_db``) and presence counter. Sockets share the process's clients instead.
- :func:`tune_gc` (issue 20): with thousands of sockets open, Python's full collections
  (every object of the process traversed, the event loop stopped meanwhile) took 200-400 ms
  each, 10-12 times per server in a two-minute run at 120 chat messages a second: those
  pauses, not the CPU, were the live chat's p95 and p99.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miel.settings")

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402

from messaging.nudges import nudge_match  # noqa: E402
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


def tune_gc(thresholds: list[int] | tuple[int, ...]) -> None:
    """The socket server's garbage collector (issue 20), once the application is loaded:
    ``gc.freeze()`` moves every object that exists now (Django, the URL conf, the compiled
    templates: ~150 000 objects, ~80 ms per full collection on its own) out of all future
    collections, and ``gc.set_threshold(*thresholds)`` collects the young generation every
    ``thresholds[0]`` allocations instead of 700, so fewer objects of a socket's short work
    are promoted (a 5 000-socket bench run: one full collection per server instead of 10-12).
    Reference counting frees objects as before; only cycles wait longer. Empty
    ``thresholds``: nothing changes (the test suite)."""
    if not thresholds:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)


# The nudge list's expression, compiled before the first chat message (and frozen with the rest).
nudge_match("warm up")
tune_gc(settings.ASGI_GC_THRESHOLDS)
