from __future__ import annotations

import pytest


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
def _english(english):
    """Every test here reads English text (the shared ``english`` fixture)."""
