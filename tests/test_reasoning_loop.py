"""Reasoning models in Director's real loop: thinking state survives tool steps, restarts and model changes.

Strict fakes (tests/fakes/rules/reasoning.py) sign their thinking blocks and check them on the way back,
and refuse what Claude and DeepSeek refuse, with their real error texts.
"""

from __future__ import annotations

import asyncio
from importlib.metadata import version
from typing import Any

import pytest

from director_litellm._reasoning_state import unpack
from director_litellm._stream import ReasoningDelta
from tests.director_loop import PATHS, Session, new_process, run_message, script_message
from tests.fakes import FakeAnthropic, FakeDeepSeek, FakeOpenAI, Reply, rules, running
from tests.helpers import KEY, provider_for

LITELLM_160 = version("litellm").startswith("1.60.")
CLAUDE = "anthropic/claude-sonnet-4-5-20250929"
OPUS = "anthropic/claude-opus-4-1"
REASONER = "deepseek/deepseek-reasoner"
BUDGET = 2048
TWO = [[("search", {"query": "cats", "video_id": "m-1"})], [("summarize_video", {"video_id": "m-1"})]]
THEN = [[("search", {"query": "dogs", "video_id": "m-1"})], [("summarize_video", {"video_id": "m-1"})]]


def claude(fake: FakeAnthropic, model: str = CLAUDE, **cfg: Any) -> Any:
    return provider_for(fake, model, thinking_budget=BUDGET, **cfg)


