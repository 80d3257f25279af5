"""Function-scoped pytest fixtures: ``openai_fake``, ``anthropic_fake``, ``gemini_fake``, ``vertex_fake``,
and ``fake`` (OpenAI and Anthropic in turn).

tests/conftest.py loads this module as a plugin (``pytest_plugins``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .servers import FakeAnthropic, FakeGemini, FakeOpenAI, FakeVertex, running


@pytest.fixture
def openai_fake() -> Iterator[FakeOpenAI]:
    with running(FakeOpenAI) as fake:
        yield fake


@pytest.fixture
def anthropic_fake() -> Iterator[FakeAnthropic]:
    with running(FakeAnthropic) as fake:
        yield fake


@pytest.fixture
def gemini_fake() -> Iterator[FakeGemini]:
    """The Gemini API fake; its api_base for litellm 1.110's ``gemini/`` route is ``gemini_fake.url``."""
    with running(FakeGemini) as fake:
        yield fake


@pytest.fixture
def vertex_fake(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeVertex]:
    """The Vertex AI fake, with ``GOOGLE_APPLICATION_CREDENTIALS`` naming a service-account file whose
    ``token_uri`` is the fake's token endpoint, and ``VERTEXAI_PROJECT``/``VERTEXAI_LOCATION`` set."""
    with running(FakeVertex) as fake:
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", fake.service_account_file(tmp_path))
        monkeypatch.setenv("VERTEXAI_PROJECT", fake.project)
        monkeypatch.setenv("VERTEXAI_LOCATION", fake.location)
        yield fake


@pytest.fixture(params=["openai", "anthropic"])
def fake(request: pytest.FixtureRequest) -> Any:
    """Each protocol's fake in turn."""
    return request.getfixturevalue(f"{request.param}_fake")
