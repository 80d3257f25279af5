"""The ``director-litellm`` console script, run for real in a subprocess against the loopback fakes."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from director_litellm import cli, supply_chain
from tests.conftest import _ISOLATED_PREFIXES, _OFFLINE
from tests.fakes import FakeAnthropic, FakeOpenAI

SCRIPT = Path(sys.executable).parent / "director-litellm"
KEY = "sk-test-cli-0123456789abcdefXYZ"
OTHER_KEY = "sk-other-cli-9876543210fedcbaQRS"


def run_cli(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """The installed console script with a clean environment: only what the test sets, offline data."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_ISOLATED_PREFIXES)}
    clean.update({name: "True" for name in _OFFLINE})
    clean["COLUMNS"] = "80"
    clean.update(env or {})
    return subprocess.run([str(SCRIPT), *args], env=clean, input=stdin, capture_output=True, text=True, timeout=timeout)


def openai_env(fake: FakeOpenAI, **extra: str) -> dict[str, str]:
    return {
        "LITELLM_CHAT_MODEL": "openai/gpt-4o-mini",
        "LITELLM_API_BASE": fake.url,
        "LITELLM_API_KEY": KEY,
        "LITELLM_NUM_RETRIES": "0",
        **extra,
    }


def assert_fits_80_columns(text: str) -> None:
    too_wide = [line for line in text.splitlines() if len(line) > 80]
    assert too_wide == []


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """``main`` configures logging for its own process; put it back after an in-process run."""
    yield
    logging.disable(logging.NOTSET)
    logging.captureWarnings(False)


def test_console_script_is_installed() -> None:
    """The console script sits next to the interpreter running the tests."""
    assert SCRIPT.exists(), f"{SCRIPT} missing: pip install -e . in this environment"


