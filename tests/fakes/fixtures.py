"""Function-scoped pytest fixtures: ``openai_fake`` and ``anthropic_fake``.

Use from a conftest with ``from tests.fakes.fixtures import anthropic_fake, openai_fake  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .servers import FakeAnthropic, FakeOpenAI, running


@pytest.fixture
def openai_fake() -> Iterator[FakeOpenAI]:
    with running(FakeOpenAI) as fake:
        yield fake


@pytest.fixture
def anthropic_fake() -> Iterator[FakeAnthropic]:
    with running(FakeAnthropic) as fake:
        yield fake
