"""A response's token counts from its ``usage``, whatever the provider and litellm version reported."""

from __future__ import annotations

from typing import Any, NamedTuple

from director_litellm._fields import field

__all__ = ["Tokens", "token_counts"]


def _int(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return max(number, 0)


class Tokens(NamedTuple):
    """A response's token counts: sent, received, total, read from the prompt cache, written to it."""

    send: int
    recv: int
    total: int
    cached: int
    written: int


def token_counts(usage: Any) -> Tokens:
    """The ``Tokens`` of a response's ``usage``; None-safe.

    "sent" is all input tokens, cached or not (what Director expects in ``send_tokens``); total is
    derived when absent. OpenAI reports cache reads as ``prompt_tokens_details.cached_tokens``;
    litellm exposes Anthropic's ``cache_read_input_tokens`` / ``cache_creation_input_tokens`` (1.110:
    also in ``prompt_tokens_details``). litellm 1.60's Anthropic streams report only the uncached
    part as ``prompt_tokens`` with no ``prompt_tokens_details``: the cache counts are added back.
    """
    details = field(usage, "prompt_tokens_details")
    read = _int(field(usage, "cache_read_input_tokens")) or _int(field(details, "cached_tokens"))
    written = _int(field(usage, "cache_creation_input_tokens")) or _int(field(details, "cache_creation_tokens"))
    send, recv = _int(field(usage, "prompt_tokens")), _int(field(usage, "completion_tokens"))
    if (read or written) and details is None:
        send += read + written
        return Tokens(send, recv, send + recv, read, written)
    return Tokens(send, recv, _int(field(usage, "total_tokens")) or send + recv, read, written)
