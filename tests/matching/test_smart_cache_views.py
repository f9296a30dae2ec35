"""Smart-match cache (6 h, invalidation), /smart-matches/, command and warm-up task."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone, translation

from matching.models import Block, SmartMatchCache
from matching.smart import smart_matches_for
from matching.smart_tasks import smart_matches_warm, smart_matches_warm_active
from profiles.models import Interest, Member
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def make_member(**kwargs) -> Member:
    user = UserFactory(profile_complete=True, preferred_genders="male,female")
    return MemberFactory(user=user, **kwargs)


@pytest.fixture
def viewer() -> Member:
    with time_machine.travel(NOW, tick=False):
        return make_member(gender="male", date_of_birth=date(1990, 1, 1))


def fresh(member: Member) -> Member:
    return Member.objects.select_related("user").get(pk=member.pk)


def test_cache_is_used_within_6_hours_and_dropped_after_profile_change(
    viewer, django_assert_num_queries
):
    with time_machine.travel(NOW, tick=False):
        first_candidate = make_member()
        first = smart_matches_for(member=fresh(viewer))
        assert not first.from_cache
        assert [r.user_id for r in first.results] == [str(first_candidate.user_id)]

    # A new member appears, but within 6 h the cached list (one query) is served.
    with time_machine.travel(NOW + timedelta(hours=5, minutes=59), tick=False):
        make_member()
        v = fresh(viewer)
        with django_assert_num_queries(1):
            cached = smart_matches_for(member=v)
        assert cached.from_cache
        assert len(cached.results) == 1

        # The viewer edits their profile: the cache row is dropped, the next read recomputes.
        v.description = "Now I love sailing"
        v.save()
        assert not SmartMatchCache.objects.filter(user=viewer.user).exists()
        again = smart_matches_for(member=fresh(viewer))
        assert not again.from_cache
        assert len(again.results) == 2


def test_cache_expires_after_6_hours(viewer):
    with time_machine.travel(NOW, tick=False):
        make_member()
        smart_matches_for(member=fresh(viewer))
    with time_machine.travel(NOW + timedelta(hours=6, seconds=1), tick=False):
        result = smart_matches_for(member=fresh(viewer))
    assert not result.from_cache
    assert SmartMatchCache.objects.filter(user=viewer.user).count() == 1


def test_interest_and_preference_changes_invalidate(viewer):
    smart_matches_for(member=fresh(viewer))
    viewer.interests.add(Interest.objects.get(slug="hiking"))
    assert not SmartMatchCache.objects.filter(user=viewer.user).exists()

    smart_matches_for(member=fresh(viewer))
    user = viewer.user
    user.preferred_age_max = 40
    user.save(update_fields=["preferred_age_max"])
    assert not SmartMatchCache.objects.filter(user=viewer.user).exists()

    smart_matches_for(member=fresh(viewer))
    user.save(update_fields=["last_login"])  # unrelated column: cache kept
    assert SmartMatchCache.objects.filter(user=viewer.user).exists()


def test_page_shows_8_per_page_stats_and_filters(client, viewer):
    others = [make_member(name=f"Candidate{i}") for i in range(10)]
    client.force_login(viewer.user)

    with translation.override("en"):
        page1 = client.get("/smart-matches/", HTTP_ACCEPT_LANGUAGE="en")
    assert page1.status_code == 200
    cards = page1.context["page"].cards
    assert len(cards) == 8
    assert page1.context["page"].has_next
    assert page1.context["page"].stats.total == 10
    body = page1.content.decode()
    assert f"/members/{cards[0].member.user_id}/chat/" in body
    assert cards[0].reason in body

    page2 = client.get("/smart-matches/?page=2")
    assert len(page2.context["page"].cards) == 2
    shown = {c.member.user_id for c in cards} | {
        c.member.user_id for c in page2.context["page"].cards
    }
    assert shown == {o.user_id for o in others}

    top = page1.context["page"].stats.highest
    filtered = client.get(
        "/smart-matches/?min=95&page=1", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="smart-results"
    )
    assert all(c.match.score >= 95 for c in filtered.context["page"].cards)
    assert (top >= 95) == bool(filtered.context["page"].cards)
    assert b"<html" not in filtered.content  # htmx gets only the results


def test_blocked_since_cache_built_is_hidden(client, viewer):
    other = make_member()
    client.force_login(viewer.user)
    assert len(client.get("/smart-matches/").context["page"].cards) == 1
    Block.objects.create(blocker=other.user, blocked=viewer.user)
    assert client.get("/smart-matches/").context["page"].cards == []


def test_bad_filter_values_fall_back(client, viewer):
    client.force_login(viewer.user)
    response = client.get("/smart-matches/?min=abc&page=-3")
    assert response.status_code == 200
    assert response.context["page"].min_score == 0
    assert response.context["page"].page == 1


def test_anonymous_is_sent_to_login(client):
    response = client.get("/smart-matches/")
    assert response.status_code == 302


def test_command_and_tasks_warm_the_cache(viewer):
    make_member()
    call_command("recompute_smart_matches", user=viewer.user.email)
    assert SmartMatchCache.objects.filter(user=viewer.user).count() == 1

    SmartMatchCache.objects.all().delete()
    assert smart_matches_warm(str(viewer.user_id)) == 1
    assert SmartMatchCache.objects.filter(user=viewer.user).count() == 1

    SmartMatchCache.objects.all().delete()
    queued = smart_matches_warm_active.delay().get()
    assert queued == 1  # the viewer was last active in 2025: only the other one is warmed
    Member.objects.update(last_active_at=timezone.now())
    SmartMatchCache.objects.all().delete()
    assert smart_matches_warm_active.delay().get() == 2
    assert SmartMatchCache.objects.count() == 2
