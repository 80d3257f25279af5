"""How many tokens a call's messages and tool schemas take, counted once each (pure: the counter is passed in).

Director re-sends a session's whole history on every call, so each message is counted once per
model and remembered (context fitting asks for every message of every call). The counter is
litellm's ``token_counter`` (``_litellm.count_tokens``); a message it cannot count is estimated at
one token per character, which is an upper bound for text.

- Messages are remembered by their role, the length and hash of their content, their tool calls and
  ``tool_call_id``; not by the content itself, so a long session's transcripts are not kept alive here.
- Tool schemas are remembered per set of tools: each tool's name, description and the identity of its
  ``parameters`` object (Director passes the same schema objects on every call; they are kept alive
  by the memo, so an identity cannot be reused by another object while it is remembered).

Both memos are bounded: cleared when full.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

#: ``counter(model, messages=..., text=...)`` -> tokens (``_litellm.count_tokens``)
Counter = Callable[..., int]

_TOKENS: dict[tuple[Any, ...], int] = {}
_TOKENS_LIMIT = 20_000
_TOOL_TOKENS: dict[tuple[Any, ...], tuple[int, Any]] = {}
_TOOL_TOKENS_LIMIT = 64


def _message_key(message: dict[str, Any]) -> tuple[Any, ...]:
    content = message.get("content")
    if content is not None and type(content) is not str:
        content = json.dumps(content, sort_keys=True, default=str)
    calls = message.get("tool_calls")
    called = None
    if calls:
        try:
            called = hash(
                tuple(
                    (c.get("id"), (c.get("function") or {}).get("name"), (c.get("function") or {}).get("arguments"))
                    for c in calls
                )
            )
        except (AttributeError, TypeError):  # not the formatted shape: its text stands for it
            called = hash(repr(calls))
    size = len(content) if content is not None else -1
    return (message.get("role"), size, hash(content), message.get("tool_call_id"), called)


def message_tokens(model: str, message: dict[str, Any], counter: Counter) -> int:
    """``counter``'s tokens for one message of ``model``'s conversation, memoized by its content."""
    key = (model, *_message_key(message))
    found = _TOKENS.get(key)
    if found is not None:
        return found
    try:
        tokens = int(counter(model, messages=[message]))
    except Exception:
        tokens = max(key[2], 0) + 16  # one token per character at most, for text
    if len(_TOKENS) >= _TOKENS_LIMIT:
        _TOKENS.clear()
    _TOKENS[key] = tokens
    return tokens


def tools_tokens(model: str, tools: list[dict[str, Any]] | None, counter: Counter) -> int:
    """``counter``'s tokens for the tool schemas as JSON text, memoized per set of tools."""
    if not tools:
        return 0
    functions = [t.get("function") or {} for t in tools]
    key = (model, *((f.get("name"), f.get("description"), id(f.get("parameters"))) for f in functions))
    found = _TOOL_TOKENS.get(key)
    if found is not None:
        return found[0]
    text = json.dumps(tools, separators=(",", ":"), default=str)
    try:
        tokens = int(counter(model, text=text))
    except Exception:
        tokens = len(text)
    if len(_TOOL_TOKENS) >= _TOOL_TOKENS_LIMIT:
        _TOOL_TOKENS.clear()
    _TOOL_TOKENS[key] = (tokens, [f.get("parameters") for f in functions])
    return tokens


def clear() -> None:
    """Forget every count (a benchmark's cold start)."""
    _TOKENS.clear()
    _TOOL_TOKENS.clear()


__all__ = ["Counter", "clear", "message_tokens", "tools_tokens"]
