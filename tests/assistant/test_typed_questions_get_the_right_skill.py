"""Typed questions are classified into the assistant's skills (Hebrew and English), the quick
actions stay shortcuts, and small talk / out-of-scope questions get a helpful answer instead
of match cards."""

from __future__ import annotations

import pytest
from django.utils import translation

from assistant import services
from assistant.selectors import classify_intent, normalise_text

ENGLISH = [
    ("Who should I date?", "find"),
    ("find me someone nice near Tel Aviv", "find"),
    ("Why did you match me with Dana?", "explain"),
    ("What should I write to her?", "openers"),
    ("How do I start a conversation?", "openers"),
    ("Can you look at my profile and tell me what to fix?", "analyse"),
    ("How am I doing this week?", "progress"),
    ("Any advice for a first date?", "tips"),
    ("hey there!", "smalltalk"),
    ("What's the weather tomorrow?", "help"),
    ("what can you do?", "help"),
    ("analyze my bio pls", "analyse"),
    ("thanksss", "smalltalk"),
]
HEBREW = [
    ("מי מתאים לי?", "find"),
    ("תמצא לי מישהי נחמדה", "find"),
    ("למה היא מתאימה לי?", "explain"),
    ("מה לכתוב לה?", "openers"),
    ("איך לפתוח שיחה?", "openers"),
    ("תעבור על הפרופיל שלי", "analyse"),
    ("כמה לייקים קיבלתי?", "progress"),
    ("יש לך טיפים לדייט ראשון?", "tips"),
    ("היי מה נשמע", "smalltalk"),
    ("מה מזג האוויר מחר?", "help"),
    ("מה אתה יודע לעשות?", "help"),
    ("ומה כדאי לי לכתוב לו?", "openers"),
    ("תודה רבה!!", "smalltalk"),
]


@pytest.mark.parametrize(("text", "intent"), ENGLISH)
def test_english_questions_get_the_intended_skill(text, intent):
    assert classify_intent(text) == intent


@pytest.mark.parametrize(("text", "intent"), HEBREW)
def test_hebrew_questions_get_the_intended_skill(text, intent):
    assert classify_intent(text) == intent


def test_hebrew_vowel_points_and_repeated_letters_are_ignored():
    assert normalise_text("שָׁלוֹם!!! heyyy") == "שלום hey"
    assert classify_intent("מָה לִכְתּוֹב לָהּ") == "openers"


def test_a_quick_action_is_a_shortcut_that_wins():
    assert classify_intent("hello", quick_action="tips") == "tips"
    assert classify_intent("hello", quick_action="nonsense") == "smalltalk"


def test_a_word_inside_another_word_does_not_count():
    # "hi" inside "hiking", "tip" inside "stipend": not greetings or tips.
    assert classify_intent("hiking stipend") == "help"


@pytest.mark.django_db
def test_small_talk_gets_a_friendly_answer_without_match_cards(me, dana):
    turn = services.assistant_message_send(user=me.user, text="hi there")
    assert turn.reply.metadata["intent"] == "smalltalk"
    assert turn.cards == []
    assert "Here are your best matches" not in turn.reply.content
    assert "find matches" in turn.reply.content


@pytest.mark.django_db
def test_an_out_of_scope_question_says_what_the_assistant_can_do(me, dana):
    turn = services.assistant_message_send(user=me.user, text="What is the capital of France?")
    assert turn.reply.metadata["intent"] == "help"
    assert turn.cards == []
    assert "not sure I can help with that" in turn.reply.content
    assert "suggest openers" in turn.reply.content


@pytest.mark.django_db
def test_a_typed_hebrew_question_is_answered_in_hebrew_with_its_skill(me, dana):
    with translation.override("he"):
        turn = services.assistant_message_send(user=me.user, text="תן לי עצות לדייט")
    assert turn.reply.metadata["intent"] == "tips"
    assert turn.reply.content.startswith("טיפים")


@pytest.mark.django_db
def test_the_panel_sends_typed_text_with_its_first_submit_button(client, me):
    """Enter presses a form's first submit button: it must be Send (no intent), not the "find"
    chip, or every typed question would be answered with matches."""
    client.force_login(me.user)
    body = client.get("/assistant/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for form_start in ('id="ai-panel"', 'class="ai-page'):
        section = body[body.index(form_start) :]
        form = section[section.index('class="ai-form"') :]
        first_submit = form[form.index('type="submit"') - 80 : form.index('type="submit"') + 60]
        assert 'name="intent"' not in first_submit, first_submit


@pytest.mark.django_db
def test_the_openai_backend_gets_the_classified_intent_as_a_hint(me, dana):
    from assistant import llm

    ctx = llm.AssistantContext(
        user=me.user,
        member=me,
        message="hey",
        intent=classify_intent("hey"),
        target_user_id=str(dana.user_id),
    )
    prompt = llm.OpenAIBackend().system_prompt(ctx)
    assert "small talk" in prompt
    assert "profile page is open" in prompt
