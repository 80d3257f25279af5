"""What is known to differ from the recorded payloads today, and why.

Two tables, both keyed by payload (``provider/name``):

- ``DEFECTS``: this package's defects from issue 10 (and new findings), fixed by work in
  progress. Tests for them are ``xfail(strict=True)`` so the lead removes the mark when the
  fix lands (a strict xfail that passes fails the run).
- ``LIMITATIONS``: what litellm itself loses before the adapter sees the response, on one
  stack or both. The main tests do not assert the lost fields on the affected stack; each
  limitation has its own test (test_litellm_limits.py) proving the loss with plain
  ``litellm.completion`` against the same payload, and that it does not happen on the
  unaffected stack. The README lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version

import pytest

LITELLM_VERSION = tuple(int(part) for part in version("litellm").split(".")[:2])
OLD_STACK = LITELLM_VERSION < (1, 61)  # Director's pins resolve litellm 1.60.x
STACK = "1.60" if OLD_STACK else "latest"


@dataclass(frozen=True)
class Defect:
    number: int | str  # issue 10's numbering; a string for a finding not in the issue
    reason: str
    paths: tuple[str, ...] = ("sync", "async", "stream", "astream")
    stacks: tuple[str, ...] = ("1.60", "latest")

    def mark(self) -> pytest.MarkDecorator:
        return pytest.mark.xfail(strict=True, reason=f"issue 10 defect {self.number}: {self.reason}")


@dataclass(frozen=True)
class Limitation:
    key: str  # short name used by test_litellm_limits.py
    fields: frozenset[str]  # what the main test cannot assert on the affected stacks ("*" = nothing)
    stacks: tuple[str, ...]
    text: str


_REFUSAL = Defect(1, "a refusal comes back as status=True with empty content and no refusal field")
_CUT_TOOL = Defect(2, "a tool call cut off by the token limit is returned as callable with finish_reason tool_calls")

DEFECTS: dict[str, Defect] = {}

_GEMINI_THOUGHT_TOKENS = Limitation(
    "gemini_thoughts_tokens_160",
    frozenset({"recv_tokens"}),
    ("1.60",),
    "litellm 1.60 leaves Gemini's `thoughtsTokenCount` out of completion_tokens (Google bills thinking as "
    "output); latest adds it",
)

_THINKING_160 = Limitation(
    "anthropic_thinking_160",
    frozenset({"reasoning"}),
    ("1.60",),
    "litellm 1.60 drops Anthropic `thinking` blocks (no reasoning_content, no thinking_blocks); latest keeps them",
)
_OPENAI_STREAM_REFUSAL = Limitation(
    "openai_stream_refusal",
    frozenset({"content", "finish_reason", "refusal"}),
    ("1.60", "latest"),
    "litellm drops `delta.refusal` from OpenAI stream chunks (both stacks): a streamed refusal arrives as an "
    "empty answer with finish_reason stop; the non-streamed `message.refusal` is kept",
)
_XAI_USAGE = Limitation(
    "xai_usage_latest",
    frozenset({"recv_tokens"}),
    ("latest",),
    "latest litellm adds xAI's completion_tokens_details.reasoning_tokens into completion_tokens "
    "(xAI reports them apart); litellm 1.60 passes completion_tokens through",
)

_REFUSAL_EXPLANATION_160 = Limitation(
    "anthropic_refusal_explanation_160",
    frozenset({"content", "refusal"}),
    ("1.60",),
    "litellm 1.60 drops Anthropic's `stop_details` (the refusal's explanation): a refusal keeps "
    "finish_reason refusal but no text; latest passes the explanation as `message.refusal`",
)

LIMITATIONS: dict[str, Limitation] = {
    "anthropic/vercel-refusal": _REFUSAL_EXPLANATION_160,
    "anthropic/vercel-refusal-stream": _REFUSAL_EXPLANATION_160,
    "anthropic/mirascope-thinking": _THINKING_160,
    "anthropic/mirascope-thinking-stream": _THINKING_160,
    "anthropic/pydantic-ai-thinking-stream": _THINKING_160,
    "openai/sdk-refusal-stream": _OPENAI_STREAM_REFUSAL,
    "openai/mirascope-refusal-stream": _OPENAI_STREAM_REFUSAL,
    "mistral/vercel-reasoning": Limitation(
        "mistral_parts_160",
        frozenset({"*"}),
        ("1.60",),
        "litellm 1.60 cannot read Mistral's list-of-parts message content (magistral `thinking` parts): "
        "the call raises (mapped to HTTP 500); latest reads text and reasoning",
    ),
    "mistral/vercel-reasoning-stream": Limitation(
        "mistral_parts_stream_160",
        frozenset({"content", "reasoning"}),
        ("1.60",),
        "litellm 1.60 drops Mistral's list-of-parts stream deltas: text and reasoning arrive empty",
    ),
    "groq/vercel-reasoning-stream": Limitation(
        "groq_stream_reasoning_160",
        frozenset({"reasoning"}),
        ("1.60",),
        "litellm 1.60 drops Groq's `delta.reasoning` from stream chunks (text arrives, reasoning empty); "
        "latest passes it on as `reasoning_content`. The non-streamed `message.reasoning` is kept on both",
    ),
    "xai/vercel-text": _XAI_USAGE,
    "xai/vercel-text-stream": _XAI_USAGE,
    "xai/vercel-tool-call": _XAI_USAGE,
    "xai/vercel-tool-call-stream": _XAI_USAGE,
    "openai/sdk-n3-stream": Limitation(
        "n3_stream_usage_160",
        frozenset({"send_tokens", "recv_tokens"}),
        ("1.60",),
        "litellm 1.60 replaces the provider's final-chunk usage with its own token count when a stream carries "
        "n>1 choices",
    ),
    "gemini/vercel-text": _GEMINI_THOUGHT_TOKENS,
    "gemini/vercel-text-stream": _GEMINI_THOUGHT_TOKENS,
    "gemini/vercel-tool-call-gemini3": _GEMINI_THOUGHT_TOKENS,
    "gemini/vercel-tool-call-stream": _GEMINI_THOUGHT_TOKENS,
    "gemini/pydantic-ai-thinking": Limitation(
        "gemini_thought_parts_160",
        frozenset({"content", "reasoning", "recv_tokens"}),
        ("1.60",),
        "litellm 1.60 puts Gemini's thought parts (`thought: true`) into the answer text, so Director would "
        "show the model's thinking as its answer; latest gives them as `reasoning_content`",
    ),
    "gemini/pydantic-ai-model-armor-response": Limitation(
        "gemini_contentless_candidate_160",
        frozenset({"*"}),
        ("1.60",),
        "a Gemini candidate without `content` (a MODEL_ARMOR block of the answer): litellm 1.60 returns no "
        "choices at all, so the block reaches the caller as 'no answer' (bad_response); latest keeps "
        "MODEL_ARMOR as the choice's native_finish_reason",
    ),
    "openrouter/pydantic-ai-length-then-error-stream": Limitation(
        "midstream_error_code_160",
        frozenset({"status_code"}),
        ("1.60",),
        "an `error` object inside an OpenAI-wire stream chunk: litellm 1.60 raises a generic error reported as "
        "HTTP 500, latest keeps the provider's code (400 here)",
    ),
}


def unchecked(key: str) -> frozenset[str]:
    """Fields the main test leaves out for ``key`` on this stack (a documented litellm limitation)."""
    limitation = LIMITATIONS.get(key)
    if limitation is None or STACK not in limitation.stacks:
        return frozenset()
    return limitation.fields


def defect_for(key: str, path: str) -> Defect | None:
    defect = DEFECTS.get(key)
    if defect is None or path not in defect.paths or STACK not in defect.stacks:
        return None
    return defect


__all__ = ["DEFECTS", "LIMITATIONS", "OLD_STACK", "STACK", "Defect", "Limitation", "defect_for", "unchecked"]
