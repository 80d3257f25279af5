"""History portability: a two-tool-call Director session moved between every ordered pair of families.

Each source family makes its session through Director's real loop on its own strict fake (Claude, Claude on
Bedrock and DeepSeek with thinking on, so their sessions carry reasoning state): OpenAI, Azure OpenAI,
Anthropic, Bedrock Converse (Claude 4 with thinking, and Nova), Gemini 3, DeepSeek, Mistral, Ollama's native
``/api/chat`` and Cohere v2. Three more sources are sessions stored before: by Director's own Anthropic and
OpenAI providers (``type: "tool_use"``, ``toolu_…`` / ``call_…`` ids) and by litellm 1.110 on Gemini
(``…__thought__<signature>`` ids). The next message then goes to the target family's fake, which refuses
what the real service refuses: ids it does not take, results answering no call, reasoning state it did not
make, a thinking-mode history without its reasoning.

A source's session is made once per module (on its own fake, then through Director's database round trip)
and moved to every target; a family moved to itself makes it on the target's own fake (one service, so the
signatures it issued stay valid).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.conformance.known import OLD_STACK
from tests.director_loop import SYSTEM_PROMPT, Session, run_message, script_message
from tests.fakes import (
    FakeAnthropic,
    FakeAzureOpenAI,
    FakeBedrock,
    FakeCohere,
    FakeDeepSeek,
    FakeGemini,
    FakeMistral,
    FakeOllama,
    FakeOpenAI,
    running,
)
from tests.fakes.fake_bedrock import NOVA
from tests.helpers import family_provider

TWO = [[("search", {"query": "cats", "video_id": "m-1"})], [("summarize_video", {"video_id": "m-1"})]]
THEN = [[("search", {"query": "dogs", "video_id": "m-1"})], [("summarize_video", {"video_id": "m-1"})]]
THINKING = {"thinking": {"type": "enabled", "budget_tokens": 2048}}
# family: (fake, model, provider settings); Claude's thinking given as litellm's own option
FAMILIES: dict[str, tuple[type[Any], str, dict[str, Any]]] = {
    "openai": (FakeOpenAI, "openai/gpt-4o-mini", {}),
    "azure": (FakeAzureOpenAI, "azure/gpt-4o-mini", {}),
    "anthropic": (
        FakeAnthropic,
        "anthropic/claude-sonnet-4-5-20250929",
        {"temperature": 1, "extra_params": THINKING},
    ),
    "bedrock-claude": (
        FakeBedrock,
        "bedrock/converse/us.anthropic.claude-sonnet-4-20250514-v1:0",
        {"temperature": 1, "extra_params": THINKING},
    ),
    "bedrock-nova": (FakeBedrock, NOVA, {}),
    "gemini": (FakeGemini, "gemini/gemini-3-pro-preview", {}),  # signatures required (Gemini 3)
    "deepseek": (FakeDeepSeek, "deepseek/deepseek-reasoner", {}),
    "mistral": (FakeMistral, "mistral/mistral-large-latest", {}),
    "ollama": (FakeOllama, "ollama_chat/llama3.1", {}),
    "cohere": (FakeCohere, "cohere_chat/command-a-03-2025", {}),
}
# why litellm 1.60 cannot carry a family's side of a pair (each proved with plain litellm where named)
LIMITS_160 = {
    "gemini": "litellm 1.60 has no working gemini/ route (gemini_bearer_160) and no thought signatures",
    "bedrock-claude": "litellm 1.60 knows no Claude 4 on Bedrock (test_bedrock.py: TestLitellmOwnLosses)",
    "ollama": "litellm 1.60 raises on any ollama_chat history with a tool call (known.py: ollama_tool_history_160)",
    "cohere": "litellm 1.60 has no Cohere v2 route (known.py: cohere_v2_route_160)",
}
# where a target keeps reasoning state of its own kind, the marker that must reach no other wire
STATE = {
    "deepseek": ["reasoning_content"],
    "anthropic": ['"type": "thinking"', "thinking_blocks"],
    "bedrock-claude": ["reasoningContent"],
    "gemini": ["__thought__", "thoughtSignature"],
}


def _stored(ids: tuple[str, str], kind: str) -> str:
    """A session as Director stores it (``to_llm_msg``) after a two-tool-call message on another provider."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": "Find cats and summarise"},
    ]
    for call_id, (name, args) in zip(ids, [step[0] for step in TWO], strict=True):
        call = {"id": call_id, "tool": {"name": name, "arguments": args}, "type": kind}
        messages.append({"role": "assistant", "content": [], "tool_calls": [call]})
        messages.append(
            {"role": "tool", "content": f"status='success' message='{name} finished.'", "tool_call_id": call_id}
        )
    messages.append({"role": "assistant", "content": "Found and summarised."})
    return json.dumps(messages)


