"""The package's public face: __all__, cheap import, entry point, Director compatibility."""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
import types
from importlib import metadata
from pathlib import Path

import pytest

import director_litellm


def run_python(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


ROOT = Path(__file__).resolve().parents[1]

# public name -> the module that defines it (DESIGN.md's public API, plus warm_up, the exception tree
# drawn in _errors' docstring, and the stream events docs/streaming.md shows)
EXPORTS = {
    "LLMResponse": "director_litellm._response",
    "LLMResponseStatus": "director_litellm._response",
    "LiteLLMConfig": "director_litellm._config",
    "LiteLLMProvider": "director_litellm.provider",
    "warm_up": "director_litellm._warm",
    "DirectorLiteLLMError": "director_litellm._errors",
    "ConfigError": "director_litellm._errors",
    "InvalidInputError": "director_litellm._errors",
    "ContextWindowError": "director_litellm._errors",
    "UnknownSettingError": "director_litellm._config",
    "ProviderLoadError": "director_litellm.discovery",
    "ProviderNotFoundError": "director_litellm.discovery",
    "DuplicateProviderError": "director_litellm.discovery",
    "ProviderImportError": "director_litellm.discovery",
    "IncompatibleProviderError": "director_litellm.discovery",
    "TextDelta": "director_litellm._stream",
    "ReasoningDelta": "director_litellm._stream",
    "Final": "director_litellm._stream",
    "StreamEvent": "director_litellm._stream",
}


def _defined_in_package(value: object) -> bool:
    """A class or function of the package, or a union of them (``StreamEvent``)."""
    if isinstance(value, types.UnionType):
        return all(_defined_in_package(arg) for arg in value.__args__)
    return str(getattr(value, "__module__", "")).startswith("director_litellm")


def _doc_imports() -> list[tuple[str, int, ast.Import | ast.ImportFrom]]:
    """Every ``import director_litellm...`` / ``from director_litellm... import`` line in README.md and docs/."""
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*(from|import)\s+director_litellm\b", line):
                node = ast.parse(line.strip()).body[0]
                assert isinstance(node, ast.Import | ast.ImportFrom), line
                found.append((str(path.relative_to(ROOT)), number, node))
    return found


class TestPublicAPI:
    def test_all_matches_exports(self) -> None:
        """__all__ is exactly what the package exports: each name is its defining module's object, and
        nothing public defined in the package is left out of __all__ (httpx's test_all_imports_are_exported)."""
        assert sorted(director_litellm.__all__) == sorted([*EXPORTS, "__version__"])
        for name, module in EXPORTS.items():
            assert getattr(director_litellm, name) is getattr(importlib.import_module(module), name), name
        assert director_litellm.__version__ == metadata.version("director-litellm")
        exported = {
            name
            for name, value in vars(director_litellm).items()
            if not name.startswith("_") and _defined_in_package(value)
        }
        assert exported == set(EXPORTS)
        assert set(dir(director_litellm)) >= set(director_litellm.__all__)

    def test_every_name_in_all_resolves_in_a_fresh_process(self) -> None:
        """Each name in __all__ resolves through the package face alone, in a process that imported nothing else."""
        state = run_python(
            "import json, director_litellm as d\n"
            "print(json.dumps({n: getattr(getattr(d, n), '__module__', None) for n in d.__all__}))"
        )
        # StreamEvent is a union of the three event classes: a types.UnionType, with no module of its own
        assert state == {**EXPORTS, "StreamEvent": "types", "__version__": None}

    def test_docs_import_only_public_modules_and_names(self) -> None:
        """Every import line in README.md and docs/ names a public module (no ``_`` part) and names it has."""
        found = _doc_imports()
        assert any(where == "docs/streaming.md" for where, _, _ in found)  # the scan sees the docs' code
        for where, number, node in found:
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                assert not any(part.startswith("_") for part in module.split(".")), f"{where}:{number}: {module}"
                imported = importlib.import_module(module)
                if isinstance(node, ast.ImportFrom):
                    for alias in node.names:
                        assert hasattr(imported, alias.name), f"{where}:{number}: {module}.{alias.name}"

    def test_unknown_attribute_raises(self) -> None:
        """A misspelt name is an AttributeError, not None."""
        with pytest.raises(AttributeError):
            director_litellm.LiteLLMProvder  # noqa: B018

    def test_version_matches_metadata(self) -> None:
        """__version__ is the installed distribution's version."""
        assert director_litellm.__version__ == metadata.version("director-litellm")


class TestCheapImport:
    def test_import_does_not_import_litellm(self) -> None:
        """import director_litellm, discovery and building a provider import neither litellm nor the network."""
        state = run_python(
            "import sys, json, director_litellm\n"
            "a = 'litellm' in sys.modules\n"
            "from director_litellm.discovery import available_providers\n"
            "available_providers()\n"
            "from director_litellm import LiteLLMProvider\n"
            "LiteLLMProvider()\n"
            "print(json.dumps({'after_import': a, 'after_provider': 'litellm' in sys.modules}))"
        )
        assert state == {"after_import": False, "after_provider": False}

    def test_bare_import_is_light(self) -> None:
        """import director_litellm alone imports neither pydantic_settings nor litellm."""
        state = run_python(
            "import sys, json, director_litellm\n"
            "print(json.dumps(sorted(m for m in ('litellm', 'pydantic_settings', 'pydantic') if m in sys.modules)))"
        )
        assert state == []


class TestEntryPoint:
    def test_entry_point_is_registered_and_loads(self) -> None:
        """director.llm_providers has 'litellm', which loads LiteLLMProvider."""
        from importlib.metadata import entry_points

        eps = [ep for ep in entry_points(group="director.llm_providers") if ep.name == "litellm"]
        assert len(eps) == 1
        assert eps[0].value == "director_litellm.provider:LiteLLMProvider"
        from director_litellm.provider import LiteLLMProvider

        assert eps[0].load() is LiteLLMProvider


class TestDirectorCompatibility:
    def test_without_director_own_equivalents(self) -> None:
        """Without Director, the package's own classes carry Director's field names and status convention."""
        from director_litellm import LLMResponse, LLMResponseStatus

        assert LLMResponseStatus.SUCCESS is True
        assert LLMResponseStatus.ERROR is False
        fields = set(LLMResponse.model_fields)
        assert {
            "content",
            "tool_calls",
            "send_tokens",
            "recv_tokens",
            "total_tokens",
            "finish_reason",
            "status",
        } <= fields
        assert {"cost", "reasoning_content", "model", "error"} <= fields
        assert LLMResponse().status == LLMResponseStatus.ERROR

    def test_with_director_subclasses_directors_types(self, director_on_path: object) -> None:
        """With Director importable, the provider and response subclass Director's base classes."""
        base = director_on_path
        from director_litellm import LiteLLMProvider, LLMResponse, LLMResponseStatus

        assert issubclass(LiteLLMProvider, base.BaseLLM)  # type: ignore[attr-defined]
        assert issubclass(LLMResponse, base.LLMResponse)  # type: ignore[attr-defined]
        assert LLMResponseStatus is base.LLMResponseStatus  # type: ignore[attr-defined]
        provider = LiteLLMProvider()
        # BaseLLM.__init__ copied the config onto the instance, as Director's code expects
        assert (provider.chat_model, provider.temperature, provider.max_tokens) == ("gpt-4o-mini", 0.9, 4096)
        refused = provider.chat_completions([])
        assert isinstance(refused, base.LLMResponse)  # type: ignore[attr-defined]
        assert not refused.status
