"""CSRF: every state-changing endpoint refuses a POST without the token (403), whatever the
htmx/JSON headers; only the Stripe webhook is exempt, and it checks its signature instead."""

from __future__ import annotations

import pytest
from django.test import Client

from stories.services import story_publish
from tests.factories import MemberFactory, PhotoFactory, image_upload, make_match

pytestmark = pytest.mark.django_db


def test_every_post_needs_the_token(csrf_client, alice, bob):
    photo = PhotoFactory(member=alice)
    story = story_publish(user=bob.user, upload=image_upload())
    from messaging.services import message_send

    make_match(alice, bob)  # only matches may chat (issue 16)
    message = message_send(sender=bob, recipient=alice, text="hello")
    urls = [f"/members/{bob.user_id}/{a}/" for a in ("like", "unmatch", "block", "report")] + [
        "/views/duration/",
        "/interactions/click/",
        "/location/",
        "/location/city/",
        "/complete-profile/draft/",
        "/members/edit/",
        "/members/edit/photos/",
        f"/members/edit/photos/{photo.pk}/delete/",
        f"/members/edit/photos/{photo.pk}/main/",
        "/members/edit/video/upload/",
        "/members/edit/video/direct/",
        "/members/edit/video/direct/confirm/",
        f"/members/{bob.user_id}/chat/send/",
        f"/members/{bob.user_id}/chat/read/",
        *[f"/messages/{message.pk}/{a}/" for a in ("star", "archive", "delete", "read")],
        "/stories/new/",
        *[f"/stories/{story.pk}/{a}/" for a in ("view", "react", "reply", "delete")],
        "/assistant/send/",
        "/assistant/clear/",
        "/assistant/api/chat/",
        "/premium/checkout/",
        "/premium/portal/",
        "/premium/boost/",
        "/settings/",
        "/settings/delete/",
        "/moderation/act/",
        "/i18n/setlang/",
        "/accounts/logout/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/verification/resend/",
    ]
    variants = (
        {},
        {"HTTP_HX_REQUEST": "true"},
        {"content_type": "application/json", "HTTP_ACCEPT": "application/json"},
    )
    for url in urls:
        for headers in variants:
            if "content_type" in headers:
                response = csrf_client.post(url, data='{"text": "x"}', **headers)
            else:
                response = csrf_client.post(url, {"text": "x"}, **headers)
            assert response.status_code == 403, (url, headers, response.status_code)
    assert csrf_client.delete(f"/stories/{story.pk}/react/").status_code == 403
    assert not story.reactions.exists()


def test_stripe_webhook_is_csrf_exempt_but_signature_checked(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    client = Client(enforce_csrf_checks=True)
    body = '{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {}}}'
    unsigned = client.post("/stripe/webhook/", data=body, content_type="application/json")
    forged = client.post(
        "/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=deadbeef",
    )
    assert unsigned.status_code == 400
    assert forged.status_code == 400


def test_login_without_token_is_refused(db):
    MemberFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "x@example.com", "password": "x"})
    assert response.status_code == 403
