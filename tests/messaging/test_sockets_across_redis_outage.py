"""Live sockets across a Redis outage (issue 13 item 1): while the channel layer's Redis is
unreachable a socket is closed (the browser's realtime.js reconnects with backoff) and chat
sends still answer 200; once Redis is back a new socket gets events again, with no restart."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit

import pytest
from websockets.asyncio.client import connect

from messaging.models import Message
from tests.asgi_server import asgi_server
from tests.conftest import is_postgresql, require_service
from tests.factories import MemberFactory
from tests.messaging.test_realtime_redis import http_send, session_for
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.integration, pytest.mark.chat_rule]  # makes its own match


def test_sockets_close_during_a_redis_outage_and_work_again_after(transactional_db, redis_url):
    require_service(is_postgresql(), "needs PostgreSQL shared with the server process")
    from matching import services as matching_services

    alice, bob = MemberFactory(name="Alice"), MemberFactory(name="Bob")
    matching_services.like_toggle(source=alice, target=bob)
    matching_services.like_toggle(source=bob, target=alice)
    alice_session, bob_session = session_for(alice.user), session_for(bob.user)
    target = urlsplit(redis_url)
    with TcpProxy(target.hostname or "127.0.0.1", target.port or 6379) as proxy:
        env = {"REDIS_URL": proxy.url(redis_url), "REDIS_RETRY_SECONDS": "0.3"}
        with asgi_server(extra_env=env) as server:
            headers = {"Cookie": f"sessionid={bob_session}"}

            async def socket_closes_when_redis_goes() -> int | None:
                async with connect(
                    server.ws_url, additional_headers=headers, origin=server.url
                ) as ws:
                    proxy.stop()
                    await asyncio.wait_for(ws.wait_closed(), timeout=15)
                    return ws.close_code

            assert asyncio.run(socket_closes_when_redis_goes()) is not None
            # The write still works, without its push.
            response = http_send(server.url, alice_session, bob.user_id, "during")
            assert response.status_code == 200, response.text[:300]

            proxy.start()
            time.sleep(0.5)

            async def next_event(text: str) -> dict:
                async with connect(
                    server.ws_url, additional_headers=headers, origin=server.url
                ) as ws:
                    response = await asyncio.to_thread(
                        http_send, server.url, alice_session, bob.user_id, text
                    )
                    assert response.status_code == 200, response.text[:300]
                    while True:
                        event = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
                        if event["type"] == "message.new":
                            return event

            deadline = time.monotonic() + 10
            while True:  # the first handshake may still meet a connection cut by the outage
                try:
                    event = asyncio.run(next_event("after"))
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
    assert event["message"]["text"] == "after"
    assert set(Message.objects.values_list("text", flat=True)) >= {"during", "after"}
