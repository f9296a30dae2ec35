"""Trust score (rules §0, §4): documented points, level, badge, recomputed when inputs change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from matching.services import report_create
from profiles.models import Video
from profiles.trust import (
    TrustInputs,
    trust_level,
    trust_score_from,
    trust_score_recompute,
)
from safety.services import report_decide
from tests.factories import MemberFactory, PhotoFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # reports recompute after commit


def inputs(**kw) -> TrustInputs:
    base = {
        "email_verified": False,
        "oauth_verified": False,
        "approved_photo": False,
        "profile_complete": False,
        "approved_video": False,
        "account_days": 0,
        "open_reports": 0,
        "actioned_reports": 0,
    }
    base.update(kw)
    return TrustInputs(**base)


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, 0),
        ({"email_verified": True}, 20),
        ({"email_verified": True, "approved_photo": True, "profile_complete": True}, 55),
        ({"account_days": 6}, 0),
        ({"account_days": 7}, 5),
        ({"account_days": 30}, 10),
        ({"account_days": 90}, 15),
        ({"account_days": 400}, 20),
        (
            {
                "email_verified": True,
                "oauth_verified": True,
                "approved_photo": True,
                "profile_complete": True,
                "approved_video": True,
                "account_days": 200,
            },
            100,
        ),
        ({"email_verified": True, "profile_complete": True, "open_reports": 1}, 25),
        ({"email_verified": True, "actioned_reports": 1}, 0),  # clamped at 0
    ],
)
def test_points_table(kw, expected):
    assert trust_score_from(inputs(**kw)) == expected


def test_levels():
    assert [trust_level(s) for s in (0, 39, 40, 69, 70, 100)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_recomputed_when_inputs_change():
    joined = datetime(2025, 1, 1, tzinfo=UTC)
    with time_machine.travel(joined, tick=False):
        _recomputed_when_inputs_change()
    # Account age moves on its own: the daily refresh picks it up.
    user = MemberFactory._meta.model.objects.get().user
    assert trust_score_recompute(user=user, now=joined + timedelta(days=31)) == 90


def _recomputed_when_inputs_change():
    member = MemberFactory()  # verified e-mail (allauth address) + complete profile
    user = member.user
    user.refresh_from_db()
    assert user.trust_score == 35

    PhotoFactory(member=member, is_approved=False)
    user.refresh_from_db()
    assert user.trust_score == 35  # a pending photo earns nothing

    photo = member.photos.get()
    photo.is_approved = True
    photo.save()
    user.refresh_from_db()
    assert user.trust_score == 55

    Video.objects.create(member=member, file="videos/x.mp4", is_approved=True)
    user.refresh_from_db()
    assert user.trust_score == 65

    # Reports change it through their services (explicit calls, after commit).
    reporter = UserFactory()
    report = report_create(reporter=reporter, reported=user, reason="fake")
    user.refresh_from_db()
    assert user.trust_score == 55
    moderator = UserFactory(is_staff=True)
    with transaction.atomic():  # as the moderation queue calls it
        assert report_decide(moderator=moderator, report_id=report.pk, action="dismiss")
    user.refresh_from_db()
    assert user.trust_score == 65

    user.oauth_verified = True
    user.save(update_fields=["oauth_verified"])
    user.refresh_from_db()
    assert user.trust_score == 80
