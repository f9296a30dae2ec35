"""ASGI entry point: HTTP through Django, WebSockets at ``/ws/`` through Channels (SPEC §9).

The socket stack has channels' cookie and session middleware but not its AuthMiddleware: the
consumer loads the session's user itself, in the same thread trip as the rest of its connect
work (``messaging.consumers._socket_open``), instead of one more trip on the process's single
thread-sensitive thread per handshake (SPEC §16 reconnect target).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miel.settings")

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402

from miel.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            SessionMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
