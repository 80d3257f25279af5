"""Context fit at the wire: long Director sessions against strict fakes that refuse over their window.

Real litellm against the loopback fakes, which refuse a prompt over ``context_window`` (their documented
estimate, ``rules.context``) with the provider's real 400 body: OpenAI's ``context_length_exceeded``,
Anthropic's "prompt is too long". Sessions are built from Director's own message shapes (``ContextMessage
.to_llm_msg()``: assistant tool calls as ``{"id", "tool": {"name", "arguments"}, "type"}``, tool results as
strings) with Director's real 25 tool schemas (tests/data/director_agent_tools.json).
"""

from __future__ import annotations

import functools
import json
import logging
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from tests.data.record_off_bodies import record
from tests.director_data import transcript as _transcript
from tests.fakes import FakeAnthropic, FakeOpenAI, rules

KEY = "sk-test-key-0123456789abcdef"
LITELLM = version("litellm")
DATA = Path(__file__).parent / "data"
TOOLS: list[dict[str, Any]] = json.loads((DATA / "director_agent_tools.json").read_text(encoding="utf-8"))
NAMES = [tool["name"] for tool in TOOLS]
SYSTEM = "You are Director, an agent that works on videos with the tools you are given. " * 12
MODELS = {"openai": "openai/gpt-4o-mini", "anthropic": "anthropic/claude-sonnet-4-5"}


transcript = functools.cache(_transcript)


def run(t: int) -> list[dict[str, Any]]:
    """Turn ``t`` in progress, as Director sends it: the user's message, the assistant's tool call, its result."""
    call_id = f"toolu_{t:04d}" if t % 2 else f"call_{t:04d}"
    return [
        {"role": "user", "content": f"Get the transcript of video v{t} and tell me what happens."},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": call_id,
                    "tool": {"name": NAMES[t % len(NAMES)], "arguments": {"video_id": f"v{t}"}},
                    "type": "tool_use" if t % 2 else "function",
                }
            ],
        },
        {"role": "tool", "content": transcript(t), "tool_call_id": call_id},
    ]


def answer(t: int) -> dict[str, Any]:
    return {"role": "assistant", "content": f"Video v{t}: a walk along the river, then the bridge."}


def provider(fake: Any, model: str, **cfg: Any) -> LiteLLMProvider:
    values = {"chat_model": model, "api_base": fake.url, "api_key": KEY, "num_retries": 0, **cfg}
    return LiteLLMProvider(LiteLLMConfig.from_values(**values))


def wire_messages(body: dict[str, Any], wire: str) -> list[dict[str, Any]]:
    """The request's conversation as (role, text, call ids, result id) records, on either wire."""
    out = []
    for m in body["messages"]:
        content = m.get("content")
        blocks = content if isinstance(content, list) else [{"type": "text", "text": content or ""}]
        calls = [c["id"] for c in m.get("tool_calls") or []] + [b["id"] for b in blocks if b.get("type") == "tool_use"]
        results = [b["tool_use_id"] for b in blocks if b.get("type") == "tool_result"]
        texts = [b.get("text") or "" for b in blocks if b.get("type") == "text"]
        for b in blocks:
            if b.get("type") == "tool_result":
                inner = b.get("content")
                texts += [inner] if isinstance(inner, str) else [p.get("text", "") for p in inner or []]
        if m.get("role") == "tool":
            results.append(m["tool_call_id"])
        out.append({"role": m["role"], "text": "\n".join(texts), "calls": calls, "results": results})
    return out


def assert_pairs_whole(records: list[dict[str, Any]]) -> None:
    """Every result answers a call of the message just before its results; every call is answered."""
    waiting: set[str] = set()
    for r in records:
        if r["results"]:
            assert set(r["results"]) <= waiting, f"orphan result {r['results']}"
            waiting -= set(r["results"])
            continue
        assert not waiting, f"unanswered calls {waiting}"
        waiting = set(r["calls"])
    assert not waiting


