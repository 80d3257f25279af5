"""Function-scoped pytest fixtures: one per wire fake (``openai_fake``, ``anthropic_fake``, ``azure_fake``,
``mistral_fake``, ``ollama_fake``, ``cohere_fake``), and ``fake`` (OpenAI and Anthropic in turn).

tests/conftest.py loads this module as a plugin (``pytest_plugins``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .servers import FakeAnthropic, FakeAzureOpenAI, FakeCohere, FakeMistral, FakeOllama, FakeOpenAI, running


@pytest.fixture
def openai_fake() -> Iterator[FakeOpenAI]:
    with running(FakeOpenAI) as fake:
        yield fake


@pytest.fixture
def anthropic_fake() -> Iterator[FakeAnthropic]:
    with running(FakeAnthropic) as fake:
        yield fake


@pytest.fixture
def azure_fake() -> Iterator[FakeAzureOpenAI]:
    with running(FakeAzureOpenAI) as fake:
        yield fake


@pytest.fixture
def mistral_fake() -> Iterator[FakeMistral]:
    with running(FakeMistral) as fake:
        yield fake


@pytest.fixture
def ollama_fake() -> Iterator[FakeOllama]:
    with running(FakeOllama) as fake:
        yield fake


@pytest.fixture
def cohere_fake() -> Iterator[FakeCohere]:
    with running(FakeCohere) as fake:
        yield fake


@pytest.fixture(params=["openai", "anthropic"])
def fake(request: pytest.FixtureRequest) -> Any:
    """Each protocol's fake in turn."""
    return request.getfixturevalue(f"{request.param}_fake")
