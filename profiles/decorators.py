"""``@member_required``: the one lookup of the signed-in member for views (issue 14)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from miel.types import AuthenticatedHttpRequest

from .models import Member

P = ParamSpec("P")


class MemberRequest(AuthenticatedHttpRequest):
    """The request a ``@member_required`` view receives: a signed-in ``user`` with a complete
    profile, and that profile as ``member`` (``member.user`` is ``request.user``, so neither
    direction of the one-to-one costs a query). An annotation only."""

    member: Member


def member_required(
    view: Callable[Concatenate[MemberRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """``login_required`` (anonymous visitors go to the login page), then the signed-in
    user's member row as ``request.member`` (one query); 404 when the profile is not complete
    (the profile-completion middleware sends such users to onboarding first)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        # pk is typed Optional on the model; login_required guarantees a saved user here.
        member = Member.objects.filter(user_id=request.user.pk).first()  # type: ignore[misc]
        if member is None:
            raise Http404
        member.user = request.user  # type: ignore[assignment]  # signed in: a User
        request.member = member  # type: ignore[attr-defined]  # what MemberRequest declares
        return view(request, *args, **kwargs)  # type: ignore[arg-type]  # now a MemberRequest

    return wrapped
