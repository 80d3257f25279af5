"""Function-scoped pytest fixtures: ``openai_fake``, ``anthropic_fake``, ``bedrock_fake``, and ``fake`` (each in turn).

tests/conftest.py loads this module as a plugin (``pytest_plugins``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .servers import FakeAnthropic, FakeBedrock, FakeOpenAI, running


@pytest.fixture
def openai_fake() -> Iterator[FakeOpenAI]:
    with running(FakeOpenAI) as fake:
        yield fake


@pytest.fixture
def anthropic_fake() -> Iterator[FakeAnthropic]:
    with running(FakeAnthropic) as fake:
        yield fake


@pytest.fixture
def bedrock_fake() -> Iterator[FakeBedrock]:
    """Bedrock Converse: ``api_base=fake.url`` plus ``fake_bedrock.bedrock_options()`` as extra_params."""
    with running(FakeBedrock) as fake:
        yield fake


@pytest.fixture(params=["openai", "anthropic"])
def fake(request: pytest.FixtureRequest) -> Any:
    """Each protocol's fake in turn."""
    return request.getfixturevalue(f"{request.param}_fake")