# ids in the shapes each provider issues: Anthropic ``toolu_01…`` (docs.anthropic.com tool-use examples),
# OpenAI ``call_`` + 24 (platform.openai.com function-calling examples), litellm 1.110's Gemini encoding
STORED = {
    "director-anthropic": _stored(("toolu_01A09q90qw90lq917835lq9", "toolu_01T1x1fJ34qAmk2tNTrN7Up6"), "tool_use"),
    "director-openai": _stored(("call_PTLP8xhu3uwZk4l3nlnrrJha", "call_Ks6fFyBh3Y8rSJw1C9VzfUeR"), "function"),
    "gemini-litellm": _stored(
        (
            "call_2f1c9d7e0b8a4c6e9f3a1b2c3d4e5f60__thought__CiQBcsjafK+/x3Zq9gAbCdEfGhIjKlMnOpQrStUvWxYz0123==",
            "call_9a8b7c6d5e4f30211f2e3d4c5b6a7988__thought__CiQBcsjafLmN+/5tUvWxYz0123456789AbCdEfGhIjKl==",
        ),
        "function",
    ),
}


@contextmanager
def _family(name: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    cls, model, cfg = FAMILIES[name]
    family = name.split("-")[0]
    with running(cls) as fake:
        yield fake, family_provider(family, fake, monkeypatch, model=model, **cfg)


def _make(fake: Any, provider: Any) -> Session:
    """A two-tool-call Director message on ``fake``, then Director's database round trip."""
    script_message(fake, TWO)
    session = Session()
    turn = run_message(provider, session, "Find cats and summarise")
    assert turn.ok and fake.violations == [], (turn.failed and turn.failed.content, fake.violations)
    return Session.loads(session.dumps())


_MADE: dict[str, str] = {}  # a source family's stored session, made once per module


def _source_session(source: str, monkeypatch: pytest.MonkeyPatch) -> Session:
    if source in STORED:
        return Session.loads(STORED[source])
    if source not in _MADE:
        with _family(source, monkeypatch) as (fake, provider):
            _MADE[source] = _make(fake, provider).dumps()
    return Session.loads(_MADE[source])


@pytest.mark.parametrize("target", list(FAMILIES))
@pytest.mark.parametrize("source", [*FAMILIES, *STORED])
def test_a_session_moves_to_another_family(source: str, target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next message on ``target`` over ``source``'s history: every step accepted, state never leaked."""
    limit = OLD_STACK and (LIMITS_160.get(source) or LIMITS_160.get(target))
    if limit:
        pytest.skip(limit)
    session = None if source == target else _source_session(source, monkeypatch)
    with _family(target, monkeypatch) as (fake, provider):
        if session is None:
            session = _make(fake, provider)
        before = len(fake.requests)
        script_message(fake, THEN)
        turn = run_message(provider, session, "Now find dogs")
        assert turn.ok, (source, target, turn.failed and turn.failed.content, fake.violations)
        assert fake.violations == []
        sent = json.dumps([rec.body for rec in fake.requests[before:]])
        assert "~dlr1~" not in sent  # the codec's packed state never reaches a wire
        for family, markers in STATE.items():
            if family != target:
                assert not [m for m in markers if m in sent], (family, target)


def test_mapping_is_the_same_on_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two calls with one history send the same ids (a provider's prompt cache keeps hitting)."""
    session = Session.loads(STORED["gemini-litellm"])
    with _family("mistral", monkeypatch) as (fake, provider):
        fake.default(text="ok")
        messages = [*session.messages(), {"role": "user", "content": "Now find dogs"}]  # Mistral ends on a user
        for _ in range(2):
            assert provider.chat_completions(messages).status
        first, second = (rec.body["messages"] for rec in fake.requests)
    assert first == second
    assert fake.violations == []
