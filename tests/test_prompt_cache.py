"""prompt_cache (placement, pure) and model_rules rule 9 (who takes breakpoints, minimum lengths), as tables.

Expected minimums are Anthropic's "Prompt caching" page, "Cache limitations" (see model_rules).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from director_litellm._model_rules import cache_breakpoint_minimum, cache_minimum_tokens, takes_cache_control
from director_litellm._prompt_cache import count_marks, place_breakpoints, without_marks

MARK = {"type": "ephemeral"}
LONG = "x" * 8000  # 2,000 estimated tokens: above every minimum but 4,096
TOOLS = [{"type": "function", "function": {"name": f"t{i}", "parameters": {"type": "object"}}} for i in range(3)]
BIG_TOOLS = [
    {"type": "function", "function": {"name": f"t{i}", "description": "d" * 4000, "parameters": {"type": "object"}}}
    for i in range(3)
]
CALL = {"id": "c1", "type": "function", "function": {"name": "t1", "arguments": "{}"}}


def place(messages: list[dict[str, Any]], tools: Any = None, minimum: int = 1024, limit: int = 4) -> Any:
    return place_breakpoints(messages, tools, min_tokens=minimum, max_breakpoints=limit)


def marked(messages: list[dict[str, Any]], tools: Any) -> list[str]:
    """Where the marks are: ``tool:i``, ``msg:i`` (message level) or ``msg:i.j`` (part j)."""
    out = [f"tool:{i}" for i, t in enumerate(tools or []) if "cache_control" in t]
    for i, m in enumerate(messages):
        if "cache_control" in m:
            out.append(f"msg:{i}")
        if isinstance(m.get("content"), list):
            out += [f"msg:{i}.{j}" for j, p in enumerate(m["content"]) if "cache_control" in p]
    return out


class TestPlacement:
    def test_reasoning_call_marks_tools_system_and_history(self) -> None:
        """Last tool, the system prompt (as a marked text part) and the turn before the newest user turn."""
        messages = [
            {"role": "system", "content": LONG},
            {"role": "user", "content": "find"},
            {"role": "assistant", "content": None, "tool_calls": [CALL]},
            {"role": "tool", "tool_call_id": "c1", "content": "result"},
            {"role": "assistant", "content": "found it"},
            {"role": "user", "content": "cut it"},
        ]
        before = copy.deepcopy((messages, BIG_TOOLS))
        out, tools = place(messages, BIG_TOOLS)
        assert marked(out, tools) == ["tool:2", "msg:0.0", "msg:4"]
        assert out[0]["content"] == [{"type": "text", "text": LONG, "cache_control": MARK}]
        assert out[4] == {"role": "assistant", "content": "found it", "cache_control": MARK}
        assert (messages, BIG_TOOLS) == before  # nothing mutated

    def test_assistant_tool_call_turn_is_skipped_for_the_message_before_it(self) -> None:
        """After a tool result, the assistant's tool-call turn cannot carry a mark: the user turn before it does."""
        messages = [
            {"role": "system", "content": LONG},
            {"role": "user", "content": "find"},
            {"role": "assistant", "content": None, "tool_calls": [CALL]},
            {"role": "tool", "tool_call_id": "c1", "content": "result"},
        ]
        out, _ = place(messages)
        assert marked(out, None) == ["msg:0.0", "msg:1"]

    def test_tool_result_is_marked_at_message_level(self) -> None:
        """A tool result before the newest turn carries the mark on the message itself."""
        messages = [
            {"role": "user", "content": LONG},
            {"role": "assistant", "content": None, "tool_calls": [CALL]},
            {"role": "tool", "tool_call_id": "c1", "content": "result"},
            {"role": "assistant", "content": None, "tool_calls": [{**CALL, "id": "c2"}]},
            {"role": "tool", "tool_call_id": "c2", "content": "result 2"},
        ]
        out, _ = place(messages)
        assert marked(out, None) == ["msg:2"]
        assert out[2]["cache_control"] == MARK

    def test_agent_call_marks_only_the_system_prompt(self) -> None:
        """One user message after a long system prompt: no history exists before the newest turn."""
        out, _ = place([{"role": "system", "content": LONG}, {"role": "user", "content": "summarise"}])
        assert marked(out, None) == ["msg:0.0"]

    def test_list_content_gets_the_mark_on_its_last_part(self) -> None:
        """User parts keep their shape; the last part carries the mark."""
        user = {"role": "user", "content": [{"type": "text", "text": LONG}, {"type": "text", "text": "b"}]}
        out, _ = place([user, {"role": "assistant", "content": "ok"}, {"role": "user", "content": "next"}])
        assert marked(out, None) == ["msg:1"]
        out, _ = place([user, {"role": "user", "content": "next"}, {"role": "assistant", "content": "x"}])
        assert marked(out, None) == []  # ends on the assistant: no newest user turn
        out, _ = place([{"role": "system", "content": "s"}, user, {"role": "assistant", "content": "ok"}, user])
        assert marked(out, None) == ["msg:2"]

    def test_short_prompts_get_none_and_come_back_unchanged(self) -> None:
        """Below the minimum nothing is marked and the very same lists are returned."""
        messages = [{"role": "system", "content": "short"}, {"role": "user", "content": "hi"}]
        out, tools = place(messages, TOOLS)
        assert out is messages
        assert tools is TOOLS

    def test_each_point_needs_its_own_prefix_to_reach_the_minimum(self) -> None:
        """Tools alone below the minimum are not marked; tools + system above it mark the system."""
        out, tools = place([{"role": "system", "content": LONG}, {"role": "user", "content": "hi"}], TOOLS)
        assert marked(out, tools) == ["msg:0.0"]
        out, tools = place([{"role": "system", "content": LONG}, {"role": "user", "content": "hi"}], TOOLS, 4096)
        assert marked(out, tools) == []

    @pytest.mark.parametrize(
        "own, expected",
        [
            (0, ["tool:2", "msg:0.0", "msg:2"]),
            (1, ["tool:2", "msg:0.0", "msg:1.0", "msg:4"]),
            (2, ["msg:0.0", "msg:1.0", "msg:3.0", "msg:6"]),
            (3, ["msg:1.0", "msg:3.0", "msg:5.0", "msg:8"]),
            (4, ["msg:1.0", "msg:3.0", "msg:5.0", "msg:7.0"]),
        ],
    )
    def test_caller_marks_count_and_later_points_win(self, own: int, expected: list[str]) -> None:
        """Never more than 4 in all: the caller's marks are kept, ours fill what is left, latest first."""
        messages: list[dict[str, Any]] = [{"role": "system", "content": LONG}]
        for k in range(own):
            messages.append({"role": "user", "content": [{"type": "text", "text": f"q{k}", "cache_control": MARK}]})
            messages.append({"role": "assistant", "content": f"a{k}"})
        messages += [
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": "b"},
            {"role": "user", "content": "newest"},
        ]
        out, tools = place(messages, BIG_TOOLS)
        assert marked(out, tools) == expected
        assert count_marks(out, tools) == min(own + 3, 4)

    def test_a_point_the_caller_marked_is_left_alone(self) -> None:
        """A caller's mark on the system prompt is not doubled and costs no extra slot."""
        system = {"role": "system", "content": LONG, "cache_control": {"type": "ephemeral", "ttl": "1h"}}
        out, _ = place([system, {"role": "user", "content": "hi"}])
        assert out[0] is system
        assert marked(out, None) == ["msg:0"]

    def test_without_marks_strips_every_mark(self) -> None:
        """For models that take none, the caller's marks go; unmarked input comes back as is."""
        messages = [
            {"role": "system", "content": "s", "cache_control": MARK},
            {"role": "user", "content": [{"type": "text", "text": "u", "cache_control": MARK}]},
        ]
        tools = [{**TOOLS[0], "cache_control": MARK}]
        out, out_tools = without_marks(messages, tools)
        assert count_marks(out, out_tools) == 0
        assert out[1]["content"] == [{"type": "text", "text": "u"}]
        plain = [{"role": "user", "content": "u"}]
        assert without_marks(plain, TOOLS)[0] is plain


