"""Where litellm may be imported: in ``_litellm`` only, so the rule cannot drift."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import director_litellm

SRC = Path(director_litellm.__file__).parent
# Parsed at collection, before any test leaves litellm threads running: litellm calls ast.literal_eval on
# the request path (secret_managers), and CPython 3.11.7's AST converter keeps one depth counter per
# interpreter (gh-106905), so a parse racing one in another thread fails with "SystemError: AST
# constructor recursion depth mismatch".
_SOURCES = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(SRC.rglob("*.py"))}


_DYNAMIC_IMPORTS = {"import_module", "__import__"}  # importlib.import_module("litellm.x"), __import__("litellm")


def _dynamic_import_names(node: ast.Call) -> list[str]:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in _DYNAMIC_IMPORTS or not node.args:
        return []
    first = node.args[0]
    return [first.value] if isinstance(first, ast.Constant) and isinstance(first.value, str) else []


def _imports_litellm(path: Path) -> list[int]:
    lines = []
    tree = _SOURCES.get(path) or ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif isinstance(node, ast.Call):
            names = _dynamic_import_names(node)
        else:
            continue
        if any(name.split(".")[0] == "litellm" for name in names):
            lines.append(node.lineno)
    return lines


def test_only_the_litellm_module_imports_litellm() -> None:
    """Every other module gets litellm through ``director_litellm._litellm``."""
    offenders = {
        str(path.relative_to(SRC)): lines
        for path in _SOURCES
        if path.name != "_litellm.py" and (lines := _imports_litellm(path))
    }
    assert offenders == {}
    assert _imports_litellm(SRC / "_litellm.py") != []  # the check can see an import


def test_the_check_sees_imports_by_name(tmp_path: Path) -> None:
    """``importlib.import_module("litellm...")`` and ``__import__("litellm")`` count as imports too."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import importlib\n"
        "from importlib import import_module\n"
        "importlib.import_module('litellm._service_logger')\n"
        "import_module('litellm')\n"
        "__import__('litellm.utils')\n"
        "importlib.import_module('json')\n"
        "importlib.import_module(name)\n",
        encoding="utf-8",
    )
    assert _imports_litellm(sample) == [3, 4, 5]


def test_modules_and_classes_stay_readable() -> None:
    """No module of the package over 400 lines and no class over 250: one job each (DESIGN.md)."""
    too_long = {}
    for path, tree in _SOURCES.items():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(SRC))
        if len(text.splitlines()) > 400:
            too_long[name] = len(text.splitlines())
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.end_lineno and node.end_lineno - node.lineno + 1 > 250:
                too_long[f"{name}:{node.name}"] = node.end_lineno - node.lineno + 1
    assert too_long == {}


def test_no_test_module_imports_another() -> None:
    """Shared pieces live in tests/helpers.py, conftest.py or tests/fakes, never in a test module."""
    tests = Path(__file__).parent
    pattern = re.compile(r"^\s*(?:from|import)\s+tests(?:\.\w+)*\.test_\w+", re.M)
    offenders = [str(p.relative_to(tests)) for p in sorted(tests.rglob("*.py")) if pattern.search(p.read_text())]
    assert offenders == []


def _reaches_litellm_api(tree: ast.AST) -> list[int]:
    """Lines that use litellm's API outside ``_litellm``: the module handed out (``import_litellm``), or an
    attribute read through a value named ``litellm`` (a variable, a parameter, ``self.litellm``)."""
    lines = []
    for node in ast.walk(tree):
        if (
            (isinstance(node, ast.Name) and node.id == "import_litellm")
            or (isinstance(node, ast.Attribute) and node.attr == "import_litellm")
            or (isinstance(node, ast.alias) and node.name == "import_litellm")
            or (isinstance(node, ast.Attribute) and _names_litellm(node.value))
            or (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr")
                and node.args
                and _names_litellm(node.args[0])
            )
        ):
            lines.append(node.lineno)
    return sorted(set(lines))


def _names_litellm(value: ast.expr) -> bool:
    return (isinstance(value, ast.Name) and value.id == "litellm") or (
        isinstance(value, ast.Attribute) and value.attr == "litellm"
    )


def test_only_the_litellm_module_touches_litellms_api() -> None:
    """Not just the import lines: no other module holds litellm and reads its attributes (issue 25)."""
    offenders = {
        str(path.relative_to(SRC)): lines
        for path, tree in _SOURCES.items()
        if path.name != "_litellm.py" and (lines := _reaches_litellm_api(tree))
    }
    assert offenders == {}


def test_the_api_check_sees_a_handed_out_module() -> None:
    sample = ast.parse(
        "from director_litellm._litellm import import_litellm\n"
        "litellm = import_litellm()\n"
        "litellm.get_llm_provider(model='x')\n"
        "self.litellm.Router()\n"
        "getattr(litellm, 'api_key', None)\n"
        "_litellm.route('x')\n"
    )
    assert _reaches_litellm_api(sample) == [1, 2, 3, 4, 5]
