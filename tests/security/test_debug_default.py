"""Issue 14: ``DJANGO_DEBUG`` unset means production mode (DEBUG off, every production guard
on); only an explicit ``DJANGO_DEBUG=true`` (``make run``, the test suite) turns debug on."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
from django.conf import settings
print("debug", settings.DEBUG)
print("secure_cookies", settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE)
"""


def _run(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(DJANGO_SETTINGS_MODULE="miel.settings", LOG_LEVEL="CRITICAL", **env)
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_unset_debug_is_production_mode():
    result = _run(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        # Only parsed: the probe opens no connection.
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/miel_unused",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "debug False" in result.stdout
    assert "secure_cookies True" in result.stdout


def test_unset_debug_refuses_the_embedded_default():
    """No variables at all: the guards stop the start instead of serving in debug mode."""
    result = _run()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_DEBUG=true" in result.stderr


def test_explicit_debug_true_runs_the_embedded_default():
    result = _run(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "debug True" in result.stdout


def test_suite_runs_with_debug_set_for_it():
    """pytest-env sets DJANGO_DEBUG=true for the suite (pyproject), unless the caller set it."""
    assert os.environ.get("DJANGO_DEBUG")
