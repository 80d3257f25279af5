"""Strict loopback fakes of the OpenAI, Anthropic, Gemini and Vertex AI wire APIs (see servers.py and rules/)."""

from .fixtures import anthropic_fake, gemini_fake, openai_fake, vertex_fake
from .servers import (
    AUTO,
    FakeAnthropic,
    FakeAzureOpenAI,
    FakeDeepSeek,
    FakeGemini,
    FakeMistralIds,
    FakeOpenAI,
    FakeVertex,
    Recorded,
    Reply,
    running,
)

__all__ = [
    "AUTO",
    "FakeAnthropic",
    "FakeAzureOpenAI",
    "FakeDeepSeek",
    "FakeGemini",
    "FakeMistralIds",
    "FakeOpenAI",
    "FakeVertex",
    "Recorded",
    "Reply",
    "anthropic_fake",
    "gemini_fake",
    "openai_fake",
    "running",
    "vertex_fake",
]
