"""Quiet hours and Shabbat and holiday mode (issue 19 E): a push and an e-mail that arrive
during them are held and delivered after as ONE summary (time frozen, Jerusalem and New
York); the candle-lighting time is the library's; Discover hides resting members who asked;
Settings shows the next window in the member's language."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from hdate import Location, Zmanim

from accounts.models import User
from matching import services as matching_services
from matching.selectors import discoverable
from messaging.services import message_send
from notifications import quiet
from notifications.models import HeldNotice, QuietSettings
from notifications.tasks import held_flush
from profiles.models import Member
from tests.factories import MemberFactory, make_match
from tests.notifications.test_web_push import Browser, push_service, vapid  # noqa: F401

pytestmark = pytest.mark.django_db

JERUSALEM = ZoneInfo("Asia/Jerusalem")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _no_socket(monkeypatch):
    monkeypatch.setattr("miel.realtime.send_now", lambda uid, event: True)


def _member(name, *, zone="Asia/Jerusalem", **member):
    m = MemberFactory(name=name, **member)
    User.objects.filter(pk=m.user_id).update(language="en", time_zone=zone, last_active_at=None)
    m.user.refresh_from_db()
    return m


def _quiet(member, **values):
    defaults = {
        "quiet_enabled": False,
        "quiet_start": dt.time(22, 0),
        "quiet_end": dt.time(7, 0),
        "shabbat_mode": False,
        "shabbat_hide": False,
    }
    return quiet.quiet_settings_save(user=member.user, **{**defaults, **values})


def _at(local: dt.datetime):
    return time_machine.travel(local, tick=False)


def test_quiet_hours_hold_a_push_and_deliver_one_summary_after(
    vapid,  # noqa: F811
    push_service,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with _at(dt.datetime(2026, 12, 1, 20, 0, tzinfo=JERUSALEM)):
        dana, yoni, avi = _member("Dana"), _member("Yoni"), _member("Avi")
        browser = Browser(dana.user, f"{push_service.url}/push/dana")
        _quiet(dana, quiet_enabled=True)
    with _at(dt.datetime(2026, 12, 1, 23, 30, tzinfo=JERUSALEM)):
        matching_services.like_toggle(source=dana, target=yoni)
        with django_capture_on_commit_callbacks(execute=True):
            matching_services.like_toggle(source=yoni, target=dana)  # a match
        make_match(dana, avi)
        with django_capture_on_commit_callbacks(execute=True):
            message_send(sender=avi, recipient=dana, text="hi")
            message_send(sender=avi, recipient=dana, text="still up?")
        assert push_service.received == []
        assert [m.to for m in mail.outbox] == [[yoni.user.email]]  # only Yoni's match e-mail
        mail.outbox.clear()
        assert HeldNotice.objects.filter(user=dana.user, channel="push").count() == 3
        assert held_flush() == 0  # still quiet
    with _at(dt.datetime(2026, 12, 2, 7, 5, tzinfo=JERUSALEM)):
        assert held_flush() == 1
        assert held_flush() == 0  # once
    assert len(push_service.received) == 1
    payload = browser.decrypt(push_service.received[0]["body"])
    assert payload["title"] == "While you were away on Miel"
    assert payload["body"] == "1 new match, 2 new messages"
    assert payload["url"] == "/notifications/"
    assert "hi" not in payload["body"]
    # The push covered the match: no e-mail about the same event as well.
    assert mail.outbox == []
    assert not HeldNotice.objects.exists()


def test_quiet_hours_hold_an_email_and_send_one_summary_with_unsubscribe(
    django_capture_on_commit_callbacks,
):
    with _at(dt.datetime(2026, 12, 1, 20, 0, tzinfo=JERUSALEM)):
        dana, yoni, avi = _member("Dana"), _member("Yoni"), _member("Avi")
        _quiet(dana, quiet_enabled=True, quiet_start=dt.time(23, 0), quiet_end=dt.time(6, 30))
    with _at(dt.datetime(2026, 12, 2, 1, 0, tzinfo=JERUSALEM)):
        matching_services.like_toggle(source=dana, target=yoni)
        with django_capture_on_commit_callbacks(execute=True):
            matching_services.like_toggle(source=yoni, target=dana)
        make_match(dana, avi)
        with django_capture_on_commit_callbacks(execute=True):
            message_send(sender=avi, recipient=dana, text="secret")
        assert [m.to for m in mail.outbox] == [[yoni.user.email]]  # only Yoni's match e-mail
        mail.outbox.clear()
    with _at(dt.datetime(2026, 12, 2, 6, 35, tzinfo=JERUSALEM)):
        assert held_flush() == 1
        assert held_flush() == 0
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [dana.user.email]
    assert email.subject == "While you were away on Miel"
    assert "1 new match" in email.body
    assert "1 new message" in email.body
    assert "secret" not in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in email.extra_headers["List-Unsubscribe"]


def test_a_mail_server_failure_keeps_the_held_items(
    monkeypatch, django_capture_on_commit_callbacks
):
    with _at(dt.datetime(2026, 12, 1, 23, 30, tzinfo=JERUSALEM)):
        dana, yoni = _member("Dana"), _member("Yoni")
        _quiet(dana, quiet_enabled=True)
        matching_services.like_toggle(source=dana, target=yoni)
        with django_capture_on_commit_callbacks(execute=True):
            matching_services.like_toggle(source=yoni, target=dana)
        mail.outbox.clear()
    with _at(dt.datetime(2026, 12, 2, 7, 5, tzinfo=JERUSALEM)):

        def down(*args, **kwargs):
            raise OSError("smtp down")

        monkeypatch.setattr("miel.emails.EmailMultiAlternatives.send", down)
        assert held_flush() == 0
        assert HeldNotice.objects.filter(user=dana.user).count() == 1
        monkeypatch.undo()
        assert held_flush() == 1
    assert len(mail.outbox) == 1


def test_candle_lighting_is_the_librarys_for_a_known_friday():
    friday = dt.date(2026, 12, 4)
    with _at(dt.datetime(2026, 12, 4, 9, 0, tzinfo=JERUSALEM)):
        dana = _member("Dana")
        Member.objects.filter(pk=dana.pk).update(latitude=None, longitude=None)
        prefs = _quiet(dana, shabbat_mode=True)
    place = Location("Jerusalem", 31.778, 35.235, JERUSALEM, 754, False)
    expected = Zmanim(date=friday, location=place, candle_lighting_offset=18).candle_lighting
    assert prefs.shabbat_start == expected
    assert prefs.shabbat_start.astimezone(JERUSALEM).strftime("%a %H:%M") == "Fri 16:17"
    assert prefs.shabbat_end.astimezone(JERUSALEM).strftime("%a %H:%M") == "Sat 17:14"


def test_a_yom_tov_next_to_shabbat_is_one_window():
    # 2026: Rosh Hashana is Sat 12 - Sun 13 September (Israel keeps two days too).
    with _at(dt.datetime(2026, 9, 10, 12, 0, tzinfo=JERUSALEM)):
        start, end = quiet.shabbat_window(
            place=quiet.place_of(User()), zone=JERUSALEM, now=dt.datetime.now(dt.UTC)
        )
    assert start.astimezone(JERUSALEM).date() == dt.date(2026, 9, 11)
    assert end.astimezone(JERUSALEM).date() == dt.date(2026, 9, 13)


def test_shabbat_mode_in_new_york_holds_and_delivers_after_havdalah(
    django_capture_on_commit_callbacks,
):
    with _at(dt.datetime(2026, 12, 4, 10, 0, tzinfo=NEW_YORK)):
        dana = _member("Dana", zone="America/New_York", latitude=40.7128, longitude=-74.006)
        avi = _member("Avi")
        prefs = _quiet(dana, shabbat_mode=True, shabbat_hide=True)
        make_match(dana, avi)
    assert prefs.shabbat_start.astimezone(NEW_YORK).strftime("%a %H:%M") == "Fri 16:11"
    assert prefs.shabbat_end.astimezone(NEW_YORK).strftime("%a %H:%M") == "Sat 17:14"
    with _at(dt.datetime(2026, 12, 4, 16, 0, tzinfo=NEW_YORK)):  # before candle lighting
        with django_capture_on_commit_callbacks(execute=True):
            message_send(sender=avi, recipient=dana, text="shabbat shalom")
        assert len(mail.outbox) == 1
        mail.outbox.clear()
    with _at(dt.datetime(2026, 12, 5, 12, 0, tzinfo=NEW_YORK)):  # Shabbat
        with django_capture_on_commit_callbacks(execute=True):
            message_send(sender=avi, recipient=dana, text="are you there")
        # (throttled anyway within the hour: a later one)
        assert mail.outbox == []
    with _at(dt.datetime(2026, 12, 5, 16, 30, tzinfo=NEW_YORK)):
        with django_capture_on_commit_callbacks(execute=True):
            message_send(sender=avi, recipient=dana, text="later")
        assert mail.outbox == []
        assert HeldNotice.objects.filter(user=dana.user, channel="email").exists()
        assert held_flush() == 0
    with _at(dt.datetime(2026, 12, 5, 17, 20, tzinfo=NEW_YORK)):  # after havdalah 17:14
        assert held_flush() == 1
    assert len(mail.outbox) == 1
    assert "new message" in mail.outbox[0].body


def test_discover_hides_a_resting_member_only_during_the_window():
    with _at(dt.datetime(2026, 12, 4, 10, 0, tzinfo=JERUSALEM)):
        viewer, resting, open_ = _member("V"), _member("R"), _member("O")
        _quiet(resting, shabbat_mode=True, shabbat_hide=True)
        _quiet(open_, shabbat_mode=True, shabbat_hide=False)

    def shown():
        return set(
            Member.objects.filter(discoverable(viewer_id=viewer.user_id)).values_list(
                "name", flat=True
            )
        )

    with _at(dt.datetime(2026, 12, 4, 10, 0, tzinfo=JERUSALEM)):
        assert {"R", "O"} <= shown()
    with _at(dt.datetime(2026, 12, 5, 12, 0, tzinfo=JERUSALEM)):
        assert "R" not in shown()
        assert "O" in shown()
    with _at(dt.datetime(2026, 12, 5, 18, 0, tzinfo=JERUSALEM)):
        assert {"R", "O"} <= shown()
        assert quiet.shabbat_windows_refresh() == 2  # both moved to next week
    row = QuietSettings.objects.get(user=resting.user)
    assert row.shabbat_start.astimezone(JERUSALEM).date() == dt.date(2026, 12, 11)


@pytest.mark.parametrize(
    ("language", "lighting", "havdalah", "jerusalem_note"),
    [
        ("en", "Candle lighting:", "Havdalah:", "Times for Jerusalem"),
        ("he", "הדלקת נרות:", "הבדלה:", "זמני ירושלים"),
    ],
)
def test_settings_show_the_next_window_in_the_members_language(
    language, lighting, havdalah, jerusalem_note
):
    with _at(dt.datetime(2026, 12, 3, 10, 0, tzinfo=JERUSALEM)):
        dana = _member("Dana")
        Member.objects.filter(pk=dana.pk).update(latitude=None, longitude=None)
        client = Client()
        client.force_login(dana.user)
        response = client.post(
            "/notifications/quiet/",
            {"quiet_start": "22:00", "quiet_end": "07:00", "shabbat_mode": "on"},
        )
        assert response.status_code == 302
        response = client.get("/settings/", HTTP_ACCEPT_LANGUAGE=language)
        client.cookies["django_language"] = language
        response = client.get("/settings/")
    html = response.content.decode()
    assert lighting in html
    assert havdalah in html
    assert "16:17" in html
    assert "17:14" in html
    assert jerusalem_note in html


def test_quiet_hours_with_the_same_start_and_end_are_refused():
    dana = _member("Dana")
    client = Client()
    client.force_login(dana.user)
    response = client.post(
        "/notifications/quiet/",
        {"quiet_enabled": "on", "quiet_start": "22:00", "quiet_end": "22:00"},
        follow=True,
    )
    assert response.status_code == 200
    assert "different start and end" in response.content.decode()
    assert not QuietSettings.objects.filter(user=dana.user).exists()
    response = client.post("/notifications/quiet/", {"quiet_start": "late", "quiet_end": "7"})
    assert response.status_code == 302


def test_quiet_hours_that_begin_as_shabbat_ends_hold_until_they_end():
    with _at(dt.datetime(2026, 12, 5, 12, 0, tzinfo=JERUSALEM)):  # Shabbat noon
        dana = _member("Dana")
        _quiet(
            dana,
            quiet_enabled=True,
            quiet_start=dt.time(17, 0),
            quiet_end=dt.time(20, 0),
            shabbat_mode=True,
        )
        release = quiet.quiet_until(user_id=dana.user_id)
    assert release is not None
    assert release.astimezone(JERUSALEM) == dt.datetime(2026, 12, 5, 20, 0, tzinfo=JERUSALEM)


def test_a_window_about_to_start_is_computed_again_after_a_time_zone_change():
    with _at(dt.datetime(2026, 12, 4, 9, 0, tzinfo=NEW_YORK)):
        dana = _member("Dana", zone="Asia/Jerusalem", latitude=40.7128, longitude=-74.006)
        prefs = _quiet(dana, shabbat_mode=True)
    User.objects.filter(pk=dana.user_id).update(time_zone="America/New_York")
    with _at(dt.datetime(2026, 12, 4, 15, 0, tzinfo=NEW_YORK)):  # 71 minutes before lighting
        assert quiet.shabbat_windows_refresh() == 1
    prefs.refresh_from_db()
    assert prefs.shabbat_start.astimezone(NEW_YORK).strftime("%a %H:%M") == "Fri 16:11"