def _assistant_turns(body: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The content blocks of each assistant tool-use turn of an Anthropic request body."""
    return [
        m["content"]
        for m in body["messages"]
        if m["role"] == "assistant"
        and isinstance(m["content"], list)
        and any(b["type"] == "tool_use" for b in m["content"])
    ]


def _signed_for(block: dict[str, Any], model: str) -> bool:
    return block.get("type") == "thinking" and block.get("signature") == rules.sign(model, block.get("thinking", ""))


class TestClaudeThinking:
    @pytest.mark.parametrize("path", PATHS)
    def test_two_tool_calls_in_a_row(self, anthropic_fake: FakeAnthropic, path: str) -> None:
        """Step 2 and the answer step send step 1's (and 2's) own thinking block first; Claude accepts them."""
        script_message(anthropic_fake, TWO)
        turn = run_message(claude(anthropic_fake), Session(), "Find cats and summarise", path=path)
        assert turn.ok, turn.failed and turn.failed.content
        assert anthropic_fake.violations == []
        bodies = [r.body for r in anthropic_fake.requests]
        assert len(bodies) == 4
        assert all(b["temperature"] == 1 for b in bodies if "thinking" in b)
        model = bodies[0]["model"]
        if LITELLM_160:  # litellm 1.60 drops thinking blocks: those steps go without thinking (documented)
            assert [b.get("thinking") is not None for b in bodies] == [True, False, False, True]
            assert [b["temperature"] for b in bodies[1:3]] == [0.9, 0.9]  # Director's own sampling there
            return
        assert all(b["thinking"] == {"type": "enabled", "budget_tokens": BUDGET} for b in bodies)
        last = _assistant_turns(bodies[2])
        assert len(last) == 2
        assert all(_signed_for(blocks[0], model) for blocks in last)
        assert turn.responses[0].reasoning_content  # what Director displays is still there

    def test_stream_emits_reasoning_deltas_and_the_final_carries_the_state(self, anthropic_fake: FakeAnthropic) -> None:
        """Streams still yield ReasoningDelta events; the Final response's ids carry the signed blocks."""
        anthropic_fake.reply(None, tool_calls=[{"name": "search", "arguments": '{"query": "cats"}'}])
        provider = claude(anthropic_fake)
        events = list(provider.stream_chat_completions([{"role": "user", "content": "Find cats"}], tools=_tools()))
        final = events[-1].response
        assert final.status
        assert anthropic_fake.violations == []
        reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
        if LITELLM_160:  # litellm 1.60 drops Anthropic thinking from streams too (docs/reasoning.md)
            assert reasoning == ""
            assert final.reasoning_content is None
            assert unpack(final.tool_calls[0]["id"])[1] is None
            return
        assert reasoning.startswith("Thinking ")
        assert final.reasoning_content == reasoning
        base, state = unpack(final.tool_calls[0]["id"])
        assert base.startswith("toolu_")
        assert state is not None
        assert state.model == CLAUDE
        assert _signed_for(state.blocks[0], anthropic_fake.requests[0].body["model"])

    def test_litellms_own_thinking_option_gets_the_same_care(self, anthropic_fake: FakeAnthropic) -> None:
        """``thinking`` given as litellm's option (extra_params) is handled like LITELLM_THINKING_BUDGET."""
        script_message(anthropic_fake, TWO)
        provider = provider_for(
            anthropic_fake,
            CLAUDE,
            temperature=1,
            extra_params={"thinking": {"type": "enabled", "budget_tokens": BUDGET}},
        )
        turn = run_message(provider, Session(), "Find cats and summarise")
        assert turn.ok, turn.failed and turn.failed.content
        assert anthropic_fake.violations == []

    def test_reasoning_effort_on_claude_gets_temperature_1(self, anthropic_fake: FakeAnthropic) -> None:
        """LITELLM_REASONING_EFFORT turns Claude's thinking on (litellm 1.110): temperature 1, not Director's 0.9."""
        r = provider_for(anthropic_fake, CLAUDE, reasoning_effort="low").chat_completions(
            [{"role": "user", "content": "x"}]
        )
        assert r.status, r.content
        assert anthropic_fake.violations == []
        body = anthropic_fake.requests[-1].body
        if LITELLM_160:  # litellm 1.60's data: Claude takes no reasoning_effort, so none is sent (model rule 4)
            assert "thinking" not in body
            assert body["temperature"] == 0.9
        else:
            assert body["thinking"]["type"] == "enabled"
            assert body["temperature"] == 1

    @pytest.mark.parametrize("setting", ["budget", "extra_params"])
    def test_json_mode_calls_go_without_thinking(self, anthropic_fake: FakeAnthropic, setting: str) -> None:
        """Director's json_object agent calls: litellm 1.60 forces a tool for JSON mode, which Claude refuses
        with thinking on ("Thinking may not be enabled when tool_choice forces tool use"), so none is asked."""
        anthropic_fake.default(text='{"ok": true}')
        raw = {"temperature": 1, "extra_params": {"thinking": {"type": "enabled", "budget_tokens": BUDGET}}}
        provider = claude(anthropic_fake) if setting == "budget" else provider_for(anthropic_fake, CLAUDE, **raw)
        for _ in range(3):
            r = provider.chat_completions(
                [{"role": "user", "content": "Reply in JSON"}], response_format={"type": "json_object"}
            )
            assert r.status, r.content
        assert anthropic_fake.violations == []
        assert all("thinking" not in rec.body for rec in anthropic_fake.requests)

    def test_persisted_and_continued_in_a_new_process(self, anthropic_fake: FakeAnthropic) -> None:
        """Director's database round trip and a restart: the next message's tool steps still carry own blocks."""
        script_message(anthropic_fake, TWO)
        session = Session()
        assert run_message(claude(anthropic_fake), session, "Find cats").ok
        stored = Session.loads(session.dumps()).dumps()
        script_message(anthropic_fake, THEN, summary="Second summary.")
        env = {
            "LITELLM_CHAT_MODEL": CLAUDE,
            "LITELLM_API_BASE": anthropic_fake.url,
            "LITELLM_API_KEY": KEY,
            "LITELLM_THINKING_BUDGET": str(BUDGET),
            "LITELLM_NUM_RETRIES": "0",
        }
        _, result = new_process(stored, "Now dogs", env=env)
        assert result["ok"], result
        assert result["summary"] == "Second summary."
        assert anthropic_fake.violations == []
        if not LITELLM_160:
            body = anthropic_fake.requests[-2].body  # the answer step of the second message
            model = body["model"]
            turns = _assistant_turns(body)
            assert len(turns) == 4
            assert all(_signed_for(t[0], model) for t in turns)
            assert body["thinking"]["budget_tokens"] == BUDGET

    def test_a_changed_model_gets_no_blocks_of_the_old_one(self, anthropic_fake: FakeAnthropic) -> None:
        """LITELLM_CHAT_MODEL changed under a session: Sonnet's signed blocks never reach Opus."""
        script_message(anthropic_fake, TWO)
        session = Session()
        assert run_message(claude(anthropic_fake), session, "Find cats").ok
        before = len(anthropic_fake.requests)
        script_message(anthropic_fake, THEN)
        turn = run_message(claude(anthropic_fake, OPUS), session, "Now dogs")
        assert turn.ok, turn.failed and turn.failed.content
        assert anthropic_fake.violations == []
        for rec in anthropic_fake.requests[before:]:
            old = _assistant_turns(rec.body)[:2]
            assert all(block["type"] == "tool_use" for blocks in old for block in blocks)

    def test_a_fallback_in_the_middle_of_a_tool_loop(self, anthropic_fake: FakeAnthropic) -> None:
        """Step 2 falls back to another Claude: that step goes without thinking instead of a 400."""
        calls = [{"name": n, "arguments": '{"video_id": "m-1"}'} for n in ("search", "summarize_video")]
        anthropic_fake.enqueue(
            Reply.success(None, tool_calls=calls[:1]),
            Reply.error(529, "Overloaded", type="overloaded_error"),
            Reply.success(None, tool_calls=calls[1:]),
            Reply.success("Done."),
            Reply.success("Summary."),
        )
        provider = claude(anthropic_fake, fallbacks=[OPUS])
        turn = run_message(provider, Session(), "Find cats")
        assert turn.ok, turn.failed and turn.failed.content
        assert anthropic_fake.violations == []
        fallback = anthropic_fake.requests[2].body
        assert fallback["model"].startswith("claude-opus-4-1")
        assert "thinking" not in fallback


def _tools() -> list[dict[str, Any]]:
    from tests.director_loop import TOOLS

    return TOOLS


