"""Strict loopback fakes of the OpenAI and Anthropic wire APIs (see servers.py and rules/)."""

from .fixtures import anthropic_fake, openai_fake
from .servers import (
    AUTO,
    FakeAnthropic,
    FakeAzureOpenAI,
    FakeDeepSeek,
    FakeMistralIds,
    FakeOpenAI,
    Recorded,
    Reply,
    running,
)

__all__ = [
    "AUTO",
    "FakeAnthropic",
    "FakeAzureOpenAI",
    "FakeDeepSeek",
    "FakeMistralIds",
    "FakeOpenAI",
    "Recorded",
    "Reply",
    "anthropic_fake",
    "openai_fake",
    "running",
]
