"""The reasoning-state codec: what a reasoning model needs back, carried in Director's tool-call ids.

Director persists only role, content, ``tool_calls`` (id, name, arguments) and ``tool_call_id``
(``ContextMessage.to_llm_msg``), and sends the ids back verbatim. Reasoning models need more than
that on their own tool-call turns:

- Claude with extended thinking (Anthropic, Bedrock, Vertex): the turn's ``thinking`` blocks with
  their ``signature`` and any ``redacted_thinking`` blocks, unmodified (litellm: ``thinking_blocks``);
- DeepSeek in thinking mode: the turn's ``reasoning_content`` (``reasoning_rules.keeps_reasoning``);
- Gemini 2.5/3: each function call's ``thoughtSignature`` (litellm >= ~1.80 puts it in the id as
  ``<id>__thought__<signature>``).

``pack`` puts that state, with the model that made it, into the ids of the turn's tool calls:
``<provider id>~dlr1~<base64url(zlib(JSON))>``. A turn's message-level state (thinking blocks,
reasoning_content) goes on its first call only; a Gemini signature on the call it belongs to.
``unpack`` gives the provider's id and the state back; ``history`` decides per request where the
state may go (only to the model that made it) and what id each target receives.

What is kept is model output only: the thinking text and signatures the provider returned for that
turn (never keys, never the user's text). One turn's encoded state is bounded by ``MAX_STATE_CHARS``;
a larger state is not kept (logged once), and ``history`` then asks for no thinking on the next step
(see ``reasoning_rules.thinking_params``). Director stores an id twice: in the assistant turn and in the
first tool result.
"""

from __future__ import annotations

import base64
import json
import logging
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from director_litellm._fields import field
from director_litellm._reasoning_rules import keeps_reasoning

logger = logging.getLogger(__name__)

#: separates the provider's id from the packed state; never part of a provider's own id
#: (OpenAI ``call_…``, Anthropic ``toolu_…``, Bedrock ``tooluse_…``, Mistral's 9 characters, Gemini's
#: ``…__thought__<standard base64>``)
MARK = "~dlr1~"
#: litellm's separator for a Gemini thought signature in a tool-call id
THOUGHT = "__thought__"
#: the longest packed state of one tool-call turn, in characters (~200 KB of text in Director's
#: database per stored copy; Claude thinking compresses about 3:1, so this is far above a 32k-token budget)
MAX_STATE_CHARS = 200_000


@dataclass(frozen=True)
class State:
    """One tool call's reasoning state and the model that made it."""

    model: str
    blocks: tuple[dict[str, Any], ...] = ()  # Claude thinking / redacted_thinking blocks, as litellm gives them
    reasoning: str | None = None  # DeepSeek reasoning_content
    signature: str | None = None  # Gemini thoughtSignature

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"m": self.model}
        if self.blocks:
            out["b"] = list(self.blocks)
        if self.reasoning is not None:
            out["r"] = self.reasoning
        if self.signature is not None:
            out["s"] = self.signature
        return out


def encode(call_id: str, state: State) -> str | None:
    """``call_id`` with ``state`` packed in; None when the state is over ``MAX_STATE_CHARS``."""
    raw = json.dumps(state.as_json(), separators=(",", ":"), ensure_ascii=False).encode()
    packed = base64.urlsafe_b64encode(zlib.compress(raw, 9)).rstrip(b"=").decode("ascii")
    if len(packed) > MAX_STATE_CHARS:
        return None
    return f"{call_id}{MARK}{packed}"


# Director re-sends the whole history on every call: an id unpacked once is remembered (bounded by the
# characters of the ids kept, then forgotten all at once), so a long session does not decompress every
# turn's state on every step (~0.2 ms per 64k-character thinking block).
_MEMO_CHARS = 4_000_000
_MAX_INFLATED = 64 * MAX_STATE_CHARS  # zlib at level 9 packs English prose ~3:1; base64 adds 4:3
_memo: dict[str, tuple[str, State | None]] = {}
_memo_size = [0]


def unpack(call_id: str) -> tuple[str, State | None]:
    """(the provider's id, the state packed in, or None). A damaged state counts as none."""
    base, mark, packed = call_id.partition(MARK)
    if not mark:
        return call_id, None
    known = _memo.get(call_id)
    if known is not None:
        return known
    result = _unpacked(base, packed)
    if _memo_size[0] + len(call_id) > _MEMO_CHARS:
        _memo.clear()
        _memo_size[0] = 0
    _memo[call_id] = result
    _memo_size[0] += len(call_id)
    return result


