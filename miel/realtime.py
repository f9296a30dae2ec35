"""Real-time pushes to a user's WebSocket group (SPEC §9).

Services call :func:`push_to_user` inside their transaction; the event is sent only after the
database commit, and a channel-layer failure (Redis down) is logged, never raised: the data is
already saved and the next page load shows it.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

#: The consumer handler name every pushed event goes through.
EVENT_HANDLER = "miel.event"


def user_group(user_id: UUID | str) -> str:
    """Group name for one user's sockets, built only from the id (SPEC §9)."""
    return f"user.{UUID(str(user_id)).hex}"


def send_now(user_id: UUID | str, event: dict[str, Any]) -> bool:
    """Send ``event`` (JSON-able, with a ``type`` key) to ``user_id``'s sockets immediately.

    Returns False (and logs) when the channel layer is unreachable.
    """
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(
            user_group(user_id), {"type": EVENT_HANDLER, "event": event}
        )
    except Exception:  # channel layer down: the event is best-effort by design
        logger.warning("realtime push to %s failed", user_id, exc_info=True)
        return False
    return True


def push_to_user(user_id: UUID | str, event_type: str, **payload: Any) -> None:
    """Queue ``{"type": event_type, **payload}`` for ``user_id``, sent after commit."""
    event = {"type": event_type, **payload}
    transaction.on_commit(lambda: send_now(user_id, event))
