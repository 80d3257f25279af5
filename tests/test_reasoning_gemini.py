"""Gemini 2.5/3 thought signatures in Director's loop, and sessions switched between Claude and Gemini.

The Gemini fakes (tests/fakes/fake_gemini.py) issue their own thought signatures, refuse one they did not
issue ("Corrupted thought signature") and, for Gemini 3, a current turn's function call without one
("Function call is missing a thought_signature in functionCall parts"); Google's documented placeholder
is accepted for calls another model made.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from typing import Any

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from director_litellm._reasoning_state import MARK, THOUGHT, unpack
from tests.director_loop import PATHS, Session, new_process, run_message, script_message
from tests.fakes import FakeAnthropic, FakeGemini, FakeVertex
from tests.fakes.rules.gemini import PLACEHOLDER_SIGNATURES
from tests.helpers import KEY, provider_for

LITELLM_160 = version("litellm").startswith("1.60.")
GEMINI_3 = "gemini-3-pro-preview"
CLAUDE = "anthropic/claude-sonnet-4-5-20250929"
TWO = [[("search", {"query": "cats", "video_id": "m-1"})], [("summarize_video", {"video_id": "m-1"})]]
THEN = [[("search", {"query": "dogs", "video_id": "m-1"})], [("summarize_video", {"video_id": "m-1"})]]
needs_gemini_route = pytest.mark.skipif(
    LITELLM_160, reason="litellm 1.60 has no working gemini/ route here (gemini_bearer_160) and no thought signatures"
)


def gemini(fake: FakeGemini, model: str) -> LiteLLMProvider:
    return LiteLLMProvider(LiteLLMConfig(chat_model=f"gemini/{model}", api_base=fake.url, api_key=KEY, num_retries=0))


def _signatures(body: dict[str, Any]) -> list[str | None]:
    """Each functionCall part's thoughtSignature in a Gemini request, in order."""
    return [
        part.get("thoughtSignature")
        for content in body.get("contents", [])
        for part in content.get("parts", [])
        if "functionCall" in part or "function_call" in part  # litellm writes snake_case, as the API allows
    ]


@needs_gemini_route
class TestGeminiSignatures:
    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize("model", ["gemini-2.5-flash", GEMINI_3])
    def test_two_tool_calls_in_a_row(self, gemini_fake: FakeGemini, model: str, path: str) -> None:
        """Each step sends back the signatures Gemini issued, decoded from the ids Director stored."""
        script_message(gemini_fake, TWO)
        turn = run_message(gemini(gemini_fake, model), Session(), "Find cats and summarise", path=path)
        assert turn.ok, turn.failed and turn.failed.content
        assert gemini_fake.violations == []
        state = unpack(turn.tool_calls[0]["id"])[1]
        assert state is not None
        assert state.model == f"gemini/{model}"
        assert state.signature in gemini_fake.signatures
        assert THOUGHT not in turn.tool_calls[0]["id"]  # litellm's own encoding is unpacked into the codec's
        answer_step = gemini_fake.requests[2].body
        issued = [getattr(unpack(c["id"])[1], "signature", None) for c in turn.tool_calls]
        assert _signatures(answer_step) == issued

    def test_persisted_and_continued_in_a_new_process(self, gemini_fake: FakeGemini) -> None:
        """Gemini 3 after Director's database round trip and a restart: its own signatures still go back."""
        script_message(gemini_fake, TWO)
        session = Session()
        assert run_message(gemini(gemini_fake, GEMINI_3), session, "Find cats").ok
        script_message(gemini_fake, THEN)
        env = {"LITELLM_CHAT_MODEL": f"gemini/{GEMINI_3}", "LITELLM_API_BASE": gemini_fake.url, "LITELLM_API_KEY": KEY}
        _, result = new_process(session.dumps(), "Now dogs", env=env, path="stream")
        assert result["ok"], result
        assert gemini_fake.violations == []
        sent = _signatures(gemini_fake.requests[-2].body)
        assert len(sent) == 4
        assert all(s in gemini_fake.signatures for s in sent)

    def test_another_gemini_models_signatures_are_not_sent(self, gemini_fake: FakeGemini) -> None:
        """Gemini 2.5's signatures never reach Gemini 3: its calls go with Google's placeholder instead."""
        script_message(gemini_fake, TWO)
        session = Session()
        assert run_message(gemini(gemini_fake, "gemini-2.5-flash"), session, "Find cats").ok
        issued = set(gemini_fake.signatures)
        script_message(gemini_fake, THEN)
        turn = run_message(gemini(gemini_fake, GEMINI_3), session, "Now dogs")
        assert turn.ok, turn.failed and turn.failed.content
        assert gemini_fake.violations == []
        old = _signatures(gemini_fake.requests[-2].body)[:2]
        assert not set(old) & issued
        assert all(s in PLACEHOLDER_SIGNATURES for s in old)


