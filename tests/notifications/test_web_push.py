"""Web Push with VAPID (issue 19 C): a local push service receives the encrypted push, the
test decrypts it with the subscription's private keys and checks the payload and the VAPID
signature; 404 / 410 delete the subscription; sending is idempotent; the recipient's language;
no message text without previews; no push for a chat the member has open."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from matching import services as matching_services
from messaging.services import message_send
from notifications import push
from notifications.management.commands.push_keys import vapid_keys
from notifications.models import PushDelivery, PushSettings, PushSubscription
from tests.factories import MemberFactory, make_match

pytestmark = pytest.mark.django_db


def b64d(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64e(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


class PushService:
    """A local HTTP push service: records each POST; answers ``status``."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.server.shutdown()
    service.server.server_close()


@pytest.fixture
def vapid(settings):
    public, private = vapid_keys()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = public, private
    settings.VAPID_SUBJECT = "mailto:push@miel.test"
    settings.PUSH_ALLOW_HTTP_ENDPOINTS = True
    return public


class Browser:
    """A browser's push keys: the private key and auth secret to decrypt what it receives."""

    def __init__(self, user, endpoint: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        client = Client()
        client.force_login(user)
        response = client.post(
            "/notifications/push/subscribe/",
            json.dumps(
                {"endpoint": endpoint, "keys": {"p256dh": b64e(public), "auth": b64e(self.auth)}}
            ),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def check_vapid(headers: dict, *, audience: str, public_key: str) -> dict:
    """The VAPID ``Authorization: vapid t=<JWT>, k=<key>`` header: signed (ES256) by our key,
    for the push service's origin, not expired; its claims."""
    scheme, _sep, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    assert fields["k"] == public_key
    token = fields["t"]
    header_b64, claims_b64, signature_b64 = token.split(".")
    assert json.loads(b64d(header_b64))["alg"] == "ES256"
    signature = b64d(signature_b64)
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(public_key))
    key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(b64d(claims_b64))
    assert claims["aud"] == audience
    assert claims["sub"] == "mailto:push@miel.test"
    assert claims["exp"] > time.time()
    return claims


def test_a_new_match_is_pushed_encrypted_and_signed(
    vapid, push_service, django_capture_on_commit_callbacks
):
    dana, yoni = MemberFactory(name="Dana"), MemberFactory(name="Yonatan")
    User.objects.filter(pk=dana.user_id).update(language="en")
    browser = Browser(dana.user, f"{push_service.url}/push/dana-phone")
    matching_services.like_toggle(source=dana, target=yoni)
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.like_toggle(source=yoni, target=dana)
    assert len(push_service.received) == 1
    request = push_service.received[0]
    assert request["path"] == "/push/dana-phone"
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert int(request["headers"]["ttl"]) > 0
    check_vapid(request["headers"], audience=push_service.url, public_key=vapid)
    payload = browser.decrypt(request["body"])
    assert payload["body"] == "It's a match with Yonatan!"
    assert payload["url"] == f"/members/{yoni.user_id}/chat/"
    assert (payload["lang"], payload["dir"]) == ("en", "ltr")


def test_a_new_message_is_pushed_in_the_recipients_language_without_its_text(
    vapid, push_service, django_capture_on_commit_callbacks
):
    dana, yoni = MemberFactory(name="Dana"), MemberFactory(name="Yonatan")
    User.objects.filter(pk=dana.user_id).update(language="he")
    make_match(dana, yoni)
    browser = Browser(dana.user, f"{push_service.url}/push/1")
    with django_capture_on_commit_callbacks(execute=True):
        message_send(sender=yoni, recipient=dana, text="Coffee at 10?")
    payload = browser.decrypt(push_service.received[0]["body"])
    assert "Coffee" not in payload["body"]
    assert "Yonatan" in payload["body"]
    assert (payload["lang"], payload["dir"]) == ("he", "rtl")
    assert payload["body"] != "New message from Yonatan"  # Hebrew
    assert payload["url"] == f"/members/{yoni.user_id}/chat/"

    PushSettings.objects.create(user=dana.user, previews=True)
    with django_capture_on_commit_callbacks(execute=True):
        message_send(sender=yoni, recipient=dana, text="Coffee at 10?")
    assert browser.decrypt(push_service.received[1]["body"])["body"].endswith(": Coffee at 10?")


def test_a_free_members_like_push_names_nobody(
    vapid, push_service, django_capture_on_commit_callbacks
):
    dana, yoni = MemberFactory(name="Dana"), MemberFactory(name="Yonatan")
    User.objects.filter(pk=dana.user_id).update(language="en")
    browser = Browser(dana.user, f"{push_service.url}/push/1")
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.like_toggle(source=yoni, target=dana)
    payload = browser.decrypt(push_service.received[0]["body"])
    assert payload["body"] == "Someone liked you"
    assert str(yoni.user_id) not in json.dumps(payload)


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(
    status, vapid, push_service, django_capture_on_commit_callbacks
):
    dana, yoni = MemberFactory(), MemberFactory()
    Browser(dana.user, f"{push_service.url}/push/gone")
    push_service.status = status
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.like_toggle(source=yoni, target=dana)
    assert len(push_service.received) == 1
    assert not PushSubscription.objects.exists()


def test_a_server_error_keeps_the_subscription(
    vapid, push_service, django_capture_on_commit_callbacks
):
    dana, yoni = MemberFactory(), MemberFactory()
    Browser(dana.user, f"{push_service.url}/push/1")
    push_service.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.like_toggle(source=yoni, target=dana)
    assert PushSubscription.objects.count() == 1


def test_sending_twice_pushes_once(vapid, push_service):
    from notifications.tasks import push_send

    dana, yoni = MemberFactory(), MemberFactory()
    Browser(dana.user, f"{push_service.url}/push/1")
    args = (str(dana.user_id), "like", "notification:x", str(yoni.user_id), None)
    assert push_send(*args) == 1
    assert push_send(*args) == 0
    assert len(push_service.received) == 1
    assert PushDelivery.objects.count() == 1


def test_no_push_for_a_chat_the_member_has_open(
    vapid, push_service, django_capture_on_commit_callbacks
):
    dana, yoni = MemberFactory(), MemberFactory()
    make_match(dana, yoni)
    Browser(dana.user, f"{push_service.url}/push/1")
    push.chat_open_mark(user_id=dana.user_id, other_id=yoni.user_id, channel="c1")
    with django_capture_on_commit_callbacks(execute=True):
        message_send(sender=yoni, recipient=dana, text="hi")
    assert push_service.received == []
    push.chat_open_clear(user_id=dana.user_id, other_id=yoni.user_id, channel="c1")
    with django_capture_on_commit_callbacks(execute=True):
        message_send(sender=yoni, recipient=dana, text="still there?")
    assert len(push_service.received) == 1


def test_a_kind_switched_off_is_not_pushed(vapid, push_service, django_capture_on_commit_callbacks):
    dana, yoni = MemberFactory(), MemberFactory()
    Browser(dana.user, f"{push_service.url}/push/1")
    client = Client()
    client.force_login(dana.user)
    response = client.post("/notifications/push/settings/", {"new_match": "on"})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.like_toggle(source=yoni, target=dana)
    assert push_service.received == []


def test_without_keys_push_is_off_and_settings_say_so(settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    dana = MemberFactory()
    client = Client()
    client.force_login(dana.user)
    client.cookies["django_language"] = "en"
    page = client.get("/settings/").content.decode()
    assert "Push notifications are not set up on this site yet." in page
    assert "js/push.js" not in page
    response = client.post("/notifications/push/subscribe/", "{}", content_type="application/json")
    assert response.status_code == 404


def test_settings_offer_push_only_on_request(vapid):
    dana = MemberFactory()
    client = Client()
    client.force_login(dana.user)
    page = client.get("/settings/").content.decode()
    assert f'data-public-key="{vapid}"' in page
    assert "js/push.js" in page
    # No other page loads the opt-in script (never a prompt on page load).
    assert "js/push.js" not in client.get("/members/").content.decode()


@pytest.mark.parametrize(
    "body",
    [
        {"endpoint": "ftp://x/y", "keys": {"p256dh": b64e(b"\x04" * 65), "auth": b64e(b"a" * 16)}},
        {"endpoint": "https://push.example/1", "keys": {"p256dh": "short", "auth": "x"}},
        {"endpoint": "https://push.example/1"},
        ["not", "an", "object"],
    ],
)
def test_a_bad_subscription_is_a_400(vapid, body):
    client = Client()
    client.force_login(MemberFactory().user)
    response = client.post(
        "/notifications/push/subscribe/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert "error" in response.json()


def test_http_endpoints_are_refused_in_production(vapid, settings):
    settings.PUSH_ALLOW_HTTP_ENDPOINTS = False
    with pytest.raises(push.BadSubscription):
        push.subscription_save(
            user=MemberFactory().user,
            endpoint="http://127.0.0.1:9/x",
            p256dh=b64e(b"\x04" * 65),
            auth=b64e(b"a" * 16),
        )


def test_unsubscribe_removes_only_ones_own(vapid, push_service):
    dana, yoni = MemberFactory(), MemberFactory()
    Browser(dana.user, f"{push_service.url}/push/dana")
    client = Client()
    client.force_login(yoni.user)
    client.post(
        "/notifications/push/unsubscribe/",
        json.dumps({"endpoint": f"{push_service.url}/push/dana"}),
        content_type="application/json",
    )
    assert PushSubscription.objects.count() == 1


def test_push_keys_prints_a_usable_pair(capsys):
    call_command("push_keys")
    out = capsys.readouterr().out
    values = dict(line.split("=", 1) for line in out.strip().splitlines())
    assert len(b64d(values["VAPID_PUBLIC_KEY"])) == 65
    assert len(b64d(values["VAPID_PRIVATE_KEY"])) == 32
