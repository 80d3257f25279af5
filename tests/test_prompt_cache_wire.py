"""Prompt caching at the wire: breakpoints per Director call shape, the limits, usage and cost, both wires.

Real litellm against the strict fakes (which refuse misplaced or excess cache_control and account
cache reads/writes like the APIs). Prices in the cost tests are the providers' published per-token
prices, as litellm's price data carries them.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from tests.data.record_off_bodies import SYSTEM, record, shapes
from tests.director_data import director_tools, history
from tests.fakes import FakeAnthropic, FakeOpenAI

CLAUDE = "anthropic/claude-sonnet-4-5"  # minimum 1,024 tokens
KEY = "sk-test-key-0123456789abcdef"
LITELLM = version("litellm")
MARK = {"type": "ephemeral"}


def provider(fake: Any, model: str = CLAUDE, **cfg: Any) -> LiteLLMProvider:
    return LiteLLMProvider(LiteLLMConfig(chat_model=model, api_base=fake.url, api_key=KEY, num_retries=0, **cfg))


def marks(body: dict[str, Any]) -> list[str]:
    """Where the Anthropic body carries cache_control: ``tools.i``, ``system.i``, ``<role>:<text or type>``."""
    out = [f"tools.{i}" for i, t in enumerate(body.get("tools") or []) if "cache_control" in t]
    system = body.get("system")
    out += [f"system.{i}" for i, b in enumerate(system if isinstance(system, list) else []) if "cache_control" in b]
    for m in body["messages"]:
        for block in m["content"] if isinstance(m["content"], list) else []:
            if "cache_control" in block:
                assert block["cache_control"] == MARK
                out.append(f"{m['role']}:{block.get('text', block['type'])}")
    return out


def final_cut() -> list[dict[str, Any]]:
    """Director's Final Cut: long system prompt, tool history, no tools, a trailing system message."""
    return [{"role": "system", "content": SYSTEM}, *history(3)[1:], {"role": "system", "content": "Now summarise."}]


class TestPlacementPerCallShape:
    def test_reasoning_with_tools(self, anthropic_fake: FakeAnthropic) -> None:
        """(1) Last tool, system prompt, and the assistant turn before the newest user message."""
        p = provider(anthropic_fake)
        assert p.chat_completions(**shapes()["reasoning"]).status
        body = anthropic_fake.requests[-1].body
        assert marks(body) == ["tools.24", "system.0", "assistant:I found five clips about topic 4."]
        assert anthropic_fake.violations == []

    def test_next_reasoning_step_marks_the_turn_before_the_tool_result(self, anthropic_fake: FakeAnthropic) -> None:
        """Step 2 (after a tool call): the user turn before the tool-call turn carries the history mark."""
        messages = shapes()["reasoning"]["messages"]
        step2 = [
            *messages,
            {
                "role": "assistant",
                "content": [],
                "tool_calls": [{"id": "c9", "tool": {"name": "agent_01", "arguments": {}}}],
            },
            {"role": "tool", "content": "clips: none", "tool_call_id": "c9"},
        ]
        assert provider(anthropic_fake).chat_completions(step2, tools=director_tools()).status
        assert marks(anthropic_fake.requests[-1].body) == ["tools.24", "system.0", "user:Cut it."]
        assert anthropic_fake.violations == []

    def test_agent_json_call(self, anthropic_fake: FakeAnthropic) -> None:
        """(2) System prompt + one user message with json_object: only the system prompt is marked."""
        assert provider(anthropic_fake).chat_completions(**shapes()["agent_json"]).status
        assert marks(anthropic_fake.requests[-1].body) == ["system.0"]
        assert anthropic_fake.violations == []

    def test_final_cut_without_tools(self, anthropic_fake: FakeAnthropic) -> None:
        """(3) No tools: the system prompt and the answer before the trailing instruction (sent as a user turn)."""
        r = provider(anthropic_fake).chat_completions(final_cut())
        body = anthropic_fake.requests[-1].body
        assert r.status
        assert "tools" not in body
        assert anthropic_fake.violations == []
        assert marks(body) == ["system.0", "assistant:I found five clips about topic 2."]
        assert body["messages"][-1]["content"][-1]["text"] == "Now summarise."

    def test_streaming_request_is_marked_the_same(self, anthropic_fake: FakeAnthropic) -> None:
        """The streamed call sends the same breakpoints."""
        events = list(provider(anthropic_fake).stream_chat_completions(**shapes()["reasoning"]))
        assert events[-1].response.status
        assert marks(anthropic_fake.requests[-1].body) == [
            "tools.24",
            "system.0",
            "assistant:I found five clips about topic 4.",
        ]


