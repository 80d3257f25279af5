"""A Director history made ready for one target model: ids it accepts, reasoning state only where it belongs.

Runs on every request, after ``formatters`` and before ``model_rules``' conversation shaping (pure, no
litellm). For each assistant turn with tool calls and the tool results answering it:

1. **Ids.** Each id is unpacked (``reasoning_state``): the provider's own id and the state packed in.
   The id is sent as it is when the target accepts it, else mapped, deterministically, to one it does
   (``IdRule``); the assistant turn and its tool results get the same mapped id. The same history maps
   the same way on every call, so a provider's prompt cache still hits.
2. **State.** A turn's state is sent back only to the model that made it (the exact model string of
   the request that produced it): Claude's thinking blocks as ``thinking_blocks`` on the assistant
   message, DeepSeek's ``reasoning_content``, a Gemini call's thought signature as litellm's
   ``<id>__thought__<signature>``. For any other model (a fallback, a changed ``LITELLM_CHAT_MODEL``,
   a model of another family) it is dropped, never sent.
3. **Placeholders.** A DeepSeek model in thinking mode gets ``reasoning_content=" "`` on tool-call turns
   it did not make (the value litellm's own DeepSeek support sends; DeepSeek refuses the history
   without it). Gemini 3's placeholder signature for calls it did not make is litellm's (>= 1.8x),
   added on the way to Gemini.

``Prepared.open_loop_signed`` tells ``request`` whether the last assistant tool-call turn of an
unfinished tool loop carries the target's own thinking blocks; Claude refuses thinking without them
(``reasoning_rules.thinking_params``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from director_litellm import _model_rules as model_rules
from director_litellm import _reasoning_rules as reasoning_rules
from director_litellm._reasoning_state import MARK, THOUGHT, State, unpack

Message = dict[str, Any]
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class IdRule:
    """The tool-call ids a provider accepts: a pattern and a length."""

    name: str
    pattern: re.Pattern[str]
    length: int  # the longest id taken; with ``exact``, the only length


#: Mistral: "Tool call id has to be [a-zA-Z0-9]{9}" (docs.mistral.ai, function calling; its API answers 400)
MISTRAL = IdRule("mistral", re.compile(r"^[a-zA-Z0-9]{9}$"), 9)
#: Anthropic: tool_use.id matches ``^[a-zA-Z0-9_-]+$`` (docs.anthropic.com/en/api/messages); Bedrock's
#: toolUseId the same, 1-64 characters (docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolUseBlock.html)
ANTHROPIC = IdRule("anthropic", re.compile(r"^[a-zA-Z0-9_-]{1,64}$"), 64)
#: OpenAI (and OpenAI-compatible wires): at most 40 characters ("string_above_max_length: Expected a string
#: with maximum length 40"); kept to the same safe characters
OPENAI = IdRule("openai", re.compile(r"^[a-zA-Z0-9_-]{1,40}$"), 40)

_ROUTE_RULES = {"mistral": MISTRAL, "anthropic": ANTHROPIC, "bedrock": ANTHROPIC, "vertex_ai": ANTHROPIC}


def id_rule(models: Iterable[str], route_of: Callable[[str], str | None]) -> IdRule:
    """The strictest id rule among ``models`` (a Router group's deployments; else the one model)."""
    rules = {_ROUTE_RULES.get(route_of(m) or "", OPENAI) for m in models}
    if MISTRAL in rules:
        return MISTRAL
    return min(rules, key=lambda r: r.length, default=OPENAI)


def mapped_id(base: str, rule: IdRule, salt: int = 0) -> str:
    """``base`` when ``rule`` takes it, else a stable id it takes (a hash of ``base``)."""
    if not salt and rule.pattern.fullmatch(base):
        return base
    digest = hashlib.sha256(f"{base}#{salt}".encode() if salt else base.encode()).digest()
    if rule is MISTRAL:
        number = int.from_bytes(digest[:8], "big")
        chars = []
        for _ in range(9):
            number, rest = divmod(number, 62)
            chars.append(_ALNUM[rest])
        return "".join(chars)
    return "call_" + digest.hex()[: min(24, rule.length - 5)]


@dataclass
class Prepared:
    messages: list[Message]
    open_loop_signed: bool | None  # None: no unfinished tool loop at the end


def _ends_in_tool_loop(messages: list[Message]) -> int | None:
    """Index of the assistant tool-call turn whose results end the conversation (system messages aside)."""
    i = len(messages) - 1
    while i >= 0 and messages[i]["role"] in ("system", "developer"):
        i -= 1
    if i < 0 or messages[i]["role"] != "tool":
        return None
    while i >= 0 and messages[i]["role"] == "tool":
        i -= 1
    return i if i >= 0 and messages[i]["role"] == "assistant" and messages[i].get("tool_calls") else None


def _plain(messages: list[Message], rule: IdRule) -> bool:
    """No id carries state or litellm's Gemini encoding, and the target takes every id (the common case)."""
    match = rule.pattern.fullmatch
    for message in messages:
        for call in message.get("tool_calls") or ():
            call_id = call["id"]
            if MARK in call_id or THOUGHT in call_id or not match(call_id):
                return False
    return True


def prepare(messages: list[Message], model: str, rule: IdRule, *, thinking: bool = False) -> Prepared:
    """``messages`` (formatted, OpenAI shape) ready for ``model``; unchanged messages are shared, not copied."""
    loop_at = _ends_in_tool_loop(messages)
    if not any(m.get("tool_calls") for m in messages):
        return Prepared(messages, None)
    gemini = model_rules.is_gemini(model)
    reasoning_back = reasoning_rules.takes_reasoning_back(model, thinking=thinking)
    if not reasoning_back and _plain(messages, rule):  # nothing packed, nothing to map: sent as they are
        return Prepared(messages, None if loop_at is None else False)
    out: list[Message] = []
    ids: dict[str, str] = {}  # Director's id -> the id sent
    taken: dict[str, str] = {}  # id sent -> provider id it stands for (collisions get a salt)
    signed: bool | None = None
    for index, message in enumerate(messages):
        calls = message.get("tool_calls")
        if message["role"] == "tool":
            sent = ids.get(message["tool_call_id"])
            out.append(
                message if sent is None or sent == message["tool_call_id"] else {**message, "tool_call_id": sent}
            )
            continue
        if not calls:
            out.append(message)
            continue
        converted = dict(message)
        new_calls = []
        own: State | None = None
        for position, call in enumerate(calls):
            base, state = unpack(call["id"])
            base = base.partition(THOUGHT)[0]  # litellm's own encoding: dropped unless the state says whose
            mine = state is not None and state.model == model
            if position == 0 and mine and state is not None:
                own = state
            salt, sent = 0, mapped_id(base, rule)
            while taken.get(sent, base) != base:
                salt += 1
                sent = mapped_id(base, rule, salt)
            taken[sent] = base
            if gemini and mine and state is not None and state.signature:
                sent = f"{sent}{THOUGHT}{state.signature}"
            ids[call["id"]] = sent
            new_calls.append(call if sent == call["id"] else {**call, "id": sent})
        converted["tool_calls"] = new_calls
        if own is not None and own.blocks:
            converted["thinking_blocks"] = [dict(b) for b in own.blocks]
        if own is not None and own.reasoning:
            converted["reasoning_content"] = own.reasoning
        elif reasoning_back:
            converted["reasoning_content"] = " "
        if index == loop_at:
            signed = bool(own is not None and own.blocks)
        out.append(converted)
    return Prepared(out, signed)


__all__ = ["ANTHROPIC", "MISTRAL", "OPENAI", "IdRule", "Prepared", "id_rule", "mapped_id", "prepare"]
