"""Helpers shared by test modules (no test module imports another)."""

from __future__ import annotations

import asyncio
import os
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from tests.fakes import FakeBedrock, FakeCohere, FakeOllama, FakeOpenAI
from tests.fakes.fake_bedrock import bedrock_options

OPENAI_MODEL = "openai/gpt-4o-mini"
CLAUDE_MODEL = "anthropic/claude-sonnet-4-6"  # refuses prefill and temperature+top_p together
KEY = "sk-test-key-0123456789abcdef"
# one TLS context for every test client: httpx builds (and loads the CA bundle into) a new one per
# Client otherwise, ~50 ms each, for loopback fakes that speak plain HTTP
_TLS = ssl.create_default_context()
STANDIN = Path(__file__).resolve().parent / "director_standin" / "backend"


def provider_for(fake: Any, model: str | None = None, **cfg: Any) -> LiteLLMProvider:
    """A provider pointed at ``fake`` with the test key; no retries unless ``cfg`` asks for them."""
    model = model or (OPENAI_MODEL if isinstance(fake, FakeOpenAI) else CLAUDE_MODEL)
    cfg.setdefault("num_retries", 0)
    return LiteLLMProvider(LiteLLMConfig(chat_model=model, api_base=fake.url, api_key=KEY, **cfg))


# the model each family's provider is configured with when a test names none
FAMILY_MODELS = {
    "azure": "azure/gpt-4o-mini",
    "mistral": "mistral/mistral-small-latest",
    "ollama": "ollama_chat/llama3.1",
    "cohere": "cohere_chat/command-a-03-2025",
}


def family_provider(
    family: str, fake: Any, monkeypatch: pytest.MonkeyPatch, model: str | None = None, **cfg: Any
) -> LiteLLMProvider:
    """A provider for ``family`` pointed at its fake, as a user would configure it (test_families,
    test_portability): Azure's ``api_version``, Cohere's v2 chat URL, Ollama's ``OLLAMA_API_BASE``, Bedrock's
    AWS options (merged under ``cfg["extra_params"]``)."""
    extra: dict[str, Any] = {"num_retries": 0, **cfg}
    if family == "azure":
        extra.setdefault("api_version", "2024-10-21")
    if isinstance(fake, FakeBedrock):
        extra["extra_params"] = {**bedrock_options(), **extra.get("extra_params", {})}
    base = fake.chat_url if isinstance(fake, FakeCohere) else fake.url
    if isinstance(fake, FakeOllama):
        # litellm 1.60 asks OLLAMA_API_BASE (never the call's api_base) whether the model takes tools
        monkeypatch.setenv("OLLAMA_API_BASE", fake.url)
    key = None if isinstance(fake, FakeBedrock) else KEY
    chat_model = model or FAMILY_MODELS[family]
    return LiteLLMProvider(LiteLLMConfig(chat_model=chat_model, api_base=base, api_key=key, **extra))


def copy_director(root: Path) -> Path:
    """A git repository holding a copy of Director's stand-in at Director's paths (``backend/director/...``)."""
    shutil.copytree(STANDIN, root / "backend", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def http_client(**kw: Any) -> httpx.Client:
    """A new httpx client (its own connections) that reuses one TLS context."""
    return httpx.Client(verify=_TLS, **kw)


def pythonpath(*first: Path | str) -> str:
    """``first``, then the PYTHONPATH this process has (conftest makes it absolute): a subprocess finds
    Director's stand-in and still imports the code under test, not an installed copy."""
    inherited = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join([*(str(p) for p in first), *([inherited] if inherited else [])])


def child_environment() -> dict[str, str]:
    """A fresh interpreter's environment: the isolated one (no outer key or LITELLM_* setting), this
    checkout's PYTHONPATH, litellm's bundled model map."""
    from tests.environment import isolated

    return {**isolated(dict(os.environ)), "PYTHONPATH": pythonpath(), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}


def on_path(
    provider: LiteLLMProvider, path: str, messages: list[dict[str, Any]], loop: asyncio.AbstractEventLoop
) -> tuple[Any, list[Any]]:
    """(final response, stream events before it) of one call on ``path`` (sync, async, stream, astream);
    async paths run on ``loop``. A stream must end with exactly one ``Final`` event."""
    from director_litellm._stream import Final

    if path == "sync":
        return provider.chat_completions(messages), []
    if path == "async":
        return loop.run_until_complete(provider.achat_completions(messages)), []
    if path == "stream":
        events = list(provider.stream_chat_completions(messages))
    else:

        async def collect() -> list[Any]:
            return [event async for event in provider.astream_chat_completions(messages)]

        events = loop.run_until_complete(collect())
    assert events and isinstance(events[-1], Final), "a stream ends with exactly one Final event"
    assert sum(isinstance(e, Final) for e in events) == 1
    return events[-1].response, events[:-1]
