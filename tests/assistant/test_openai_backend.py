"""The OpenAI-compatible backend over real HTTP against a local fake server (rules §12)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import translation

from assistant import llm, services
from assistant.models import AIMessage, AIUsageLog

pytestmark = pytest.mark.django_db


class FakeOpenAI:
    """A threaded HTTP server answering POST /v1/chat/completions from a script of replies.
    Each script item is a dict (JSON body, 200), an int (that status) or ("sleep", seconds)."""

    def __init__(self) -> None:
        self.script: list = []
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization"),
                        "json": json.loads(body),
                    }
                )
                step = fake.script.pop(0) if fake.script else 500
                if isinstance(step, tuple) and step[0] == "sleep":
                    time.sleep(step[1])
                    step = completion("too late")
                if isinstance(step, int):
                    payload = json.dumps({"error": {"message": "boom", "type": "server_error"}})
                    self.send_response(step)
                else:
                    payload = json.dumps(step)
                    self.send_response(200)
                data = payload.encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def completion(content=None, tool_calls=None, tokens=30) -> dict:
    message = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if tool_calls else "stop",
            }
        ],
        "usage": {"prompt_tokens": tokens - 10, "completion_tokens": 10, "total_tokens": tokens},
    }


@pytest.fixture
def fake(settings):
    with FakeOpenAI() as server:
        settings.OPENAI_API_KEY = "sk-test"
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_MODEL = "fake-model"
        settings.OPENAI_TIMEOUT_SECONDS = 1.0
        settings.OPENAI_COST_PER_1K = 2.0
        yield server


def test_settings_select_the_openai_backend(fake):
    assert isinstance(llm.get_backend(), llm.OpenAIBackend)


def test_tool_call_round_trip_runs_the_engine_and_returns_cards(fake, me, dana):
    fake.script = [
        completion(
            tool_calls=[
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "search_matches", "arguments": '{"limit": 2}'},
                }
            ],
            tokens=40,
        ),
        completion("Dana looks great for you: you both love hiking.", tokens=60),
    ]
    with translation.override("en"):
        turn = services.assistant_message_send(user=me.user, text="Who should I meet?")

    assert turn.reply.content == "Dana looks great for you: you both love hiking."
    assert [c["u"] for c in turn.cards] == [str(dana.user_id)]
    first, second = fake.requests
    assert first["path"] == "/v1/chat/completions"
    assert first["auth"] == "Bearer sk-test"
    assert first["json"]["model"] == "fake-model"
    assert first["json"]["tools"][0]["function"]["name"] == "search_matches"
    assert first["json"]["messages"][-1] == {"role": "user", "content": "Who should I meet?"}
    # The second request carries the engine's answer as the tool result.
    tool_msg = second["json"]["messages"][-1]
    assert tool_msg["role"] == "tool"
    assert tool_msg["tool_call_id"] == "call_1"
    result = json.loads(tool_msg["content"])
    assert result[0]["user_id"] == str(dana.user_id)
    assert result[0]["name"] == "Dana"
    assert "both love hiking" in result[0]["reason"]
    log = AIUsageLog.objects.get(user=me.user)
    assert (log.tokens, log.cost) == (100, pytest.approx(0.2))
    assert AIMessage.objects.get(role="assistant").tokens_used == 100


def test_context_is_system_plus_last_10_messages(fake, me):
    me.user.premium_until = me.user.date_joined.replace(year=2999)
    me.user.save()
    fake.script = [completion(f"answer {i}") for i in range(7)]
    for i in range(7):
        services.assistant_message_send(user=me.user, text=f"question {i}")
    messages = fake.requests[-1]["json"]["messages"]
    assert messages[0]["role"] == "system"
    assert len(messages) == 11
    assert messages[-1] == {"role": "user", "content": "question 6"}


@pytest.mark.parametrize("failure", [500, ("sleep", 2.0)], ids=["http-500", "timeout"])
def test_api_error_or_timeout_gives_friendly_reply_and_keeps_user_message(fake, me, failure):
    fake.script = [failure]
    started = time.monotonic()
    with translation.override("en"):
        turn = services.assistant_message_send(user=me.user, text="Find me matches please")
    assert time.monotonic() - started < 1.9  # the 1 s timeout, no retries
    assert turn.error
    assert "Sorry, I could not answer right now" in turn.reply.content
    assert AIMessage.objects.filter(role="user", content="Find me matches please").exists()
    assert AIUsageLog.objects.get(user=me.user).action == "error"
    assert len(fake.requests) == 1  # max_retries=0
