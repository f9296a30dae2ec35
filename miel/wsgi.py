"""WSGI entry point: production HTTP (gunicorn; WebSockets need the ASGI app in ``miel.asgi``).

Live events are sent from sync code with ``async_to_sync`` (``miel.realtime``). In a plain WSGI
thread asgiref would start a new thread and a new event loop for every call, and the Redis
channel layer, whose connection pools belong to a loop, would open and close a Redis connection
for every push (~14 ms and ~4 ms of CPU per push on 2 cores, against ~3 ms and ~0.8 ms under
ASGI: SPEC §16). So each worker process keeps one event loop running in a background thread and
every request thread hands its ``async_to_sync`` calls to it, as an ASGI server's loop would.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from asgiref.sync import SyncToAsync
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miel.settings")

django_application = get_wsgi_application()

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def event_loop() -> asyncio.AbstractEventLoop:
    """This process's background event loop (started on first use, again after a fork)."""
    global _loop, _loop_pid
    pid = os.getpid()
    if _loop is not None and _loop_pid == pid:
        return _loop
    with _lock:
        if _loop is None or _loop_pid != pid:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="miel-wsgi-loop", daemon=True).start()
            _loop, _loop_pid = loop, pid
    return _loop


def use_event_loop() -> None:
    """Make ``async_to_sync`` in the current thread run on :func:`event_loop` (asgiref looks
    for the loop of an enclosing ``sync_to_async``, which is what it finds under ASGI)."""
    SyncToAsync.threadlocal.main_event_loop = event_loop()
    SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Django's WSGI application, with the request thread bound to the process's event loop."""
    use_event_loop()
    return django_application(environ, start_response)
