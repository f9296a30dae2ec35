from __future__ import annotations

from datetime import date

import pytest

from profiles.models import Interest, Member
from tests.factories import MemberFactory, UserFactory


def make_member(**kwargs) -> Member:
    interests = kwargs.pop("interests", ())
    user_kwargs = kwargs.pop("user_kwargs", {})
    user = UserFactory(profile_complete=True, preferred_genders="male,female", **user_kwargs)
    member = MemberFactory(user=user, **kwargs)
    if interests:
        member.interests.set(Interest.objects.filter(slug__in=interests))
    return member


@pytest.fixture
def me(db) -> Member:
    return make_member(
        name="Dan",
        gender="male",
        date_of_birth=date(1992, 3, 3),
        interests=("hiking", "cooking"),
        description="Hiking on weekends and cooking for friends",
    )


@pytest.fixture
def dana(db) -> Member:
    return make_member(
        name="Dana",
        date_of_birth=date(1994, 5, 5),
        interests=("hiking",),
        description="Morning hiking and good coffee",
    )


@pytest.fixture(autouse=True)
def _english(english):
    """Every test here reads English text (the shared ``english`` fixture)."""
