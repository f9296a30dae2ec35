"""Two moderators on the same item at once (PostgreSQL): one decision, one log entry."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry

from matching.models import Report
from profiles import services as photo_services
from profiles.models import Photo
from safety.moderation.services import Item, moderation_apply
from tests.concurrency import run_concurrently
from tests.factories import MemberFactory, UserFactory, image_upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_concurrent_decisions_on_one_photo_apply_once(postgresql_only, action):
    member = MemberFactory()
    photo = photo_services.photo_add(member=member, upload=image_upload())
    mods = [UserFactory(is_staff=True) for _ in range(4)]
    item = Item.parse(f"photo:{photo.pk}")

    results = run_concurrently(
        [lambda m=m: moderation_apply(moderator=m, action=action, items=[item]) for m in mods]
    )

    assert sum(r.done for r in results) == 1, results  # exactly one moderator's decision
    assert LogEntry.objects.filter(object_id=str(photo.pk)).count() == 1
    member.refresh_from_db()
    if action == "approve":
        assert Photo.objects.get(pk=photo.pk).is_approved
        assert member.image == photo.url
    else:
        assert not Photo.objects.filter(pk=photo.pk).exists()


def test_concurrent_report_decisions_settle_once(postgresql_only):
    report = Report.objects.create(
        reporter=MemberFactory().user, reported=MemberFactory().user, reason="scam"
    )
    mods = [UserFactory(is_staff=True) for _ in range(3)]
    item = Item.parse(f"report:{report.pk}")

    results = run_concurrently(
        [lambda m=m: moderation_apply(moderator=m, action="dismiss", items=[item]) for m in mods]
    )

    assert sum(r.done for r in results) == 1, results
    assert LogEntry.objects.filter(object_id=str(report.pk)).count() == 1


def test_concurrent_appeals_of_one_banned_member_store_one(postgresql_only):
    from safety import services as safety_services
    from safety.models import Appeal

    report = Report.objects.create(
        reporter=MemberFactory().user, reported=MemberFactory().user, reason="scam"
    )
    moderation_apply(
        moderator=UserFactory(is_staff=True),
        action="ban",
        items=[Item.parse(f"report:{report.pk}")],
    )
    banned = type(report.reported).objects.get(pk=report.reported_id)

    results = run_concurrently(
        [lambda i=i: safety_services.appeal_submit(user=banned, text=f"try {i}") for i in range(4)]
    )

    assert Appeal.objects.filter(user=banned).count() == 1
    assert sum(isinstance(r, Appeal) for r in results) == 1, results
