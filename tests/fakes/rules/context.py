"""The model's context window: a request whose prompt is over it is refused (opt-in per fake).

The fakes estimate a prompt with ``caching.estimate_tokens`` (4 characters of compact JSON per token),
block by block as they cache it: the OpenAI fake the tools and each message, the Anthropic fake the
tools, the system blocks and each message block (``cache_blocks``). The real tokenizers differ; what
matters is that a request over the window is refused the way the real service refuses it.

- OPENAI_ERRORS (error codes) and OPENAI_REF: a prompt longer than the model's context length is
  refused with 400 ``invalid_request_error``, ``param: "messages"``, ``code: "context_length_exceeded"``
  and the message "This model's maximum context length is N tokens. However, your messages resulted
  in M tokens. Please reduce the length of the messages."
- ANTHROPIC_ERRORS and ANTHROPIC_CONTEXT ("Context windows": newer Claude models return a validation
  error, not a silent truncation, when the prompt exceeds the window): 400 ``invalid_request_error``
  "prompt is too long: M tokens > N maximum".
"""

from __future__ import annotations

import json

from .caching import cache_blocks, estimate_tokens

ANTHROPIC_CONTEXT = "https://docs.anthropic.com/en/docs/build-with-claude/context-windows"


def openai_prompt_tokens(body: dict) -> int:
    """The OpenAI fake's estimate of a request's prompt: its tools and messages, each as compact JSON."""
    blocks = [json.dumps(t, sort_keys=True, separators=(",", ":")) for t in body.get("tools") or []]
    blocks += [json.dumps(m, sort_keys=True, separators=(",", ":")) for m in body.get("messages") or []]
    return sum(estimate_tokens(b) for b in blocks)


def anthropic_prompt_tokens(body: dict) -> int:
    """The Anthropic fake's estimate of a request's prompt: tools, system and message blocks."""
    return sum(estimate_tokens(text) for text, _ in cache_blocks(body))


def openai_window_error(body: dict, window: int | None) -> dict | None:
    """OPENAI_ERRORS: the 400 body for a prompt over ``window`` tokens, or None when it fits."""
    tokens = openai_prompt_tokens(body) if window is not None else 0
    if window is None or tokens <= window:
        return None
    message = (
        f"This model's maximum context length is {window} tokens. However, your messages resulted in "
        f"{tokens} tokens. Please reduce the length of the messages."
    )
    return {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    }


def anthropic_window_error(body: dict, window: int | None) -> str | None:
    """ANTHROPIC_ERRORS / ANTHROPIC_CONTEXT: the 400 message for a prompt over ``window``, or None."""
    tokens = anthropic_prompt_tokens(body) if window is not None else 0
    if window is None or tokens <= window:
        return None
    return f"prompt is too long: {tokens} tokens > {window} maximum"
