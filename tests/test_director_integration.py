"""The Director change, applied as an operator applies it, to the stand-in of Director's repository.

``tests/director_standin/backend`` mirrors Director's ``backend/director`` (written from
DESIGN.md: ``LLMType``, the four built-in classes, key sniffing before ``DEFAULT_LLM``, the
reasoning engine and ten agents importing ``get_default_llm``). Each test copies it to a
temporary git repository and applies ``integrations/director/director-litellm.patch`` with the
command the README prints, then asks Director, in a subprocess, which LLM it builds.

Expected choices come from Director's documented rule (DESIGN.md, "Director's contract") and,
for the table, from the README itself: the table is parsed and each row is checked, so the
README cannot drift from what the change does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from director_litellm import director_check
from director_litellm.discovery import DIRECTOR_SNIPPET
from tests.helpers import STANDIN, copy_director, pythonpath

REPO = Path(__file__).resolve().parents[1]
PATCH = REPO / "integrations" / "director" / "director-litellm.patch"
README = REPO / "README.md"
DIRECTOR_FILE = Path("backend/director/llm/__init__.py")

LLM_TYPES = ("openai", "anthropic", "googleai", "videodb_proxy")  # Director's LLMType values
KEY_VARS = {"OpenAI": "OPENAI_API_KEY", "Anthropic": "ANTHROPIC_API_KEY", "Google": "GOOGLEAI_API_KEY"}
KEY_SETS = [(), ("OpenAI",), ("Anthropic",), ("Google",), ("OpenAI", "Anthropic"), ("OpenAI", "Anthropic", "Google")]
VALUES = [None, *LLM_TYPES, "litellm", "gemini", " LiteLLM ", "OpenAI"]
LITELLM = "LiteLLMProvider"

# Runs in a subprocess against one copy of the stand-in: every scenario, one JSON line out.
PROBE = textwrap.dedent(
    """
    import json, os, sys, types
    options = json.loads(sys.argv[1])
    if options["block_package"]:
        sys.modules["director_litellm"] = None  # director-litellm not installed, for this process
    # Director's AnthropicAI() needs the anthropic SDK; a stand-in module unless the test removes it
    sys.modules["anthropic"] = types.ModuleType("anthropic") if options["anthropic_sdk"] else None
    from director.llm import get_default_llm
    out = {}
    for value, keys in options["scenarios"]:
        for name in ("DEFAULT_LLM", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLEAI_API_KEY"):
            os.environ.pop(name, None)
        if value is not None:
            os.environ["DEFAULT_LLM"] = value
        for name in keys:
            os.environ[name] = "sk-decoy"
        try:
            chosen = type(get_default_llm()).__name__
        except Exception as exc:
            chosen = "raises " + type(exc).__name__
        out[json.dumps([value, keys])] = chosen
    print(json.dumps(out))
    """
)


def director_rule_before(value: str | None, keys: tuple[str, ...]) -> str:
    """Director's get_default_llm as DESIGN.md documents it: keys first, first match wins."""
    if "OpenAI" in keys or value == "openai":
        return "OpenAI"
    if "Anthropic" in keys or value == "anthropic":
        return "AnthropicAI"
    if "Google" in keys or value == "googleai":
        return "GoogleAI"
    return "VideoDBProxy"


def change_rule_after(value: str | None, keys: tuple[str, ...]) -> str:
    """The change as the README states it: a set DEFAULT_LLM wins; built-ins kept; else Director's choice."""
    name = (value or "").strip().lower()
    builtins = {"openai": "OpenAI", "anthropic": "AnthropicAI", "googleai": "GoogleAI", "videodb_proxy": "VideoDBProxy"}
    if name in builtins:
        return builtins[name]
    if name == "litellm":
        return LITELLM
    return director_rule_before(value, keys)


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DEFAULT_LLM", "OPENAI_", "ANTHROPIC_", "GOOGLEAI_"))
    }
    env.update(LITELLM_WARM_UP="false", LITELLM_LOCAL_MODEL_COST_MAP="True")
    env.update(extra)
    if "PYTHONPATH" in extra:  # the stand-in first, then the code under test
        env["PYTHONPATH"] = pythonpath(extra["PYTHONPATH"])
    return env


def readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Use with Director\n")
    return text[start : text.index("\n## ", start + 1)]


def readme_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", readme_section(), flags=re.S)


def apply_as_readme_says(root: Path) -> None:
    """Run the README's first bash block in ``root`` with this interpreter first on PATH as ``python``."""
    command = readme_blocks("bash")[0]
    bindir = root / ".bin"
    bindir.mkdir(exist_ok=True)
    wrapper = bindir / "python"  # a symlink would lose the virtual environment
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    env = _env(PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=root, env=env, check=True)


def probe(
    root: Path, scenarios: list[tuple[str | None, tuple[str, ...]]], *, block_package: bool = False, sdk: bool = True
) -> dict[tuple[str | None, tuple[str, ...]], str]:
    options = {"block_package": block_package, "anthropic_sdk": sdk, "scenarios": scenarios}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(options)],
        cwd=root,
        env=_env(PYTHONPATH=str(root / "backend")),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    raw = json.loads(result.stdout.strip().splitlines()[-1])
    return {(v, tuple(k)): chosen for (v, k), chosen in ((json.loads(key), c) for key, c in raw.items())}


def scenarios() -> list[tuple[str | None, tuple[str, ...]]]:
    return [(value, tuple(KEY_VARS[k] for k in keys)) for value, keys in product(VALUES, KEY_SETS)]


def _labels(keys: tuple[str, ...]) -> tuple[str, ...]:
    names = {v: k for k, v in KEY_VARS.items()}
    return tuple(names[k] for k in keys)


@pytest.fixture(scope="module")
def unpatched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_director(tmp_path_factory.mktemp("director-unpatched"))


@pytest.fixture(scope="module")
def patched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_director(tmp_path_factory.mktemp("director-patched"))
    apply_as_readme_says(root)
    return root


@pytest.fixture(scope="module")
def before(unpatched: Path) -> dict[Any, str]:
    return probe(unpatched, scenarios())


@pytest.fixture(scope="module")
def after(patched: Path) -> dict[Any, str]:
    return probe(patched, scenarios())


class TestPatchFile:
    def test_readme_command_applies_the_patch_and_reverse_restores_the_file(self, tmp_path: Path) -> None:
        """The README's one command changes Director's file; `git apply -R` gives back the same bytes."""
        root = copy_director(tmp_path)
        original = (root / DIRECTOR_FILE).read_bytes()
        apply_as_readme_says(root)
        assert (root / DIRECTOR_FILE).read_bytes() != original
        subprocess.run(["git", "apply", "-R", str(PATCH)], cwd=root, check=True)
        assert (root / DIRECTOR_FILE).read_bytes() == original

    def test_patch_appends_exactly_the_snippet_and_touches_nothing_else(self) -> None:
        """The patch only adds lines, to Director's llm/__init__.py, and they are two blank lines + the snippet."""
        text = PATCH.read_text(encoding="utf-8")
        assert re.findall(r"^diff --git (\S+) (\S+)$", text, flags=re.M) == [
            ("a/backend/director/llm/__init__.py", "b/backend/director/llm/__init__.py")
        ]
        body = text.split("\n@@", 1)[1].split("\n", 1)[1].splitlines()
        assert not [line for line in body if line.startswith("-")]
        added = "".join(line[1:] + "\n" for line in body if line.startswith("+"))
        assert added == "\n\n" + DIRECTOR_SNIPPET

    def test_patch_path_finds_the_shipped_patch(self) -> None:
        """`python -m director_litellm.director_check --patch-path` prints a file with the patch's text."""
        out = subprocess.run(
            [sys.executable, "-m", "director_litellm.director_check", "--patch-path"],
            capture_output=True,
            text=True,
            check=True,
            env=_env(),
        )
        assert Path(out.stdout.strip()).read_text(encoding="utf-8") == PATCH.read_text(encoding="utf-8")