def _unpacked(base: str, packed: str) -> tuple[str, State | None]:
    try:
        inflate = zlib.decompressobj()  # bounded: a hand-made id cannot inflate without limit
        raw = inflate.decompress(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)), _MAX_INFLATED)
        if inflate.unconsumed_tail or not inflate.eof:  # too large, or cut short
            raise ValueError("a reasoning state larger than any packed here, or cut short")
        data = json.loads(raw)
        blocks = tuple(dict(b) for b in data.get("b", ()) if isinstance(b, Mapping))
        reasoning, signature = data.get("r"), data.get("s")
        state = State(
            model=str(data["m"]),
            blocks=blocks,
            reasoning=reasoning if isinstance(reasoning, str) else None,
            signature=signature if isinstance(signature, str) else None,
        )
    except Exception:  # edited or truncated by hand: the id still works, the state is gone
        logger.debug("tool-call id %r carries an unreadable reasoning state; ignored", base)
        return base, None
    return base, state


def _blocks(message: Any) -> tuple[dict[str, Any], ...]:
    """The thinking blocks litellm put on a message (``thinking_blocks``; in ``provider_specific_fields`` too)."""
    raw = field(message, "thinking_blocks") or field(field(message, "provider_specific_fields"), "thinking_blocks")
    if not isinstance(raw, (list, tuple)):
        return ()
    out = []
    for block in raw:
        kind = field(block, "type")
        if kind == "thinking" and isinstance(field(block, "signature"), str) and field(block, "signature"):
            out.append(
                {"type": "thinking", "thinking": field(block, "thinking") or "", "signature": field(block, "signature")}
            )
        elif kind == "redacted_thinking" and isinstance(field(block, "data"), str):
            out.append({"type": "redacted_thinking", "data": field(block, "data")})
    return tuple(out)


def pack(calls: list[dict[str, Any]], message: Any, model: str | None, reasoning: str | None) -> list[dict[str, Any]]:
    """Director-shape ``calls`` of one response, their ids carrying the turn's reasoning state.

    ``model`` is the model the request was sent to (what ``history`` compares with the next target).
    Calls are changed in place and returned; without a model or any state they are returned as they are.
    """
    if not calls or not model:
        return calls
    blocks = _blocks(message)
    kept_reasoning = reasoning if reasoning and not blocks and keeps_reasoning(model) else None
    for position, call in enumerate(calls):
        call_id = call["id"]
        base, _, signature = call_id.partition(THOUGHT)
        state = State(
            model=model,
            blocks=blocks if position == 0 else (),
            reasoning=kept_reasoning if position == 0 else None,
            signature=signature or None,
        )
        if not (state.blocks or state.reasoning is not None or state.signature):
            continue
        packed = encode(base, state)
        if packed is None:
            logger.warning(
                "the reasoning state of %s's tool call %s is over %d characters; not kept (the next step is sent "
                "without thinking)",
                model,
                base,
                MAX_STATE_CHARS,
            )
            call["id"] = base
            continue
        call["id"] = packed
    return calls


def stream_blocks(pieces: Sequence[Any]) -> list[dict[str, Any]]:
    """A stream's thinking blocks, joined from the ``thinking_blocks`` deltas litellm sends.

    litellm's deltas carry no block index: text pieces of one block arrive first, then its
    ``signature_delta`` (a piece with a signature); a piece after a signed block starts a new one.
    ``redacted_thinking`` arrives whole.
    """
    out: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for piece in pieces:
        kind = field(piece, "type")
        if kind == "redacted_thinking":
            out.append({"type": "redacted_thinking", "data": field(piece, "data")})
            current = None
            continue
        if kind != "thinking":
            continue
        if current is None or current["signature"]:
            current = {"type": "thinking", "thinking": "", "signature": ""}
            out.append(current)
        text = field(piece, "thinking")
        if isinstance(text, str):
            current["thinking"] += text
        signature = field(piece, "signature")
        if isinstance(signature, str) and signature:
            current["signature"] += signature
    return out


__all__ = ["MARK", "MAX_STATE_CHARS", "THOUGHT", "State", "encode", "pack", "stream_blocks", "unpack"]
