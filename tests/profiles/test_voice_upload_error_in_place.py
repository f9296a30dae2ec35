"""A rejected voice upload keeps what the member chose (the prompt, the transcript) and puts the
error next to the field it is about, tied to it with aria-describedby and focused (QA: the
choice was lost and the error sat below the fold)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from profiles.models import Prompt

pytestmark = pytest.mark.django_db

VOICE = "/members/edit/voice/"


def _tag(body: str, element_id: str) -> str:
    return re.search(rf'<[a-z]+ id="{element_id}"[^>]*>', body).group(0)


def test_a_refused_file_keeps_the_prompt_and_transcript_and_the_error_sits_by_the_file(
    member_client,
):
    prompt = Prompt.objects.order_by("pk").last()
    response = member_client.post(
        VOICE,
        {
            "prompt": prompt.pk,
            "transcript": "שלום hello",
            "file": SimpleUploadedFile("a.wav", b"hello", "application/octet-stream"),
        },
    )
    body = response.content.decode()

    assert response.status_code == 415
    assert f'<option value="{prompt.pk}" selected>' in body
    assert "שלום hello</textarea>" in body
    file_input = _tag(body, "voice-file")
    assert 'aria-describedby="voice-file-error"' in file_input
    assert "autofocus" in file_input
    # The error follows the file input, before the transcript field.
    assert (
        body.index('id="voice-file"')
        < body.index('id="voice-file-error"')
        < body.index('id="voice-transcript"')
    )


def test_no_prompt_puts_the_error_by_the_prompt_select(member_client):
    response = member_client.post(
        VOICE, {"file": SimpleUploadedFile("a.wav", b"hello", "application/octet-stream")}
    )
    body = response.content.decode()

    assert response.status_code == 400
    select = _tag(body, "voice-prompt")
    assert 'aria-describedby="voice-prompt-error"' in select
    assert 'aria-invalid="true"' in select
    assert (
        body.index('id="voice-prompt"')
        < body.index('id="voice-prompt-error"')
        < body.index('id="voice-file"')
    )
