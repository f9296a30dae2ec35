"""Pass and undo (issue 15): a passed member leaves the deck, the members list and smart
matches for 30 days; a like removes the pass; undo brings back the member passed last, once a
day for free members and without limit for premium; double clicks store one pass."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from matching import services
from matching.models import Like, Pass, PassUndo
from matching.smart.page import smart_match_page
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _shown_on_list(client) -> str:
    return client.get("/members/", {"distance": "any"}).content.decode()


def _shown_on_deck(client) -> str:
    return client.get("/discover/", {"distance": "any"}).content.decode()


def test_pass_hides_a_member_from_list_deck_and_smart_matches_for_30_days(client):
    with time_machine.travel(NOW, tick=False):
        me = MemberFactory(name="Viewer")
        gone = MemberFactory(name="Passedperson")
        stays = MemberFactory(name="Staysperson")
        client.force_login(me.user)
        assert "Passedperson" in _shown_on_list(client)
        assert "Passedperson" in _shown_on_deck(client)

        response = client.post(f"/members/{gone.user_id}/pass/")
        assert response.status_code == 302
        assert response["Location"] == "/discover/"
        assert Pass.objects.filter(source=me, target=gone).count() == 1

        for page in (_shown_on_list(client), _shown_on_deck(client)):
            assert "Passedperson" not in page
            assert "Staysperson" in page
        smart = smart_match_page(member=me)
        assert [c.member.pk for c in smart.cards] == [stays.pk]

    with time_machine.travel(NOW + timedelta(days=29, hours=23), tick=False):
        client.force_login(me.user)  # a new session: the first one has expired by now
        assert "Staysperson" in _shown_on_list(client)
        assert "Passedperson" not in _shown_on_list(client)
    with time_machine.travel(NOW + timedelta(days=30, minutes=1), tick=False):
        client.force_login(me.user)
        assert "Passedperson" in _shown_on_list(client)
        assert "Passedperson" in _shown_on_deck(client)


def test_a_like_removes_the_pass(client):
    me, other = MemberFactory(), MemberFactory(name="Comesback")
    client.force_login(me.user)
    client.post(f"/members/{other.user_id}/pass/")
    assert Pass.objects.filter(source=me, target=other).exists()

    client.post(f"/members/{other.user_id}/like/", {"action": "like"})

    assert not Pass.objects.exists()
    assert Like.objects.filter(source=me, target=other).exists()
    assert "Comesback" in _shown_on_list(client)


def test_pass_twice_keeps_one_row_and_refreshes_its_time():
    me, other = MemberFactory(), MemberFactory()
    with time_machine.travel(NOW, tick=False):
        services.pass_member(source=me, target=other)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        services.pass_member(source=me, target=other)
    row = Pass.objects.get()
    assert row.created_at == NOW + timedelta(days=3)


def test_pass_refuses_self_blocked_and_unknown(client):
    from matching.models import Block

    me, blocked = MemberFactory(), MemberFactory()
    Block.objects.create(blocker=blocked.user, blocked=me.user)
    with pytest.raises(ValidationError):
        services.pass_member(source=me, target=me)
    client.force_login(me.user)
    assert client.post(f"/members/{blocked.user_id}/pass/").status_code == 404
    assert client.post(f"/members/{me.user_id}/pass/").status_code == 404
    assert client.get(f"/members/{blocked.user_id}/pass/").status_code == 405
    assert not Pass.objects.exists()


def test_undo_brings_back_the_member_passed_last(client):
    me = MemberFactory()
    first, last = MemberFactory(name="Firstpassed"), MemberFactory(name="Lastpassed")
    client.force_login(me.user)
    with time_machine.travel(NOW, tick=False):
        client.post(f"/members/{first.user_id}/pass/")
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        client.post(f"/members/{last.user_id}/pass/")
        response = client.post("/members/pass/undo/", headers={"Accept": "application/json"})
        assert response.status_code == 200
        data = response.json()
        assert data["user_id"] == str(last.user_id)
        assert "Lastpassed" in data["html"]
        assert "data-deck-card" in data["html"]
        assert data["undos_left"] == 0
        assert list(Pass.objects.values_list("target_id", flat=True)) == [first.pk]
        page = _shown_on_deck(client)
        assert "Lastpassed" in page
        assert "Firstpassed" not in page


def test_free_members_undo_once_a_day_premium_without_limit(client):
    me = MemberFactory()
    others = [MemberFactory() for _ in range(3)]
    client.force_login(me.user)
    with time_machine.travel(NOW, tick=False):
        for other in others:
            client.post(f"/members/{other.user_id}/pass/")
        assert client.post("/members/pass/undo/").status_code == 302  # no JS: back to the deck
        refused = client.post("/members/pass/undo/", headers={"Accept": "application/json"})
        assert refused.status_code == 429
        assert "one pass a day" in refused.json()["error"]
        htmx = client.post("/members/pass/undo/", headers={"HX-Request": "true"})
        assert htmx.status_code == 429
        assert Pass.objects.count() == 2
        assert PassUndo.objects.count() == 1
    with time_machine.travel(NOW + timedelta(hours=24, minutes=1), tick=False):
        assert client.post("/members/pass/undo/").status_code == 302
        assert Pass.objects.count() == 1

        me.user.premium_until = NOW + timedelta(days=5)
        me.user.save(update_fields=["premium_until"])
        assert client.post("/members/pass/undo/").status_code == 302
        assert not Pass.objects.exists()
        nothing = client.post("/members/pass/undo/", headers={"Accept": "application/json"})
        assert nothing.status_code == 409
        assert nothing.json()["error"] == "There is no pass to undo."


def test_undo_without_javascript_puts_the_member_first_on_the_deck(client):
    me = MemberFactory()
    MemberFactory(name="Alreadyfirst")
    back = MemberFactory(name="Broughtback")
    # ``back`` is less recently active, so the deck's order would put them second.
    from profiles.models import Member

    Member.objects.filter(pk=back.pk).update(last_active_at=NOW - timedelta(days=2))
    client.force_login(me.user)
    client.post(f"/members/{back.user_id}/pass/")
    response = client.post("/members/pass/undo/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/discover/?first={back.user_id}"
    assert html.index("Broughtback") < html.index("Alreadyfirst")
    assert "\u2068Broughtback\u2069 is back." in html  # the name isolated (issue 17)


# --- concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.integration
def test_double_clicked_pass_and_like_store_one_row_each(transactional_db, postgresql_only):
    a, b, c = MemberFactory(), MemberFactory(), MemberFactory()
    errors: list[str] = []
    statuses: list[int] = []

    def fire(path, data, barrier):
        client = Client()
        client.force_login(a.user)
        try:
            barrier.wait()
            response = client.post(path, data, headers={"Accept": "application/json"})
            statuses.append(response.status_code)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    for _ in range(3):
        Pass.objects.all().delete()
        Like.objects.all().delete()
        barrier = threading.Barrier(8)
        threads = [
            threading.Thread(target=fire, args=(f"/members/{b.user_id}/pass/", {}, barrier))
            for _ in range(4)
        ] + [
            threading.Thread(
                target=fire, args=(f"/members/{c.user_id}/like/", {"action": "like"}, barrier)
            )
            for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert set(statuses) == {200}
        assert Pass.objects.filter(source=a, target=b).count() == 1
        assert Like.objects.filter(source=a, target=c).count() == 1
