"""'What should I write to her?' on a member's page gives openers for that member, built from
their bio and interests, and varied between asks; tips can use the page's member too."""

from __future__ import annotations

import random
from datetime import date

import pytest

from assistant import services, skills
from tests.assistant.conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def noa(db):
    # Outside Dan's smart matches (preferred genders = female, but Noa's age is far off):
    # openers must still be for her because her page is open.
    return make_member(
        name="Noa",
        gender="female",
        date_of_birth=date(1960, 1, 1),
        interests=("cooking", "photography"),
        description="Street photography at dawn. Also I bake sourdough on Fridays.",
    )


def test_typed_question_on_a_members_page_gives_openers_for_that_member(me, dana, noa):
    turn = services.assistant_message_send(
        user=me.user, text="What should I write to her?", target_user_id=str(noa.user_id)
    )
    assert turn.reply.metadata["intent"] == "openers"
    text = turn.reply.content
    assert text.startswith("Openers for \u2068Noa\u2069:")  # the name isolated for direction
    assert "Dana" not in text
    # Uses what Noa wrote and what she likes (cooking is shared with Dan).
    assert "Street photography at dawn" in text or "photography" in text.lower()
    assert "cooking" in text.lower()
    assert text.count("• ") == 3


def test_openers_use_the_members_words_and_vary(me, noa):
    seen = {
        tuple(skills.openers_for(member=me, other=noa, rng=random.Random(seed)))
        for seed in range(12)
    }
    assert len(seen) > 3
    for lines in seen:
        assert len(lines) == 3
        assert any(
            "Street photography at dawn" in line or "photography" in line.lower() for line in lines
        )


def test_a_blocked_member_gets_no_personal_openers(me, noa):
    from matching.models import Block

    Block.objects.create(blocker=noa.user, blocked=me.user)
    turn = services.assistant_message_send(
        user=me.user, text="what to write to her", target_user_id=str(noa.user_id)
    )
    assert "Noa" not in turn.reply.content
    assert "sourdough" not in turn.reply.content.lower()


def test_tips_vary_and_use_the_member_of_the_page(me, noa):
    texts = {skills.tips_reply(member=me, rng=random.Random(seed)) for seed in range(10)}
    assert len(texts) > 3
    text = skills.tips_reply(member=me, target_user_id=str(noa.user_id), rng=random.Random(1))
    assert "Noa" in text
