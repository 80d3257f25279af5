"""Strict loopback fakes of the OpenAI, Anthropic and Bedrock Converse wire APIs (see servers.py and rules/)."""

from .fixtures import anthropic_fake, bedrock_fake, openai_fake
from .servers import AUTO, FakeAnthropic, FakeAzureOpenAI, FakeBedrock, FakeOpenAI, Recorded, Reply, running

__all__ = [
    "AUTO",
    "FakeAnthropic",
    "FakeAzureOpenAI",
    "FakeBedrock",
    "FakeOpenAI",
    "Recorded",
    "Reply",
    "anthropic_fake",
    "bedrock_fake",
    "openai_fake",
    "running",
]
