"""Where litellm may be imported: in ``_litellm`` only, so the rule cannot drift."""

from __future__ import annotations

import ast
from pathlib import Path

import director_litellm

SRC = Path(director_litellm.__file__).parent


def _imports_litellm(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if any(name.split(".")[0] == "litellm" for name in names):
            lines.append(node.lineno)
    return lines


def test_only_the_litellm_module_imports_litellm() -> None:
    """Every other module gets litellm through ``director_litellm._litellm``."""
    offenders = {
        str(path.relative_to(SRC)): lines
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "_litellm.py" and (lines := _imports_litellm(path))
    }
    assert offenders == {}
    assert _imports_litellm(SRC / "_litellm.py") != []  # the check can see an import
