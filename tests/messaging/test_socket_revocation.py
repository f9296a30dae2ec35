"""Open /ws/ sockets follow their session (rules §3, §9; review 2026-12-01): logout, a password
change elsewhere, a ban or the account's deletion closes the sockets opened with the revoked
session (close code 4401) before any further event reaches them; a save that ends no session
leaves them open."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from messaging import services
from tests.messaging.test_consumers import make_member, session_cookie, socket_with_session

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_db_connections"),
]


async def _open(key: str) -> WebsocketCommunicator:
    socket = socket_with_session(key)
    connected, _ = await socket.connect()
    assert connected
    return socket


async def _next_frame(socket: WebsocketCommunicator) -> dict | None:
    try:
        return await socket.receive_output(timeout=2)
    except TimeoutError:
        return None


async def _assert_closed_without_message(socket, alice, bob) -> None:
    closed = await _next_frame(socket)  # the re-check closes the socket first
    await database_sync_to_async(services.message_send)(sender=alice, recipient=bob, text="private")
    nothing_after = await socket.receive_nothing(timeout=1)
    await socket.disconnect()
    assert closed == {"type": "websocket.close", "code": 4401}
    assert nothing_after  # no message text reaches a revoked session


@database_sync_to_async
def _change_password(user) -> None:
    user.set_password("a-brand-new-password-42")
    user.save(update_fields=["password"])


async def test_a_password_change_elsewhere_closes_the_other_sessions_sockets():
    alice, bob = await make_member(name="Alice"), await make_member(name="Bob")
    socket = await _open(await session_cookie(bob.user))  # e.g. an attacker's copy

    await _change_password(bob.user)

    await _assert_closed_without_message(socket, alice, bob)


async def test_logout_closes_that_sessions_sockets():
    alice, bob = await make_member(name="Alice"), await make_member(name="Bob")
    key = await session_cookie(bob.user)
    socket = await _open(key)

    @database_sync_to_async
    def logout() -> int:
        client = Client()
        client.cookies["sessionid"] = key
        return client.post("/accounts/logout/").status_code

    assert await logout() == 302
    await _assert_closed_without_message(socket, alice, bob)


async def test_a_ban_closes_the_members_sockets():
    from safety.moderation.services import Item, Kind, moderation_apply
    from tests.factories import UserFactory

    alice, bob = await make_member(name="Alice"), await make_member(name="Bob")
    socket = await _open(await session_cookie(bob.user))

    @database_sync_to_async
    def ban() -> None:
        from matching.models import Report

        report = Report.objects.create(reporter=alice.user, reported=bob.user, reason="scam")
        staff = UserFactory(is_staff=True)
        moderation_apply(moderator=staff, action="ban", items=[Item(Kind.REPORT, report.pk)])

    await ban()
    closed = await _next_frame(socket)
    await socket.disconnect()
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_a_save_that_ends_no_session_keeps_the_socket_open():
    alice, bob = await make_member(name="Alice"), await make_member(name="Bob")
    socket = await _open(await session_cookie(bob.user))

    await database_sync_to_async(bob.user.save)()  # a full save re-checks: still valid
    await database_sync_to_async(services.message_send)(sender=alice, recipient=bob, text="hi")
    frame = await socket.receive_json_from(timeout=2)
    await socket.disconnect()

    assert frame["type"] == "message.new"
