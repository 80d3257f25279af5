"""A history made ready for one target: ids it accepts (the same in calls and results), state only its own."""

from __future__ import annotations

import re
from typing import Any

import pytest

from director_litellm import _reasoning_rules as reasoning_rules
from director_litellm._formatters import convert_messages
from director_litellm._history import ANTHROPIC, MISTRAL, OPENAI, id_rule, mapped_id, prepare
from director_litellm._reasoning_state import State, encode

CLAUDE = "anthropic/claude-sonnet-4-5-20250929"
OPUS = "anthropic/claude-opus-4-1"
REASONER = "deepseek/deepseek-reasoner"
BLOCK = {"type": "thinking", "thinking": "search first", "signature": "SIG"}
# a Gemini 3 id as litellm 1.110 builds it: call_<uuid hex>__thought__<standard base64 signature>
GEMINI_ID = "call_2f1c9d7e0b8a4c6e9f3a1b2c3d4e5f60__thought__CiQBcsjafK+/x3Zq9g=="


def _turn(ids: list[str], *, content: Any = None) -> list[dict[str, Any]]:
    """A Director tool-call turn and its results, as Director stores them (``to_llm_msg``)."""
    calls = [
        {"id": i, "tool": {"name": "search", "arguments": {"q": str(n)}}, "type": "function"} for n, i in enumerate(ids)
    ]
    return [
        {"role": "assistant", "content": content or [], "tool_calls": calls},
        *({"role": "tool", "content": f"result {n}", "tool_call_id": i} for n, i in enumerate(ids)),
    ]


def _history(*turns: list[dict[str, Any]], answered: bool = False) -> list[dict[str, Any]]:
    messages = [{"role": "system", "content": "sys"}, {"role": "user", "content": "find cats"}]
    for turn in turns:
        messages += turn
    if answered:
        messages.append({"role": "assistant", "content": "Done."})
    return convert_messages(messages).messages


def _packed(call_id: str, **state: Any) -> str:
    packed = encode(call_id, State(**state))
    assert packed is not None
    return packed


