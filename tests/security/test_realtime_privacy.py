"""Live notices must not leak premium data: a free member's ``like.new`` / ``profile.viewed``
WebSocket event says "someone", a premium member's says who (rules §6, §7)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from matching import services
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushes():
    with mock.patch("matching.services.likes.push_to_user") as push:
        yield push


def _make_premium(member):
    member.user.premium_until = timezone.now() + timedelta(days=30)
    member.user.save(update_fields=["premium_until"])


def _events(pushes, kind):
    return [c for c in pushes.call_args_list if c.args[1] == kind]


def _sent(sent, kind):
    return [(uid, event) for uid, event in sent if event["type"] == kind]


def test_free_member_gets_anonymous_like_and_view_notices(
    pushes, sent, django_capture_on_commit_callbacks
):
    admirer, free = MemberFactory(name="Zebulon"), MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.like_toggle(source=admirer, target=free)
        services.profile_view_record(viewer=admirer.user, viewed=free)
    (view,) = _events(pushes, "profile.viewed")
    assert view.args[0] == free.user_id
    (like,) = _sent(sent, "like.new")
    assert like[0] == free.user_id
    for event in (view, like, *sent):  # the bell's count says no more
        assert "Zebulon" not in repr(event)
        assert str(admirer.user_id) not in repr(event)


def test_premium_member_sees_who(pushes, sent, django_capture_on_commit_callbacks):
    admirer, premium = MemberFactory(name="Zebulon"), MemberFactory()
    _make_premium(premium)
    with django_capture_on_commit_callbacks(execute=True):
        services.like_toggle(source=admirer, target=premium)
        services.profile_view_record(viewer=admirer.user, viewed=premium)
    (view,) = _events(pushes, "profile.viewed")
    assert view.kwargs == {"from_user_id": str(admirer.user_id), "name": "Zebulon"}
    ((to, like),) = _sent(sent, "like.new")
    assert to == premium.user_id
    assert like == {"type": "like.new", "from_user_id": str(admirer.user_id), "name": "Zebulon"}


def test_match_notice_links_to_a_chat_that_opens(
    client, pushes, django_capture_on_commit_callbacks
):
    a, b = MemberFactory(), MemberFactory()
    services.like_toggle(source=b, target=a)
    with django_capture_on_commit_callbacks(execute=True):
        services.like_toggle(source=a, target=b)
    (to_a,) = [c for c in _events(pushes, "match.new") if c.args[0] == a.user_id]
    client.force_login(a.user)
    assert client.get(to_a.kwargs["chat_url"]).status_code == 200
    assert client.get(to_a.kwargs["url"]).status_code == 200
