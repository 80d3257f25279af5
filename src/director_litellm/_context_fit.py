"""Fitting a conversation into the model's input window (pure: dicts in, dicts out, no litellm).

Director re-sends a session's whole reasoning context on every call and nothing ever shrinks
it; once it passes the model's window, every later call of that session would fail. ``fit``
takes the OpenAI-format messages a call will send and returns them fitted into
``window - max_tokens - tool schemas``, with a ``ContextFit`` saying what was done (or None).

Kept whole, always:

- every system message;
- the current run: everything from the last user message on (what Director's engine works on now);
- an assistant message with ``tool_calls`` and all its tool results: one unit, never split
  (tool-call ids are compared as opaque strings, whatever they encode).

Room is made in this order: old large tool results are shortened to their head and tail,
with a marker saying how much was cut; then the oldest complete turns (a user message up to
the next one) are dropped.

Trimming goes in steps, and the steps are a function of the history alone: ``fit`` replays the
history message by message and, whenever the kept part passes ``TRIGGER`` of the budget, cuts
it down to ``TARGET``. A history that grows by appending (Director's) therefore keeps the very
same fitted prefix from call to call until the next step, so the provider's prompt cache keeps
hitting between steps; and the same history always gives the same fitted request.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from director_litellm._errors import ContextWindowError

#: the kept part may grow to this share of the budget before a step trims it ...
TRIGGER = 0.9
#: ... down to this share
TARGET = 0.6
#: a tool result longer than this (characters) may be shortened once it is old
SHORTEN_ABOVE = 4000
#: what a shortened tool result keeps of its start and of its end (characters)
KEEP_HEAD, KEEP_TAIL = 1500, 500
#: a safe upper bound on a message's tokens beyond its text (role, separators, litellm's priming)
MESSAGE_OVERHEAD = 16

Message = dict[str, Any]


@dataclass(frozen=True)
class ContextFit:
    """What fitting did to one call's conversation (``LLMResponse.context_fit``).

    ``tokens_before`` / ``tokens_after``: the prompt's estimated tokens (messages and tool
    schemas), by litellm's token counter for the model, before and after fitting.
    """

    messages_dropped: int
    tool_results_shortened: int
    tokens_before: int
    tokens_after: int


def shortened(content: str) -> str:
    """A long tool result's head and tail, with a marker saying how much was cut between them."""
    cut = len(content) - KEEP_HEAD - KEEP_TAIL
    marker = (
        f"\n[... {cut:,} of {len(content):,} characters cut here by director-litellm "
        "to fit the model's context window ...]\n"
    )
    return content[:KEEP_HEAD] + marker + content[-KEEP_TAIL:]


def _text_bound(message: Message) -> int | None:
    """An upper bound on the message's tokens from its length (a token covers at least one UTF-8
    byte), or None when it has parts (images) that are not text."""
    content = message.get("content")
    if content is None:
        size = 0
    elif type(content) is str:
        size = len(content) if content.isascii() else 4 * len(content)
    else:
        return None
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        text = f"{function.get('name', '')}{function.get('arguments', '')}{call.get('id', '')}"
        size += len(text) if text.isascii() else 4 * len(text)
    return size + MESSAGE_OVERHEAD


def _under(messages: Sequence[Message], limit: float) -> bool:
    """True when the messages' text alone proves them under ``limit`` tokens (no counting needed)."""
    total = 0
    for message in messages:
        bound = _text_bound(message)
        if bound is None:
            return False
        total += bound
        if total > limit:
            return False
    return True


class _Shape:
    """Where a conversation's turns start, which of them may go, and which tool results are old."""

    def __init__(self, messages: Sequence[Message]) -> None:
        last_result: dict[int, int] = {}  # index of an assistant tool_calls message -> its last result
        calls: dict[str, int] = {}
        for i, message in enumerate(messages):
            for call in message.get("tool_calls") or ():
                if isinstance(call, dict) and call.get("id") is not None:
                    calls[str(call["id"])] = i
            if message.get("role") == "tool":
                opened = calls.get(str(message.get("tool_call_id")))
                if opened is not None:
                    last_result[opened] = i
        #: indices of the user messages that start a turn (none inside a call-and-results unit)
        self.starts: list[int] = []
        reach = -1
        for i, message in enumerate(messages):
            if message.get("role") == "user" and reach < i:
                self.starts.append(i)
            reach = max(reach, last_result.get(i, -1))
        self.system = [message.get("role") in ("system", "developer") for message in messages]

    def run_start(self, i: int) -> int:
        """Where the current run begins when the conversation ends at message ``i``."""
        at = bisect.bisect_right(self.starts, i) - 1
        return self.starts[at] if at >= 0 else 0

    def turn_end(self, turn: int) -> int:
        """The first index after turn ``turn`` (turn -1: the messages before the first user message)."""
        return self.starts[turn + 1] if turn + 1 < len(self.starts) else 1 << 62


