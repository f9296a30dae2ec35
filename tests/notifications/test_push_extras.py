"""Profile-view pushes for premium members and the opt-in card after the first match
(issue 19)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from matching import services as matching_services
from notifications.models import Notification, PushSettings
from tests.factories import MemberFactory, make_match
from tests.notifications.test_web_push import Browser, push_service, vapid  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_socket(monkeypatch):
    monkeypatch.setattr("miel.realtime.send_now", lambda uid, event: True)


def _view(viewer, viewed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.profile_view_record(viewer=viewer.user, viewed=viewed)


def test_a_premium_member_gets_a_profile_view_push_naming_the_viewer(
    vapid,  # noqa: F811
    push_service,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    dana, yoni = MemberFactory(name="Dana"), MemberFactory(name="Yonatan")
    User.objects.filter(pk=dana.user_id).update(
        language="en", premium_until=timezone.now() + timedelta(days=30)
    )
    browser = Browser(dana.user, f"{push_service.url}/push/dana")
    _view(yoni, dana, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(user=dana.user, kind="view").count() == 1
    assert len(push_service.received) == 1
    payload = browser.decrypt(push_service.received[0]["body"])
    assert payload["body"] == "Yonatan viewed your profile"
    assert payload["url"] == "/views/"


def test_a_free_member_gets_no_profile_view_push(
    vapid,  # noqa: F811
    push_service,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    dana, yoni = MemberFactory(), MemberFactory()
    Browser(dana.user, f"{push_service.url}/push/dana")
    _view(yoni, dana, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(user=dana.user, kind="view").count() == 1  # the centre
    assert push_service.received == []


def test_the_profile_view_switch_off_sends_no_push(
    vapid,  # noqa: F811
    push_service,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    dana, yoni = MemberFactory(), MemberFactory()
    User.objects.filter(pk=dana.user_id).update(premium_until=timezone.now() + timedelta(days=3))
    Browser(dana.user, f"{push_service.url}/push/dana")
    PushSettings.objects.update_or_create(user=dana.user, defaults={"profile_view": False})
    _view(yoni, dana, django_capture_on_commit_callbacks)
    assert push_service.received == []


def test_the_opt_in_card_shows_after_the_first_match_until_answered(vapid):  # noqa: F811
    dana, yoni = MemberFactory(), MemberFactory()
    client = Client()
    client.force_login(dana.user)
    assert "data-push-prompt" not in client.get("/messages/").content.decode()  # no match yet
    make_match(dana, yoni)
    from matching.models import MatchNotification

    MatchNotification.objects.create(user=dana.user, other=yoni.user)
    html = client.get("/messages/").content.decode()
    assert "data-push-prompt" in html
    assert "js/push_prompt.js" in html
    assert client.post("/notifications/push/prompt-done/").status_code == 200
    assert "data-push-prompt" not in client.get("/messages/").content.decode()


def test_no_opt_in_card_without_push_keys(settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    dana, yoni = MemberFactory(), MemberFactory()
    from matching.models import MatchNotification

    MatchNotification.objects.create(user=dana.user, other=yoni.user)
    client = Client()
    client.force_login(dana.user)
    assert "data-push-prompt" not in client.get("/messages/").content.decode()
