"""The assistant's model backends behind one interface (rules §12).

* :class:`OfflineBackend` (default, no network): rules for intents + the smart-match engine.
* :class:`OpenAIBackend`: any OpenAI-compatible ``/v1/chat/completions`` server through the
  ``openai`` client (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``OPENAI_MODEL``,
  ``OPENAI_TIMEOUT_SECONDS``), with the last 10 messages as context and a ``search_matches`` tool
  that runs the smart-match engine. No retries: a timeout or API error raises :class:`LLMError`
  quickly and the service answers with a friendly message.

:func:`get_backend` picks OpenAI when ``OPENAI_API_KEY`` is set. This is the only module that
talks to the network, so tests point ``OPENAI_BASE_URL`` at a local fake server.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils.translation import get_language

from . import skills

logger = logging.getLogger(__name__)

CONTEXT_MESSAGES = 10
MAX_TOOL_ROUNDS = 3
#: USD per 1 000 tokens used to log a cost estimate; override with settings.OPENAI_COST_PER_1K.
DEFAULT_COST_PER_1K_TOKENS = 0.0006

SEARCH_MATCHES_TOOL = {
    "type": "function",
    "function": {
        "name": "search_matches",
        "description": (
            "Find the user's best matches with Miel's smart-match engine. Returns members with "
            "a 0-100 score and the reason for it."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "min_score": {"type": "integer", "minimum": 0, "maximum": 100},
                "limit": {"type": "integer", "minimum": 1, "maximum": 6},
            },
            "additionalProperties": False,
        },
    },
}


#: How the intent of the current message is described to the model (a hint, not an order).
INTENT_HINTS = {
    "find": "find matches (use search_matches)",
    "explain": "explain why a member is a match",
    "openers": "suggest first messages to send",
    "analyse": "review the user's own profile",
    "progress": "report the user's progress",
    "tips": "dating tips",
    "smalltalk": "small talk: answer kindly and say what you can help with, no member search",
    "help": "outside your skills or a question about them: say briefly what you can do",
}


class LLMError(Exception):
    """The backend could not answer (timeout, connection or API error, bad response)."""


@dataclass
class AssistantContext:
    """Everything a backend may use for one turn. ``history`` = earlier messages as
    ``{"role", "content"}`` dicts, oldest first, ending with the current user message."""

    user: object
    member: object
    message: str
    intent: str
    history: list[dict] = field(default_factory=list)
    target_user_id: str | None = None


@dataclass
class BackendReply:
    text: str
    cards: list[dict] = field(default_factory=list)  # ScoredMatch.to_json() of shown members
    tokens: int = 0
    cost: float = 0.0
    backend: str = "offline"


class Backend(Protocol):
    name: str

    def reply(self, ctx: AssistantContext) -> BackendReply: ...


class OfflineBackend:
    """Rules + smart-match engine; no network (rules §1 embedded default)."""

    name = "offline"

    def reply(self, ctx: AssistantContext) -> BackendReply:
        text, cards = skills.run_intent(
            intent=ctx.intent,
            user=ctx.user,
            member=ctx.member,
            message=ctx.message,
            target_user_id=ctx.target_user_id,
        )
        # A rough token count (~4 characters a token) so usage logs stay comparable.
        tokens = (len(ctx.message) + len(text)) // 4 + 1
        return BackendReply(text=text, cards=cards, tokens=tokens, cost=0.0, backend=self.name)


def openai_client():
    """An ``openai.OpenAI`` client from settings: no retries, ``OPENAI_TIMEOUT_SECONDS``."""
    import openai

    return openai.OpenAI(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL or None,
        timeout=settings.OPENAI_TIMEOUT_SECONDS,
        max_retries=0,
    )


class OpenAIBackend:
    """An OpenAI-compatible chat model with the ``search_matches`` tool."""

    name = "openai"

    def system_prompt(self, ctx: AssistantContext) -> str:
        language = "Hebrew" if (get_language() or "he").startswith("he") else "English"
        return (
            "You are Miel's friendly dating assistant. Answer briefly and kindly in "
            f"{language}. You can find matches with the search_matches tool, explain why two "
            "people match, suggest conversation openers, review the user's profile, report "
            "their progress and give dating tips. Never invent members: only mention members "
            "returned by search_matches.\n"
            f"The user's profile: {skills.profile_summary(member=ctx.member)}\n"
            f"Hint: Miel's own classifier reads this message as {INTENT_HINTS.get(ctx.intent, ctx.intent)!r}"
            + (" about the member whose profile page is open." if ctx.target_user_id else ".")
        )

    def _search_matches(self, ctx: AssistantContext, arguments: str) -> tuple[str, list[dict]]:
        try:
            args = json.loads(arguments or "{}")
        except json.JSONDecodeError:
            args = {}
        min_score = args.get("min_score", 0)
        limit = args.get("limit", 3)
        min_score = min_score if isinstance(min_score, int) else 0
        limit = max(1, min(6, limit if isinstance(limit, int) else 3))
        matches = skills.find_matches(member=ctx.member, limit=limit, min_score=min_score)
        payload = [skills.match_for_model(member=ctx.member, match=m) for m in matches]
        return json.dumps(payload, ensure_ascii=False), [m.to_json() for m in matches]

    def reply(self, ctx: AssistantContext) -> BackendReply:
        import openai

        messages: list[dict] = [{"role": "system", "content": self.system_prompt(ctx)}]
        messages += [
            {"role": m["role"], "content": m["content"]} for m in ctx.history[-CONTEXT_MESSAGES:]
        ]
        client = openai_client()
        tokens = 0
        cards: list[dict] = []
        try:
            for _round in range(MAX_TOOL_ROUNDS):
                response = client.chat.completions.create(
                    model=settings.OPENAI_MODEL,
                    messages=messages,
                    tools=[SEARCH_MATCHES_TOOL],
                    tool_choice="auto",
                )
                if response.usage is not None:
                    tokens += response.usage.total_tokens or 0
                if not response.choices:
                    raise LLMError("empty response")
                message = response.choices[0].message
                if not message.tool_calls:
                    return BackendReply(
                        text=(message.content or "").strip(),
                        cards=cards,
                        tokens=tokens,
                        cost=round(tokens * cost_per_token(), 6),
                        backend=self.name,
                    )
                messages.append(
                    {
                        "role": "assistant",
                        "content": message.content or "",
                        "tool_calls": [
                            {
                                "id": call.id,
                                "type": "function",
                                "function": {
                                    "name": call.function.name,
                                    "arguments": call.function.arguments,
                                },
                            }
                            for call in message.tool_calls
                        ],
                    }
                )
                for call in message.tool_calls:
                    if call.function.name == "search_matches":
                        content, found = self._search_matches(ctx, call.function.arguments)
                        cards = found
                    else:
                        content = json.dumps({"error": "unknown tool"})
                    messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
        except openai.APIError as exc:  # timeouts, connection errors, 4xx/5xx
            logger.warning("assistant: OpenAI-compatible API failed: %s", exc)
            raise LLMError(str(exc)) from exc
        raise LLMError("too many tool rounds")


def cost_per_token() -> float:
    return float(getattr(settings, "OPENAI_COST_PER_1K", DEFAULT_COST_PER_1K_TOKENS)) / 1000


def get_backend() -> Backend:
    """OpenAI-compatible when ``OPENAI_API_KEY`` is set, else the offline backend."""
    if settings.OPENAI_API_KEY:
        return OpenAIBackend()
    return OfflineBackend()