def fit(
    messages: list[Message],
    *,
    window: int,
    max_tokens: int,
    tools_tokens: int,
    count: Callable[[Message], int],
) -> tuple[list[Message], ContextFit | None]:
    """``messages`` fitted into ``window - max_tokens - tools_tokens`` (module docstring).

    ``count(message)`` gives a message's tokens (litellm's counter for the model, memoized).
    Returns the very same list and None when nothing had to be done. Raises
    ``ContextWindowError``, naming the sizes, when the system messages and the current run
    alone do not fit: then nothing may be sent.
    """
    budget = window - max_tokens - tools_tokens
    if budget > 0 and _under(messages, TRIGGER * budget):
        return messages, None
    tokens = [count(m) for m in messages]
    total = sum(tokens)
    if budget > 0 and total <= TRIGGER * budget:
        return messages, None
    shape = _Shape(messages)
    dropped = [False] * len(messages)
    short: dict[int, tuple[str, int]] = {}  # shortened tool results: index -> (content, tokens)
    old_results = [
        i
        for i, m in enumerate(messages)
        if m.get("role") == "tool" and isinstance(m.get("content"), str) and len(m["content"]) > SHORTEN_ABOVE
    ]
    next_result, next_turn = 0, -1  # what the next step shortens / drops first
    kept = 0
    for i in range(len(messages)):
        kept += tokens[i]
        if kept <= TRIGGER * budget:
            continue
        run = shape.run_start(i)
        # step 1: shorten old large tool results, oldest first
        while kept > TARGET * budget and next_result < len(old_results) and old_results[next_result] < run:
            j = old_results[next_result]
            next_result += 1
            if dropped[j]:
                continue
            content = shortened(messages[j]["content"])
            short[j] = (content, count({**messages[j], "content": content}))
            kept -= tokens[j] - short[j][1]
        # step 2: drop the oldest complete turns (their system messages stay)
        while kept > TARGET * budget and shape.turn_end(next_turn) <= run:
            begin = shape.starts[next_turn] if next_turn >= 0 else 0
            for j in range(begin, shape.turn_end(next_turn)):
                if not shape.system[j] and not dropped[j]:
                    dropped[j] = True
                    kept -= short[j][1] if j in short else tokens[j]
            next_turn += 1
    if kept > budget:
        raise _too_long(kept, window, max_tokens, tools_tokens, run_start=shape.run_start(len(messages) - 1))
    if not any(dropped) and not short:
        return messages, None
    out = [{**m, "content": short[i][0]} if i in short else m for i, m in enumerate(messages) if not dropped[i]]
    report = ContextFit(
        messages_dropped=sum(dropped),
        tool_results_shortened=sum(1 for j in short if not dropped[j]),
        tokens_before=total + tools_tokens,
        tokens_after=kept + tools_tokens,
    )
    return out, report


def _too_long(kept: int, window: int, max_tokens: int, tools_tokens: int, run_start: int) -> ContextWindowError:
    budget = window - max_tokens - tools_tokens
    return ContextWindowError(
        f"the system messages and the current run (from message {run_start} on) alone come to about "
        f"{kept:,} tokens, and the model's window of {window:,} tokens leaves {max(budget, 0):,} for them "
        f"after {max_tokens:,} for the answer and {tools_tokens:,} for the tool schemas; nothing was sent"
    )


__all__ = ["KEEP_HEAD", "KEEP_TAIL", "SHORTEN_ABOVE", "TARGET", "TRIGGER", "ContextFit", "fit", "shortened"]
