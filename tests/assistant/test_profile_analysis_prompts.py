"""Issue 18: the assistant's profile analysis suggests the prompts, voice prompt, intention and
life details a member has not filled in, and counts those they have."""

from __future__ import annotations

import pytest
from django.utils import translation

from assistant import skills
from profiles import services
from profiles.models import Prompt
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_analysis_suggests_missing_prompts_intention_and_details():
    member = MemberFactory()
    with translation.override("en"):
        text = skills.analyse_profile(user=member.user, member=member)
    assert "Answer a few prompts" in text
    assert "Answer one prompt with your voice" in text
    assert "Say what you are looking for" in text
    assert "religious outlook, height, family plans" in text
    assert "languages, education" in text


def test_analysis_counts_what_is_filled_in_and_asks_only_for_the_rest():
    member = MemberFactory(intention="long_term", observance="secular", height_cm=170)
    services.member_prompts_set(
        member=member, answers=[(p, "yes") for p in Prompt.objects.all()[:2]]
    )
    with translation.override("en"):
        text = skills.analyse_profile(user=member.user, member=member)
    assert "a clear dating intention" in text
    assert "Answer 1 more prompt(s) (up to 3)" in text
    assert "religious outlook" not in text
    assert "height," not in text
    assert "family plans" in text
    with translation.override("he"):
        hebrew = skills.analyse_profile(user=member.user, member=member)
    assert "prompt" not in hebrew
