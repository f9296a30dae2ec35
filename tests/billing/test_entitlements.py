"""Every premium feature of rules §13 is decided by billing.services.entitlements; checked for free,
premium and expired-premium members, and at request level where the page exists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import User
from billing.services.entitlements import (
    FEATURE_LABELS,
    Feature,
    ai_daily_quota,
    has_feature,
    stories_daily_limit,
)
from matching.models import Like, ProfileView
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _set_premium(user: User, delta: timedelta | None) -> User:
    user.premium_until = None if delta is None else timezone.now() + delta
    user.save(update_fields=["premium_until"])
    return user


@pytest.fixture
def free_user():
    return UserFactory()


@pytest.fixture
def premium_user():
    return _set_premium(UserFactory(), timedelta(days=30))


@pytest.fixture
def expired_user():
    return _set_premium(UserFactory(), timedelta(seconds=-1))


@pytest.mark.parametrize("feature", list(Feature))
def test_each_feature_is_premium_only(feature, free_user, premium_user, expired_user):
    assert has_feature(premium_user, feature) is True
    assert has_feature(free_user, feature) is False
    assert has_feature(expired_user, feature) is False
    assert has_feature(AnonymousUser(), feature) is False
    assert has_feature(None, feature) is False


def test_every_feature_is_listed_on_the_premium_page():
    assert set(FEATURE_LABELS) == set(Feature)


def test_ai_quota_free_5_premium_999(free_user, premium_user, expired_user):
    assert (ai_daily_quota(free_user), ai_daily_quota(premium_user)) == (5, 999)
    assert ai_daily_quota(expired_user) == 5


def test_story_limit_free_1_premium_unlimited(free_user, premium_user, expired_user):
    assert stories_daily_limit(free_user) == 1
    assert stories_daily_limit(premium_user) is None
    assert stories_daily_limit(expired_user) == 1


def test_premium_ends_exactly_at_premium_until(free_user):
    import time_machine

    end = timezone.now() + timedelta(hours=1)
    User.objects.filter(pk=free_user.pk).update(premium_until=end)
    free_user.refresh_from_db()
    with time_machine.travel(end - timedelta(seconds=1), tick=False):
        assert has_feature(free_user, Feature.SEE_WHO_LIKED_ME)
    with time_machine.travel(end, tick=False):
        assert not has_feature(free_user, Feature.SEE_WHO_LIKED_ME)


# --- request level: the gate as a member meets it -------------------------------------------


def _client(client, member):
    client.force_login(member.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(("premium", "shown"), [(None, False), (-1, False), (30, True)])
def test_liked_me_list_shows_names_only_to_premium(client, premium, shown):
    me = MemberFactory()
    admirer = MemberFactory(name="Zephyrine")
    Like.objects.create(source=admirer, target=me)
    _set_premium(me.user, None if premium is None else timedelta(days=premium))

    response = _client(client, me).get("/lists/?type=target")

    assert response.status_code == 200
    assert ("Zephyrine" in response.content.decode()) is shown
    assert response.context["data"].count == 1


@pytest.mark.parametrize(("premium", "shown"), [(None, False), (-1, False), (30, True)])
def test_who_viewed_me_shows_viewers_only_to_premium(client, premium, shown):
    me = MemberFactory()
    viewer = MemberFactory(name="Quillon")
    ProfileView.objects.create(viewer=viewer.user, viewed=me.user)
    _set_premium(me.user, None if premium is None else timedelta(days=premium))

    response = _client(client, me).get("/views/")

    assert response.status_code == 200
    assert ("Quillon" in response.content.decode()) is shown
    # free members still get the unseen count, and it is not reset by looking
    assert ProfileView.objects.get().seen is shown


@pytest.mark.parametrize(("premium", "recorded"), [(None, True), (-1, True), (30, False)])
def test_incognito_records_no_view_only_for_premium(premium, recorded):
    from matching.services import profile_view_record

    me = MemberFactory()
    other = MemberFactory()
    User.objects.filter(pk=me.user_id).update(incognito=True)
    me.user.refresh_from_db()
    _set_premium(me.user, None if premium is None else timedelta(days=premium))

    profile_view_record(viewer=me.user, viewed=other)

    assert ProfileView.objects.filter(viewer=me.user, viewed=other.user).exists() is recorded


def _premium(member, premium):
    _set_premium(member.user, None if premium is None else timedelta(days=premium))


@pytest.mark.parametrize(("premium", "second_ok"), [(None, False), (-1, False), (30, True)])
def test_second_story_of_the_day_only_for_premium(client, premium, second_ok):
    from stories.models import Story
    from tests.factories import image_upload

    me = MemberFactory()
    _premium(me, premium)
    c = _client(client, me)

    first = c.post("/stories/new/", {"photo": image_upload(), "privacy": "PUBLIC"})
    second = c.post("/stories/new/", {"photo": image_upload(), "privacy": "PUBLIC"})

    assert first.status_code == 302
    assert (second.status_code == 302) is second_ok
    if not second_ok:
        assert 400 <= second.status_code < 500
    assert Story.objects.filter(user=me.user).count() == (2 if second_ok else 1)


@pytest.mark.parametrize(("premium", "visible"), [(None, False), (-1, False), (30, True)])
def test_premium_only_story_visible_only_to_premium(client, premium, visible):
    from stories.models import Story
    from tests.stories.factories import StoryFactory

    story = StoryFactory(privacy=Story.Privacy.PREMIUM)
    me = MemberFactory()
    _premium(me, premium)

    response = _client(client, me).get(f"/stories/{story.pk}/?format=json")

    assert response.status_code == (200 if visible else 404)


@pytest.mark.parametrize(("premium", "full"), [(None, False), (-1, False), (30, True)])
def test_story_viewer_list_only_for_premium(client, premium, full):
    from stories.models import StoryView
    from tests.stories.factories import StoryFactory

    me = MemberFactory()
    story = StoryFactory(user=me.user)
    watcher = MemberFactory(name="Isolde")
    StoryView.objects.create(story=story, viewer=watcher.user)
    _premium(me, premium)

    data = _client(client, me).get(f"/stories/{story.pk}/insights/?format=json").json()

    assert data["view_count"] == 1
    assert data["full_list"] is full
    assert ("viewers" in data) is full
    if full:
        assert [v["name"] for v in data["viewers"]] == ["Isolde"]


@pytest.mark.parametrize(("premium", "filtered"), [(None, False), (-1, False), (30, True)])
def test_interests_filter_applies_only_for_premium(client, premium, filtered):
    from profiles.models import Interest

    hiking, chess = Interest.objects.order_by("pk")[:2]
    me = MemberFactory()
    hiker = MemberFactory(name="Hikerina")
    hiker.interests.add(hiking)
    player = MemberFactory(name="Chessandro")
    player.interests.add(chess)
    _premium(me, premium)

    html = _client(client, me).get(f"/members/?interests={hiking.pk}").content.decode()

    assert "Hikerina" in html
    assert ("Chessandro" not in html) is filtered


@pytest.mark.parametrize(("premium", "limit"), [(None, 5), (-1, 5), (30, 999)])
def test_assistant_quota_is_5_free_999_premium(client, premium, limit):
    me = MemberFactory()
    _premium(me, premium)
    c = _client(client, me)

    statuses = [
        c.post("/assistant/api/chat/", {"text": "dating tips"}).status_code for _ in range(6)
    ]

    assert statuses == ([200] * 5 + [429] if limit == 5 else [200] * 6)
