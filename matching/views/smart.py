"""Smart-match pages (rules §11): ``/smart-matches/``, 8 per page with a score filter."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from matching.smart.page import SCORE_FILTERS, parse_min_score, parse_page, smart_match_page
from profiles.decorators import MemberRequest, member_required


@member_required
@require_GET
def smart_matches(request: MemberRequest) -> HttpResponse:
    """The smart matches page; htmx requests (filter chips, paging) get only the results."""
    member = request.member
    min_score = parse_min_score(request.GET.get("min"))
    page = smart_match_page(
        member=member, min_score=min_score, page=parse_page(request.GET.get("page"))
    )
    context = {"page": page, "filters": SCORE_FILTERS, "min_score": min_score}
    if getattr(request, "htmx", False) and request.htmx.target == "smart-results":
        return render(request, "matching/smart_results.html", context)
    return render(request, "matching/smart_matches.html", context)