class TestChat:
    def test_prints_the_answer_and_exits_zero(self, openai_fake: FakeOpenAI) -> None:
        """The answer goes to stdout; tokens and latency to stderr; exit 0; the key went in the header."""
        openai_fake.reply("Hello from the fake.")
        result = run_cli("chat", "Say hello", env=openai_env(openai_fake))
        assert result.returncode == 0, result.stderr
        assert result.stdout == "Hello from the fake.\n"
        assert "15 tokens" in result.stderr and " ms " in result.stderr
        assert openai_fake.violations == []
        request = openai_fake.requests[-1]
        assert request.headers["authorization"] == f"Bearer {KEY}"
        assert request.body["messages"] == [{"role": "user", "content": "Say hello"}]

    def test_json_output_and_flags(self, openai_fake: FakeOpenAI, tmp_path: Path) -> None:
        """--json prints the response with latency_ms; --system, --max-tokens and --tools reach the wire."""
        tools = tmp_path / "tools.json"
        tools.write_text(
            json.dumps(
                [
                    {
                        "name": "search",
                        "description": "Search videos",
                        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
                    }
                ]
            )
        )
        openai_fake.reply(None, tool_calls=[{"id": "call_1", "name": "search", "arguments": '{"q": "cats"}'}])
        result = run_cli(
            "chat",
            "Find cats",
            "--system",
            "Be brief.",
            "--max-tokens",
            "77",
            "--tools",
            str(tools),
            "--json",
            env=openai_env(openai_fake),
        )
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["status"] and data["content"] == "" and data["total_tokens"] == 15
        assert data["latency_ms"] > 0 and data["model"]
        assert data["tool_calls"] == [
            {"id": "call_1", "type": "function", "tool": {"name": "search", "arguments": {"q": "cats"}}}
        ]
        body = openai_fake.requests[-1].body
        assert body["messages"][0] == {"role": "system", "content": "Be brief."}
        assert body["max_tokens"] == 77 and body["tools"][0]["function"]["name"] == "search"

    def test_tool_calls_are_printed_and_prompt_read_from_stdin(self, openai_fake: FakeOpenAI, tmp_path: Path) -> None:
        """A tool call is printed as name(arguments); PROMPT "-" reads the message from stdin."""
        tools = tmp_path / "tools.json"
        tools.write_text(json.dumps([{"name": "search", "description": "Search", "parameters": {"type": "object"}}]))
        openai_fake.reply("Searching.", tool_calls=[{"id": "call_9", "name": "search", "arguments": '{"q": "dogs"}'}])
        result = run_cli("chat", "-", "--tools", str(tools), env=openai_env(openai_fake), stdin="Find dogs\n")
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["Searching.", '->  search({"q": "dogs"})  id=call_9']
        assert openai_fake.requests[-1].body["messages"][-1]["content"] == "Find dogs\n"

    def test_upstream_401_is_one_line_on_stderr(self, openai_fake: FakeOpenAI) -> None:
        """A 401 gives exit 1, nothing on stdout, one line on stderr, and the key nowhere."""
        openai_fake.reply_error(401, f"Incorrect API key provided: {KEY}.")
        result = run_cli("chat", "Hello", env=openai_env(openai_fake))
        assert result.returncode == 1
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("director-litellm: error: ") and "API key" in lines[0] and "auth" in lines[0]
        assert KEY not in result.stderr + result.stdout

    def test_anthropic(self, anthropic_fake: FakeAnthropic) -> None:
        """A Claude model through the Anthropic wire answers too."""
        anthropic_fake.reply("Hello from Claude.")
        env = {
            "LITELLM_CHAT_MODEL": "anthropic/claude-sonnet-4-5",
            "LITELLM_API_BASE": anthropic_fake.url,
            "ANTHROPIC_API_KEY": KEY,
            "LITELLM_NUM_RETRIES": "0",
        }
        result = run_cli("chat", "Say hello", "--temperature", "0.2", env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "Hello from Claude.\n"
        assert anthropic_fake.violations == []
        request = anthropic_fake.requests[-1]
        assert request.path == "/v1/messages" and request.headers["x-api-key"] == KEY
        assert request.body["temperature"] == 0.2

    def test_bad_flag_value_names_the_flag(self) -> None:
        """An out-of-range --temperature is refused before anything is sent, naming the flag."""
        result = run_cli("chat", "Hello", "--temperature", "7")
        assert result.returncode == 1 and result.stdout == ""
        assert len(result.stderr.splitlines()) == 1 and "--temperature" in result.stderr


class TestDoctor:
    def test_good_setup_exits_zero_with_the_key_masked(self) -> None:
        """A known model with its key set: exit 0, capabilities shown, the key only masked, 80 columns."""
        result = run_cli(
            "doctor", env={"LITELLM_CHAT_MODEL": "openai/gpt-4o-mini", "OPENAI_API_KEY": KEY, "DEFAULT_LLM": "litellm"}
        )
        assert result.returncode == 0, result.stdout + result.stderr
        out = result.stdout
        assert "Ready: no problems" in out
        assert "function calling yes" in out and "128,000 tokens in" in out
        assert f"OPENAI_API_KEY = {cli.mask(KEY)}" in out
        assert KEY not in out + result.stderr
        assert f"litellm {supply_chain.installed_version()} is not a known-bad release" in out
        assert_fits_80_columns(out)

    def test_bad_value_fails_naming_the_variable(self) -> None:
        """LITELLM_TEMPERATURE=hot is a FAIL that names the variable; exit 1."""
        result = run_cli(
            "doctor",
            env={"LITELLM_CHAT_MODEL": "openai/gpt-4o-mini", "OPENAI_API_KEY": KEY, "LITELLM_TEMPERATURE": "hot"},
        )
        assert result.returncode == 1
        fail = [line for line in result.stdout.splitlines() if line.lstrip().startswith("FAIL")]
        assert fail and "LITELLM_TEMPERATURE" in fail[0]
        assert "Not ready" in result.stdout

    def test_no_key_for_the_model_fails(self) -> None:
        """No key for a model that needs one: exit 1, naming the variable; a misspelt key is pointed out."""
        result = run_cli(
            "doctor", "--json", env={"LITELLM_CHAT_MODEL": "anthropic/claude-sonnet-4-5", "ANTHROPIC_KEY": KEY}
        )
        assert result.returncode == 1
        data = json.loads(result.stdout)
        assert data["ok"] is False
        assert any("ANTHROPIC_API_KEY" in p and "ANTHROPIC_KEY is set" in p for p in data["problems"])
        assert KEY not in result.stdout

    def test_json_is_pure_even_when_litellm_prints_banners(self) -> None:
        """An unroutable model makes litellm print "Provider List" banners; stdout is still only JSON."""
        result = run_cli("doctor", "--json", env={"LITELLM_CHAT_MODEL": "foo/bar-unknown"})
        data = json.loads(result.stdout)  # the assertion: nothing but JSON on stdout
        assert "Provider List" not in result.stdout + result.stderr
        assert result.returncode == 1 and data["ok"] is False
        assert any("foo/bar-unknown" in p for p in data["problems"])

    def test_unknown_model_misspelling_and_key_clash(self) -> None:
        """An unmapped model is a warning; LITELLM_CHAT_MODLE gets a suggestion; LITELLM_API_KEY wins a clash."""
        env = {
            "LITELLM_CHAT_MODEL": "openai/my-finetune-xyz",
            "LITELLM_CHAT_MODLE": "openai/gpt-4o",
            "LITELLM_API_KEY": KEY,
            "OPENAI_API_KEY": OTHER_KEY,
        }
        result = run_cli("doctor", "--json", env=env)
        assert result.returncode == 0, result.stdout
        data = json.loads(result.stdout)
        assert data["ok"] is True and data["problems"] == []
        assert data["model"]["provider"] == "openai" and data["model"]["known"] is False
        assert data["environment"]["misspelled"] == [{"name": "LITELLM_CHAT_MODLE", "suggestion": "LITELLM_CHAT_MODEL"}]
        warnings_text = " ".join(data["warnings"])
        assert "did you mean LITELLM_CHAT_MODEL?" in warnings_text
        assert "LITELLM_API_KEY wins" in warnings_text and "unknown model" in warnings_text
        assert data["credentials"]["key_variable"] == "LITELLM_API_KEY"
        assert data["config"]["values"]["api_key"] == cli.mask(KEY)
        assert KEY not in result.stdout and OTHER_KEY not in result.stdout

    def test_stray_pth_file_is_flagged(self, tmp_path: Path) -> None:
        """A litellm_init.pth in the scanned site-packages is a FAIL (exit 1) naming the file."""
        (tmp_path / "litellm_init.pth").write_text("import os; exec('...')\n")
        (tmp_path / "distutils-precedence.pth").write_text("import os\n")
        result = run_cli(
            "doctor",
            "--site-packages",
            str(tmp_path),
            env={"LITELLM_CHAT_MODEL": "openai/gpt-4o-mini", "OPENAI_API_KEY": KEY},
        )
        assert result.returncode == 1
        out = " ".join(result.stdout.split())  # undo the wrapping
        assert f"FAIL {tmp_path / 'litellm_init.pth'}" in out and "rotate every credential" in out
        assert "distutils-precedence.pth" not in out


class TestInProcess:
    """Paths that need a patched litellm version or import; ``main`` runs in this process."""

    def test_blocked_release_fails_without_importing_litellm(
        self,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        restored_logging: None,
    ) -> None:
        """A compromised litellm version is a FAIL with the install advice; model checks are skipped."""
        monkeypatch.setattr(supply_chain, "installed_version", lambda: "1.82.7")
        monkeypatch.setattr(cli, "_import_litellm", lambda: pytest.fail("litellm must not be imported"))
        code = cli.main(["doctor", "--json", "--site-packages", os.devnull])
        data = json.loads(capsys.readouterr().out)
        assert code == 1 and data["litellm"]["verdict"] == "blocked"
        assert any("1.82.7 is blocked" in p and supply_chain.SAFE_INSTALL in p for p in data["problems"])
        assert data["model"] is None and data["credentials"] is None

    def test_litellm_that_cannot_be_imported_fails(
        self,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        restored_logging: None,
    ) -> None:
        """An import error of litellm is a FAIL naming the error."""

        def broken() -> None:
            raise ModuleNotFoundError("No module named 'tokenizers'")

        monkeypatch.setattr(cli, "_import_litellm", broken)
        code = cli.main(["doctor", "--json", "--site-packages", os.devnull])
        data = json.loads(capsys.readouterr().out)
        assert code == 1 and data["litellm"]["importable"] is False
        assert any("cannot be imported" in p and "tokenizers" in p for p in data["problems"])

    def test_chat_with_a_blocked_release_sends_nothing(
        self,
        openai_fake: FakeOpenAI,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        restored_logging: None,
    ) -> None:
        """chat under a compromised litellm: one error line saying what to install, exit 1, no request."""
        monkeypatch.setattr(supply_chain, "installed_version", lambda: "1.82.7")
        supply_chain.check_installed.cache_clear()
        try:
            code = cli.main(["chat", "Hello", "--model", "openai/gpt-4o-mini", "--api-base", openai_fake.url])
        finally:
            supply_chain.check_installed.cache_clear()
        out, err = capsys.readouterr()
        assert code == 1 and out == ""
        assert len(err.splitlines()) == 1 and "blocked_version" in err and supply_chain.SAFE_INSTALL in err
        assert openai_fake.requests == []


class TestProviders:
    def test_lists_this_package(self) -> None:
        """The table lists litellm -> director_litellm.provider:LiteLLMProvider with its distribution."""
        result = run_cli("providers")
        assert result.returncode == 0, result.stderr
        rows = [line.split() for line in result.stdout.splitlines()]
        assert rows[0] == ["NAME", "TARGET", "DISTRIBUTION"]
        assert ["litellm", "director_litellm.provider:LiteLLMProvider", f"director-litellm=={cli.__version__}"] in rows

    def test_check_loads_it(self) -> None:
        """--check imports the provider on its own and says OK."""
        result = run_cli("providers", "--check")
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.splitlines()[-1].split() == ["litellm", "OK"]

    def test_check_reports_why_a_provider_fails(
        self,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        restored_logging: None,
    ) -> None:
        """A provider that fails to load is FAILED with the reason, the others still checked; exit 1."""
        from director_litellm import discovery

        infos = [
            discovery.ProviderInfo("broken", "broken_pkg:Provider", "broken-pkg", "0.1"),
            discovery.ProviderInfo(
                "litellm", "director_litellm.provider:LiteLLMProvider", "director-litellm", cli.__version__
            ),
        ]

        def load(name: str) -> object:
            if name == "broken":
                raise discovery.ProviderImportError("LLM provider 'broken' failed to import: boom")
            return object

        monkeypatch.setattr(discovery, "available_providers", lambda: infos)
        monkeypatch.setattr(discovery, "load_provider", load)
        code = cli.main(["providers", "--check"])
        out = " ".join(capsys.readouterr().out.split())  # undo the wrapping
        assert code == 1
        assert out.endswith(
            "broken FAILED: ProviderImportError: LLM provider 'broken' failed to import: boom litellm OK"
        )


class TestHelp:
    @pytest.mark.parametrize("command", [[], ["providers"], ["doctor"], ["chat"]])
    def test_help_has_examples(self, command: list) -> None:
        """Every command's --help exits 0, shows examples and fits 80 columns."""
        result = run_cli(*command, "--help")
        assert result.returncode == 0, result.stderr
        assert "examples:" in result.stdout and "director-litellm " in result.stdout
        assert_fits_80_columns(result.stdout)

    def test_version(self) -> None:
        """--version names this package's and litellm's versions."""
        result = run_cli("--version")
        assert result.returncode == 0
        assert result.stdout.strip() == (
            f"director-litellm {cli.__version__} (litellm "
            f"{supply_chain.installed_version()}, Python {sys.version.split()[0]})"
        )


class TestMask:
    @pytest.mark.parametrize(
        ("secret", "shown"),
        [
            ("sk-ant-dummy", "sk-a...my (12 chars)"),
            ("short", "**** (5 chars)"),
            (KEY, "sk-t...YZ (31 chars)"),
        ],
    )
    def test_mask(self, secret: str, shown: str) -> None:
        """A key is shown as its first four and last two characters, short ones not at all."""
        assert cli.mask(secret) == shown


class TestFit:
    def test_long_paths_are_cut_from_the_left(self) -> None:
        """A long interpreter path keeps its end and fits the width; a short one is unchanged."""
        from director_litellm.cli import _fit

        long = "/tmp/director-litellm-ci.BlmZJN/some/very/long/folder/name/A/bin/python3"
        assert len(_fit(long, 40)) == 40 and _fit(long, 40).endswith("A/bin/python3")
        assert _fit("/usr/bin/python3", 40) == "/usr/bin/python3"
