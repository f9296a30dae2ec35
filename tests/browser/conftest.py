"""Headless Chromium for the browser tests (Debian's /usr/bin/chromium, driven by Playwright)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import require_service

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path("/tmp/miel-shots")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium(live_server, settings, monkeypatch):
    """A Chromium browser for pages of ``live_server`` (which also serves media files)."""
    require_service(os.path.exists(CHROMIUM), f"needs Chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay
    # synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.ROOT_URLCONF = "tests.browser.urls"
    # The live server answers each request on a new thread; with CONN_MAX_AGE > 0 those
    # threads leave PostgreSQL connections open and the test database cannot be dropped.
    previous_age = connection.settings_dict.get("CONN_MAX_AGE", 0)
    connection.settings_dict["CONN_MAX_AGE"] = 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()
    connection.settings_dict["CONN_MAX_AGE"] = previous_age
    # Inside ``sync_playwright`` (greenlets) the test body runs in its own context, so its
    # database connection is not the one pytest-django closes before dropping the test
    # database: each test closes it itself (``connection.close()`` at its end).


@pytest.fixture
def prompt_catalogue(transactional_db):
    """The migrated prompt catalogue (issue 18). An earlier transactional test's flush empties
    it, as it does the interests (see ``interest_catalogue`` in test_journey.py), so load it again
    from its data migration when it is missing."""
    import importlib

    from django.apps import apps as django_apps

    from profiles.models import Prompt

    if not Prompt.objects.exists():
        migration = importlib.import_module("profiles.migrations.0015_prompt_catalogue")
        migration.add_catalogue(django_apps, None)
