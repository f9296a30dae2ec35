"""Assistant services: intents, quota (limit, local midnight reset), errors, analysis cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from assistant import llm, services, skills
from assistant.models import AIMessage, AIUsageLog, UserProfileAnalysis

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Find me someone nice", "find"),
        ("מצא לי התאמות", "find"),
        ("Why is Dana a good match?", "explain"),
        ("למה היא מתאימה לי?", "explain"),
        ("Give me an opener for her", "openers"),
        ("מה לכתוב לה בהודעה ראשונה?", "openers"),
        ("Can you analyse my profile?", "analyse"),
        ("תנתח את הפרופיל שלי", "analyse"),
        ("How am I doing? show my progress", "progress"),
        ("מה ההתקדמות שלי", "progress"),
        ("any dating tips?", "tips"),
        ("תן לי עצה", "tips"),
        ("hello", "smalltalk"),
    ],
)
def test_intents_in_hebrew_and_english(text, intent):
    assert skills.detect_intent(text) == intent


def test_find_matches_returns_member_cards_from_the_engine(me, dana):
    with translation.override("en"):
        turn = services.assistant_message_send(user=me.user, text="find me matches")
    assert turn.reply.metadata["intent"] == "find"
    assert [c["u"] for c in turn.cards] == [str(dana.user_id)]
    assert turn.user_message.content == "find me matches"
    log = AIUsageLog.objects.get(user=me.user)
    assert log.action == "chat:find"
    assert log.tokens > 0
    assert log.cost == 0.0


def test_explain_and_openers_for_the_member_whose_page_is_open(me, dana):
    with translation.override("en"):
        explain = services.assistant_message_send(
            user=me.user, intent="explain", target_user_id=str(dana.user_id)
        )
        openers = services.assistant_message_send(
            user=me.user, intent="openers", target_user_id=str(dana.user_id)
        )
    assert explain.user_message.content == "Explain this match"
    assert explain.reply.content.startswith("Dana scores ")
    assert "both love hiking" in explain.reply.content
    assert "Openers for \u2068Dana\u2069:" in openers.reply.content  # name isolated (FSI … PDI)
    assert "hiking" in openers.reply.content


def test_analysis_is_stored_and_reused_for_6_hours(me):
    start = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    me.description = " ".join(["word"] * 40)
    me.save()
    with time_machine.travel(start, tick=False), translation.override("en"):
        first = services.assistant_message_send(user=me.user, intent="analyse")
    stored = UserProfileAnalysis.objects.get(user=me.user)
    assert stored.content == first.reply.content
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        me.description = "x"
        me.save()
        again = services.assistant_message_send(user=me.user, intent="analyse")
    assert again.reply.content == first.reply.content  # served from the stored analysis
    assert again.reply.metadata["backend"] == "stored-analysis"
    with time_machine.travel(start + timedelta(hours=6, minutes=1), tick=False):
        fresh = services.assistant_message_send(user=me.user, intent="analyse")
    assert "a bio with substance" in first.reply.content
    assert "Write a longer bio" in fresh.reply.content  # the new short bio is now flagged


def test_free_quota_is_5_per_day_then_refused(me):
    for _ in range(5):
        services.assistant_message_send(user=me.user, intent="tips")
    with pytest.raises(services.QuotaExceeded) as exc:
        services.assistant_message_send(user=me.user, text="one more")
    assert exc.value.limit == 5
    assert AIMessage.objects.filter(role="user").count() == 5  # the refused one is not stored
    assert services.quota_status(user=me.user).remaining == 0


def test_premium_quota_is_999(me):
    me.user.premium_until = timezone.now() + timedelta(days=30)
    me.user.save()
    assert services.quota_status(user=me.user).limit == 999
    for _ in range(6):
        services.assistant_message_send(user=me.user, intent="tips")


@pytest.mark.parametrize(
    ("zone", "allowed"),
    [("Asia/Jerusalem", True), ("UTC", False)],
)
def test_quota_resets_at_midnight_in_the_users_time_zone(me, zone, allowed):
    me.user.time_zone = zone
    me.user.save()
    # 5 messages at 20:00 UTC on 1 June = 23:00 in Jerusalem (UTC+3 in summer).
    with time_machine.travel(datetime(2025, 6, 1, 20, 0, tzinfo=UTC), tick=False):
        for _ in range(5):
            services.assistant_message_send(user=me.user, intent="tips")
    # 21:30 UTC = 00:30 on 2 June in Jerusalem (a new day) but still 1 June in UTC.
    with time_machine.travel(datetime(2025, 6, 1, 21, 30, tzinfo=UTC), tick=False):
        if allowed:
            services.assistant_message_send(user=me.user, intent="tips")
            assert services.quota_status(user=me.user).used == 1
        else:
            with pytest.raises(services.QuotaExceeded) as exc:
                services.assistant_message_send(user=me.user, intent="tips")
            assert exc.value.resets_at == datetime(2025, 6, 2, 0, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2025, 6, 2, 0, 0, 1, tzinfo=UTC), tick=False):
        services.assistant_message_send(user=me.user, intent="tips")


class FailingBackend:
    name = "failing"

    def reply(self, ctx):
        raise llm.LLMError("boom")


def test_backend_error_gives_friendly_reply_keeps_message_and_does_not_use_quota(me):
    with translation.override("en"):
        turn = services.assistant_message_send(
            user=me.user, text="find me matches", backend=FailingBackend()
        )
    assert turn.error
    assert "Your message is saved" in turn.reply.content
    assert AIMessage.objects.filter(role="user", content="find me matches").exists()
    assert AIUsageLog.objects.get(user=me.user).action == "error"
    assert services.quota_status(user=me.user).used == 0


def test_history_passed_as_context_is_the_last_10_messages(me):
    seen = {}

    class Recorder:
        name = "recorder"

        def reply(self, ctx):
            seen["history"] = ctx.history
            return llm.BackendReply(text="ok", backend=self.name)

    me.user.premium_until = timezone.now() + timedelta(days=1)
    me.user.save()
    for i in range(7):
        services.assistant_message_send(user=me.user, text=f"msg {i}", backend=Recorder())
    history = seen["history"]
    assert len(history) == 10
    assert history[-1] == {"role": "user", "content": "msg 6"}
    assert history[0] == {"role": "assistant", "content": "ok"}


def test_empty_and_too_long_messages_are_rejected(me):
    with pytest.raises(ValidationError):
        services.assistant_message_send(user=me.user, text="   ")
    with pytest.raises(ValidationError):
        services.assistant_message_send(user=me.user, text="x" * 1001)
    assert not AIUsageLog.objects.exists()


def test_clear_removes_history_but_not_usage(me):
    services.assistant_message_send(user=me.user, intent="tips")
    services.assistant_history_clear(user=me.user)
    assert not AIMessage.objects.exists()
    assert services.quota_status(user=me.user).used == 1
