"""Profile views, view duration, block, report, location (rules §4, §6, §7, §11)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.admin.sites import site as admin_site
from django.utils import timezone

from matching import services
from matching.models import Block, Like, ProfileView, Report, UserInteraction
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def test_profile_view_recorded_once_per_minute_with_latest_time(pushes):
    viewer, viewed = MemberFactory(), MemberFactory()
    with time_machine.travel(NOW, tick=False):
        assert services.profile_view_record(viewer=viewer.user, viewed=viewed) is True
        assert services.profile_view_record(viewer=viewer.user, viewed=viewed) is False
    row = ProfileView.objects.get()
    row.seen = True
    row.save()
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        assert services.profile_view_record(viewer=viewer.user, viewed=viewed) is True
    row.refresh_from_db()
    assert row.viewed_at == NOW + timedelta(seconds=61)
    assert row.seen is False
    assert ProfileView.objects.count() == 1
    assert UserInteraction.objects.filter(action="view").count() == 2
    assert pushes.call_args_list[0].args[:2] == (viewed.user_id, "profile.viewed")


def test_no_view_for_self_or_premium_incognito(pushes):
    me, other = MemberFactory(), MemberFactory()
    assert services.profile_view_record(viewer=me.user, viewed=me) is False
    me.user.incognito = True
    me.user.save()
    # Incognito without premium does nothing special: the view is recorded.
    assert services.profile_view_record(viewer=me.user, viewed=other) is True
    ProfileView.objects.all().delete()
    UserInteraction.objects.all().delete()
    me.user.premium_until = timezone.now() + timedelta(days=1)
    me.user.save()
    assert services.profile_view_record(viewer=me.user, viewed=other) is False
    assert ProfileView.objects.count() == 0
    assert UserInteraction.objects.count() == 0


def test_profile_page_records_view_and_shows_actions(client):
    me, other = MemberFactory(), MemberFactory()
    client.force_login(me.user)
    response = client.get(f"/members/{other.user_id}/")
    assert response.status_code == 200
    assert ProfileView.objects.filter(viewer=me.user, viewed=other.user).exists()
    html = response.content.decode()
    assert f"/members/{other.user_id}/like/" in html
    assert f"/members/{other.user_id}/block/" in html
    assert f"/members/{other.user_id}/report/" in html


def test_view_duration_reweights_the_latest_view(client, pushes):
    me, other = MemberFactory(), MemberFactory()
    services.profile_view_record(viewer=me.user, viewed=other)
    client.force_login(me.user)
    response = client.post("/views/duration/", {"user_id": str(other.user_id), "seconds": "180"})
    assert response.status_code == 204
    view = UserInteraction.objects.get(action="view")
    assert view.duration == 180
    assert view.weight == pytest.approx(0.8)
    assert (
        client.post("/views/duration/", {"user_id": str(other.user_id), "seconds": "x"}).status_code
        == 400
    )


def test_profile_click_records_interaction(client):
    me, other = MemberFactory(), MemberFactory()
    client.force_login(me.user)
    assert client.post("/interactions/click/", {"user_id": str(other.user_id)}).status_code == 204
    click = UserInteraction.objects.get()
    assert (click.action, click.weight) == ("profile_click", 1.5)


def test_views_page_premium_sees_and_marks_seen_free_sees_count(client, pushes):
    me, v1, v2 = MemberFactory(), MemberFactory(name="Viewer One"), MemberFactory()
    services.profile_view_record(viewer=v1.user, viewed=me)
    services.profile_view_record(viewer=v2.user, viewed=me)
    client.force_login(me.user)

    free = client.get("/views/")
    assert free.context["unseen"] == 2
    assert "Viewer One" not in free.content.decode()
    assert ProfileView.objects.filter(seen=False).count() == 2

    me.user.premium_until = timezone.now() + timedelta(days=1)
    me.user.save()
    premium = client.get("/views/")
    assert "Viewer One" in premium.content.decode()
    assert ProfileView.objects.filter(seen=False).count() == 0


def test_views_list_hides_banned_viewers():
    from matching.selectors import profile_views_list

    me, kept, banned = MemberFactory(), MemberFactory(), MemberFactory()
    services.profile_view_record(viewer=kept.user, viewed=me)
    services.profile_view_record(viewer=banned.user, viewed=me)
    type(banned.user).objects.filter(pk=banned.user_id).update(is_active=False)  # as a ban does

    assert [v.viewer_id for v in profile_views_list(viewer=me.user)] == [kept.user_id]


def test_block_hides_both_ways_and_removes_likes(client):
    me, other = MemberFactory(), MemberFactory(name="Blocked Person")
    Like.objects.create(source=me, target=other)
    Like.objects.create(source=other, target=me)
    client.force_login(me.user)

    assert client.post(f"/members/{other.user_id}/block/").status_code == 302
    assert client.post(f"/members/{other.user_id}/block/").status_code == 404  # now hidden

    assert Block.objects.filter(blocker=me.user, blocked=other.user).count() == 1
    assert Like.objects.count() == 0
    page = client.get("/members/?distance=any").context["page"]
    assert other.pk not in [card.member.pk for card in page.cards]
    assert client.get(f"/members/{other.user_id}/").status_code == 404
    client.force_login(other.user)
    assert client.get(f"/members/{me.user_id}/").status_code == 404


def test_block_create_is_idempotent():
    a, b = MemberFactory(), MemberFactory()
    services.block_create(blocker=a.user, blocked=b.user)
    services.block_create(blocker=a.user, blocked=b.user)
    assert Block.objects.count() == 1


def test_report_with_reason_and_text_visible_in_admin(client, admin_client):
    me, other = MemberFactory(), MemberFactory()
    client.force_login(me.user)
    bad = client.post(f"/members/{other.user_id}/report/", {"reason": "nonsense"})
    assert bad.status_code == 400
    ok = client.post(
        f"/members/{other.user_id}/report/", {"reason": "scam", "text": "asks for money"}
    )
    assert ok.status_code == 302
    report = Report.objects.get()
    assert (report.reporter, report.reported, report.reason) == (me.user, other.user, "scam")
    assert Report in admin_site._registry
    page = admin_client.get("/admin/matching/report/?status__exact=open")
    assert page.status_code == 200
    assert admin_client.get(f"/admin/matching/report/{report.pk}/change/").status_code == 200


def test_location_from_browser_is_rounded(client):
    me = MemberFactory(latitude=None, longitude=None)
    client.force_login(me.user)
    response = client.post("/location/", {"latitude": "32.123456", "longitude": "34.987654"})
    assert response.status_code == 200
    me.refresh_from_db()
    assert (me.latitude, me.longitude, me.location_enabled) == (32.123, 34.988, True)
    assert me.location_updated_at is not None
    assert client.post("/location/", {"latitude": "95", "longitude": "0"}).status_code == 400


def test_location_from_city_list(client):
    me = MemberFactory(latitude=None, longitude=None)
    client.force_login(me.user)
    options = client.get("/location/cities/?q=Haifa").content.decode()
    assert "Haifa" in options
    assert client.post("/location/city/", {"city": "294801"}).status_code == 302  # Haifa
    me.refresh_from_db()
    assert me.city == "Haifa"
    assert me.latitude == pytest.approx(32.8, abs=0.1)
    assert client.post("/location/city/", {"city": "1"}).status_code == 302
