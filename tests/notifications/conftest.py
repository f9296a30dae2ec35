import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def sent(monkeypatch):
    """Events sent to sockets, as (user id, event) pairs."""
    events: list = []
    monkeypatch.setattr(
        "miel.realtime.send_now", lambda uid, event: events.append((uid, event)) or True
    )
    # several events of one push (a like's like.new and the bell's count) go together
    monkeypatch.setattr("miel.realtime.send_many", lambda items: events.extend(items) or True)
    return events
