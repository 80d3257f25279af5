"""Shared fixtures: environment isolation, the loopback fakes, Director's stand-in."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.environment import COLUMNS, ISOLATED_PREFIXES, OFFLINE_ENV

pytest_plugins = ["tests.fakes.fixtures"]

TESTS = Path(__file__).parent

# litellm must never reach the network for its data files, in any test (set before any import)
os.environ.update(OFFLINE_ENV)
# a subprocess started in another directory (Director's stand-in copies) must import the code under
# test: a relative PYTHONPATH (`PYTHONPATH=src`) would miss there and fall back to an installed copy
if os.environ.get("PYTHONPATH"):
    os.environ["PYTHONPATH"] = os.pathsep.join(
        str(Path(entry).resolve()) for entry in os.environ["PYTHONPATH"].split(os.pathsep) if entry
    )


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with no provider keys and no LITELLM_* settings from outside."""
    for name in list(os.environ):
        if name.startswith(ISOLATED_PREFIXES) and name not in OFFLINE_ENV:
            monkeypatch.delenv(name)


_LITELLM_LISTS = (
    "input_callback",
    "success_callback",
    "failure_callback",
    "_async_success_callback",
    "_async_failure_callback",
    "callbacks",
    "service_callback",
)


@pytest.fixture(autouse=True)
def litellm_lists_restored() -> Iterator[None]:
    """litellm's process-wide callback lists are as they were after every test.

    Some litellm modules change them when first imported (the Vertex AI context-caching module adds
    "cache": ``gemini_import_adds_cache_callback``, proved in test_gemini_litellm_limits.py), which made
    the Router tests on litellm 1.60 depend on whether a Vertex test ran first.
    """
    litellm = sys.modules.get("litellm")
    saved = {name: list(getattr(litellm, name)) for name in _LITELLM_LISTS if hasattr(litellm, name)} if litellm else {}
    yield
    for name, value in saved.items():
        getattr(litellm, name)[:] = value


@pytest.fixture
def director_on_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Director's stand-in importable, and this package's modules re-imported against it."""
    from director_litellm import _director

    ours = [m for m in sys.modules if m == "director" or m.startswith(("director.", "director_litellm"))]
    saved = {name: sys.modules.pop(name) for name in ours}
    monkeypatch.syspath_prepend(str(TESTS / "director_standin" / "backend"))
    _director.director_base.cache_clear()
    try:
        import director.llm.base as base

        yield base
    finally:
        for name in [m for m in sys.modules if m == "director" or m.startswith(("director.", "director_litellm"))]:
            del sys.modules[name]
        sys.modules.update(saved)
        _director.director_base.cache_clear()


@pytest.fixture
def columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lay output out for a terminal ``COLUMNS`` wide, as the CLI's assertions on width expect."""
    monkeypatch.setenv("COLUMNS", str(COLUMNS))


@pytest.fixture
def fresh_routers() -> Iterator[None]:
    """Each test gets its own Routers (cooldowns and counters are per Router)."""
    from director_litellm import _router as router

    router.clear_cache()
    yield
    router.clear_cache()
