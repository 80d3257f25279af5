"""``director-litellm doctor``, in this process: ``main`` with a patched environment, and each check on its own."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from director_litellm import _litellm, cli, director_check
from director_litellm import _supply_chain as supply_chain
from director_litellm.cli import _settings as settings
from director_litellm.cli._console import Console
from director_litellm.cli._doctor import Setup, check_dotenv, check_litellm, check_observability
from director_litellm.cli._model_checks import _environment_cleared, check_router, missing_v1
from director_litellm.cli._report import FACT_KEYS, Section
from tests.environment import COLUMNS as WIDTH
from tests.helpers import copy_director, pythonpath

REPO = Path(__file__).resolve().parents[1]
PATCH = REPO / "integrations" / "director" / "director-litellm.patch"
# the patch this installation ships: inside the package when installed from the wheel, else the checkout's
_WHEEL_PATCH = Path(cli.__file__).resolve().parents[1] / "integrations" / PATCH.name
SHIPPED = _WHEEL_PATCH if _WHEEL_PATCH.is_file() else PATCH
KEY = "sk-test-cli-0123456789abcdefXYZ"
OTHER_KEY = "sk-other-cli-9876543210fedcbaQRS"
pytestmark = pytest.mark.usefixtures("columns")


def doctor(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, **env: str
) -> tuple[int, str]:
    """``director-litellm doctor ARGS`` with ``env`` set (on top of the isolated test environment)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = cli.main(["doctor", "--site-packages", os.devnull, *args])
    out, _ = capsys.readouterr()
    return code, out


def doctor_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, **env: str
) -> tuple[int, dict[str, Any]]:
    code, out = doctor(monkeypatch, capsys, "--json", *args, **env)
    return code, json.loads(out)


def console() -> Console:
    return Console(out=io.StringIO(), err=io.StringIO())


