"""Profile pages. (Foundation skeleton: onboarding, edit and detail are filled in by the
profiles work; the members list by discovery.)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Member


@login_required
def complete_profile(request: HttpRequest) -> HttpResponse:
    return render(request, "profiles/complete_profile.html")


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    members = Member.objects.exclude(user=request.user).select_related("user")[:12]
    return render(request, "profiles/member_list.html", {"members": members})


@login_required
def member_edit(request: HttpRequest) -> HttpResponse:
    return render(request, "profiles/member_edit.html")


@login_required
def member_detail(request: HttpRequest, user_id: str) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("user"), user_id=user_id)
    return render(request, "profiles/member_detail.html", {"member": member})
