"""Reports cannot flood the moderation queue: a member may have at most
``REPORT_MAX_OPEN_PER_MEMBER`` open reports about one member and file at most
``REPORTS_PER_DAY`` reports per rolling 24 hours; over either the report is refused with a
translated message and nothing is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from matching.models import Report
from matching.services import reports
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _report(reporter, reported):
    return reports.report_create(reporter=reporter.user, reported=reported.user, reason="scam")


def test_the_same_member_cannot_be_reported_over_and_over(client):
    me, eve = MemberFactory(), MemberFactory()
    client.force_login(me.user)
    client.cookies["django_language"] = "en"
    url = f"/members/{eve.user_id}/report/"
    codes = [client.post(url, {"reason": "scam", "text": "x"}).status_code for _ in range(10)]
    assert Report.objects.count() == reports.REPORT_MAX_OPEN_PER_MEMBER
    assert codes[-1] == 429
    refused = client.post(url, {"reason": "scam"})
    assert "already reported" in refused.content.decode()


def test_a_settled_report_lets_the_member_report_again():
    me, eve = MemberFactory(), MemberFactory()
    for _ in range(reports.REPORT_MAX_OPEN_PER_MEMBER):
        _report(me, eve)
    Report.objects.update(status=Report.Status.DISMISSED)
    _report(me, eve)
    assert Report.objects.filter(status=Report.Status.OPEN).count() == 1


def test_reports_per_day_are_limited(settings):
    settings.REPORTS_PER_DAY = 5
    me = MemberFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _report(me, MemberFactory())
        with pytest.raises(ValidationError) as exc:
            _report(me, MemberFactory())
        assert exc.value.code == "report_limit"
    assert Report.objects.count() == 5
    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        _report(me, MemberFactory())
    assert Report.objects.count() == 6
