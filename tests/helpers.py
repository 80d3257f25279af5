"""Helpers shared by test modules (no test module imports another)."""

from __future__ import annotations

from typing import Any

from director_litellm import LiteLLMConfig, LiteLLMProvider
from tests.fakes import FakeOpenAI

OPENAI_MODEL = "openai/gpt-4o-mini"
CLAUDE_MODEL = "anthropic/claude-sonnet-4-6"  # refuses prefill and temperature+top_p together
KEY = "sk-test-key-0123456789abcdef"


def provider_for(fake: Any, model: str | None = None, **cfg: Any) -> LiteLLMProvider:
    """A provider pointed at ``fake`` with the test key; no retries unless ``cfg`` asks for them."""
    model = model or (OPENAI_MODEL if isinstance(fake, FakeOpenAI) else CLAUDE_MODEL)
    cfg.setdefault("num_retries", 0)
    return LiteLLMProvider(LiteLLMConfig(chat_model=model, api_base=fake.url, api_key=KEY, **cfg))
