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


def _is_main_block(node: ast.AST) -> bool:
    """``if __name__ == "__main__":``: run only as a script (``python -m``), never when imported."""
    test = node.test if isinstance(node, ast.If) else None
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def _imported_when_loaded(tree: ast.Module) -> list[ast.AST]:
    """Every node of ``tree`` outside a ``__main__`` block: run as a script, a module is ``__main__``, a
    different module from the one its imports load, so what that block imports is no edge of the graph."""
    found: list[ast.AST] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        todo.extend(child for child in ast.iter_child_nodes(node) if not _is_main_block(child))
    return found


def _import_graph() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports, at module or function level.

    The package face (``director_litellm/__init__``) re-exports lazily, so an import of it is no layer.
    """
    pkg = SRC.name
    mods = {
        ".".join((pkg, *path.relative_to(SRC).with_suffix("").parts)).removesuffix(".__init__"): path
        for path in _SOURCES
    }
    graph: dict[str, set[str]] = {name: set() for name in mods}
    for name, path in mods.items():
        base = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in _imported_when_loaded(_SOURCES[path]):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                parent = base
                for _ in range(max(node.level - 1, 0)):
                    parent = parent.rsplit(".", 1)[0]
                module = (parent + ("." + node.module if node.module else "")) if node.level else (node.module or "")
                targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in mods and t not in (name, pkg)}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_a_main_block_is_no_import() -> None:
    tree = ast.parse("import a\nif __name__ == '__main__':\n    import b\ndef f():\n    import c\n")
    seen = {alias.name for node in _imported_when_loaded(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert seen == {"a", "c"}


def test_the_cycle_finder_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_imports_inside_the_package_point_one_way() -> None:
    """No import cycle among the package's modules, counting imports inside functions too (DESIGN.md)."""
    graph = _import_graph()
    assert "director_litellm._backend" in graph["director_litellm.provider"]  # the check sees imports
    assert [", ".join(c) for c in _cycles(graph)] == []


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
