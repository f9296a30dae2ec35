"""The WSGI entry point (production HTTP, README "Running on PostgreSQL + Redis"; rules §16):
requests are served, and the live events their threads push reach the users' sockets through
the Redis channel layer (one event loop per process: ``miel.realtime``)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from io import BytesIO

import pytest
from channels.layers import get_channel_layer
from django.db import connections

from miel import realtime, wsgi


def _in_thread(fn):  # type: ignore[no-untyped-def]
    """Run ``fn`` in a fresh thread (as a server's worker thread) and return its result."""
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # re-raised in the test thread
            out["error"] = exc
        finally:
            connections.close_all()  # this thread's connection, as a server closes it

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.mark.django_db
def test_the_wsgi_application_serves_requests():
    seen: dict = {}

    def start_response(status: str, headers: list) -> None:
        seen["status"] = status

    def request_thread() -> bytes:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/healthz",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(b""),
            "wsgi.errors": BytesIO(),
        }
        return b"".join(wsgi.application(environ, start_response))

    body = _in_thread(request_thread)

    assert seen["status"].startswith("200")
    assert body


def test_a_push_from_a_request_thread_reaches_the_users_sockets(redis_url):
    """Through the Redis channel layer, as from a gunicorn worker to the /ws/ processes."""
    layer = get_channel_layer()
    user_id = uuid.uuid4()
    event = {"type": "test.ping", "n": 1}

    async def listen() -> dict:
        channel = await layer.new_channel()
        await layer.group_add(realtime.user_group(user_id), channel)
        try:
            sent = asyncio.get_running_loop().run_in_executor(None, push_twice)
            first = await asyncio.wait_for(layer.receive(channel), 5)
            second = await asyncio.wait_for(layer.receive(channel), 5)
            assert await sent == (True, True)
            return {"first": first, "second": second}
        finally:
            await layer.group_discard(realtime.user_group(user_id), channel)

    def push_twice() -> tuple[bool, bool]:
        # Two request threads, as two gunicorn threads of one worker: both reach the sockets.
        return (
            _in_thread(lambda: realtime.send_now(user_id, event)),
            _in_thread(lambda: realtime.send_now(user_id, event)),
        )

    got = asyncio.run(listen())

    assert got["first"] == {"type": realtime.EVENT_HANDLER, "event": event}
    assert got["second"] == got["first"]
