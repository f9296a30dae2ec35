"""Assistant endpoints: panel on member pages, htmx send, 429s, JSON API, clear."""

from __future__ import annotations

import json

import pytest

from assistant.models import AIMessage, AIUsageLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def me_client(client, me):
    client.force_login(me.user)
    return client


def test_panel_is_on_member_pages_with_the_member_as_target(me_client, dana):
    response = me_client.get(f"/members/{dana.user_id}/")
    body = response.content.decode()
    assert 'id="ai-panel"' in body
    assert f'name="target" value="{dana.user_id}"' in body
    assert 'value="find"' in body
    assert 'value="tips"' in body


def test_panel_not_shown_to_anonymous(client):
    assert b"ai-panel" not in client.get("/").content


def test_htmx_send_returns_the_turn_with_member_cards(me_client, dana):
    response = me_client.post(
        "/assistant/send/", {"intent": "find"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="/members/{dana.user_id}/"' in body
    assert "Dana" in body
    assert 'id="ai-quota"' in body
    assert "hx-swap-oob" in body

    history = me_client.get("/assistant/", HTTP_HX_REQUEST="true")
    assert history.content.decode().count("ai-msg") == 2


def test_over_the_limit_is_a_friendly_429(me_client):
    for _ in range(5):
        assert (
            me_client.post(
                "/assistant/send/", {"intent": "tips"}, HTTP_HX_REQUEST="true"
            ).status_code
            == 200
        )
    response = me_client.post("/assistant/send/", {"text": "hi"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 429
    assert b"/premium/" in response.content


def test_json_api_answers_and_returns_429_over_the_limit(me_client, dana):
    ok = me_client.post(
        "/assistant/api/chat/",
        data=json.dumps({"text": "find me matches"}),
        content_type="application/json",
    )
    assert ok.status_code == 200
    data = ok.json()
    assert data["remaining"] == 4
    assert data["cards"][0]["user_id"] == str(dana.user_id)
    assert data["cards"][0]["url"] == f"/members/{dana.user_id}/"
    for _ in range(4):
        me_client.post("/assistant/api/chat/", {"intent": "tips"})
    refused = me_client.post("/assistant/api/chat/", {"text": "hi"})
    assert refused.status_code == 429
    assert refused.json()["remaining"] == 0
    assert AIUsageLog.objects.count() == 5


def test_json_api_rejects_bad_input(me_client):
    assert me_client.post("/assistant/api/chat/", {"text": ""}).status_code == 400
    bad = me_client.post("/assistant/api/chat/", data="{nope", content_type="application/json")
    assert bad.status_code == 400


def test_clear_and_no_js_fallback(me_client):
    response = me_client.post("/assistant/send/", {"intent": "tips"})
    assert response.status_code == 302  # non-htmx: back to the full page
    page = me_client.get("/assistant/")
    assert page.status_code == 200
    assert page.content.decode().count("ai-msg") >= 2
    me_client.post("/assistant/clear/")
    assert not AIMessage.objects.exists()


def test_get_on_send_is_refused_and_anonymous_redirected(client, me_client):
    assert me_client.get("/assistant/send/").status_code == 405
    client.logout()
    assert client.post("/assistant/api/chat/", {"text": "x"}).status_code == 302