class TestDeepSeekThinking:
    @pytest.mark.parametrize("path", PATHS)
    def test_two_tool_calls_in_a_row(self, path: str) -> None:
        """Each tool-call turn goes back with its own reasoning_content, as DeepSeek requires."""
        with running(FakeDeepSeek) as fake:
            script_message(fake, TWO)
            turn = run_message(provider_for(fake, REASONER), Session(), "Find cats", path=path)
            assert turn.ok, turn.failed and turn.failed.content
            assert fake.violations == []
            sent = [m for m in fake.requests[2].body["messages"] if m.get("tool_calls")]
            got = [r.reasoning_content for r in turn.responses[:2]]
            assert [m["reasoning_content"] for m in sent] == got
            assert all(got)

    def test_persisted_and_continued_in_a_new_process(self) -> None:
        """The stored session continues after a restart; its reasoning_content still goes back."""
        with running(FakeDeepSeek) as fake:
            script_message(fake, TWO)
            session = Session()
            assert run_message(provider_for(fake, REASONER), session, "Find cats").ok
            script_message(fake, THEN)
            env = {"LITELLM_CHAT_MODEL": REASONER, "LITELLM_API_BASE": fake.url, "LITELLM_API_KEY": KEY}
            _, result = new_process(session.dumps(), "Now dogs", env=env, path="stream")
            assert result["ok"], result
            assert fake.violations == []
            sent = [m for m in fake.requests[-2].body["messages"] if m.get("tool_calls")]
            assert len(sent) == 4
            assert all(m["reasoning_content"].startswith("Reasoning ") for m in sent)


class TestSwitching:
    @pytest.mark.parametrize("other", ["deepseek", "openai"])
    def test_claude_to_another_family_and_back(self, anthropic_fake: FakeAnthropic, other: str) -> None:
        """Claude -> DeepSeek/OpenAI -> Claude in one session: each gets only its own state, every step accepted."""
        cls, model = (FakeDeepSeek, REASONER) if other == "deepseek" else (FakeOpenAI, "openai/gpt-4o-mini")
        session = Session()
        with running(cls) as fake:
            script_message(anthropic_fake, TWO)
            assert run_message(claude(anthropic_fake), session, "Find cats").ok
            script_message(fake, THEN)
            turn = run_message(provider_for(fake, model), session, "Now dogs", path="astream")
            assert turn.ok, turn.failed and turn.failed.content
            assert fake.violations == []
            body = fake.requests[-2].body
            assert not any("thinking_blocks" in m or "~dlr1~" in str(m) for m in body["messages"])
            before = len(anthropic_fake.requests)
            script_message(anthropic_fake, TWO)
            turn = run_message(claude(anthropic_fake), session, "And cats again", path="stream")
            assert turn.ok, turn.failed and turn.failed.content
        assert anthropic_fake.violations == []
        body = anthropic_fake.requests[-2].body
        assert "reasoning_content" not in str(body["messages"])
        if not LITELLM_160:
            turns = _assistant_turns(body)
            signed = [bool(t[0].get("type") == "thinking") for t in turns]
            assert signed == [True, True, False, False, True, True]  # Claude's own turns only
            assert len(anthropic_fake.requests) - before == 4


class TestPlainLitellm:
    def test_what_litellm_itself_keeps_of_claudes_thinking(self, anthropic_fake: FakeAnthropic) -> None:
        """Plain litellm, given its own message back: 1.110 re-sends the blocks; 1.60 drops them (refused)."""
        import litellm

        anthropic_fake.reply(None, tool_calls=[{"name": "search", "arguments": "{}"}])
        anthropic_fake.reply("Done.")
        kw = dict(
            model=CLAUDE,
            api_base=anthropic_fake.url,
            api_key=KEY,
            max_tokens=4096,
            temperature=1,
            thinking={"type": "enabled", "budget_tokens": BUDGET},
            tools=[
                {"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {}}}}
            ],
        )
        messages: list[Any] = [{"role": "user", "content": "Find cats"}]
        first = litellm.completion(messages=messages, **kw)
        message = first.choices[0].message
        messages += [message, {"role": "tool", "tool_call_id": message.tool_calls[0].id, "content": "found"}]
        if LITELLM_160:
            assert getattr(message, "thinking_blocks", None) is None
            with pytest.raises(litellm.BadRequestError, match="Expected `thinking` or `redacted_thinking`"):
                litellm.completion(messages=messages, **kw)
        else:
            assert litellm.completion(messages=messages, **kw).choices[0].message.content == "Done."
            assert anthropic_fake.violations == []


def test_async_path_keeps_state_too(anthropic_fake: FakeAnthropic) -> None:
    """achat_completions packs the same state as the sync path (one parser for all four)."""
    anthropic_fake.reply(None, tool_calls=[{"name": "search", "arguments": "{}"}])
    response = asyncio.run(claude(anthropic_fake).achat_completions([{"role": "user", "content": "x"}], tools=_tools()))
    state = unpack(response.tool_calls[0]["id"])[1]
    assert (state is None) if LITELLM_160 else (state is not None and state.model == CLAUDE)
