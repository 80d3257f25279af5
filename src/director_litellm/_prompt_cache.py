"""Prompt-cache breakpoints: where one request for a Claude model gets ``cache_control``.

Pure (dicts in, dicts out, no litellm): ``place_breakpoints`` takes the OpenAI-format messages
and tools litellm will be given, and returns them with ``{"type": "ephemeral"}`` breakpoints
added. Nothing is mutated (a marked message, part or tool is a copy), and when no point
qualifies the very same lists come back. Whether a model takes breakpoints at all, its minimum
cacheable length and the breakpoint limit are per-model rules (``model_rules``, rule 9).

Anthropic caches the prefix of a request in wire order: tools, then system, then messages
(litellm moves every system message into the top-level ``system``). Up to three stable points
are marked, each only where the prefix up to it reaches the model's minimum:

1. the last tool definition, which covers all tools;
2. the end of the system prompt (the last system message);
3. the last message of the history that came before the newest user or tool turn. In
   Director's reasoning loop the history grows by one assistant turn and its tool results per
   step; what step N marks is a prefix of step N+1, whose own breakpoint finds it by
   Anthropic's look-back over earlier block boundaries, reads it and writes only the new part.

Marks go where litellm 1.60 and 1.110 both carry them to the wire (checked there): a tool's
top-level ``cache_control``; the last part of a system or list-content user message; the
message itself for string-content user and assistant messages and for tool results. An
assistant turn that carries tool calls cannot be marked on litellm 1.60 (its ``tool_use``
blocks drop the key), so point 3 moves back to the nearest message that can.

The caller's own ``cache_control`` marks are kept and counted: when the limit leaves room for
fewer points, the later ones win (a later point's prefix contains the earlier ones, and a
breakpoint also reads shorter cached prefixes). A point the caller already marked is left as is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal, NamedTuple

#: The ``cache_control`` value added (Anthropic's only type; default TTL, 5 minutes).
EPHEMERAL: dict[str, str] = {"type": "ephemeral"}


def estimate_tokens(text: str) -> int:
    """A cheap token estimate: one token per 4 characters.

    About right for English prose; JSON, code and non-Latin text take more tokens per
    character, so the estimate errs low and a breakpoint is not placed on a prefix that
    falls short of the minimum. Pass ``litellm.token_counter``-based counting for precision.
    """
    return len(text) // 4


def _message_text(message: dict[str, Any]) -> str:
    """The text of a message that its tokens are estimated from (images count as nothing)."""
    content = message.get("content")
    pieces: list[str] = []
    if isinstance(content, str):
        pieces.append(content)
    elif isinstance(content, list):
        pieces += [p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        pieces += [str(function.get("name", "")), str(function.get("arguments", ""))]
    return "\n".join(pieces)


def count_marks(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> int:
    """How many ``cache_control`` breakpoints the caller's own messages and tools carry."""
    marks = 0
    for tool in tools or ():
        marks += "cache_control" in tool or "cache_control" in (tool.get("function") or {})
    for message in messages:
        marks += "cache_control" in message
        content = message.get("content")
        if isinstance(content, list):
            marks += sum(1 for part in content if isinstance(part, dict) and "cache_control" in part)
    return marks


