"""Issue 13 item 11: every text input refuses NUL and unpaired surrogates with 400 (never a
500), and JSON bodies have a size and depth limit."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from assistant.models import AIMessage
from matching.models import Report
from stories.models import Story, StoryReply
from tests.factories import MemberFactory, image_upload, make_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client):
    alice = MemberFactory(name="Alice")
    client.force_login(alice.user)
    client.cookies["django_language"] = "en"
    client.alice = alice
    return client


def api(client, body: str):
    return client.post(
        reverse("assistant:api_chat"), data=body.encode(), content_type="application/json"
    )


def test_assistant_json_with_a_lone_surrogate_is_400(alice_client):
    response = api(alice_client, '{"text": "hello \\ud800"}')
    assert response.status_code == 400
    assert "not allowed" in response.json()["error"]
    assert not AIMessage.objects.exists()


def test_assistant_json_with_a_nul_is_400(alice_client):
    response = api(alice_client, json.dumps({"text": "hi\x00"}))
    assert response.status_code == 400
    assert not AIMessage.objects.exists()


def test_100000_nested_brackets_are_400_not_500(alice_client):
    response = api(alice_client, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    response = api(alice_client, '{"text": ' + "[" * 100 + "]" * 100 + "}")
    assert response.status_code == 400


def test_an_oversized_json_body_is_400(alice_client):
    response = api(alice_client, json.dumps({"text": "hi", "pad": "x" * 200_000}))
    assert response.status_code == 400


def test_assistant_form_text_with_a_nul_is_400(alice_client):
    response = alice_client.post(reverse("assistant:send"), {"text": "hi\x00"})
    assert response.status_code == 400
    assert not AIMessage.objects.exists()


def test_story_reply_with_a_nul_is_400(alice_client):
    owner = MemberFactory()
    make_match(alice_client.alice, owner)
    story = Story.objects.create(user=owner.user, image=image_upload())
    response = alice_client.post(reverse("stories:reply", args=[story.pk]), {"text": "hi\x00"})
    assert response.status_code == 400
    assert not StoryReply.objects.exists()


def test_story_text_with_a_nul_is_400_even_in_a_multipart_form(alice_client):
    response = alice_client.post(
        reverse("stories:new"),
        {"photo": image_upload(), "text_overlay": "hi\x00", "privacy": "public"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert not Story.objects.exists()


def test_report_text_with_a_nul_is_400(alice_client):
    other = MemberFactory()
    response = alice_client.post(
        reverse("matching:report", args=[other.user_id]), {"reason": "other", "text": "x\x00y"}
    )
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_nul_in_a_query_string_is_400(alice_client):
    response = alice_client.get(reverse("matching:member_list"), {"order": "active\x00"})
    assert response.status_code == 400
