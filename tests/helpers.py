"""Helpers shared by test modules (no test module imports another)."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import httpx

from director_litellm import LiteLLMConfig, LiteLLMProvider
from tests.fakes import FakeOpenAI

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
