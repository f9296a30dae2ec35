"""The installable web app (issue 19 B): manifest, service worker at the root, offline page,
and a CSP that stays strict while allowing them."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_in_the_page_language():
    client = Client()
    client.cookies["django_language"] = "he"
    he = client.get("/manifest.webmanifest")
    assert he["Content-Type"] == "application/manifest+json"
    data = json.loads(he.content)
    assert (data["lang"], data["dir"], data["short_name"]) == ("he", "rtl", "Miel")
    assert data["name"] != "Miel: meet people near you"  # translated
    client.cookies["django_language"] = "en"
    data = json.loads(client.get("/manifest.webmanifest").content)
    assert (data["lang"], data["dir"]) == ("en", "ltr")
    assert data["name"] == "Miel: meet people near you"
    assert (data["start_url"], data["display"]) == ("/discover/", "standalone")
    sizes = {(i["sizes"], i["purpose"]) for i in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_the_service_worker_is_served_from_the_root_with_its_scope():
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert '"/static/css/miel.css"' in body
    assert 'OFFLINE_URL = "/offline/"' in body


def test_the_csp_allows_the_worker_and_the_manifest_only_from_self():
    header = Client().get("/")["Content-Security-Policy"]
    policy = dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    assert policy["worker-src"] == "'self'"
    assert policy["manifest-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # still strict


def test_the_offline_page_speaks_both_languages():
    html = Client().get("/offline/").content.decode()
    assert "You are offline" in html
    assert 'lang="he"' in html
    assert "<script" not in html