class TestChoiceBeforeAndAfter:
    def test_unpatched_stand_in_follows_directors_documented_rule(self, before: dict[Any, str]) -> None:
        """Sanity of the stand-in: every value × key set gives what DESIGN.md says Director gives."""
        wrong = {k: v for k, v in before.items() if v != director_rule_before(k[0], _labels(k[1]))}
        assert wrong == {}

    def test_patched_follows_the_documented_rule(self, after: dict[Any, str]) -> None:
        """Every DEFAULT_LLM value (all four LLMType values, litellm, unset, unknown) × key set, after."""
        wrong = {k: v for k, v in after.items() if v != change_rule_after(k[0], _labels(k[1]))}
        assert wrong == {}

    def test_every_value_that_selected_a_provider_still_selects_it(
        self, before: dict[Any, str], after: dict[Any, str]
    ) -> None:
        """Where DEFAULT_LLM chose the provider before (no key overruled it), it chooses the same after."""
        for value in LLM_TYPES:
            assert before[(value, ())] == after[(value, ())]
        # and where nothing but keys decided (unset, unknown name), nothing changes
        for (value, keys), chosen in before.items():
            if value is None or value == "gemini":
                assert after[(value, keys)] == chosen

    def test_without_director_litellm_the_patched_file_behaves_as_before(
        self, patched: Path, before: dict[Any, str]
    ) -> None:
        """With the package unimportable, the patched Director chooses exactly as the unpatched one."""
        assert probe(patched, scenarios(), block_package=True) == before

    def test_anthropic_without_its_sdk_raises_import_error_before_and_after(
        self, patched: Path, unpatched: Path
    ) -> None:
        """DEFAULT_LLM=anthropic without the anthropic SDK: Director's ImportError, unchanged."""
        case = [("anthropic", ())]
        assert (
            probe(unpatched, case, sdk=False)
            == probe(patched, case, sdk=False)
            == {("anthropic", ()): "raises ImportError"}
        )

    def test_readme_table_matches_behaviour(self, before: dict[Any, str], after: dict[Any, str]) -> None:
        """Each row of the README's before/after table is what the stand-in does, before and after."""
        section = readme_section()
        table = section[section.index("<!-- director-table:start -->") : section.index("<!-- director-table:end -->")]
        rows = [
            line.strip("|").split("|") for line in table.splitlines() if line.startswith("| ") and "---" not in line
        ]
        checked = 0
        for cells in rows[1:]:
            value_cell, keys_cell, was, now = (c.strip() for c in cells)
            value = None if value_cell == "unset" else re.search(r"`([^`]+)`", value_cell).group(1)  # type: ignore[union-attr]
            keys = () if keys_cell == "none" else tuple(KEY_VARS[k.strip()] for k in keys_cell.split(","))
            key = (value, keys)
            if key not in before:
                pytest.fail(f"README row {cells} is not among the probed scenarios")
            assert (before[key], after[key]) == (was, now), cells
            checked += 1
        assert checked == len(rows) - 1 >= 8  # every row was read, and the table covers every value
        values = {cells[0].strip() for cells in rows[1:]}
        assert {"unset", "`openai`", "`anthropic`", "`googleai`", "`videodb_proxy`", "`litellm`"} <= values


class TestReadmeSnippet:
    def test_readme_python_block_is_the_snippet(self) -> None:
        """The block the README tells operators to paste is DIRECTOR_SNIPPET (and so the patch's text)."""
        assert readme_blocks("python")[0] == DIRECTOR_SNIPPET

    def test_pasting_the_readme_block_behaves_like_the_patch(self, tmp_path: Path, after: dict[Any, str]) -> None:
        """Director's file with the README's block pasted at its end chooses exactly as the patched one."""
        root = copy_director(tmp_path)
        target = root / DIRECTOR_FILE
        target.write_text(target.read_text(encoding="utf-8") + "\n\n" + readme_blocks("python")[0], encoding="utf-8")
        assert probe(root, scenarios()) == after


