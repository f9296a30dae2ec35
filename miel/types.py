"""Types shared by the apps (issue 14)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """Any request, with the ``htmx`` details django-htmx's middleware sets on every request
    (for views anonymous visitors reach too). An annotation only."""

    htmx: HtmxDetails  # set by django_htmx.middleware.HtmxMiddleware


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """The request a view behind ``login_required`` receives: ``user`` is a signed-in
    :class:`accounts.models.User` (django-stubs types ``HttpRequest.user`` as
    ``User | AnonymousUser``). An annotation only: Django still passes an ``HttpRequest``."""

    user: User  # narrower than HttpRequest.user on purpose
