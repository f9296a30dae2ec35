"""Boosts: ceil(h/24) boosts, atomic spend, extends a running boost (rules §13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from accounts.models import User
from billing.services import BillingError, boost_spend
from billing.services.entitlements import boost_cost
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def premium_member(boosts: int = 5, until: datetime | None = None, **member_fields):
    member = MemberFactory(**member_fields)
    User.objects.filter(pk=member.user_id).update(
        premium_until=until or NOW + timedelta(days=30), boosts_available=boosts
    )
    member.user.refresh_from_db()
    return member


@pytest.mark.parametrize(
    ("hours", "boosts"),
    [(1, 1), (23, 1), (24, 1), (25, 2), (48, 2), (49, 3), (72, 3), (168, 7)],
)
def test_boost_cost_is_ceil_of_hours_over_24(hours, boosts):
    assert boost_cost(hours=hours) == boosts


def test_boost_cost_rejects_zero_hours():
    with pytest.raises(ValueError, match="hours"):
        boost_cost(hours=0)


def test_boost_24h_spends_one_and_boosts_from_now(frozen):
    member = premium_member(boosts=5)

    result = boost_spend(user=member.user, hours=24)

    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.boosted_until == NOW + timedelta(hours=24)
    assert (member.user.boosts_available, member.user.boosts_used) == (4, 1)
    assert (result.boosts_spent, result.boosts_left) == (1, 4)


def test_boost_25h_spends_two(frozen):
    member = premium_member(boosts=5)

    boost_spend(user=member.user, hours=25)

    member.user.refresh_from_db()
    assert (member.user.boosts_available, member.user.boosts_used) == (3, 2)


def test_boost_extends_a_running_boost(frozen):
    member = premium_member(boosts=5, boosted_until=NOW + timedelta(hours=10))

    boost_spend(user=member.user, hours=24)

    member.refresh_from_db()
    assert member.boosted_until == NOW + timedelta(hours=34)


def test_boost_after_an_ended_boost_starts_now(frozen):
    member = premium_member(boosts=5, boosted_until=NOW - timedelta(days=2))

    boost_spend(user=member.user, hours=48)

    member.refresh_from_db()
    assert member.boosted_until == NOW + timedelta(hours=48)


def test_boost_with_too_few_boosts_is_409_and_changes_nothing(frozen):
    member = premium_member(boosts=1)

    with pytest.raises(BillingError) as err:
        boost_spend(user=member.user, hours=48)

    assert err.value.status == 409
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.boosted_until is None
    assert member.user.boosts_available == 1


def test_free_member_cannot_boost_even_with_boosts_left(frozen):
    member = MemberFactory()
    User.objects.filter(pk=member.user_id).update(boosts_available=3)
    member.user.refresh_from_db()

    with pytest.raises(BillingError) as err:
        boost_spend(user=member.user)

    assert err.value.status == 403
    member.user.refresh_from_db()
    assert member.user.boosts_available == 3


def test_expired_premium_cannot_boost(frozen):
    member = premium_member(boosts=3)
    User.objects.filter(pk=member.user_id).update(premium_until=NOW - timedelta(seconds=1))
    member.user.refresh_from_db()

    with pytest.raises(BillingError) as err:
        boost_spend(user=member.user)

    assert err.value.status == 403


@pytest.mark.parametrize("hours", [0, -24, 169])
def test_boost_hours_out_of_range_is_400(frozen, hours):
    member = premium_member()

    with pytest.raises(BillingError) as err:
        boost_spend(user=member.user, hours=hours)

    assert err.value.status == 400


def test_stale_user_object_cannot_spend_boosts_twice(frozen):
    """Two requests holding the same stale User both see 1 boost; only one may spend it."""
    member = premium_member(boosts=1)
    stale_a = User.objects.get(pk=member.user_id)
    stale_b = User.objects.get(pk=member.user_id)

    boost_spend(user=stale_a)
    with pytest.raises(BillingError):
        boost_spend(user=stale_b)

    member.refresh_from_db()
    assert member.boosted_until == NOW + timedelta(hours=24)
    assert User.objects.get(pk=member.user_id).boosts_available == 0


def _client_for(client, member):
    client.force_login(member.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_boost_view_htmx_returns_the_box_with_boosts_left(client, frozen):
    member = premium_member(boosts=5)
    _client_for(client, member)

    response = client.post("/premium/boost/", {"hours": "48"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="boost-box"' in html
    assert "3 boosts left" in html
    assert "<html" not in html


def test_boost_view_htmx_error_has_fitting_status(client, frozen):
    member = premium_member(boosts=0)
    _client_for(client, member)

    response = client.post("/premium/boost/", {"hours": "24"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 409
    assert "fewer left" in response.content.decode()


def test_boost_view_plain_form_redirects_to_a_local_next_only(client, frozen):
    member = premium_member(boosts=5)
    _client_for(client, member)

    local = client.post("/premium/boost/", {"hours": "24", "next": "/members/?order=newest"})
    evil = client.post("/premium/boost/", {"hours": "24", "next": "https://evil.example/"})

    assert (local.status_code, local["Location"]) == (303, "/members/?order=newest")
    assert (evil.status_code, evil["Location"]) == (303, "/premium/")
    assert User.objects.get(pk=member.user_id).boosts_available == 3


def test_boost_view_free_member_gets_403(client, frozen):
    member = MemberFactory()
    _client_for(client, member)

    response = client.post("/premium/boost/", {"hours": "24"})

    assert response.status_code == 403


def test_boost_view_bad_hours_is_400(client, frozen):
    member = premium_member()
    _client_for(client, member)

    assert client.post("/premium/boost/", {"hours": "lots"}).status_code == 400


def test_members_page_shows_the_boost_box_and_boosted_member_ranks_first(client):
    until = datetime.now(tz=UTC) + timedelta(days=3)
    viewer = premium_member(boosts=2, until=until)
    MemberFactory(name="Ophira")
    boosted = premium_member(boosts=1, until=until, name="Bellamy")
    MemberFactory(name="Tamsin")  # most recently active: first without the boost

    boost_spend(user=boosted.user, hours=24)
    html = _client_for(client, viewer).get("/members/").content.decode()

    assert 'id="boost-box"' in html
    assert "2 boosts left" in html
    assert html.index("Bellamy") < html.index("Ophira")
    assert html.index("Bellamy") < html.index("Tamsin")
