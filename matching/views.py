"""Discovery and matching pages (skeleton: the discovery work fills these in)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from profiles.models import Member


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    members = Member.objects.exclude(user=request.user).select_related("user")[:12]
    return render(request, "matching/member_list.html", {"members": members})