def test_a_300_turn_director_session_never_dies(openai_fake: FakeOpenAI, anthropic_fake: FakeAnthropic) -> None:
    """300 turns with 20,000-character transcripts, every other turn on the other wire (a Director session
    whose LLM changes), against fakes that refuse over 24,000 tokens: every turn is answered, the current
    run arrives whole, no call is split from its result, nothing is refused."""
    fakes = {"openai": openai_fake, "anthropic": anthropic_fake}
    providers = {}
    for wire, fake in fakes.items():
        fake.context_window = 24_000
        providers[wire] = provider(fake, MODELS[wire], context_window=24_000, max_tokens=1024)
    history: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM}]
    fitted = 0
    for t in range(300):
        wire = ("openai", "anthropic")[t % 2]
        current = run(t)
        response = providers[wire].chat_completions([*history, *current], tools=TOOLS)
        assert response.status, (t, response.content)
        records = wire_messages(fakes[wire].requests[-1].body, wire)
        assert_pairs_whole(records)
        assert any(r["text"] == transcript(t) for r in records)  # the run's result, whole
        assert any(r["text"] == current[0]["content"] for r in records)
        fitted += response.context_fit is not None
        history += [*current, answer(t)]
    assert fitted > 290  # the window holds about two transcripts besides the tools
    for fake in fakes.values():
        assert fake.violations == []
        assert fake.over_window == []
        assert len(fake.requests) == 150


def test_claude_cache_reads_keep_hitting_between_steps(anthropic_fake: FakeAnthropic) -> None:
    """On a Claude model, every call between two trimming steps reads the whole prefix the previous call
    cached; a step re-writes the history, and the tools and system prompt are read even then."""
    anthropic_fake.context_window = 56_000
    p = provider(anthropic_fake, MODELS["anthropic"], context_window=56_000, max_tokens=1024)
    history: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM}]
    previous: tuple[list[str], Any] | None = None
    steps = between = 0
    for t in range(24):
        current = run(t)
        response = p.chat_completions([*history, *current], tools=TOOLS)
        assert response.status, response.content
        body = anthropic_fake.requests[-1].body
        blocks = rules.cache_blocks(body)
        fixed = sum(rules.estimate_tokens(text) for text, _ in blocks[: len(body["tools"]) + len(body["system"])])
        sent = [text for text, _ in blocks]  # the request as cached, block by block, without the marks
        if previous is not None:
            before, last = previous
            cached_before = last.cached_tokens + last.cache_write_tokens  # the prefix the last call left cached
            if sent[: len(before)] == before:  # the last request is this one's prefix: no step in between
                between += 1
                assert response.cached_tokens == cached_before > fixed, t
            else:
                steps += 1
                assert fixed <= response.cached_tokens < cached_before, t
        previous = sent, response
        history += [*current, answer(t)]
    assert steps >= 2
    assert between >= 2 * steps
    assert anthropic_fake.violations == []
    assert anthropic_fake.over_window == []


