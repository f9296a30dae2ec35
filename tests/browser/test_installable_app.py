"""Chromium installs Miel (issue 19 B): it reads the manifest with no installability error,
the service worker registers for the whole site, and with the server unreachable a page
shows the cached offline page."""

from __future__ import annotations

import json

import pytest
from django.db import connection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_installs_the_app_and_shows_the_offline_page(chromium, live_server):
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/")
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == f"{live_server.url}/"

    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
    assert manifest["errors"] == []
    assert json.loads(manifest["data"])["start_url"] == "/discover/"
    installability = cdp.send("Page.getInstallabilityErrors")
    # Playwright's contexts are incognito profiles, where Chromium never offers to install;
    # every check about the site itself (manifest, icons, worker, start URL) must pass.
    ids = [e["errorId"] for e in installability["installabilityErrors"]]
    assert [i for i in ids if i != "in-incognito"] == []

    page.reload()  # now controlled by the worker
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)  # the server cannot be reached
    page.goto(f"{live_server.url}/discover/")
    assert "You are offline" in page.inner_text("main")
    page.screenshot(path="/tmp/miel-shots/offline-en-phone.png")
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()
    connection.close()