class TestClaudeAndGemini:
    @pytest.mark.parametrize("first", ["claude", "gemini"])
    def test_switch_both_ways(self, anthropic_fake: FakeAnthropic, vertex_fake: FakeVertex, first: str) -> None:
        """Claude (thinking) and Gemini take turns in one session; each gets only its own state."""
        model = "gemini-2.5-flash" if LITELLM_160 else GEMINI_3
        on_gemini = LiteLLMProvider(
            LiteLLMConfig(chat_model=f"vertex_ai/{model}", api_base=vertex_fake.model_url(model), num_retries=0)
        )
        on_claude = provider_for(anthropic_fake, CLAUDE, thinking_budget=2048)
        order = [(on_claude, anthropic_fake), (on_gemini, vertex_fake)]
        order = order if first == "claude" else order[::-1]
        session = Session()
        for n, (provider, fake) in enumerate([*order, *order]):
            script_message(fake, TWO if n % 2 == 0 else THEN)
            turn = run_message(provider, session, f"Message {n}", path="sync" if n < 2 else "stream")
            assert turn.ok, (n, turn.failed and turn.failed.content, fake.violations)
            session = Session.loads(session.dumps())
        assert anthropic_fake.violations == []
        assert vertex_fake.violations == []
        claude_body = json.dumps(anthropic_fake.requests[-2].body)
        gemini_body = json.dumps(vertex_fake.requests[-2].body)
        assert MARK not in claude_body
        assert MARK not in gemini_body
        assert "thoughtSignature" not in claude_body
        assert '"thinking"' not in gemini_body
        if not LITELLM_160:  # Claude's own earlier turns come back signed (1.60 drops its blocks)
            signed = [
                m["content"][0]["type"] == "thinking"
                for m in anthropic_fake.requests[-2].body["messages"]
                if m["role"] == "assistant" and any(b.get("type") == "tool_use" for b in m["content"])
            ]
            made_by_claude = (
                [True, True, False, False, True, True] if first == "claude" else [False, False, True, True] * 2
            )
            assert signed == made_by_claude


@pytest.mark.skipif(not LITELLM_160, reason="litellm 1.60 only")
def test_litellm_160_loses_gemini_3_signatures(vertex_fake: FakeVertex) -> None:
    """litellm 1.60 reads no thoughtSignature: plain litellm's second Gemini 3 step is refused."""
    import litellm

    vertex_fake.reply(None, tool_calls=[{"name": "search", "arguments": "{}"}])
    kw = dict(
        model=f"vertex_ai/{GEMINI_3}",
        api_base=vertex_fake.model_url(GEMINI_3),
        tools=[
            {"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {}}}}
        ],
    )
    messages: list[Any] = [{"role": "user", "content": "Find cats"}]
    message = litellm.completion(messages=messages, **kw).choices[0].message
    assert "__thought__" not in message.tool_calls[0].id
    messages += [message, {"role": "tool", "tool_call_id": message.tool_calls[0].id, "content": "found"}]
    with pytest.raises(litellm.BadRequestError, match="missing a thought_signature"):
        litellm.completion(messages=messages, **kw)


@pytest.mark.skipif(LITELLM_160, reason="litellm 1.60 needs google-cloud-aiplatform for Claude on Vertex")
@pytest.mark.parametrize("path", ["sync", "astream"])
def test_claude_with_thinking_on_vertex(vertex_fake: FakeVertex, path: str) -> None:
    """LITELLM_THINKING_BUDGET on Claude through Vertex AI: two tool steps, each with its own signed block."""
    model = "claude-sonnet-4-5@20250929"
    provider = LiteLLMProvider(
        LiteLLMConfig(
            chat_model=f"vertex_ai/{model}",
            api_base=vertex_fake.model_url(model, "anthropic"),
            thinking_budget=2048,
            num_retries=0,
        )
    )
    script_message(vertex_fake, TWO)
    turn = run_message(provider, Session(), "Find cats and summarise", path=path)
    assert turn.ok, turn.failed and turn.failed.content
    assert vertex_fake.violations == []
    body = vertex_fake.requests[2].body
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["temperature"] == 1
    firsts = [m["content"][0]["type"] for m in body["messages"] if m["role"] == "assistant"]
    assert firsts == ["thinking", "thinking"]
