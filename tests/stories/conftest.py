from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture
def pushes(monkeypatch):
    """Real-time events sent after commit, as ``(user_id, event)`` pairs."""
    sent: list[tuple[str, dict]] = []

    def fake_send_now(user_id, event):
        sent.append((str(user_id), event))
        return True

    monkeypatch.setattr("miel.realtime.send_now", fake_send_now)
    return sent


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English text (Hebrew is the default language and has a full catalogue;
    tests/test_i18n.py checks the Hebrew pages)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