class TestRule5:
    @pytest.mark.parametrize(
        "model, minimum",
        [
            ("anthropic/claude-sonnet-4-5-20250929", 1024),
            ("anthropic/claude-sonnet-4-6", 1024),
            ("claude-sonnet-4-20250514", 1024),
            ("anthropic/claude-3-7-sonnet-20250219", 1024),
            ("anthropic/claude-3-5-sonnet-20241022", 1024),
            ("anthropic/claude-opus-4-20250514", 1024),
            ("anthropic/claude-opus-4-1-20250805", 1024),
            ("anthropic/claude-opus-4-5", 4096),
            ("vertex_ai/claude-opus-4-6", 4096),
            ("anthropic/claude-opus-4-7", 4096),
            ("anthropic/claude-opus-4-8", 1024),
            ("bedrock/anthropic.claude-haiku-4-5-20251001-v1:0", 4096),
            ("anthropic/claude-3-5-haiku-20241022", 2048),
            ("anthropic/claude-3-haiku-20240307", 2048),
            ("anthropic/claude-opus-5", 4096),  # not listed: the largest documented minimum
        ],
    )
    def test_minimum_cacheable_length(self, model: str, minimum: int) -> None:
        """One table, from Anthropic's documentation."""
        assert cache_minimum_tokens(model) == minimum

    @pytest.mark.parametrize(
        "model, route, supported, takes",
        [
            ("anthropic/claude-sonnet-4-5", "anthropic", True, True),
            ("anthropic/claude-sonnet-9", "anthropic", None, True),  # newer than litellm's data
            ("anthropic/claude-3-haiku-20240307", "anthropic", False, False),  # litellm's data says no
            ("bedrock/us.anthropic.claude-sonnet-4-5", "bedrock", True, True),
            ("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", "bedrock", None, False),
            ("vertex_ai/claude-sonnet-4-5", "vertex_ai", True, True),
            ("openai/claude-sonnet-4-5", "openai", True, False),  # a proxy alias over the OpenAI wire
            ("openai/gpt-4o-mini", "openai", True, False),  # caches by itself
            ("anthropic/some-other-model", "anthropic", True, False),
        ],
    )
    def test_who_takes_breakpoints(self, model: str, route: str, supported: Any, takes: bool) -> None:
        """Claude, on a route that carries cache_control, where litellm's data does not say no."""
        assert takes_cache_control(model, lambda m: route, lambda m: supported) is takes

    def test_router_group_needs_every_deployment(self) -> None:
        """All deployments must qualify; the largest minimum among them applies."""
        route = {"anthropic/claude-sonnet-4-5": "anthropic", "anthropic/claude-haiku-4-5": "anthropic"}
        assert cache_breakpoint_minimum(list(route), route.get, lambda m: True) == 4096
        assert (
            cache_breakpoint_minimum([*route, "openai/gpt-4o"], lambda m: route.get(m, "openai"), lambda m: True)
            is None
        )
        assert cache_breakpoint_minimum([], route.get, lambda m: True) is None
