"""Read replicas (issue 21): which database a query goes to.

``DATABASE_REPLICA_URLS`` (settings) adds one ``replicaN`` database per URL and lists their
aliases in ``DATABASE_REPLICAS``. :class:`ReplicaRouter` then sends

- every write, every read inside a transaction, and every read outside a replica-eligible
  request (Celery tasks, commands, WebSockets, most pages) to ``default`` (the primary);
- reads of a *replica-eligible* request to a replica chosen at random.

A request is replica-eligible when :class:`ReplicaRoutingMiddleware` (or the
:func:`replica_reads` decorator) marks it: a GET/HEAD of one of the read-heavy pages that
tolerate a few seconds of staleness (``REPLICA_VIEW_NAMES``: the discover deck, the members
list, profile pages, smart matches), by a browser that has not written in the last
``REPLICA_READ_YOUR_WRITES_SECONDS``. The mark is a :mod:`contextvars` flag that the router
reads, so it follows the request's own code and nothing else.

Read-your-writes: every request with an unsafe method (POST, PUT, PATCH, DELETE) sets a
``miel_rw`` cookie with the time, and for a signed-in member a cache key with the same
lifetime, so the next pages of that member (in any browser, as long as the cache answers)
read from the primary and see what they just did.
"""

from __future__ import annotations

import contextlib
import functools
import random
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

_replica_reads: ContextVar[bool] = ContextVar("miel_replica_reads", default=False)

RW_COOKIE = "miel_rw"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def replica_aliases() -> list[str]:
    """The database aliases of the configured replicas (may be empty)."""
    return [a for a in getattr(settings, "DATABASE_REPLICAS", []) if a in settings.DATABASES]


@contextlib.contextmanager
def reading_from_replica(enabled: bool = True) -> Iterator[None]:
    """Within the block, reads outside transactions may go to a replica."""
    token = _replica_reads.set(enabled)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads_enabled() -> bool:
    """True when the current code runs for a replica-eligible request."""
    return _replica_reads.get()


class ReplicaRouter:
    """Database router: writes and most reads to ``default``, replica-eligible reads to a
    replica (see the module docstring)."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not _replica_reads.get():
            return DEFAULT_DB_ALIAS
        aliases = replica_aliases()
        if not aliases or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # a read inside a transaction sees the transaction
        return random.choice(aliases)

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: object, obj2: object, **hints: Any) -> bool:
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db in replica_aliases() else None


def wrote_recently(request: HttpRequest) -> bool:
    """True when this browser (``miel_rw`` cookie) or this member (cache) made a write request
    within ``REPLICA_READ_YOUR_WRITES_SECONDS``."""
    window = float(getattr(settings, "REPLICA_READ_YOUR_WRITES_SECONDS", 5.0))
    now = time.time()
    try:
        if now - float(request.COOKIES.get(RW_COOKIE, "0")) < window:
            return True
    except ValueError:
        pass
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        stamp = cache.get(f"rw:{user.pk}")
        if stamp is not None and now - float(stamp) < window:
            return True
    return False


def note_write(request: HttpRequest, response: HttpResponse) -> None:
    """Remember that ``request`` wrote: cookie on ``response`` and, for a member, the cache."""
    window = float(getattr(settings, "REPLICA_READ_YOUR_WRITES_SECONDS", 5.0))
    now = time.time()
    response.set_cookie(
        RW_COOKIE,
        f"{now:.3f}",
        max_age=max(1, int(window) + 1),
        httponly=True,
        samesite="Lax",
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
    )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cache.set(f"rw:{user.pk}", now, timeout=max(1, int(window) + 1))


def replica_eligible(request: HttpRequest) -> bool:
    """A GET/HEAD by a browser that has not written lately, with replicas configured."""
    return (
        request.method in ("GET", "HEAD")
        and bool(replica_aliases())
        and not wrote_recently(request)
    )


def replica_reads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """View decorator: the view's reads may come from a replica (same rules as the
    middleware's ``REPLICA_VIEW_NAMES``)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with reading_from_replica(replica_eligible(request)):
            return view(request, *args, **kwargs)

    return wrapper


class ReplicaRoutingMiddleware:
    """Marks replica-eligible requests to the pages named in ``REPLICA_VIEW_NAMES`` and
    records writes for read-your-writes. Sits after the authentication middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        finally:
            _replica_reads.set(False)
        if request.method not in SAFE_METHODS and replica_aliases():
            note_write(request, response)
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        match = request.resolver_match
        names = set(getattr(settings, "REPLICA_VIEW_NAMES", ()))
        if match is not None and match.view_name in names and replica_eligible(request):
            _replica_reads.set(True)