def without_marks(
    messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """``(messages, tools)`` with every ``cache_control`` removed; the same lists when there is none."""
    if not count_marks(messages, tools):
        return messages, tools

    def clean(item: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in item.items() if k != "cache_control"}
        if isinstance(out.get("content"), list):
            out["content"] = [clean(p) if isinstance(p, dict) else p for p in out["content"]]
        if isinstance(out.get("function"), dict):
            out["function"] = {k: v for k, v in out["function"].items() if k != "cache_control"}
        return out

    return [clean(m) for m in messages], [clean(t) for t in tools] if tools else tools


def _is_marked(message: dict[str, Any]) -> bool:
    content = message.get("content")
    parts = content if isinstance(content, list) else []
    return "cache_control" in message or any(isinstance(p, dict) and "cache_control" in p for p in parts)


def _markable(message: dict[str, Any]) -> bool:
    """Whether a mark on this message reaches the wire on both litellm lines (module docstring)."""
    role, content = message.get("role"), message.get("content")
    if role == "tool":
        return True
    if role == "assistant":
        return isinstance(content, str) and bool(content) and not message.get("tool_calls")
    if role in ("user", "system"):
        if isinstance(content, str):
            return bool(content)
        last = content[-1] if isinstance(content, list) and content else None
        return isinstance(last, dict) and last.get("type") in ("text", "image_url")
    return False


def _marked(message: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``message`` carrying a breakpoint at its end."""
    content = message.get("content")
    if message["role"] == "system" and isinstance(content, str):
        return {**message, "content": [{"type": "text", "text": content, "cache_control": dict(EPHEMERAL)}]}
    if isinstance(content, list) and message["role"] in ("user", "system"):
        return {**message, "content": [*content[:-1], {**content[-1], "cache_control": dict(EPHEMERAL)}]}
    return {**message, "cache_control": dict(EPHEMERAL)}


def _history_point(messages: list[dict[str, Any]]) -> int | None:
    """Index of the message ending the history before the newest user/tool turn (point 3)."""
    turn = [i for i, m in enumerate(messages) if m.get("role") not in ("system", "developer")]
    end = len(turn)
    while end > 0 and messages[turn[end - 1]].get("role") in ("user", "tool"):
        end -= 1
    if end == len(turn):  # no newest user/tool turn (the conversation ends on the assistant)
        return None
    for position in reversed(turn[:end]):
        if _markable(messages[position]):
            return position
    return None


class _Prefix:
    """Estimated tokens of the wire-order prefix, counted lazily up to ``minimum`` only."""

    def __init__(self, minimum: int, count: Callable[[str], int]) -> None:
        self.minimum, self.count, self.tokens = minimum, count, 0

    def add(self, texts: Any) -> bool:
        """Count ``texts`` (an iterable of str) into the prefix; True once it reaches the minimum."""
        for text in texts:
            if self.tokens >= self.minimum:
                break
            self.tokens += self.count(text)
        return self.tokens >= self.minimum


class _Point(NamedTuple):
    """A prompt-cache breakpoint: on the tool at ``at``, or on the message there."""

    kind: Literal["tool", "message"]
    at: int


def place_breakpoints(
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None,
    *,
    min_tokens: int,
    max_breakpoints: int,
    count_tokens: Callable[[str], int] = estimate_tokens,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """``(messages, tools)`` with up to three breakpoints added (module docstring)."""
    budget = max_breakpoints - count_marks(messages, tools)
    if budget <= 0:
        return messages, tools
    systems = [i for i, m in enumerate(messages) if m.get("role") == "system"]
    history = _history_point(messages)
    prefix = _Prefix(min_tokens, count_tokens)
    points: list[_Point] = []  # in wire order
    # each prefix is counted first (``prefix.add``), whether or not its point can be marked
    if tools and prefix.add(json.dumps(t, separators=(",", ":")) for t in tools) and "cache_control" not in tools[-1]:
        points.append(_Point("tool", len(tools) - 1))
    last_system = messages[systems[-1]] if systems else {}
    if (
        systems
        and prefix.add(_message_text(messages[i]) for i in systems)
        and _markable(last_system)
        and not _is_marked(last_system)
    ):
        points.append(_Point("message", systems[-1]))
    if history is not None:
        before = (m for m in messages[: history + 1] if m.get("role") not in ("system", "developer"))
        if prefix.add(_message_text(m) for m in before) and not _is_marked(messages[history]):
            points.append(_Point("message", history))
    if not points:
        return messages, tools
    out_messages, out_tools = list(messages), list(tools) if tools else tools
    for point in points[-budget:]:
        if point.kind == "tool":
            assert out_tools is not None
            out_tools[point.at] = {**out_tools[point.at], "cache_control": dict(EPHEMERAL)}
        else:
            out_messages[point.at] = _marked(out_messages[point.at])
    return out_messages, out_tools


__all__ = ["EPHEMERAL", "count_marks", "estimate_tokens", "place_breakpoints", "without_marks"]