@pytest.mark.usefixtures("fresh_routers")
class TestRouterMode:
    def group(self, tmp_path: Path, *deployments: tuple[Any, str]) -> LiteLLMProvider:
        model_list = [
            {"model_name": "director", "litellm_params": {"model": model, "api_base": fake.url, "api_key": KEY}}
            for fake, model in deployments
        ]
        path = tmp_path / "router.json"
        path.write_text(json.dumps({"model_list": model_list}))
        return LiteLLMProvider(LiteLLMConfig(router_config=str(path), chat_model="director", num_retries=0))

    def test_a_group_of_claude_deployments_gets_breakpoints(
        self, tmp_path: Path, anthropic_fake: FakeAnthropic
    ) -> None:
        """Every deployment takes cache_control: placed as for the model itself."""
        assert self.group(tmp_path, (anthropic_fake, CLAUDE)).chat_completions(**shapes()["agent_json"]).status
        assert marks(anthropic_fake.requests[-1].body) == ["system.0"]
        assert anthropic_fake.violations == []

    def test_a_mixed_group_gets_none(
        self, tmp_path: Path, anthropic_fake: FakeAnthropic, openai_fake: FakeOpenAI
    ) -> None:
        """One OpenAI-wire deployment in the group: no breakpoints for whichever deployment answers."""
        p = self.group(tmp_path, (anthropic_fake, CLAUDE), (openai_fake, "openai/gpt-4o-mini"))
        for _ in range(4):
            assert p.chat_completions(**shapes()["agent_json"]).status
        sent = [r.raw.decode() for r in (*anthropic_fake.requests, *openai_fake.requests)]
        assert len(sent) == 4
        assert not any("cache_control" in body for body in sent)


class TestLimits:
    def test_caller_breakpoints_are_kept_and_counted(self, anthropic_fake: FakeAnthropic) -> None:
        """Two of the caller's own marks: two of ours (the later points), four in all, accepted by the API."""
        messages = shapes()["reasoning"]["messages"]
        messages[1] = {
            **messages[1],
            "content": [{"type": "text", "text": messages[1]["content"], "cache_control": MARK}],
        }
        messages[5] = {**messages[5], "cache_control": MARK}
        assert provider(anthropic_fake).chat_completions(messages, tools=director_tools()).status
        body = anthropic_fake.requests[-1].body
        assert marks(body) == [
            "system.0",
            "user:Find clips about topic 0 and summarise them.",
            "user:Find clips about topic 1 and summarise them.",
            "assistant:I found five clips about topic 4.",
        ]
        assert anthropic_fake.violations == []

    def test_four_caller_breakpoints_leave_no_room(self, anthropic_fake: FakeAnthropic) -> None:
        """The caller used all four: none added, and the API accepts the request."""
        tools = [{**t, "cache_control": MARK} for t in director_tools(4)]
        assert provider(anthropic_fake).chat_completions(shapes()["reasoning"]["messages"], tools=tools).status
        assert marks(anthropic_fake.requests[-1].body) == ["tools.0", "tools.1", "tools.2", "tools.3"]
        assert anthropic_fake.violations == []

    def test_short_prompts_get_none(self, anthropic_fake: FakeAnthropic) -> None:
        """Below the model's minimum no breakpoint is sent."""
        messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]
        assert provider(anthropic_fake).chat_completions(messages, tools=director_tools(1)).status
        assert "cache_control" not in anthropic_fake.requests[-1].raw.decode()

    def test_minimum_follows_the_model(self, anthropic_fake: FakeAnthropic) -> None:
        """~1,500 estimated tokens: enough for Sonnet 4.5 (1,024), not for Haiku 4.5 (4,096)."""
        messages = [{"role": "system", "content": "y" * 6000}, {"role": "user", "content": "hi"}]
        assert provider(anthropic_fake).chat_completions(messages).status
        assert marks(anthropic_fake.requests[-1].body) == ["system.0"]
        assert provider(anthropic_fake, "anthropic/claude-haiku-4-5").chat_completions(messages).status
        assert marks(anthropic_fake.requests[-1].body) == []

    def test_non_claude_models_get_none_and_lose_the_callers(self, openai_fake: FakeOpenAI) -> None:
        """OpenAI-wire models (also a Claude alias behind a proxy) get no cache_control, not even the caller's."""
        messages = shapes()["reasoning"]["messages"]
        messages[0] = {**messages[0], "cache_control": MARK}
        for model in ("openai/gpt-4o-mini", "openai/claude-sonnet-4-5"):
            assert provider(openai_fake, model).chat_completions(messages, tools=director_tools()).status
            assert "cache_control" not in openai_fake.requests[-1].raw.decode()
        assert openai_fake.violations == []

    def test_off_sends_what_the_adapter_sent_before(self) -> None:
        """LITELLM_PROMPT_CACHING=off: every call shape's body is byte-equal to the recording made before caching."""
        recorded = Path(__file__).parent / "data" / f"off_bodies_{LITELLM}.json"
        if not recorded.exists():
            pytest.skip(f"no recording for litellm {LITELLM} (tests/data/record_off_bodies.py makes one)")
        expected = json.loads(recorded.read_text())["bodies"]
        assert record(LiteLLMProvider, LiteLLMConfig, prompt_caching="off") == expected

    def test_off_drops_the_callers_marks_too(self, anthropic_fake: FakeAnthropic) -> None:
        """Off means none at all, as before: a caller's cache_control never reached the wire."""
        messages = [{"role": "system", "content": SYSTEM, "cache_control": MARK}, {"role": "user", "content": "hi"}]
        assert provider(anthropic_fake, prompt_caching="off").chat_completions(messages).status
        assert "cache_control" not in anthropic_fake.requests[-1].raw.decode()


