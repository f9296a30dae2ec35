"""Remember that a service (the channel layer, the Celery broker) just failed, so the calls of
the next few seconds skip it instead of each waiting for its own connection error or timeout
(issue 13 item 1). After ``settings.REDIS_RETRY_SECONDS`` the next call tries again: recovery
needs nobody.

One :class:`Breaker` per service and process; thread-safe enough for its purpose (a race only
means one more attempt).
"""

from __future__ import annotations

import threading
import time

import redis
from django.conf import settings
from kombu.exceptions import OperationalError

#: Errors that mean "the service cannot be reached", as opposed to a bug in the caller.
UNREACHABLE: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OperationalError,
    ConnectionError,
    TimeoutError,
    OSError,
)

_all: list[Breaker] = []


class Breaker:
    def __init__(self, name: str) -> None:
        self.name = name
        self._down_until = 0.0
        self._lock = threading.Lock()
        _all.append(self)

    @property
    def is_open(self) -> bool:
        """True while calls should skip the service (within the retry window of a failure)."""
        return time.monotonic() < self._down_until

    def failed(self) -> bool:
        """Record a failure now; True when the service was considered up until now (the
        caller logs the outage once, not once per call)."""
        retry_after = float(getattr(settings, "REDIS_RETRY_SECONDS", 5.0))
        with self._lock:
            was_up = self._down_until == 0.0
            self._down_until = time.monotonic() + retry_after
        return was_up

    def succeeded(self) -> None:
        """Record a successful call: the service is up."""
        self._down_until = 0.0


def reset_all() -> None:
    """Forget every recorded failure (tests)."""
    for breaker in _all:
        breaker.succeeded()