ELEVEN = [
    ("director.core.reasoning", "ReasoningEngine"),
    ("director.agents.censor", "CensorAgent"),
    ("director.agents.code_assistant", "CodeAssistantAgent"),
    ("director.agents.composio", "ComposioAgent"),
    ("director.agents.editing", "EditingAgent"),
    ("director.agents.pricing", "PricingAgent"),
    ("director.agents.prompt_clip", "PromptClipAgent"),
    ("director.agents.search", "SearchAgent"),
    ("director.agents.slack_agent", "SlackAgent"),
    ("director.agents.summarize_video", "SummarizeVideoAgent"),
    ("director.agents.text_to_movie", "TextToMovieAgent"),
]


def _run(root: Path, code: str, *args: str, **env: str) -> Any:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=root,
        env=_env(PYTHONPATH=str(root / "backend"), **env),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


class TestDirectorModules:
    def test_the_stand_in_has_the_eleven_callers(self) -> None:
        """The modules below are exactly those importing get_default_llm from director.llm at import time."""
        callers = sorted(
            str(path.relative_to(STANDIN).with_suffix("")).replace(os.sep, ".")
            for path in STANDIN.rglob("*.py")
            if "from director.llm import get_default_llm" in path.read_text(encoding="utf-8")
        )
        assert callers == sorted(module for module, _ in ELEVEN)

    def test_every_caller_builds_a_litellm_provider_despite_decoy_keys(self, patched: Path) -> None:
        """Patched, DEFAULT_LLM=litellm, OpenAI and Anthropic keys set: all eleven build LiteLLMProvider."""
        code = textwrap.dedent(
            f"""
            import importlib, json
            out = {{}}
            for module, name in {ELEVEN!r}:
                llm = getattr(importlib.import_module(module), name)().llm
                out[module] = type(llm).__module__ + "." + type(llm).__name__
            print(json.dumps(out))
            """
        )
        built = _run(patched, code, DEFAULT_LLM="litellm", OPENAI_API_KEY="sk-decoy", ANTHROPIC_API_KEY="sk-ant-decoy")
        assert built == {module: "director_litellm.provider.LiteLLMProvider" for module, _ in ELEVEN}


WARM_PROBE = textwrap.dedent(
    """
    import json, os, sys, threading
    import director.llm
    threads = [t for t in threading.enumerate() if t.name == "director-litellm-warm-up"]
    if "join" in sys.argv:
        for t in threads:
            t.join(300)
    print(json.dumps({"threads": len(threads), "litellm": "litellm" in sys.modules,
                      "alive": any(t.is_alive() for t in threads)}), flush=True)
    os._exit(0)  # a warm-up still importing must not race the interpreter's shutdown
    """
)


class TestWarmStartAtDirectorImport:
    def test_default_llm_litellm_imports_litellm_in_the_background(self, patched: Path) -> None:
        """Importing the patched director.llm with DEFAULT_LLM=litellm starts the warm-up, which imports litellm."""
        out = _run(patched, WARM_PROBE, "join", DEFAULT_LLM="litellm", LITELLM_WARM_UP="")
        assert out == {"threads": 1, "litellm": True, "alive": False}

    def test_default_llm_in_dotenv_counts(self, patched: Path) -> None:
        """DEFAULT_LLM=litellm only in the .env Director loads later still starts the warm-up."""
        (patched / ".env").write_text("DEFAULT_LLM=litellm\n", encoding="utf-8")
        try:
            out = _run(patched, WARM_PROBE, LITELLM_WARM_UP="")
        finally:
            (patched / ".env").unlink()
        assert out["threads"] == 1

    @pytest.mark.parametrize(
        ("env", "why"),
        [
            ({"DEFAULT_LLM": "litellm", "LITELLM_WARM_UP": "false"}, "opted out"),
            ({"DEFAULT_LLM": "openai"}, "not ours"),
        ],
    )
    def test_no_warm_up_when_off_or_not_selected(self, patched: Path, env: dict[str, str], why: str) -> None:
        """LITELLM_WARM_UP=false, or DEFAULT_LLM naming another provider: no thread, no litellm import."""
        out = _run(patched, WARM_PROBE, **{"LITELLM_WARM_UP": "", **env})
        assert out == {"threads": 0, "litellm": False, "alive": False}, why


