"""'Not what I asked': an answer that did not help stops counting against the free quota, once
per answer, checked on the server (owner, error answers, daily refund cap), race-safe."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from assistant import services
from assistant.models import AIMessage, AIUsageLog
from tests.assistant.conftest import make_member


@pytest.mark.django_db
def test_a_refund_gives_the_message_back_once(me):
    turns = [services.assistant_message_send(user=me.user, text="hello") for _ in range(5)]
    with pytest.raises(services.QuotaExceeded):
        services.assistant_message_send(user=me.user, text="one more")

    quota = services.assistant_answer_refund(user=me.user, message_id=turns[0].reply.pk)
    assert quota.remaining == 1
    assert AIUsageLog.objects.filter(user=me.user, action="refunded").count() == 1
    with pytest.raises(services.RefundRefused):
        services.assistant_answer_refund(user=me.user, message_id=turns[0].reply.pk)
    assert services.quota_status(user=me.user).remaining == 1

    services.assistant_message_send(user=me.user, text="Find me matches")
    with pytest.raises(services.QuotaExceeded):
        services.assistant_message_send(user=me.user, text="and again")


@pytest.mark.django_db
def test_refunds_are_capped_per_day(me):
    turns = [services.assistant_message_send(user=me.user, intent="tips") for _ in range(5)]
    for turn in turns[: services.MAX_REFUNDS_PER_DAY]:
        services.assistant_answer_refund(user=me.user, message_id=turn.reply.pk)
    with pytest.raises(services.RefundRefused):
        services.assistant_answer_refund(user=me.user, message_id=turns[-1].reply.pk)


@pytest.mark.django_db
def test_only_your_own_answers_and_not_your_own_question(me, dana, client):
    turn = services.assistant_message_send(user=me.user, intent="tips")
    with pytest.raises(AIMessage.DoesNotExist):
        services.assistant_answer_refund(user=dana.user, message_id=turn.reply.pk)
    with pytest.raises(AIMessage.DoesNotExist):
        services.assistant_answer_refund(user=me.user, message_id=turn.user_message.pk)

    client.force_login(dana.user)
    assert client.post(f"/assistant/answers/{turn.reply.pk}/refund/").status_code == 404
    assert services.quota_status(user=me.user).used == 1


@pytest.mark.django_db
def test_the_button_refunds_over_htmx_and_then_shows_the_note(me, client):
    client.force_login(me.user)
    client.post("/assistant/send/", {"text": "hello"}, HTTP_HX_REQUEST="true")
    answer = AIMessage.objects.get(role="assistant")
    log = client.get("/assistant/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert f"/assistant/answers/{answer.pk}/refund/" in log.content.decode()

    url = f"/assistant/answers/{answer.pk}/refund/"
    response = client.post(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "does not count against your messages" in body
    assert "5 of 5 messages left today" in body
    again = client.post(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    log = client.get("/assistant/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert url not in log.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refunds_of_one_answer_refund_once(postgresql_only):
    member = make_member()
    turn = services.assistant_message_send(user=member.user, intent="tips")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait(timeout=10)
            services.assistant_answer_refund(user=member.user, message_id=turn.reply.pk)
            outcomes.append("ok")
        except services.RefundRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert AIUsageLog.objects.filter(user=member.user, action="refunded").count() == 1