class TestWhenTheEstimateIsLow:
    def test_a_refused_request_is_sent_once_more_fitted_tighter(
        self, fake: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The provider refuses what the estimate let through: the same attempt goes once more, tighter."""
        model = MODELS["anthropic" if isinstance(fake, FakeAnthropic) else "openai"]
        fake.context_window = 20_000  # the model's real window is smaller than the configured one
        messages = [{"role": "system", "content": SYSTEM}]
        for t in range(8):
            messages += [*run(t), answer(t)]
        messages += run(8)
        caplog.set_level(logging.INFO, logger="director_litellm")
        response = provider(fake, model, context_window=60_000, max_tokens=1000).chat_completions(messages)
        assert response.status, response.content
        assert len(fake.requests) == 2
        assert len(fake.over_window) == 1
        assert response.context_fit is not None  # shortened first
        assert response.context_fit.tool_results_shortened > 0
        assert "sending it once more" in caplog.text
        assert "conversation fitted" in caplog.text

    def test_a_refusal_that_nothing_can_fix_stands(self, openai_fake: FakeOpenAI) -> None:
        """When the current run alone is over the real window, the refit cannot help: context_window, 2 requests."""
        openai_fake.context_window = 3000
        messages = [{"role": "system", "content": "s"}, *run(0)]
        response = provider(openai_fake, MODELS["openai"], context_window=60_000).chat_completions(messages)
        assert not response.status
        assert response.error["category"] == "context_window"
        assert len(openai_fake.requests) == 1  # the run alone cannot be fitted tighter: nothing more is sent


class TestTooLongToSend:
    def test_the_current_run_alone_over_the_window_sends_nothing(self, fake: Any) -> None:
        """ERROR, category context_window, naming the sizes; 0 requests at the fake."""
        model = MODELS["anthropic" if isinstance(fake, FakeAnthropic) else "openai"]
        messages = [{"role": "system", "content": SYSTEM}, *run(0)]
        response = provider(fake, model, context_window=8000).chat_completions(messages, tools=TOOLS)
        assert not response.status
        assert response.error["category"] == "context_window"
        assert response.error["attempts"] == 0
        assert "window of 8,000 tokens" in response.content
        assert "nothing was sent" in response.content
        assert fake.requests == []

    def test_streams_too(self, openai_fake: FakeOpenAI) -> None:
        """The stream's final event carries the same ERROR, nothing sent."""
        messages = [{"role": "system", "content": SYSTEM}, *run(0)]
        events = list(provider(openai_fake, MODELS["openai"], context_window=4000).stream_chat_completions(messages))
        assert events[-1].response.error["category"] == "context_window"
        assert openai_fake.requests == []


class TestContextFallback:
    def test_the_larger_model_gets_the_whole_conversation_before_any_trimming(self, openai_fake: FakeOpenAI) -> None:
        """Over the chat model's window, under the fallback's (litellm's data: 128,000 for gpt-4o): sent whole there."""
        messages = [{"role": "system", "content": SYSTEM}]
        for t in range(3):
            messages += [*run(t), answer(t)]
        messages += run(3)
        p = provider(openai_fake, "openai/gpt-4o-mini", context_window=12_000, context_fallback="openai/gpt-4o")
        response = p.chat_completions(messages)
        assert response.status
        assert response.context_fit is None
        assert response.model == "gpt-4o"
        body = openai_fake.requests[-1].body
        assert body["model"] == "gpt-4o"
        assert len(body["messages"]) == len(messages)
        assert len(openai_fake.requests) == 1

    def test_after_the_providers_refusal_the_fallback_gets_it_whole(self, openai_fake: FakeOpenAI) -> None:
        """litellm's context_window_fallbacks: the chat model refuses the whole conversation; the fallback gets it."""
        openai_fake.context_window = {"gpt-4o-mini": 15_000}
        messages = [{"role": "system", "content": SYSTEM}]
        for t in range(3):
            messages += [*run(t), answer(t)]
        messages += run(3)
        p = provider(openai_fake, "openai/gpt-4o-mini", context_fallback="openai/gpt-4o")
        response = p.chat_completions(messages)
        assert response.status
        assert response.context_fit is None
        assert [r.body["model"] for r in openai_fake.requests] == ["gpt-4o-mini", "gpt-4o"]
        assert openai_fake.requests[0].body["messages"] == openai_fake.requests[1].body["messages"]


class TestOff:
    def test_off_sends_exactly_what_the_adapter_sent_before(self) -> None:
        """LITELLM_CONTEXT_FIT=off with a window far too small: every call shape's body is byte-equal to
        the recording made before context fitting (and prompt caching) existed."""
        recorded = DATA / f"off_bodies_{LITELLM}.json"
        if not recorded.exists():
            pytest.skip(f"no recording for litellm {LITELLM} (tests/data/record_off_bodies.py makes one)")
        expected = json.loads(recorded.read_text())["bodies"]
        got = record(LiteLLMProvider, LiteLLMConfig, prompt_caching="off", context_fit="off", context_window=500)
        assert got == expected

    def test_off_sends_an_over_window_session_whole(self, anthropic_fake: FakeAnthropic) -> None:
        """Off: the provider's refusal comes back as today (context_window, one request, nothing trimmed)."""
        anthropic_fake.context_window = 10_000
        messages = [{"role": "system", "content": SYSTEM}]
        for t in range(4):
            messages += [*run(t), answer(t)]
        p = provider(anthropic_fake, MODELS["anthropic"], context_fit="off", context_window=10_000)
        response = p.chat_completions([*messages, *run(4)])
        assert not response.status
        assert response.error["category"] == "context_window"
        assert "prompt is too long" in response.error["detail"]
        assert len(anthropic_fake.requests) == 1


def test_the_fakes_refuse_with_the_real_bodies(openai_fake: FakeOpenAI, anthropic_fake: FakeAnthropic) -> None:
    """The refusal bodies are the providers' own (rules.context), and the estimate is the fakes' documented one."""
    import httpx

    openai_fake.context_window = anthropic_fake.context_window = 10
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x" * 400}]}
    got = httpx.post(f"{openai_fake.url}/chat/completions", json=body, headers={"Authorization": f"Bearer {KEY}"})
    tokens = rules.estimate_tokens(json.dumps(body["messages"][0], sort_keys=True, separators=(",", ":")))
    assert got.status_code == 400
    assert got.json() == {
        "error": {
            "message": f"This model's maximum context length is 10 tokens. However, your messages resulted in "
            f"{tokens} tokens. Please reduce the length of the messages.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    }
    body = {"model": "claude-sonnet-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "x" * 400}]}
    headers = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
    got = httpx.post(f"{anthropic_fake.url}/v1/messages", json=body, headers=headers)
    assert got.status_code == 400
    error = got.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"] == f"prompt is too long: {rules.anthropic_prompt_tokens(body)} tokens > 10 maximum"


class TestWhatLitellmLoses:
    """litellm's own answers to a long history, next to ours (plain litellm, no adapter)."""

    def test_litellms_trim_messages_cuts_results_silently_and_splits_pairs(self) -> None:
        """``litellm.utils.trim_messages`` on a tool history: a tool result cut mid-text with no marker
        (both lines); on 1.60 also a call left without its result, which the providers refuse."""
        from litellm.utils import trim_messages

        from director_litellm import _litellm
        from director_litellm import _token_counts as token_counts
        from director_litellm._context_fit import fit
        from director_litellm._formatters import convert_messages

        messages = [{"role": "system", "content": "sys"}]
        for t in range(6):
            messages += [*run(t), answer(t)]
        formatted, _ = convert_messages(messages)
        trimmed = trim_messages(formatted, model="gpt-4o-mini", max_tokens=12_000)
        sent = {m["tool_call_id"]: m["content"] for m in formatted if m["role"] == "tool"}
        cut = [m for m in trimmed if m["role"] == "tool" and m["content"] != sent[m["tool_call_id"]]]
        assert cut  # shorter, and nothing says so
        assert all("cut" not in m["content"] for m in cut)
        calls = {c["id"] for m in trimmed for c in m.get("tool_calls") or ()}
        answered = {m["tool_call_id"] for m in trimmed if m["role"] == "tool"}
        if LITELLM.startswith("1.60."):
            assert calls - answered  # an unanswered call
        ours, _ = fit(
            formatted,
            window=12_000,
            max_tokens=0,
            tools_tokens=0,
            count=lambda m: token_counts.message_tokens("gpt-4o-mini", m, _litellm.count_tokens),
        )
        assert_pairs_whole(wire_messages({"messages": ours}, "openai"))

    def test_litellm_160_has_no_window_for_newer_claude_models(self, anthropic_fake: FakeAnthropic) -> None:
        """litellm 1.60's model data lacks Claude Sonnet 4.5: without LITELLM_CONTEXT_WINDOW it goes whole there."""
        from director_litellm._litellm import _module as import_litellm

        litellm = import_litellm()
        messages = [{"role": "system", "content": SYSTEM}, *run(0), answer(0), *run(1)]
        response = provider(anthropic_fake, MODELS["anthropic"]).chat_completions(messages)
        assert response.status
        assert response.context_fit is None
        if LITELLM.startswith("1.60."):
            # litellm's bundled data, not its live map: a litellm.Router made earlier in this process (another
            # test file in this worker) registers its deployments' models into that process-wide map
            bundled = Path(litellm.__file__).parent / "model_prices_and_context_window_backup.json"
            assert "claude-sonnet-4-5" not in json.loads(bundled.read_text(encoding="utf-8"))
        else:
            assert litellm.get_model_info(model=MODELS["anthropic"])["max_input_tokens"] == 200_000
