"""The WSGI entry point (production HTTP, README "Running on PostgreSQL + Redis"; SPEC §16):
requests are served, and the live events they send reuse one event loop per process instead of
a new loop (and a new Redis connection) per push."""

from __future__ import annotations

import asyncio
import threading
import uuid
from io import BytesIO

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from miel import realtime, wsgi


def _in_thread(fn):  # type: ignore[no-untyped-def]
    """Run ``fn`` in a fresh thread (as a server's worker thread) and return its result."""
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # re-raised in the test thread
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in out:
        raise out["error"]
    return out["value"]


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def test_every_request_thread_hands_async_work_to_the_process_loop():
    def request_thread() -> tuple:
        wsgi.use_event_loop()
        return async_to_sync(_running_loop)(), async_to_sync(_running_loop)()

    first, second = _in_thread(request_thread)
    (third, _) = _in_thread(request_thread)

    assert first is second is third is wsgi.event_loop()
    assert first.is_running()


@pytest.mark.django_db
def test_the_wsgi_application_serves_requests_bound_to_the_loop():
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
        body = b"".join(wsgi.application(environ, start_response))
        return body, async_to_sync(_running_loop)()

    body, loop = _in_thread(request_thread)

    assert seen["status"].startswith("200")
    assert body
    assert loop is wsgi.event_loop()


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
        def request_thread() -> tuple[bool, bool]:
            wsgi.use_event_loop()
            return realtime.send_now(user_id, event), realtime.send_now(user_id, event)

        return _in_thread(request_thread)

    got = asyncio.run(listen())

    assert got["first"] == {"type": realtime.EVENT_HANDLER, "event": event}
    assert got["second"] == got["first"]
