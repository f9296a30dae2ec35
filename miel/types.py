"""Types shared by the apps (issue 14)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request a view behind ``login_required`` receives: ``user`` is a signed-in
    :class:`accounts.models.User` (django-stubs types ``HttpRequest.user`` as
    ``User | AnonymousUser``). An annotation only: Django still passes an ``HttpRequest``."""

    user: User  # narrower than HttpRequest.user on purpose
    htmx: HtmxDetails  # set by django_htmx.middleware.HtmxMiddleware  # narrower than HttpRequest.user on purpose
