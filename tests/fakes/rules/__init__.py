"""Every rule the loopback fakes enforce: one module per wire, prompt caching, and what they share.

Each rule cites the provider documentation it comes from. ``check_*`` return a list of human-readable
violations (empty = the real service would accept the request); the servers answer the first non-empty
group with the real status and error shape. The model-family helpers (``common``) are the only place that
knows model names.

- ``openai``: Chat Completions request body, messages, auth
- ``anthropic``: Messages request body, messages, headers, auth
- ``bedrock``: Bedrock Runtime Converse / ConverseStream request body (import the module); ``aws_auth``: SigV4 headers
- ``gemini``: Gemini API / Vertex AI generateContent: contents, function turns, the Schema subset,
  thought signatures, keys (imported as ``rules.gemini``; its links live there)
- ``azure``, ``mistral``, ``ollama``, ``cohere``: what those wires add or refuse (imported as modules:
  ``from tests.fakes.rules import mistral``)
- ``reasoning``: thinking blocks and signatures (Anthropic), reasoning_content (DeepSeek), Mistral's ids
- ``caching``: cache_control placement and limits, the fakes' token estimate, cache minimums
- ``context``: the model's context window (opt-in per fake), refused with the real error bodies
- ``common``: documentation links, tool names, number ranges, model families
"""

from __future__ import annotations

from .anthropic import ANTHROPIC_PARAMS, check_anthropic, check_anthropic_auth
from .caching import (
    CACHE_BREAKPOINT_LIMIT,
    CACHE_LOOKBACK_BLOCKS,
    CACHE_TTLS,
    OPENAI_CACHE_INCREMENT,
    OPENAI_CACHE_MINIMUM,
    cache_blocks,
    check_anthropic_cache_control,
    claude_cache_minimum,
    estimate_tokens,
)
from .common import (
    ANTHROPIC_CACHING,
    ANTHROPIC_ERRORS,
    ANTHROPIC_MIGRATION,
    ANTHROPIC_MODELS,
    ANTHROPIC_REF,
    ANTHROPIC_THINKING,
    ANTHROPIC_TOOLS,
    ANTHROPIC_VERSIONS,
    AZURE_REF,
    OPENAI_CACHING,
    OPENAI_ERRORS,
    OPENAI_REASONING,
    OPENAI_REF,
    TOOL_NAME,
    claude_exclusive_sampling,
    claude_family,
    claude_max_output,
    claude_refuses_prefill,
    openai_reasoning_model,
)
from .context import (
    ANTHROPIC_CONTEXT,
    anthropic_prompt_tokens,
    anthropic_window_error,
    openai_prompt_tokens,
    openai_window_error,
)
from .openai import OPENAI_PARAMS, check_openai, check_openai_auth
from .reasoning import (
    DEEPSEEK_MISSING,
    check_anthropic_thinking,
    check_deepseek,
    check_mistral_ids,
    deepseek_thinking,
    sign,
    thinking_on,
)

__all__ = [
    "ANTHROPIC_CACHING",
    "ANTHROPIC_CONTEXT",
    "ANTHROPIC_ERRORS",
    "ANTHROPIC_MIGRATION",
    "ANTHROPIC_MODELS",
    "ANTHROPIC_PARAMS",
    "ANTHROPIC_REF",
    "ANTHROPIC_THINKING",
    "ANTHROPIC_TOOLS",
    "ANTHROPIC_VERSIONS",
    "AZURE_REF",
    "CACHE_BREAKPOINT_LIMIT",
    "CACHE_LOOKBACK_BLOCKS",
    "CACHE_TTLS",
    "DEEPSEEK_MISSING",
    "OPENAI_CACHE_INCREMENT",
    "OPENAI_CACHE_MINIMUM",
    "OPENAI_CACHING",
    "OPENAI_ERRORS",
    "OPENAI_PARAMS",
    "OPENAI_REASONING",
    "OPENAI_REF",
    "TOOL_NAME",
    "anthropic_prompt_tokens",
    "anthropic_window_error",
    "cache_blocks",
    "check_anthropic",
    "check_anthropic_auth",
    "check_anthropic_cache_control",
    "check_anthropic_thinking",
    "check_deepseek",
    "check_mistral_ids",
    "check_openai",
    "check_openai_auth",
    "claude_cache_minimum",
    "claude_exclusive_sampling",
    "claude_family",
    "claude_max_output",
    "claude_refuses_prefill",
    "deepseek_thinking",
    "estimate_tokens",
    "openai_prompt_tokens",
    "openai_reasoning_model",
    "openai_window_error",
    "sign",
    "thinking_on",
]
