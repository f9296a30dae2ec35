"""A few seconds' cache of a member's own rendering of a page (issue 20, ``docs/performance.md``).

The hot member pages (the Discover deck, the members list, the conversations list, a chat, Likes,
a profile) are personal, so no shared cache can hold them; but a member moves between the
tabs and back, and opens the same page again, far more often than anything on it changes. The
page's whole HTML is kept per **viewer** for ``PAGE_CACHE_SECONDS`` (default 5; 0 turns it off)
under a key made of:

- the viewer's id and their **page version**: a value in the cache, renewed
  (:func:`viewer_pages_changed`) after every write the viewer makes (any non-GET request,
  :class:`PageVersionMiddleware`) and after commit of every live event pushed to them
  (:func:`miel.realtime.push_to_users`: a message, a like, a match, an unmatch, a
  notification...), so what they did or received shows on the very next page;
- the language, the path with its query string, whether htmx asked, and a hash of the CSRF
  cookie (the forms' tokens belong to it).

A change by someone else that pushes nothing to the viewer (another member's new photo) shows
within the few seconds. Never cached: anything but a 200 GET from a signed-in member with a CSRF
cookie, a page with a flash message waiting, a response setting a cookie. The cache being down
(Redis) only means every request renders (:mod:`miel.cache` turns errors into misses).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

#: How long a page version lives (any unknown version simply starts again at 1).
VERSION_TTL = 60 * 60 * 24


def _version_key(user_id: UUID | str) -> str:
    return f"pagever:{UUID(str(user_id)).hex}"


def viewer_pages_changed(user_ids: Iterable[UUID | str], *, forget: Iterable[str] = ()) -> None:
    """Give each user a new page version (their cached pages stop being used at once): one
    cache write each, the version being the time in nanoseconds (no read-modify-write).
    ``forget``: other cache keys of the caller's to drop in the same round trip (stored as
    None, which their readers take as a miss; issue 20). Best effort: with the cache down the
    pages were not cached either."""
    seconds = page_cache_seconds()
    entries: dict[str, object] = dict.fromkeys(forget)
    if seconds:
        entries.update(
            {_version_key(user_id): time.time_ns() for user_id in {str(u) for u in user_ids}}
        )
    if not entries:
        return
    try:
        cache.set_many(entries, VERSION_TTL)
    except Exception:  # the cache down: nothing was kept either
        logger.debug("page versions not renewed", exc_info=True)


#: Within a request (:class:`PageVersionMiddleware`): the members and keys
#: :func:`viewer_pages_changed_soon` added, written with the request's own renewal at its end.
_soon: ContextVar[tuple[set[str], set[str]] | None] = ContextVar("miel_pages_soon", default=None)


def viewer_pages_changed_soon(
    user_ids: Iterable[UUID | str], *, forget: Iterable[str] = ()
) -> None:
    """:func:`viewer_pages_changed`, written at the end of the current request together with
    the requester's own page version (one cache round trip for both, issue 20: a like's
    liked member with no socket open); at once outside a request. Only for members sent no
    live event meanwhile: a pushed event must find their pages renewed already
    (:func:`miel.realtime.push_now` renews at once)."""
    pending = _soon.get()
    if pending is None:
        viewer_pages_changed(user_ids, forget=forget)
        return
    pending[0].update(str(u) for u in user_ids)
    pending[1].update(forget)


def viewer_pages_changed_on_commit(user_ids: Iterable[UUID | str]) -> None:
    """:func:`viewer_pages_changed` after the current transaction commits (at once outside
    one): for a change to what a member may see that pushes them nothing, such as their plan
    (a Stripe webhook, a staff grant: the Likes page kept while premium names the likers)."""
    ids = [str(u) for u in user_ids]
    if ids and page_cache_seconds():
        transaction.on_commit(lambda: viewer_pages_changed(ids))


def page_cache_seconds() -> int:
    """``settings.PAGE_CACHE_SECONDS`` (0 = off)."""
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 0) or 0)


def _key(request: HttpRequest, version: int) -> str:
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    raw = "\x1f".join(
        (
            request.get_full_path(),
            get_language() or "",
            "htmx" if request.headers.get("HX-Request") else "",
            request.headers.get("HX-Target", ""),
            hashlib.sha256(csrf.encode()).hexdigest()[:16],
        )
    )
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"page:{request.user.pk}:{version}:{digest}"


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and request.user.is_authenticated
        and bool(request.COOKIES.get(settings.CSRF_COOKIE_NAME))
        and not request.headers.get("Accept", "").startswith("application/json")
        and len(get_messages(request)) == 0
    )


def viewer_page_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator of a member page view: serve the viewer's own copy of this page from the
    last ``PAGE_CACHE_SECONDS`` when nothing of theirs changed since (see the module
    docstring); render and keep it otherwise. Put it outside ``@member_required`` so a hit
    also skips the member lookup; the login and onboarding checks run in the middleware
    before it (a hit can only be for a signed-in member whose copy was rendered)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = page_cache_seconds()
        if not seconds or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        version = cache.get(_version_key(str(request.user.pk))) or 1
        key = _key(request, version)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Location")
        ):
            cache.set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return wrapped


class PageVersionMiddleware:
    """After any write request (not GET / HEAD / OPTIONS) by a signed-in member, raise their
    page version, so the next page they open is rendered afresh (:func:`viewer_page_cache`),
    in the same cache round trip as the renewals the request asked for with
    :func:`viewer_pages_changed_soon` (any method)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        users: set[str] = set()
        forget: set[str] = set()
        token = _soon.set((users, forget))
        try:
            response = self.get_response(request)
        finally:
            _soon.reset(token)
            if request.method not in ("GET", "HEAD", "OPTIONS") and page_cache_seconds():
                user = getattr(request, "user", None)
                if user is not None and user.is_authenticated:
                    users.add(str(user.pk))
            if users or forget:  # the request's own renewal and viewer_pages_changed_soon's
                viewer_pages_changed(users, forget=forget)
        return response
