"""Content-Security-Policy (django-csp): the header is on every page, strict for scripts and
styles, opens only the configured services, and no template needs what it forbids (inline
scripts, ``on*=`` handlers, ``style=`` attributes, ``hx-on``). tests/browser/test_csp.py checks
the same in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from miel.csp import content_security_policy, s3_origins

pytestmark = pytest.mark.django_db

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/no-such-page/"])
def test_every_page_sends_a_strict_policy(client, path):
    response = client.get(path)
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"][0] == "'self'"
    assert all(v.startswith("'sha256-") for v in csp["style-src"][1:])
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert "ws://testserver" in csp["connect-src"]  # the site's own WebSocket
    assert "https://checkout.stripe.com" in csp["form-action"]  # Checkout is a form redirect
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_member_page_policy(member_client):
    response = member_client.get("/members/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_secure_request_allows_wss_of_the_same_host(client):
    response = client.get("/", secure=True)
    assert "wss://testserver" in _directives(response["Content-Security-Policy"])["connect-src"]


def test_configured_services_are_allowed_and_only_then():
    bare = content_security_policy()["DIRECTIVES"]
    assert "https://res.cloudinary.com" not in bare["img-src"]
    assert bare["media-src"] == ["'self'", "blob:"]

    full = content_security_policy(
        cloudinary=True,
        video_bucket="miel-videos",
        s3_region="eu-central-1",
        stripe_api_base="http://127.0.0.1:12111",
        oauth_providers=("google",),
    )["DIRECTIVES"]
    assert "https://res.cloudinary.com" in full["img-src"]
    for directive in ("media-src", "connect-src"):  # playback and the direct upload
        assert "https://miel-videos.s3.amazonaws.com" in full[directive]
        assert "https://miel-videos.s3.eu-central-1.amazonaws.com" in full[directive]
    assert "http://127.0.0.1:12111" in full["form-action"]
    assert "https://accounts.google.com" in full["form-action"]


def test_s3_compatible_endpoint_origins():
    assert s3_origins(
        bucket="v", endpoint_url="http://127.0.0.1:9000/", addressing_style="path"
    ) == ["http://127.0.0.1:9000"]
    assert s3_origins(bucket="v", endpoint_url="https://r2.example.com") == [
        "https://r2.example.com",
        "https://v.r2.example.com",
    ]
    assert s3_origins(bucket="") == []


INLINE_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""<[^>]*\sstyle\s*=\s*["']""", re.IGNORECASE)
HX_ON = re.compile(r"""\shx-on[:-]""")
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def test_templates_need_nothing_the_policy_forbids():
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATES)
        if name.parts[0] == "emails":
            continue  # e-mail HTML is read by mail clients, never served under the CSP
        for pattern, what in (
            (INLINE_HANDLER, "inline on*= handler"),
            (STYLE_ATTRIBUTE, "style= attribute"),
            (HX_ON, "hx-on (needs eval)"),
        ):
            if pattern.search(text):
                problems.append(f"{name}: {what}")
        for attrs in SCRIPT_TAG.findall(text):
            if "src=" not in attrs and 'type="application/json"' not in attrs:
                problems.append(f"{name}: inline <script>")
    assert problems == []
