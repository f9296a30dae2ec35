"""Races on PostgreSQL (docs/rules.md, concurrency): the photo limit and double onboarding submits."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from profiles import services
from profiles.models import Member, Photo
from profiles.services import PhotoRejected
from tests.concurrency import run_concurrently
from tests.factories import MemberFactory, PhotoFactory, UserFactory, image_upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_uploads_cannot_both_take_the_last_slot(postgresql_only):
    member = MemberFactory()
    for _ in range(5):
        PhotoFactory(member=member, is_approved=False)

    results = run_concurrently(
        [lambda: services.photo_add(member=member, upload=image_upload())] * 4
    )

    assert Photo.objects.filter(member=member).count() == 6
    assert sum(isinstance(r, Photo) for r in results) == 1
    assert sum(isinstance(r, PhotoRejected) for r in results) == 3


def test_concurrent_onboarding_submits_create_one_member(postgresql_only):
    user = UserFactory(profile_complete=False)

    def complete() -> Member:
        return services.member_complete_profile(
            user=user.__class__.objects.get(pk=user.pk),
            name="Noa",
            date_of_birth=date(1990, 1, 1),
            gender="female",
            city="Haifa",
            country="Israel",
            description="hi",
            interests=[],
            preferred_genders=["male"],
            preferred_age_min=20,
            preferred_age_max=40,
        )

    results = run_concurrently([complete] * 3)

    assert Member.objects.filter(user=user).count() == 1
    assert sum(isinstance(r, Member) for r in results) == 1
    assert all(isinstance(r, Member | ValidationError) for r in results)
