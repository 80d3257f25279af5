"""The reasoning-state codec: what a tool-call turn's id carries, how large it gets, and what it never holds."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from director_litellm import _reasoning_state as reasoning_state
from director_litellm._parser import parse_response
from director_litellm._reasoning_state import MARK, MAX_STATE_CHARS, State, encode, pack, stream_blocks, unpack
from director_litellm._stream import StreamAccumulator

CLAUDE = "anthropic/claude-sonnet-4-5-20250929"
# litellm's message for a Claude answer with thinking (shape: litellm's ``thinking_blocks``, Anthropic's
# block fields: docs.anthropic.com/en/docs/build-with-claude/extended-thinking)
BLOCKS = [
    {"type": "thinking", "thinking": "The user wants cats; search first.", "signature": "EqQBCkYIARgCIkA+sig/=="},
    {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"},
]


def _calls(*ids: str) -> list[dict[str, Any]]:
    return [{"id": i, "tool": {"name": "search", "arguments": {"q": "cats"}}, "type": "function"} for i in ids]


def _completion(model: str, message: dict[str, Any]) -> dict[str, Any]:
    return {"model": model, "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}]}


class TestCodec:
    def test_round_trip(self) -> None:
        """What goes into an id comes back out, with the provider's own id beside it."""
        state = State(model=CLAUDE, blocks=tuple(BLOCKS))
        packed = encode("toolu_01A", state)
        assert packed is not None
        assert packed.startswith("toolu_01A" + MARK)
        assert unpack(packed) == ("toolu_01A", state)

    def test_an_id_without_state_is_itself(self) -> None:
        """Ids of other providers and of sessions stored before come back unchanged, with no state."""
        for call_id in ("call_abc", "toolu_01A09q90qw90lq917835lq9", "aB3xK9mP2", "call_1__thought__c2ln"):
            assert unpack(call_id) == (call_id, None)

    def test_a_damaged_state_is_dropped_not_fatal(self) -> None:
        """An id whose packed part was cut or edited keeps its provider id; the state is gone."""
        packed = encode("toolu_1", State(model=CLAUDE, blocks=tuple(BLOCKS)))
        assert packed is not None
        assert unpack(packed[:-7]) == ("toolu_1", None)
        assert unpack("toolu_1" + MARK + "not base64 at all!") == ("toolu_1", None)

    def test_an_inflating_bomb_is_refused(self) -> None:
        """A hand-made id that would inflate beyond any packed state is read as no state."""
        import base64
        import zlib

        bomb = base64.urlsafe_b64encode(zlib.compress(b" " * (70 * MAX_STATE_CHARS), 9)).decode().rstrip("=")
        assert unpack("toolu_1" + MARK + bomb) == ("toolu_1", None)

    def test_packed_ids_use_no_character_of_a_provider_id_alphabet_boundary(self) -> None:
        """The packed part is base64url: it never holds the mark or litellm's Gemini separator."""
        packed = encode("call_9", State(model="deepseek/deepseek-reasoner", reasoning="r" * 5000))
        assert packed is not None
        tail = packed.split(MARK, 1)[1]
        assert set(tail) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        assert reasoning_state.THOUGHT not in tail

    def test_size_is_bounded(self, caplog: pytest.LogCaptureFixture) -> None:
        """A state over MAX_STATE_CHARS is not kept: the call keeps its plain id and one warning says why."""
        import os

        noise = os.urandom(MAX_STATE_CHARS).hex()  # incompressible
        assert encode("toolu_1", State(model=CLAUDE, reasoning=noise)) is None
        message = {"thinking_blocks": [{"type": "thinking", "thinking": noise, "signature": "s"}]}
        with caplog.at_level(logging.WARNING, logger="director_litellm._reasoning_state"):
            calls = pack(_calls("toolu_1"), message, CLAUDE, None)
        assert calls[0]["id"] == "toolu_1"
        assert len([r for r in caplog.records if "not kept" in r.getMessage()]) == 1


