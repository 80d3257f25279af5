"""Strict loopback fakes of the provider wire APIs: OpenAI, Azure OpenAI, Anthropic, Mistral, Ollama, Cohere v2
(see servers.py and rules/)."""

from .fixtures import anthropic_fake, azure_fake, cohere_fake, mistral_fake, ollama_fake, openai_fake
from .servers import (
    AUTO,
    FakeAnthropic,
    FakeAzureOpenAI,
    FakeCohere,
    FakeMistral,
    FakeOllama,
    FakeOpenAI,
    Recorded,
    Reply,
    running,
)

__all__ = [
    "AUTO",
    "FakeAnthropic",
    "FakeAzureOpenAI",
    "FakeCohere",
    "FakeMistral",
    "FakeOllama",
    "FakeOpenAI",
    "Recorded",
    "Reply",
    "anthropic_fake",
    "azure_fake",
    "cohere_fake",
    "mistral_fake",
    "ollama_fake",
    "openai_fake",
    "running",
]
