"""An htmx request after the session ended sends the whole page to the login page instead of
swapping the login form into the part of the page it updates (the chat thread)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_htmx_chat_send_without_a_session_sends_the_page_to_login():
    path = f"/members/{uuid.uuid4()}/chat/send/"
    response = Client().post(path, {"text": "hi"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert path in response["HX-Redirect"].replace("%2F", "/")


def test_a_plain_request_without_a_session_keeps_the_redirect():
    response = Client().post(f"/members/{uuid.uuid4()}/chat/send/", {"text": "hi"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not response.has_header("HX-Redirect")


def test_other_htmx_redirects_are_left_alone(client, django_user_model):
    """A redirect that is not to the login page (here: the onboarding of an incomplete
    profile, which sets its own HX-Redirect) is not touched."""
    user = django_user_model.objects.create_user(email="new@example.com", password="pw-123456789")
    client.force_login(user)
    response = client.get("/messages/", HTTP_HX_REQUEST="true")
    assert response.status_code == 302
    assert "/accounts/login/" not in response["Location"]
