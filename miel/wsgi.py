"""WSGI entry point: production HTTP (gunicorn; WebSockets need the ASGI app in ``miel.asgi``).

Live events pushed from these request threads go through :mod:`miel.realtime`, which keeps one
event loop (and so one Redis connection pool) per process for them (rules §9, §16).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miel.settings")

application = get_wsgi_application()