def _ids(messages: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    calls = [c["id"] for m in messages for c in m.get("tool_calls") or []]
    results = [m["tool_call_id"] for m in messages if m["role"] == "tool"]
    return calls, results


class TestIdRules:
    @pytest.mark.parametrize("base", ["call_PTLP8xhu3uwZk4l3nlnrrJha", "toolu_01A09q90qw90lq917835lq9", GEMINI_ID, "x"])
    def test_mistral_gets_nine_alphanumerics(self, base: str) -> None:
        """Mistral: "Tool call id ... must be a-z, A-Z, 0-9, with a length of 9"."""
        assert re.fullmatch(r"[a-zA-Z0-9]{9}", mapped_id(base, MISTRAL))

    def test_valid_ids_are_kept(self) -> None:
        """An id the target takes is sent as it is (nothing to map, the provider's own ids stay)."""
        assert mapped_id("aB3xK9mP2", MISTRAL) == "aB3xK9mP2"
        assert mapped_id("toolu_01A09q90qw90lq917835lq9", ANTHROPIC) == "toolu_01A09q90qw90lq917835lq9"
        assert mapped_id("call_abc", OPENAI) == "call_abc"

    def test_too_long_or_bad_characters_are_mapped_within_the_rule(self) -> None:
        """OpenAI takes at most 40 characters; Anthropic only [a-zA-Z0-9_-]."""
        long_id = "fc_0f0e50a1476a6c35006912c58dc9f8819192c25864eb16f07f"  # 53 characters (agno-agi/agno#5382)
        assert len(mapped_id(long_id, OPENAI)) <= 40
        assert OPENAI.pattern.fullmatch(mapped_id(long_id, OPENAI))
        assert ANTHROPIC.pattern.fullmatch(mapped_id("call+/=", ANTHROPIC))

    def test_mapping_is_deterministic(self) -> None:
        """The same id maps the same way in every call and every process (prompt caches keep hitting)."""
        assert mapped_id(GEMINI_ID, MISTRAL) == mapped_id(GEMINI_ID, MISTRAL)
        assert mapped_id(GEMINI_ID, MISTRAL) != mapped_id(GEMINI_ID + "x", MISTRAL)

    def test_the_strictest_rule_of_a_group_wins(self) -> None:
        """A Router group reaching Mistral and OpenAI gets Mistral's ids."""
        routes = {"m": "mistral", "o": "openai", "a": "anthropic"}
        assert id_rule(["o", "m"], routes.get) is MISTRAL
        assert id_rule(["o", "a"], routes.get) is OPENAI
        assert id_rule(["a"], routes.get) is ANTHROPIC


class TestPrepare:
    def test_ids_match_between_calls_and_results(self) -> None:
        """A mapped id is the same in the assistant turn and in the tool results answering it."""
        history = _history(_turn(["call_PTLP8xhu3uwZk4l3nlnrrJha", GEMINI_ID]))
        calls, results = _ids(prepare(history, "mistral/mistral-large-latest", MISTRAL).messages)
        assert calls == results
        assert all(re.fullmatch(r"[a-zA-Z0-9]{9}", i) for i in calls)
        assert len(set(calls)) == 2

    def test_the_same_history_prepares_the_same_way(self) -> None:
        """Two calls with one history send identical messages."""
        history = _history(_turn([GEMINI_ID]), _turn(["call_PTLP8xhu3uwZk4l3nlnrrJha"]))
        assert prepare(history, "mistral/x", MISTRAL).messages == prepare(list(history), "mistral/x", MISTRAL).messages

    def test_colliding_maps_get_distinct_ids(self) -> None:
        """Two different ids never share one mapped id in a request."""
        history = _history(_turn(["a", "b"]))
        first = mapped_id("a", MISTRAL)
        from director_litellm import _history as module

        original = module.mapped_id
        try:
            module.mapped_id = lambda base, rule, salt=0: first if not salt else original(base, rule, salt)  # type: ignore[assignment]
            calls, results = _ids(prepare(history, "mistral/x", MISTRAL).messages)
        finally:
            module.mapped_id = original  # type: ignore[assignment]
        assert len(set(calls)) == 2
        assert calls == results

    def test_own_thinking_blocks_go_back_to_the_same_model(self) -> None:
        """Claude's blocks are re-attached for the model that made them, with the provider's own id."""
        history = _history(_turn([_packed("toolu_1", model=CLAUDE, blocks=(BLOCK,)), "toolu_2"]))
        prepared = prepare(history, CLAUDE, ANTHROPIC, thinking=True)
        turn = prepared.messages[2]
        assert turn["thinking_blocks"] == [BLOCK]
        assert _ids(prepared.messages) == (["toolu_1", "toolu_2"], ["toolu_1", "toolu_2"])
        assert prepared.open_loop_signed is True

    @pytest.mark.parametrize(
        "target", [OPUS, "bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0", "openai/gpt-4o", REASONER]
    )
    def test_state_never_goes_to_another_model(self, target: str) -> None:
        """Another Claude, Claude on another wire, or another family: no blocks, no signature, no reasoning."""
        history = _history(_turn([_packed("toolu_1", model=CLAUDE, blocks=(BLOCK,), reasoning="x")]))
        prepared = prepare(history, target, ANTHROPIC)
        turn = prepared.messages[2]
        assert "thinking_blocks" not in turn
        assert turn.get("reasoning_content") in (None, " ")  # DeepSeek's placeholder, never Claude's text
        assert turn["tool_calls"][0]["id"] == "toolu_1"
        assert prepared.open_loop_signed is False

    def test_deepseek_gets_its_own_reasoning_and_a_placeholder_for_others(self) -> None:
        """Thinking-mode DeepSeek refuses tool-call turns without reasoning_content: its own, else " "."""
        history = _history(
            _turn(["toolu_9"]),  # made by Claude, stored by Director's own Anthropic provider
            _turn([_packed("call_1", model=REASONER, reasoning="search first")]),
        )
        turns = [m for m in prepare(history, REASONER, OPENAI).messages if m.get("tool_calls")]
        assert [t["reasoning_content"] for t in turns] == [" ", "search first"]
        chat = [m for m in prepare(history, "deepseek/deepseek-chat", OPENAI).messages if m.get("tool_calls")]
        assert "reasoning_content" not in chat[0]

    def test_gemini_signature_only_for_its_own_model(self) -> None:
        """A Gemini call's signature goes back as litellm's ``__thought__`` id to that model only."""
        packed = _packed("call_a", model="gemini/gemini-3-pro-preview", signature="c2ln+/==")
        history = _history(_turn([packed]))
        same = prepare(history, "gemini/gemini-3-pro-preview", OPENAI).messages
        other = prepare(history, "gemini/gemini-2.5-pro", OPENAI).messages
        assert _ids(same)[0] == ["call_a__thought__c2ln+/=="]
        assert _ids(same)[1] == ["call_a__thought__c2ln+/=="]  # litellm strips it from the result itself
        assert _ids(other) == (["call_a"], ["call_a"])

    def test_litellms_own_gemini_ids_are_stripped_for_other_wires(self) -> None:
        """A Gemini id stored before (``__thought__`` + base64) reaches Anthropic as a valid id."""
        calls, results = _ids(prepare(_history(_turn([GEMINI_ID])), CLAUDE, ANTHROPIC).messages)
        assert calls == results == ["call_2f1c9d7e0b8a4c6e9f3a1b2c3d4e5f60"]

    def test_no_open_loop_after_an_answer(self) -> None:
        """After the assistant's answer (a new user message next) no tool loop is open."""
        history = _history(_turn(["toolu_1"]), answered=True)
        assert prepare(history, CLAUDE, ANTHROPIC).open_loop_signed is None


class TestThinkingRules:
    def test_claude_with_a_budget(self) -> None:
        """Rule 12: thinking on, temperature 1, max_tokens above the budget."""
        params = reasoning_rules.thinking_params(
            CLAUDE, 4096, 4096, effort=False, json_mode=False, open_loop_signed=None
        )
        assert params == {"temperature": 1, "thinking": {"type": "enabled", "budget_tokens": 4096}, "max_tokens": 8192}

    def test_no_thinking_for_json_mode_or_an_unsigned_loop(self) -> None:
        """Claude refuses forced tool use and foreign loops with thinking: that call goes without it."""
        assert (
            reasoning_rules.thinking_params(CLAUDE, 2048, 4096, effort=False, json_mode=True, open_loop_signed=None)
            == {}
        )
        assert (
            reasoning_rules.thinking_params(CLAUDE, 2048, 4096, effort=False, json_mode=False, open_loop_signed=False)
            == {}
        )

    def test_other_families_are_left_alone(self) -> None:
        """Only Claude models get Claude's thinking parameter."""
        assert (
            reasoning_rules.thinking_params(
                "openai/gpt-4o", 2048, 4096, effort=False, json_mode=False, open_loop_signed=None
            )
            is None
        )
        assert (
            reasoning_rules.thinking_params(CLAUDE, None, 4096, effort=False, json_mode=False, open_loop_signed=None)
            is None
        )
