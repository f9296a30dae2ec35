"""Profile pages. (Foundation skeleton: onboarding, edit and detail are filled in by the
profiles work.)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Member


@login_required
def complete_profile(request: HttpRequest) -> HttpResponse:
    return render(request, "profiles/complete_profile.html")


@login_required
def member_edit(request: HttpRequest) -> HttpResponse:
    return render(request, "profiles/member_edit.html")


@login_required
def member_detail(request: HttpRequest, user_id: str) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("user"), user_id=user_id)
    return render(request, "profiles/member_detail.html", {"member": member})