class TestPack:
    def test_claude_blocks_go_on_the_first_call_only(self) -> None:
        """A turn's thinking blocks are packed once, on its first call; the second call keeps a plain id."""
        calls = pack(_calls("toolu_1", "toolu_2"), {"thinking_blocks": BLOCKS}, CLAUDE, "The user wants cats")
        base, state = unpack(calls[0]["id"])
        assert base == "toolu_1"
        assert state is not None
        assert state.model == CLAUDE
        assert list(state.blocks) == BLOCKS
        assert state.reasoning is None  # the blocks carry the text; reasoning_content is not kept twice
        assert calls[1]["id"] == "toolu_2"

    def test_unsigned_blocks_are_not_kept(self) -> None:
        """A thinking block without a signature is useless to Claude and is not stored."""
        calls = pack(_calls("toolu_1"), {"thinking_blocks": [{"type": "thinking", "thinking": "t"}]}, CLAUDE, "t")
        assert calls[0]["id"] == "toolu_1"

    def test_deepseek_reasoning_is_kept_others_are_not(self) -> None:
        """reasoning_content is kept for DeepSeek (it must come back) and not for models that never take it."""
        kept = pack(_calls("call_1"), {}, "deepseek/deepseek-reasoner", "Think: search.")
        assert unpack(kept[0]["id"])[1] == State(model="deepseek/deepseek-reasoner", reasoning="Think: search.")
        assert pack(_calls("call_1"), {}, "groq/qwen-qwq-32b", "Think: search.")[0]["id"] == "call_1"

    def test_gemini_signature_moves_out_of_litellms_encoding(self) -> None:
        """litellm's ``<id>__thought__<signature>`` becomes the provider id plus a state naming the model."""
        calls = pack(_calls("call_a__thought__c2lnLzE+", "call_b"), {}, "gemini/gemini-3-pro-preview", None)
        assert unpack(calls[0]["id"]) == ("call_a", State(model="gemini/gemini-3-pro-preview", signature="c2lnLzE+"))
        assert calls[1]["id"] == "call_b"

    def test_the_parser_packs_what_litellm_returns(self) -> None:
        """parse_response keeps the state in the ids Director stores; reasoning_content stays displayable."""
        message = {
            "role": "assistant",
            "content": None,
            "reasoning_content": "The user wants cats; search first.",
            "thinking_blocks": BLOCKS,
            "tool_calls": [{"id": "toolu_1", "type": "function", "function": {"name": "search", "arguments": "{}"}}],
        }
        response = parse_response(_completion("claude-sonnet-4-5-20250929", message), model=CLAUDE)
        assert response.reasoning_content == "The user wants cats; search first."
        assert unpack(response.tool_calls[0]["id"]) == ("toolu_1", State(model=CLAUDE, blocks=tuple(BLOCKS)))
        json.dumps(response.tool_calls)  # Director stores it as JSON


class TestStreams:
    def test_stream_blocks_join_pieces_and_split_at_signatures(self) -> None:
        """litellm's thinking deltas (no index) become whole blocks: text pieces, then the signature."""
        pieces = [
            {"type": "thinking", "thinking": "Plan ", "signature": None},
            {"type": "thinking", "thinking": "search.", "signature": None},
            {"type": "thinking", "thinking": "", "signature": "SIG1"},
            {"type": "redacted_thinking", "data": "OPAQUE"},
            {"type": "thinking", "thinking": "Then summarise.", "signature": None},
            {"type": "thinking", "thinking": "", "signature": "SIG2"},
        ]
        assert stream_blocks(pieces) == [
            {"type": "thinking", "thinking": "Plan search.", "signature": "SIG1"},
            {"type": "redacted_thinking", "data": "OPAQUE"},
            {"type": "thinking", "thinking": "Then summarise.", "signature": "SIG2"},
        ]

    def test_the_final_stream_response_carries_the_state(self) -> None:
        """A streamed answer's Final response has the packed ids, keyed to the model requested."""
        acc = StreamAccumulator(model=CLAUDE)

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                "model": "claude-sonnet-4-5-20250929",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        events = []
        for delta in (
            {
                "reasoning_content": "Plan.",
                "thinking_blocks": [{"type": "thinking", "thinking": "Plan.", "signature": None}],
            },
            {"thinking_blocks": [{"type": "thinking", "thinking": "", "signature": "SIG"}]},
            {"tool_calls": [{"index": 0, "id": "toolu_1", "function": {"name": "search", "arguments": "{}"}}]},
        ):
            events += acc.add(chunk(delta))
        acc.add(chunk({}, "tool_calls"))
        assert [e.type for e in events] == ["reasoning"]
        response = acc.response()
        assert response.reasoning_content == "Plan."
        assert response.model == "claude-sonnet-4-5-20250929"
        state = unpack(response.tool_calls[0]["id"])[1]
        assert state == State(model=CLAUDE, blocks=({"type": "thinking", "thinking": "Plan.", "signature": "SIG"},))