class TestDirectorCheck:
    def test_change_present(self, patched: Path) -> None:
        """With the patch applied, check_director says Director honours DEFAULT_LLM and where it is."""
        status = director_check.check_director(env=_env(PYTHONPATH=str(patched / "backend")))
        assert status.importable
        assert status.honours_default_llm is True
        assert status.location == str(patched / "backend" / "director")
        assert "LiteLLMProvider" in status.detail

    def test_change_missing(self, unpatched: Path) -> None:
        """Unpatched, the decoy OpenAI key wins: not honoured, and the command applies the shipped patch."""
        status = director_check.check_director(env=_env(PYTHONPATH=str(unpatched / "backend")))
        assert status.importable
        assert status.honours_default_llm is False
        assert "OpenAI" in status.detail
        assert director_check.DECOY_KEY not in status.detail
        assert status.patch_command == f"cd {unpatched} && git apply {director_check.patch_path()}"

    def test_printed_command_fixes_a_missing_change(self, tmp_path: Path) -> None:
        """Running the command check_director prints turns 'missing' into 'present'."""
        root = copy_director(tmp_path)
        env = _env(PYTHONPATH=str(root / "backend"))
        missing = director_check.check_director(env=env)
        assert missing.patch_command is not None
        subprocess.run(["bash", "-c", missing.patch_command], check=True, env=_env())
        assert director_check.check_director(env=env).honours_default_llm is True

    def test_director_absent(self, tmp_path: Path) -> None:
        """Without an importable director package: not importable, nothing else claimed."""
        status = director_check.check_director(env=_env(PYTHONPATH=str(tmp_path)))
        assert (status.importable, status.location, status.honours_default_llm, status.patch_command) == (
            False,
            None,
            None,
            None,
        )
        assert "not importable" in status.detail

    def test_director_without_the_package_installed_is_missing(self, patched: Path) -> None:
        """Patched, but director-litellm unimportable in that Python: Director's own choice, so not honoured."""
        blocker = patched.parent / "blocker"
        blocker.mkdir(exist_ok=True)
        (blocker / "director_litellm.py").write_text("raise ImportError('blocked for this test')\n", encoding="utf-8")
        status = director_check.check_director(env=_env(PYTHONPATH=f"{blocker}{os.pathsep}{patched / 'backend'}"))
        assert status.importable
        assert status.honours_default_llm is False

    def test_patch_command_for_a_package_outside_backend(self, tmp_path: Path) -> None:
        """A director package not under backend/ gets -p2 from its parent folder."""
        assert director_check.patch_command(tmp_path / "src" / "director").startswith(
            f"cd {tmp_path / 'src'} && git apply -p2 "
        )


class TestDirectorCheckCommand:
    def test_help_prints_usage_and_exits_zero(self) -> None:
        """`python -m director_litellm.director_check --help` is help (exit 0), not a run of the check (exit 1)."""
        result = subprocess.run(
            [sys.executable, "-m", "director_litellm.director_check", "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith("usage: python -m director_litellm.director_check")
        assert "--patch-path" in result.stdout
        assert "importable" not in result.stdout

    def test_unknown_option_is_a_usage_error(self) -> None:
        """An unknown option exits 2 with the usage, and runs no check."""
        result = subprocess.run(
            [sys.executable, "-m", "director_litellm.director_check", "--bogus"],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
        )
        assert result.returncode == 2
        assert "unrecognized arguments: --bogus" in result.stderr
        assert result.stdout == ""
