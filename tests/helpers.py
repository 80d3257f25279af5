"""Helpers shared by test modules (no test module imports another)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from director_litellm import LiteLLMConfig, LiteLLMProvider
from tests.fakes import FakeOpenAI

OPENAI_MODEL = "openai/gpt-4o-mini"
CLAUDE_MODEL = "anthropic/claude-sonnet-4-6"  # refuses prefill and temperature+top_p together
KEY = "sk-test-key-0123456789abcdef"
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
