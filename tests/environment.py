"""The environment every test and every subprocess a test starts runs under (imports nothing).

conftest.py imports this before pytest loads the fake fixtures, so it must stay free of imports.
"""

from __future__ import annotations

# litellm must never reach the network for its data files; a fresh process that lacks these fetches
# the price map and retries with sleeps (seconds per process) before falling back to the bundled copy
OFFLINE_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True"}
COLUMNS = 80  # the terminal width the CLI tests lay output out for (conftest's ``columns`` fixture)
# variables whose outer values must not leak into a test (conftest's ``isolated_env`` removes them for every
# test; a module-scoped fixture, which runs before it, filters them itself: ``isolated``)
ISOLATED_PREFIXES = (
    "LITELLM_",
    "OPENAI_",
    "ANTHROPIC_",
    "AZURE_",
    "GROQ_",
    "GEMINI_",
    "MISTRAL_",
    "OLLAMA_",
    "COHERE_",
    "DEFAULT_LLM",
)


def isolated(environ: dict[str, str]) -> dict[str, str]:
    """``environ`` without the outer variables ``ISOLATED_PREFIXES`` names, with ``OFFLINE_ENV`` set."""
    kept = {k: v for k, v in environ.items() if not k.startswith(ISOLATED_PREFIXES)}
    return {**kept, **OFFLINE_ENV}