class TestReport:
    def test_good_setup_exits_zero_with_the_key_masked(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A known model with its key set: exit 0, capabilities shown, the key only masked, 80 columns."""
        code, out = doctor(
            monkeypatch, capsys, LITELLM_CHAT_MODEL="openai/gpt-4o-mini", OPENAI_API_KEY=KEY, DEFAULT_LLM="litellm"
        )
        assert code == 0, out
        assert "Ready: no problems" in out
        assert "function calling yes" in out
        assert "128,000 tokens in" in out
        assert f"OPENAI_API_KEY = {cli.mask(KEY)}" in out
        assert KEY not in out
        assert f"litellm {supply_chain.installed_version()} is not a known-bad release" in out
        assert [line for line in out.splitlines() if len(line) > WIDTH] == []

    def test_json_has_every_fact_key(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        """--json carries one key per check, null for the checks that did not run (router, here)."""
        code, data = doctor_json(monkeypatch, capsys, LITELLM_CHAT_MODEL="openai/gpt-4o-mini", OPENAI_API_KEY=KEY)
        assert code == 0
        assert set(FACT_KEYS) <= set(data)
        assert data["router"] is None
        assert data["model"]["provider"] == "openai"
        assert [s["title"] for s in data["sections"]] == [
            "Configuration",
            "litellm",
            "Model openai/gpt-4o-mini",
            "Credentials",
            "Environment",
            "Observability",
            "Director",
        ]

    def test_bad_value_fails_naming_the_variable_and_the_rest_is_checked(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """LITELLM_TEMPERATURE=hot is a FAIL that names the variable; the model is still checked; exit 1."""
        code, out = doctor(
            monkeypatch, capsys, LITELLM_CHAT_MODEL="openai/gpt-4o-mini", OPENAI_API_KEY=KEY, LITELLM_TEMPERATURE="hot"
        )
        assert code == 1
        fail = [line for line in out.splitlines() if line.lstrip().startswith("FAIL")]
        assert fail
        assert "LITELLM_TEMPERATURE" in fail[0]
        assert "Model openai/gpt-4o-mini" in out
        assert "Not ready" in out

    def test_bad_model_flag_is_named_by_the_flag(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, data = doctor_json(monkeypatch, capsys, "--model", " ")
        assert code == 1
        assert data["config"]["values"]["chat_model"] == "(invalid)"
        assert data["problems"][0].startswith("Configuration: invalid director-litellm configuration: --model ")

    def test_no_key_for_the_model_fails(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """No key for a model that needs one: exit 1, naming the variable; a misspelt key is pointed out."""
        code, data = doctor_json(
            monkeypatch, capsys, LITELLM_CHAT_MODEL="anthropic/claude-sonnet-4-5", ANTHROPIC_KEY=KEY
        )
        assert code == 1
        assert data["ok"] is False
        assert any("ANTHROPIC_API_KEY" in p and "ANTHROPIC_KEY is set" in p for p in data["problems"])
        assert KEY not in json.dumps(data)

    def test_unroutable_model_fails_and_json_stays_pure(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A model litellm cannot route is a FAIL with a hint; litellm's banners stay off stdout and stderr."""
        monkeypatch.setenv("LITELLM_CHAT_MODEL", "anthropc/claude-sonnet-4-5")
        code = cli.main(["doctor", "--json", "--site-packages", os.devnull])
        out, err = capsys.readouterr()
        data = json.loads(out)
        assert code == 1
        assert "Provider List" not in out + err
        assert any("Did you mean anthropic/...?" in p for p in data["problems"])
        assert data["credentials"] is None

    def test_unknown_model_misspelling_and_key_clash(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An unmapped model is a warning; LITELLM_CHAT_MODLE gets a suggestion; LITELLM_API_KEY wins a clash."""
        code, data = doctor_json(
            monkeypatch,
            capsys,
            LITELLM_CHAT_MODEL="openai/my-finetune-xyz",
            LITELLM_CHAT_MODLE="openai/gpt-4o",
            LITELLM_API_KEY=KEY,
            OPENAI_API_KEY=OTHER_KEY,
        )
        assert code == 0
        assert data["ok"] is True
        assert data["problems"] == []
        assert data["model"]["provider"] == "openai"
        assert data["model"]["known"] is False
        assert data["environment"]["misspelled"] == [{"name": "LITELLM_CHAT_MODLE", "suggestion": "LITELLM_CHAT_MODEL"}]
        warnings_text = " ".join(data["warnings"])
        assert "did you mean LITELLM_CHAT_MODEL?" in warnings_text
        assert "LITELLM_API_KEY wins" in warnings_text
        assert "unknown model" in warnings_text
        assert data["credentials"]["key_variable"] == "LITELLM_API_KEY"
        assert data["config"]["values"]["api_key"] == cli.mask(KEY)
        assert KEY not in json.dumps(data)
        assert OTHER_KEY not in json.dumps(data)

    def test_stray_pth_file_is_flagged(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A litellm_init.pth in the scanned site-packages is a FAIL (exit 1) naming the file."""
        (tmp_path / "litellm_init.pth").write_text("import os; exec('...')\n")
        (tmp_path / "distutils-precedence.pth").write_text("import os\n")
        monkeypatch.setenv("LITELLM_CHAT_MODEL", "openai/gpt-4o-mini")
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        code = cli.main(["doctor", "--site-packages", str(tmp_path)])
        out = " ".join(capsys.readouterr().out.split())  # undo the wrapping
        assert code == 1
        assert f"FAIL {tmp_path / 'litellm_init.pth'}" in out
        assert "rotate every credential" in out
        assert "distutils-precedence.pth" not in out

    def test_blocked_release_fails_without_importing_litellm(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A compromised litellm version is a FAIL with the install advice; model checks are skipped."""
        monkeypatch.setattr(supply_chain, "installed_version", lambda: "1.82.7")
        monkeypatch.setattr(settings, "ensure_litellm", lambda: pytest.fail("litellm must not be imported"))
        code, data = doctor_json(monkeypatch, capsys)
        assert code == 1
        assert data["litellm"]["verdict"] == "blocked"
        assert any("1.82.7 is blocked" in p and supply_chain.SAFE_INSTALL in p for p in data["problems"])
        assert data["model"] is None
        assert data["credentials"] is None
        assert data["dotenv"] is None

    def test_litellm_that_cannot_be_imported_fails(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An import error of litellm is a FAIL naming the error."""

        def broken() -> ModuleType:
            raise ModuleNotFoundError("No module named 'tokenizers'")

        monkeypatch.setattr(settings, "ensure_litellm", broken)
        code, data = doctor_json(monkeypatch, capsys)
        assert code == 1
        assert data["litellm"]["importable"] is False
        assert any("cannot be imported" in p and "tokenizers" in p for p in data["problems"])


class TestDotenv:
    """litellm loads a .env when first imported; doctor says which variables came from it."""

    def test_late_setting_is_a_warning(self, tmp_path: Path) -> None:
        env = tmp_path / ".env"
        env.write_text("LITELLM_CHAT_MODEL=openai/gpt-4o\nSOMETHING_ELSE=1\n")
        s = Section("litellm")
        check_dotenv(s, str(env), {"LITELLM_CHAT_MODEL", "SOMETHING_ELSE", "NOT_FROM_THE_FILE"})
        assert s.facts == {"dotenv": {"path": str(env), "loaded": ["LITELLM_CHAT_MODEL", "SOMETHING_ELSE"]}}
        assert [f.level for f in s.findings] == ["note", "warn"]
        assert s.findings[1].text.startswith(f"LITELLM_CHAT_MODEL set only in {env}")

    def test_nothing_loaded_says_nothing(self, tmp_path: Path) -> None:
        env = tmp_path / ".env"
        env.write_text("OPENAI_API_KEY=x\n")
        s = Section("litellm")
        check_dotenv(s, str(env), set())  # already set before the import: not loaded from the file
        assert s.facts == {"dotenv": {"path": str(env), "loaded": []}}
        assert s.findings == []

    def test_found_walking_up_from_litellm_during_the_import(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """check_litellm compares the environment around the import with the .env above litellm's package."""
        (tmp_path / ".env").write_text("LITELLM_TIMEOUT=5\n")
        package = tmp_path / "site" / "litellm"
        package.mkdir(parents=True)
        fake = ModuleType("litellm")
        fake.__file__ = str(package / "__init__.py")
        monkeypatch.setenv("LITELLM_TIMEOUT", "")
        monkeypatch.delenv("LITELLM_TIMEOUT")  # restored (unset) after the test

        def import_loading_dotenv() -> None:
            os.environ["LITELLM_TIMEOUT"] = "5"

        monkeypatch.setattr(settings, "ensure_litellm", import_loading_dotenv)
        monkeypatch.setattr(_litellm, "install_dir", lambda: os.path.dirname(str(fake.__file__)))
        monkeypatch.setattr(supply_chain, "installed_version", lambda: "1.60.0")
        s, imported = check_litellm(console(), [os.devnull])
        assert imported is True
        assert s.facts["dotenv"] == {"path": str(tmp_path / ".env"), "loaded": ["LITELLM_TIMEOUT"]}
        assert any(f.level == "warn" and "LITELLM_TIMEOUT set only in" in f.text for f in s.findings)


class TestApiBase:
    @pytest.mark.parametrize(
        ("provider", "base", "fixed"),
        [
            ("openai", "http://gpu:8000", "http://gpu:8000/v1"),
            ("openai", "http://gpu:8000/", "http://gpu:8000/v1"),
            ("hosted_vllm", "https://vllm.internal", "https://vllm.internal/v1"),
            ("openai", "http://gpu:8000/v1", None),
            ("openai", "http://proxy:4000/openai", None),
            ("anthropic", "https://api.anthropic.com", None),
            ("azure", "https://res.openai.azure.com", None),
            ("ollama", "http://localhost:11434", None),
        ],
    )
    def test_missing_v1(self, provider: str, base: str, fixed: str | None) -> None:
        """Only an OpenAI-client provider with a path-less URL is flagged, and the fix adds /v1."""
        problem = missing_v1(provider, base)
        if fixed is None:
            assert problem is None
        else:
            assert problem is not None
            assert problem.split("use ")[1].startswith(f"{fixed} ")

    def test_doctor_warns_with_the_fix(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, data = doctor_json(
            monkeypatch,
            capsys,
            LITELLM_CHAT_MODEL="openai/qwen",
            LITELLM_API_BASE="http://gpu:8000",
            OPENAI_API_KEY=KEY,
        )
        warning = next(w for w in data["warnings"] if "has no path" in w)
        assert code == 0
        assert warning.startswith("Model openai/qwen: LITELLM_API_BASE: http://gpu:8000 has no path")
        assert "use http://gpu:8000/v1" in warning

    def test_provider_base_variable_is_checked_too(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without LITELLM_API_BASE, calls go to OPENAI_BASE_URL: that one is checked and named."""
        _, data = doctor_json(
            monkeypatch, capsys, LITELLM_CHAT_MODEL="openai/qwen", OPENAI_BASE_URL="http://gpu:8000", OPENAI_API_KEY=KEY
        )
        assert "Model openai/qwen: calls go to http://gpu:8000 (from OPENAI_BASE_URL)" in data["notes"]
        assert any(
            w.startswith("Model openai/qwen: OPENAI_BASE_URL: http://gpu:8000 has no path") for w in data["warnings"]
        )

    def test_no_warning_with_v1_or_for_anthropic(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        _, data = doctor_json(
            monkeypatch,
            capsys,
            LITELLM_CHAT_MODEL="openai/qwen",
            LITELLM_API_BASE="http://gpu:8000/v1",
            OPENAI_API_KEY=KEY,
        )
        assert not any("has no path" in w for w in data["warnings"])
        _, data = doctor_json(
            monkeypatch,
            capsys,
            LITELLM_CHAT_MODEL="anthropic/claude-sonnet-4-5",
            LITELLM_API_BASE="https://api.anthropic.com",
            ANTHROPIC_API_KEY=KEY,
        )
        assert not any("has no path" in w for w in data["warnings"])


ROUTER_FILE = {
    "model_list": [
        {"model_name": "smart", "litellm_params": {"model": "openai/gpt-4o", "api_base": "http://gpu-a:8000/v1"}},
        {"model_name": "smart", "litellm_params": {"model": "openai/qwen", "api_base": "http://gpu-b:8000"}},
        {"model_name": "fast", "litellm_params": {"model": "groq/llama-3.1-8b-instant"}},
    ],
    "router_settings": {"routing_strategy": "simple-shuffle"},
    "litellm_settings": {"drop_params": True},
}


class TestRouter:
    @pytest.fixture
    def router_file(self, tmp_path: Path) -> Path:
        path = tmp_path / "router.json"
        path.write_text(json.dumps(ROUTER_FILE))
        return path

    def test_groups_deployments_and_ignored_settings(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], router_file: Path
    ) -> None:
        """Router mode: the file read offline, each group with its deployments, LITELLM_API_BASE ignored."""
        code, out = doctor(
            monkeypatch,
            capsys,
            LITELLM_ROUTER_CONFIG=str(router_file),
            LITELLM_CHAT_MODEL="smart",
            LITELLM_API_BASE="http://ignored:1/v1",
        )
        flat = " ".join(out.split())
        assert code == 0, out
        assert "group smart openai/gpt-4o @ http://gpu-a:8000/v1, openai/qwen @ http://gpu-b:8000" in flat
        assert "group fast groq/llama-3.1-8b-instant" in flat
        assert "WARN LITELLM_API_BASE is ignored in router mode" in flat
        assert "WARN group smart, openai/qwen: http://gpu-b:8000 has no path" in flat
        assert "ok chat_model 'smart' is a model group" in flat
        assert "note sections not applied in router mode: litellm_settings" in flat
        assert "Model smart" not in out
        assert "Credentials" not in out

    def test_json_facts(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], router_file: Path
    ) -> None:
        code, data = doctor_json(
            monkeypatch, capsys, LITELLM_ROUTER_CONFIG=str(router_file), LITELLM_CHAT_MODEL="smart", LITELLM_API_KEY=KEY
        )
        router = data["router"]
        assert code == 0
        assert data["model"] is None
        assert data["credentials"] is None
        assert router["groups"] == {
            "smart": [
                {"model": "openai/gpt-4o", "api_base": "http://gpu-a:8000/v1"},
                {"model": "openai/qwen", "api_base": "http://gpu-b:8000"},
            ],
            "fast": [{"model": "groq/llama-3.1-8b-instant", "api_base": None}],
        }
        assert router["chat_model_group"] == "smart"
        assert router["ignored_settings"] == ["LITELLM_API_KEY"]
        assert router["ignored_sections"] == ["litellm_settings"]
        assert router["error"] is None

    def test_chat_model_that_is_no_group_fails(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], router_file: Path
    ) -> None:
        code, data = doctor_json(
            monkeypatch, capsys, LITELLM_ROUTER_CONFIG=str(router_file), LITELLM_CHAT_MODEL="gpt-4o-mini"
        )
        assert code == 1
        assert any("'gpt-4o-mini' is not a model group" in p and "groups: smart, fast" in p for p in data["problems"])

    def test_unreadable_file_fails_without_litellm(self, tmp_path: Path) -> None:
        """The file is read without litellm: a missing one is a FAIL even when litellm is unusable."""
        resolved = settings.resolve({"router_config": str(tmp_path / "nope.yaml")}, {})
        section = check_router(Setup(resolved, False, console()))
        assert section is not None
        assert [(f.level, f.text) for f in section.findings] == [
            ("problem", f"LITELLM_ROUTER_CONFIG={tmp_path / 'nope.yaml'}: file not found")
        ]
        assert section.facts["router"]["error"] == f"LITELLM_ROUTER_CONFIG={tmp_path / 'nope.yaml'}: file not found"


class TestEnvironmentCleared:
    def test_put_back_even_after_an_error(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """litellm is asked which variables a model needs with none set; the environment returns intact."""
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        before = dict(os.environ)
        with pytest.raises(RuntimeError), _environment_cleared():
            assert dict(os.environ) == {}
            raise RuntimeError
        assert dict(os.environ) == before


class TestDirector:
    """doctor's Director section against copies of the stand-in, found by the check's own subprocess."""

    GOOD = {"LITELLM_CHAT_MODEL": "openai/gpt-4o-mini", "OPENAI_API_KEY": KEY}

    @staticmethod
    def director(root: Path, monkeypatch: pytest.MonkeyPatch, patched: bool) -> Path:
        """A git repository with the stand-in at ``backend/director``, importable by the probe (no pins:
        TestDirectorPins checks those)."""
        copy_director(root)
        (root / "backend" / "requirements.txt").unlink()
        if patched:
            subprocess.run(["git", "apply", str(PATCH)], cwd=root, check=True)
        monkeypatch.setenv("PYTHONPATH", pythonpath(root / "backend"))
        return root

    @staticmethod
    def section(out: str) -> list[str]:
        lines = out.splitlines()
        start = lines.index("Director")
        return lines[start + 1 : lines.index("", start)]

    def test_change_present(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Patched Director: where it is, DEFAULT_LLM honoured, an ok line; exit 0; --json says the same."""
        root = self.director(tmp_path, monkeypatch, patched=True)
        code, out = doctor(monkeypatch, capsys, DEFAULT_LLM="litellm", **self.GOOD)
        assert code == 0, out
        assert self.section(out) == [
            f"  location          {root / 'backend' / 'director'}",
            "  DEFAULT_LLM       honoured: get_default_llm() loads from the",
            "                    director.llm_providers group",
            "  ok    with DEFAULT_LLM=litellm, Director's get_default_llm() builds",
            "        LiteLLMProvider",
        ]
        code, data = doctor_json(monkeypatch, capsys)
        facts = data["director"]
        assert (facts["importable"], facts["honours_default_llm"], facts["default_llm"]) == (True, True, "litellm")
        assert facts["location"] == str(root / "backend" / "director")

    @pytest.mark.parametrize(("default_llm", "level", "code"), [("litellm", "FAIL", 1), (None, "WARN", 0)])
    def test_change_missing(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        default_llm: str | None,
        level: str,
        code: int,
    ) -> None:
        """Unpatched: FAIL when DEFAULT_LLM=litellm is set, WARN otherwise, then the command that applies the patch."""
        root = self.director(tmp_path, monkeypatch, patched=False)
        env = {**self.GOOD, **({"DEFAULT_LLM": default_llm} if default_llm else {})}
        got, out = doctor(monkeypatch, capsys, **env)
        assert got == code, out
        lines = self.section(out)
        assert SHIPPED.read_bytes() == PATCH.read_bytes()  # the wheel ships the checkout's patch unchanged
        command = f"cd {root} && git apply {SHIPPED}"
        assert lines[:2] == [
            f"  location          {root / 'backend' / 'director'}",
            "  DEFAULT_LLM       not honoured: the director-litellm change is missing",
        ]
        text = " ".join(" ".join(lines[2:-1]).split())
        assert text.startswith(
            f"{level} with DEFAULT_LLM=litellm and a stand-in OpenAI key that the check sets itself (never sent "
            "anywhere), get_default_llm() built"
        )
        assert text.endswith("Apply the shipped patch:")
        assert lines[-1] == f"        {command}"
        got, data = doctor_json(monkeypatch, capsys)
        assert got == code
        assert data["director"]["honours_default_llm"] is False
        assert data["director"]["patch_command"] == command
        finding = data["sections"][-1]["findings"][0]
        assert finding["level"] == {"FAIL": "problem", "WARN": "warn"}[level]
        assert finding["command"] == command
        # the printed command applies the change: the next doctor says it is honoured
        subprocess.run(["bash", "-c", command], check=True)
        assert doctor_json(monkeypatch, capsys)[1]["director"]["honours_default_llm"] is True

    def test_director_absent(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """No importable director package: one note line, nothing else, exit unaffected."""
        monkeypatch.setenv("PYTHONPATH", pythonpath(tmp_path))
        code, out = doctor(monkeypatch, capsys, DEFAULT_LLM="litellm", **self.GOOD)
        assert code == 0, out
        assert self.section(out) == ["  note  Director is not importable from this Python"]
        facts = doctor_json(monkeypatch, capsys)[1]["director"]
        assert (facts["importable"], facts["location"], facts["honours_default_llm"], facts["patch_command"]) == (
            False,
            None,
            None,
            None,
        )


class TestPlaceholderKey:
    """An obvious placeholder (the README's `sk-ant-...`) is not a key: doctor is not "Ready" with it."""

    @pytest.mark.parametrize(
        "value", ["sk-ant-...", "sk-ant-…", "<your-anthropic-key>", "${ANTHROPIC_API_KEY}", "none"]
    )
    def test_placeholder_for_a_provider_endpoint_fails(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
    ) -> None:
        """Sent to the provider's own endpoint, a placeholder is refused every time: a FAIL naming the variable."""
        code, out = doctor(
            monkeypatch, capsys, LITELLM_CHAT_MODEL="anthropic/claude-sonnet-4-5", ANTHROPIC_API_KEY=value
        )
        assert code == 1 and "Ready" not in out, out
        text = " ".join(out.split())
        assert "FAIL ANTHROPIC_API_KEY holds a placeholder, not a key: set your real Anthropic key" in text

    def test_placeholder_for_a_local_server_is_a_note(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With an api_base (a local server, a proxy) a placeholder is what the docs say to set: a note, exit 0."""
        code, data = doctor_json(
            monkeypatch,
            capsys,
            LITELLM_CHAT_MODEL="openai/qwen",
            LITELLM_API_BASE="http://127.0.0.1:8000/v1",
            LITELLM_API_KEY="none",
        )
        assert code == 0 and data["problems"] == [], data["problems"]
        assert any("placeholder" in n and "api_base" in n for n in data["notes"]), data["notes"]

    @pytest.mark.parametrize("value", [KEY, "sk-ant-api03-Zq8fL2mN4pR7tV1xY3bC5dE9gH", "gsk_0123456789abcdefABCDEF"])
    def test_a_real_looking_key_is_not_a_placeholder(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
    ) -> None:
        code, data = doctor_json(
            monkeypatch, capsys, LITELLM_CHAT_MODEL="anthropic/claude-sonnet-4-5", ANTHROPIC_API_KEY=value
        )
        assert code == 0
        assert not any("placeholder" in t for t in data["problems"] + data["warnings"] + data["notes"])


class TestDirectorPins:
    """doctor warns when this Python's openai / pydantic / pydantic-settings differ from the Director checkout's pins."""

    GOOD = {"LITELLM_CHAT_MODEL": "openai/gpt-4o-mini", "OPENAI_API_KEY": KEY, "DEFAULT_LLM": "litellm"}

    @staticmethod
    def director(root: Path, monkeypatch: pytest.MonkeyPatch, pins: dict[str, str]) -> Path:
        copy_director(root)
        subprocess.run(["git", "apply", str(PATCH)], cwd=root, check=True)
        lines = ["-e .", "Flask==3.0.3", *(f"{name}=={version}" for name, version in pins.items())]
        (root / "backend" / "requirements.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        monkeypatch.setenv("PYTHONPATH", pythonpath(root / "backend"))
        return root

    @staticmethod
    def installed() -> dict[str, str]:
        from importlib.metadata import version

        return {name: version(name) for name in ("openai", "pydantic", "pydantic-settings")}

    def test_pins_met(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The checkout pins what is installed: an ok line, no warning."""
        self.director(tmp_path, monkeypatch, self.installed())
        code, data = doctor_json(monkeypatch, capsys, **self.GOOD)
        assert code == 0 and data["warnings"] == [], data["warnings"]
        assert data["director"]["pins"] == {n: {"pinned": v, "installed": v} for n, v in self.installed().items()}

    def test_pins_moved(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """openai pinned at another version than installed: a WARN naming both, and the command that keeps the pins."""
        installed = self.installed()
        root = self.director(tmp_path, monkeypatch, {**installed, "openai": "1.0.0"})
        code, out = doctor(monkeypatch, capsys, **self.GOOD)
        assert code == 0, out  # Director may still run: a warning, not a failure
        text = " ".join(out.split())
        requirements = root / "backend" / "requirements.txt"
        assert (
            f"WARN {requirements} pins openai==1.0.0, and this Python has openai {installed['openai']}: "
            "Director runs on a version it was not tested with." in text
        )
        constraints = director_check.constraints_path()
        assert constraints is not None
        assert f"pip install director-litellm -c {constraints}" in out
        # the checkout pins another openai than the shipped file (Director aa35387's): said, so the file is edited first
        assert "(the shipped file holds Director aa35387's pins, openai==1.55.3" in text
        assert "change them to this checkout's first):" in text
        facts = doctor_json(monkeypatch, capsys)[1]["director"]["pins"]
        assert facts["openai"] == {"pinned": "1.0.0", "installed": installed["openai"]}

    def test_the_stand_in_pins_what_director_pins(self) -> None:
        """The stand-in's requirements.txt and the shipped constraints file hold the same three pins."""
        standin = director_check.director_pins(REPO / "tests" / "director_standin" / "backend" / "director")
        constraints = (REPO / "integrations" / "director" / "constraints.txt").read_text(encoding="utf-8")
        shipped = dict(
            line.split("==") for line in constraints.splitlines() if "==" in line and not line.startswith("#")
        )
        assert standin == {"openai": "1.55.3", "pydantic": "2.8.2", "pydantic-settings": "2.4.0"}
        assert {name: shipped[name] for name in standin} == standin


class TestStandInWording:
    def test_the_decoy_key_is_called_what_it_is(self, tmp_path: Path) -> None:
        """The missing-change detail says the OpenAI key was doctor's own stand-in, not one the user set."""
        root = copy_director(tmp_path)
        env = {**os.environ, "PYTHONPATH": pythonpath(root / "backend")}
        status = director_check.check_director(env=env)
        assert status.honours_default_llm is False
        assert "an OpenAI key set" not in status.detail
        assert "a stand-in OpenAI key that the check sets itself (never sent anywhere)" in status.detail


class TestCommandLineDocSample:
    def test_the_sample_counts_the_settings_it_does_not_show(self) -> None:
        """docs/command-line.md's doctor sample: 'N other settings' is the number of settings it leaves out."""
        from director_litellm._config import LiteLLMConfig

        text = (REPO / "docs" / "command-line.md").read_text(encoding="utf-8")
        sample = text.split("Configuration\n", 1)[1].split("\n\n", 1)[0].splitlines()
        shown = [line.split()[0] for line in sample if not line.strip().startswith("(")]
        counted = int(sample[-1].split("(")[1].split()[0])
        assert counted == len(LiteLLMConfig.model_fields) - len(shown)


class TestObservability:
    @pytest.fixture
    def tracer_provider(self, monkeypatch: pytest.MonkeyPatch) -> Any:
        """A clean slate for opentelemetry's global TracerProvider; set it with the returned function."""
        pytest.importorskip("opentelemetry.sdk")
        from opentelemetry import trace
        from opentelemetry.util._once import Once

        monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", Once())
        monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
        return trace.set_tracer_provider

    def observability(self, monkeypatch: pytest.MonkeyPatch, **env: str) -> Section:
        from director_litellm import _backend, _litellm

        for name, value in env.items():
            monkeypatch.setenv(name, value)
        _backend._with_callbacks.cache_clear()
        _litellm.callback.cache_clear()
        resolved = settings.resolve({}, {})
        return check_observability(Setup(resolved, True, console()))

    def test_tracing_off_and_the_callbacks_listed(self, monkeypatch: pytest.MonkeyPatch, tracer_provider: Any) -> None:
        """No TracerProvider: tracing off; the callbacks calls carry are listed, an unusable one is a WARN."""
        s = self.observability(monkeypatch, LITELLM_CALLBACKS='["langfuse", "no_such_module_here:Logger"]')
        rows = dict(s.rows)
        assert rows["tracing"].startswith("off in this process")
        assert rows["litellm callbacks"] == "langfuse"
        assert rows["message content"] == "not recorded"
        assert s.facts["observability"]["callbacks"] == ["langfuse"]
        assert [f.level for f in s.findings] == ["warn"]
        assert "no_such_module_here:Logger" in s.findings[0].text

    def test_tracing_on_names_the_exporter(self, monkeypatch: pytest.MonkeyPatch, tracer_provider: Any) -> None:
        """A configured SDK: tracing on, its exporter named; litellm's otel callback as well is a WARN."""
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
        tracer_provider(provider)
        s = self.observability(monkeypatch, LITELLM_CALLBACKS='["otel"]', OTEL_TRACES_EXPORTER="otlp")
        rows = dict(s.rows)
        assert rows["tracing"] == "on: TracerProvider, exporters: InMemorySpanExporter"
        assert rows["OTEL_TRACES_EXPORTER"] == "otlp"
        assert [f.text for f in s.findings if f.level == "warn"] == [
            "both this package's spans and litellm's otel callback are on: each call is traced twice"
        ]