USAGE = {"input_tokens": 100, "output_tokens": 7, "cache_creation_input_tokens": 3000, "cache_read_input_tokens": 5000}
# (model, $ per token: input, 5-minute cache write, cache read, output) known to this litellm's price data:
# Claude 3.5 Haiku at its launch price $1/$5 per MTok (1.60), Claude Sonnet 4.5 at $3/$15 (1.110).
PRICED = (
    ("anthropic/claude-3-5-haiku-20241022", 1e-6, 1.25e-6, 1e-7, 5e-6)
    if LITELLM.startswith("1.60.")
    else ("anthropic/claude-sonnet-4-5", 3e-6, 3.75e-6, 3e-7, 15e-6)
)


class TestUsageAndCost:
    @pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
    def test_anthropic_cache_tokens_and_cost(self, anthropic_fake: FakeAnthropic, stream: bool) -> None:
        """Reads and writes reported; send_tokens is all input; cost prices each token class."""
        model, per_in, per_write, per_read, per_out = PRICED
        anthropic_fake.reply("ok", usage=USAGE)
        p = provider(anthropic_fake, model)
        messages = [{"role": "user", "content": "hi"}]
        r = list(p.stream_chat_completions(messages))[-1].response if stream else p.chat_completions(messages)
        assert (r.send_tokens, r.cached_tokens, r.cache_write_tokens, r.recv_tokens) == (8100, 5000, 3000, 7)
        assert r.total_tokens == 8107
        assert r.cost == pytest.approx(100 * per_in + 3000 * per_write + 5000 * per_read + 7 * per_out)

    @pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
    def test_openai_cached_tokens_and_cost(self, openai_fake: FakeOpenAI, stream: bool) -> None:
        """OpenAI's prompt_tokens_details.cached_tokens; gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output."""
        usage = {"prompt_tokens": 2000, "completion_tokens": 5, "total_tokens": 2005}
        openai_fake.reply("ok", usage={**usage, "prompt_tokens_details": {"cached_tokens": 1536}})
        p = provider(openai_fake, "openai/gpt-4o-mini")
        messages = [{"role": "user", "content": "hi"}]
        r = list(p.stream_chat_completions(messages))[-1].response if stream else p.chat_completions(messages)
        assert (r.send_tokens, r.cached_tokens, r.cache_write_tokens, r.total_tokens) == (2000, 1536, 0, 2005)
        assert r.cost == pytest.approx(464 * 0.15e-6 + 1536 * 0.075e-6 + 5 * 0.6e-6)

    @pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
    def test_a_director_turn_writes_then_reads(self, anthropic_fake: FakeAnthropic, stream: bool) -> None:
        """Against the accounting fake: step 1 writes the prefix, step 2 reads all of it and writes only the new part."""
        p = provider(anthropic_fake)

        def call(messages: list[dict[str, Any]]) -> Any:
            if stream:
                return list(p.stream_chat_completions(messages, tools=director_tools()))[-1].response
            return p.chat_completions(messages, tools=director_tools())

        step1 = shapes()["reasoning"]["messages"]
        first = call(step1)
        call_turn = {
            "role": "assistant",
            "content": [],
            "tool_calls": [{"id": "c9", "tool": {"name": "agent_01", "arguments": {}}}],
        }
        second = call([*step1, call_turn, {"role": "tool", "content": "clips: none", "tool_call_id": "c9"}])
        assert first.cached_tokens == 0
        assert first.cache_write_tokens > 10000
        assert second.cached_tokens == first.cache_write_tokens
        assert 0 < second.cache_write_tokens < 100
        assert second.send_tokens > first.send_tokens > first.cache_write_tokens
        assert anthropic_fake.violations == []

    def test_openai_repeated_prefix_is_reported_cached(self, openai_fake: FakeOpenAI) -> None:
        """No request change on the OpenAI wire; the repeat of a >=1,024-token prefix shows cached tokens."""
        p = provider(openai_fake, "openai/gpt-4o-mini")
        first = p.chat_completions(**shapes()["reasoning"])
        second = p.chat_completions(**shapes()["reasoning"])
        assert first.cached_tokens == 0
        assert second.cached_tokens >= 1024
        assert second.send_tokens == first.send_tokens
        assert openai_fake.requests[0].raw == openai_fake.requests[1].raw
