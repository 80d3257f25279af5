"""The ``director-litellm`` command: ``main`` run in this process, plus four smoke runs of the real script.

doctor has its own module (test_doctor.py).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from director_litellm import __version__, cli, discovery
from director_litellm import _supply_chain as supply_chain
from director_litellm._errors import ConfigProblem
from director_litellm.cli import _console as console_module
from director_litellm.cli._settings import resolve
from tests.environment import COLUMNS as WIDTH
from tests.environment import OFFLINE_ENV, isolated
from tests.fakes import FakeAnthropic, FakeOpenAI, running

SCRIPT = Path(sys.executable).parent / "director-litellm"
KEY = "sk-test-cli-0123456789abcdefXYZ"
pytestmark = pytest.mark.usefixtures("columns")


def run_script(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The installed console script in a fresh process, stdout and stderr on pipes, no outer settings."""
    full = {**isolated(dict(os.environ)), "COLUMNS": str(WIDTH), **env}
    return subprocess.run([str(SCRIPT), *args], env=full, capture_output=True, text=True, timeout=120)


def run_with_tty_stderr(command: list[str], *args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """``command`` in a fresh process, stderr on a pseudo-terminal, stdout on a pipe, no outer settings."""
    import pty

    primary, secondary = pty.openpty()
    full = {**isolated(dict(os.environ)), "COLUMNS": str(WIDTH), **env}
    try:
        proc = subprocess.Popen([*command, *args], stdout=subprocess.PIPE, stderr=secondary, env=full, text=True)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            chunks.append(chunk)
        out, _ = proc.communicate(timeout=120)
    finally:
        os.close(primary)
    return proc.returncode, out, b"".join(chunks).decode()


# Each fresh process imports litellm (seconds): tests that read the same run's output share it.
@pytest.fixture(scope="module")
def piped_chat() -> Iterator[tuple[subprocess.CompletedProcess[str], FakeOpenAI]]:
    """`director-litellm chat "Say hello"` through the fake, stderr on a pipe (CI, a log file)."""
    with running(FakeOpenAI) as fake:
        fake.reply("Hello from the fake.")
        env = {"LITELLM_CHAT_MODEL": "openai/gpt-4o-mini", "LITELLM_API_BASE": fake.url, "LITELLM_API_KEY": KEY}
        yield run_script("chat", "Say hello", env=env), fake


@pytest.fixture(scope="module")
def doctor_json_on_a_terminal() -> tuple[int, str, str]:
    """`director-litellm doctor --json` for an unroutable model (litellm prints "Provider List" banners for
    it, after its import), stderr on a terminal: (exit code, stdout, terminal output)."""
    return run_with_tty_stderr([str(SCRIPT)], "doctor", "--json", env={"LITELLM_CHAT_MODEL": "foo/bar-unknown"})


def openai_env(monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAI) -> None:
    for name, value in {
        "LITELLM_CHAT_MODEL": "openai/gpt-4o-mini",
        "LITELLM_API_BASE": fake.url,
        "LITELLM_API_KEY": KEY,
        "LITELLM_NUM_RETRIES": "0",
    }.items():
        monkeypatch.setenv(name, value)


def assert_fits(text: str) -> None:
    assert [line for line in text.splitlines() if len(line) > WIDTH] == []


def tools_file(tmp_path: Path) -> Path:
    path = tmp_path / "tools.json"
    schema = {"type": "object", "properties": {"q": {"type": "string"}}}
    path.write_text(json.dumps([{"name": "search", "description": "Search videos", "parameters": schema}]))
    return path


class TestChat:
    def test_prints_the_answer_and_exits_zero(
        self, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The answer goes to stdout; tokens and latency to stderr; exit 0; the key went in the header."""
        openai_env(monkeypatch, openai_fake)
        openai_fake.reply("Hello from the fake.")
        code = cli.main(["chat", "Say hello"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert out == "Hello from the fake.\n"
        assert "15 tokens" in err
        assert " ms " in err
        assert openai_fake.violations == []
        request = openai_fake.requests[-1]
        assert request.headers["authorization"] == f"Bearer {KEY}"
        assert request.body["messages"] == [{"role": "user", "content": "Say hello"}]

    def test_json_output_and_flags(
        self,
        openai_fake: FakeOpenAI,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        """--json prints the response with latency_ms; --system, --max-tokens and --tools reach the wire."""
        openai_env(monkeypatch, openai_fake)
        openai_fake.reply(None, tool_calls=[{"id": "call_1", "name": "search", "arguments": '{"q": "cats"}'}])
        argv = [
            "chat",
            "Find cats",
            "--system",
            "Be brief.",
            "--max-tokens",
            "77",
            "--tools",
            str(tools_file(tmp_path)),
        ]
        code = cli.main([*argv, "--json"])
        out, err = capsys.readouterr()
        assert code == 0, err
        data = json.loads(out)
        assert data["status"]
        assert data["content"] == ""
        assert data["total_tokens"] == 15
        assert data["latency_ms"] > 0
        assert data["model"]
        usage = data["usage"]  # the provider's ledger: this one call, the fake's usage (10 in, 5 out)
        assert (usage["calls"], usage["attempts"], usage["input_tokens"], usage["output_tokens"]) == (1, 1, 10, 5)
        assert usage["by_model"]["openai/gpt-4o-mini"]["calls"] == 1
        assert data["tool_calls"] == [
            {"id": "call_1", "type": "function", "tool": {"name": "search", "arguments": {"q": "cats"}}}
        ]
        body = openai_fake.requests[-1].body
        assert body["messages"][0] == {"role": "system", "content": "Be brief."}
        assert body["max_tokens"] == 77
        assert body["tools"][0]["function"]["name"] == "search"

    def test_tool_calls_are_printed_and_prompt_read_from_stdin(
        self,
        openai_fake: FakeOpenAI,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        """A tool call is printed as name(arguments); PROMPT "-" reads the message from stdin."""
        openai_env(monkeypatch, openai_fake)
        monkeypatch.setattr(sys, "stdin", io.StringIO("Find dogs\n"))
        openai_fake.reply("Searching.", tool_calls=[{"id": "call_9", "name": "search", "arguments": '{"q": "dogs"}'}])
        code = cli.main(["chat", "-", "--tools", str(tools_file(tmp_path))])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert out.splitlines() == ["Searching.", '->  search({"q": "dogs"})  id=call_9']
        assert openai_fake.requests[-1].body["messages"][-1]["content"] == "Find dogs\n"

    def test_upstream_401_is_one_line_on_stderr(
        self, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A 401 gives exit 1, nothing on stdout, one line on stderr, and the key nowhere."""
        openai_env(monkeypatch, openai_fake)
        openai_fake.reply_error(401, f"Incorrect API key provided: {KEY}.")
        code = cli.main(["chat", "Hello"])
        out, err = capsys.readouterr()
        assert code == 1
        assert out == ""
        assert len(err.splitlines()) == 1, err
        assert err.startswith("director-litellm: error: ")
        assert "API key" in err
        assert "[auth, HTTP 401" in err
        assert KEY not in out + err

    def test_no_key_anywhere_is_a_config_error(
        self, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``chat "hi"`` with no key and no LITELLM_*: one config line naming the variable; nothing sent (defect 7)."""
        assert cli.main(["chat", "hi"]) == 1
        out, err = capsys.readouterr()
        assert out == "" and len(err.splitlines()) == 1, err
        assert "set OPENAI_API_KEY (or LITELLM_API_KEY)" in err
        assert "[config" in err
        assert "rejected the API key" not in err
        monkeypatch.setenv("LITELLM_API_BASE", openai_fake.url)
        assert cli.main(["chat", "hi"]) == 1
        assert "set OPENAI_API_KEY (or LITELLM_API_KEY)" in capsys.readouterr().err
        assert openai_fake.requests == []

    def test_anthropic(
        self, anthropic_fake: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A Claude model through the Anthropic wire answers too; --temperature reaches it."""
        monkeypatch.setenv("LITELLM_CHAT_MODEL", "anthropic/claude-sonnet-4-5")
        monkeypatch.setenv("LITELLM_API_BASE", anthropic_fake.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        monkeypatch.setenv("LITELLM_NUM_RETRIES", "0")
        anthropic_fake.reply("Hello from Claude.")
        code = cli.main(["chat", "Say hello", "--temperature", "0.2"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert out == "Hello from Claude.\n"
        assert anthropic_fake.violations == []
        request = anthropic_fake.requests[-1]
        assert request.path == "/v1/messages"
        assert request.headers["x-api-key"] == KEY
        assert request.body["temperature"] == 0.2

    def anthropic_env(self, monkeypatch: pytest.MonkeyPatch, fake: FakeAnthropic) -> None:
        monkeypatch.setenv("LITELLM_CHAT_MODEL", "anthropic/claude-sonnet-4-5")
        monkeypatch.setenv("LITELLM_API_BASE", fake.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        monkeypatch.setenv("LITELLM_NUM_RETRIES", "0")

    def test_summary_shows_cache_reads_and_writes(
        self, anthropic_fake: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Anthropic's usage with cache reads and writes: all input counted, then what was cached and written."""
        self.anthropic_env(monkeypatch, anthropic_fake)
        usage = {"input_tokens": 100, "output_tokens": 7, "cache_read_input_tokens": 5000}
        anthropic_fake.reply("ok", usage={**usage, "cache_creation_input_tokens": 3000})
        assert cli.main(["chat", "Hi"]) == 0
        assert " | 8100 in (5000 cached, 3000 written) + 7 out = 8107 tokens | " in capsys.readouterr().err

    def test_summary_of_a_cached_prompt(
        self, anthropic_fake: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A system prompt above Sonnet 4.5's 1,024-token minimum: written by the first call, read by the second."""
        self.anthropic_env(monkeypatch, anthropic_fake)
        system = "You are Director's summary agent. Reply in JSON. " * 120  # ~6k characters, ~1.5k tokens
        summaries = []
        for _ in range(2):
            assert cli.main(["chat", "Summarise video v1.", "--system", system]) == 0
            summaries.append(capsys.readouterr().err.split(" | ")[1])
        first, second = summaries
        written = int(first.split("(")[1].split()[0])
        assert written > 1024
        assert first.split("(")[1].startswith(f"{written} written)")
        assert second.split("(")[1].startswith(f"{written} cached)")
        assert first.split(" in ")[0] == second.split(" in ")[0]  # the same input, counted whole both times
        assert anthropic_fake.violations == []

    def test_bad_flag_value_names_the_flag(
        self, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An out-of-range --temperature is refused before anything is sent, naming the flag, not the field."""
        openai_env(monkeypatch, openai_fake)
        code = cli.main(["chat", "Hello", "--temperature", "7"])
        out, err = capsys.readouterr()
        assert code == 1
        assert out == ""
        assert err.splitlines() == [
            "director-litellm: error: invalid configuration: --temperature 7.0: Input should be less than or equal to 2"
        ]
        assert openai_fake.requests == []

    def test_bad_variable_is_named_by_its_variable(
        self, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A bad LITELLM_MAX_TOKENS is named by the variable even when other flags are given."""
        openai_env(monkeypatch, openai_fake)
        monkeypatch.setenv("LITELLM_MAX_TOKENS", "0")
        code = cli.main(["chat", "Hello", "--temperature", "0.5"])
        err = capsys.readouterr().err
        assert code == 1
        assert 'LITELLM_MAX_TOKENS "0": Input should be greater than 0' in err
        assert "--max-tokens" not in err
        assert openai_fake.requests == []

    def test_chat_with_a_blocked_release_sends_nothing(
        self, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """chat under a compromised litellm: one error line saying what to install, exit 1, no request."""
        monkeypatch.setattr(supply_chain, "installed_version", lambda: "1.82.7")
        supply_chain.check_installed.cache_clear()
        try:
            code = cli.main(["chat", "Hello", "--model", "openai/gpt-4o-mini", "--api-base", openai_fake.url])
        finally:
            supply_chain.check_installed.cache_clear()
        out, err = capsys.readouterr()
        assert code == 1
        assert out == ""
        assert len(err.splitlines()) == 1
        assert "blocked_version" in err
        assert supply_chain.SAFE_INSTALL in err
        assert openai_fake.requests == []

    def test_unknown_option_prints_chats_own_usage(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`chat --bogus hi` is a usage error (exit 2) shown with chat's usage, not the top-level one."""
        with pytest.raises(SystemExit) as exited:
            cli.main(["chat", "--bogus", "hi"])
        err = capsys.readouterr().err
        assert exited.value.code == 2
        assert err.startswith("usage: director-litellm chat ")
        assert err.splitlines()[-1] == "director-litellm chat: error: unrecognized arguments: --bogus"

    def test_unknown_top_level_option_keeps_the_top_level_usage(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown option before the command is the top-level parser's to report."""
        with pytest.raises(SystemExit) as exited:
            cli.main(["--bogus", "chat", "hi"])
        err = capsys.readouterr().err
        assert exited.value.code == 2
        assert err.startswith("usage: director-litellm [-h]")
        assert "unrecognized arguments: --bogus" in err


class TestResolvedConfig:
    """The command names a bad setting from ConfigError's problems: its flag, else its variable."""

    def test_problems_name_flag_or_variable(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("LITELLM_TOP_P", "2")
        resolved = resolve({"temperature": 9.0}, {"temperature": "--temperature"})
        assert resolved.problems == (
            ConfigProblem("temperature", "LITELLM_TEMPERATURE", "9.0", "Input should be less than or equal to 2"),
            ConfigProblem("top_p", "LITELLM_TOP_P", '"2"', "Input should be less than or equal to 1"),
        )
        assert [resolved.where(p) for p in resolved.problems] == ["--temperature", "LITELLM_TOP_P"]
        assert resolved.invalid == ["temperature", "top_p"]

    def test_invalid_fields_fall_back_to_defaults_and_the_rest_is_kept(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A bad value does not hide the others: the config is built with the bad ones at their defaults."""
        monkeypatch.setenv("LITELLM_TEMPERATURE", "hot")
        monkeypatch.setenv("LITELLM_MAX_TOKENS", "123")
        resolved = resolve({}, {})
        assert resolved.config.temperature == 0.9
        assert resolved.config.max_tokens == 123
        assert resolved.shown()["temperature"] == "(invalid)"
        assert resolved.sources == {"temperature": "LITELLM_TEMPERATURE", "max_tokens": "LITELLM_MAX_TOKENS"}

    def test_a_field_without_a_flag_is_named_as_given(self) -> None:
        resolved = resolve({"timeout": -1}, {})
        assert resolved.error() == "invalid director-litellm configuration: timeout= -1: Input should be greater than 0"


class TestProviders:
    def test_lists_this_package(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The table lists litellm -> director_litellm.provider:LiteLLMProvider with its distribution."""
        code = cli.main(["providers"])
        rows = [line.split() for line in capsys.readouterr().out.splitlines()]
        assert code == 0
        assert rows[0] == ["NAME", "TARGET", "DISTRIBUTION"]
        assert ["litellm", "director_litellm.provider:LiteLLMProvider", f"director-litellm=={__version__}"] in rows

    def test_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        code = cli.main(["providers", "--json"])
        data = json.loads(capsys.readouterr().out)
        assert code == 0
        assert data["group"] == "director.llm_providers"
        assert {"name": "litellm", "target": "director_litellm.provider:LiteLLMProvider"}.items() <= next(
            p for p in data["providers"] if p["name"] == "litellm"
        ).items()

    def test_check_reports_why_a_provider_fails(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A provider that fails to load is FAILED with the reason, the others still loaded by name; exit 1."""
        from director_litellm.provider import LiteLLMProvider

        infos = [
            discovery.ProviderInfo("broken", "broken_pkg:Provider", "broken-pkg", "0.1"),
            discovery.ProviderInfo("litellm", "director_litellm.provider:LiteLLMProvider", "director-litellm", "1"),
        ]
        loadable: dict[str, type] = {"litellm": LiteLLMProvider}
        asked: list[str] = []

        def load(name: str) -> type:
            """Like load_provider: a name it does not know is an error, as is the broken plugin."""
            asked.append(name)
            if name == "broken":
                raise discovery.ProviderImportError("LLM provider 'broken' failed to import: boom")
            if name not in loadable:
                raise discovery.ProviderNotFoundError(f"no LLM provider named {name!r}")
            return loadable[name]

        monkeypatch.setattr(discovery, "available_providers", lambda: infos)
        monkeypatch.setattr(discovery, "load_provider", load)
        code = cli.main(["providers", "--check"])
        out = " ".join(capsys.readouterr().out.split())  # undo the wrapping
        assert code == 1
        assert asked == ["broken", "litellm"]
        assert out.endswith(
            "broken FAILED: ProviderImportError: LLM provider 'broken' failed to import: boom litellm OK"
        )

    def test_none_installed_exits_one(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setattr(discovery, "available_providers", list)
        assert cli.main(["providers"]) == 1
        assert "No LLM providers are installed" in capsys.readouterr().out


class TestExits:
    def test_keyboard_interrupt_is_exit_130_with_one_line(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Ctrl-C during a command: exit 130 and one line on stderr, no traceback."""

        def interrupted() -> list[discovery.ProviderInfo]:
            raise KeyboardInterrupt

        monkeypatch.setattr(discovery, "available_providers", interrupted)
        code = cli.main(["providers"])
        out, err = capsys.readouterr()
        assert code == 130
        assert out == ""
        assert err == "director-litellm: error: interrupted\n"

    def test_broken_pipe_exits_zero_and_silences_stdout(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """`director-litellm providers | head -0`: exit 0, and stdout is swapped so the final flush cannot fail."""

        class ClosedPipe(io.StringIO):
            def write(self, text: str) -> int:
                raise BrokenPipeError(32, "Broken pipe")

        closed = ClosedPipe()
        monkeypatch.setattr(sys, "stdout", closed)
        code = cli.main(["providers"])
        swapped = sys.stdout
        assert code == 0
        assert swapped is not closed
        assert swapped.name == os.devnull
        swapped.close()

    def test_exit_codes_are_documented(self) -> None:
        """docs/command-line.md's exit-code table lists the codes the command's docstring lists."""
        docs = (Path(__file__).resolve().parents[1] / "docs" / "command-line.md").read_text(encoding="utf-8")
        documented = {int(code) for code in re.findall(r"^\| (\d+) \|", docs, re.M)}
        listed = {int(code) for code in re.findall(r"^ {4}(\d+) {2,}", cli.__doc__ or "", re.M)}
        assert documented == listed == {0, 1, 2, 130}

    def test_no_command_prints_help_and_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main([]) == 2
        assert capsys.readouterr().out.startswith("usage: director-litellm")

    def test_logging_is_put_back(self, capsys: pytest.CaptureFixture[str]) -> None:
        """main silences logging for its run only (so it can run inside another process)."""
        import logging

        cli.main(["providers"])
        assert logging.root.manager.disable == logging.NOTSET
        assert logging.getLogger("director_litellm").level == logging.NOTSET


class TestDemo:
    def test_prints_each_step_and_exits_zero(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`demo` runs the four steps of a Director turn on stdout, with no key set, and exits 0."""
        code = cli.main(["demo"])
        out, err = capsys.readouterr()
        assert code == 0, out + err
        headings = [line.split("]")[0] + "]" for line in out.splitlines() if line.startswith("[")]
        assert headings == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
        assert "  tool call " in out
        assert '"arguments": {"video_id": "m-1234"' in out
        assert out.count("\n  sent      POST /v1/chat/completions") == 3
        assert "Demo passed: 3 calls, 3 requests" in out
        assert err == ""

    def test_a_failed_step_is_exit_one(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The exit code is the demo's: 1 when run() reports a failure."""
        from director_litellm.cli import _demo as demo

        monkeypatch.setattr(demo, "run", lambda write, **_: write("demo failed at start: boom") or 1)
        assert cli.main(["demo"]) == 1
        assert capsys.readouterr().out == "demo failed at start: boom\n"


class TestHelp:
    @pytest.mark.parametrize("command", [[], ["providers"], ["doctor"], ["chat"], ["demo"]])
    def test_help_has_examples(self, command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
        """Every command's --help exits 0, shows examples and fits 80 columns."""
        with pytest.raises(SystemExit) as exited:
            cli.main([*command, "--help"])
        out = capsys.readouterr().out
        assert exited.value.code == 0
        assert "examples:" in out
        assert "director-litellm " in out
        assert_fits(out)

    @pytest.mark.parametrize("command", ["doctor", "chat"])
    def test_help_says_when_api_base_ends_in_v1(self, command: str, capsys: pytest.CaptureFixture[str]) -> None:
        """Examples with /v1 for OpenAI-compatible servers, without it for Anthropic, Azure and ollama/."""
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        lines = capsys.readouterr().out.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("api_base"))
        with_v1 = lines.index("  ends in /v1 for OpenAI-compatible servers (model openai/NAME):")
        without = lines.index("  no /v1: litellm adds the provider's own path:")
        assert start < with_v1 < without
        assert [line.split()[-1] for line in lines[with_v1 + 1 : with_v1 + 4]] == [
            "http://gpu:8000/v1",
            "http://localhost:11434/v1",
            "http://localhost:1234/v1",
        ]
        rest = " ".join(lines[without + 1 : without + 4])
        assert "https://api.anthropic.com" in rest
        assert "https://NAME.openai.azure.com" in rest
        assert "/v1" not in rest

    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version names this package's and litellm's versions."""
        with pytest.raises(SystemExit) as exited:
            cli.main(["--version"])
        assert exited.value.code == 0
        assert capsys.readouterr().out.strip() == (
            f"director-litellm {__version__} (litellm {supply_chain.installed_version()}, "
            f"Python {sys.version.split()[0]})"
        )


class TestConsole:
    @pytest.mark.parametrize(
        ("secret", "shown"),
        [("sk-ant-dummy", "sk-a...my (12 chars)"), ("short", "**** (5 chars)"), (KEY, "sk-t...YZ (31 chars)")],
    )
    def test_mask(self, secret: str, shown: str) -> None:
        """A key is shown as its first four and last two characters, short ones not at all."""
        assert cli.mask(secret) == shown

    def test_long_paths_are_cut_from_the_left(self) -> None:
        """A long interpreter path keeps its end and fits the width; a short one is unchanged."""
        long = "/tmp/director-litellm-ci.BlmZJN/some/very/long/folder/name/A/bin/python3"
        assert len(console_module.fit(long, 40)) == 40
        assert console_module.fit(long, 40).endswith("A/bin/python3")
        assert console_module.fit("/usr/bin/python3", 40) == "/usr/bin/python3"

    def test_table_cuts_the_shrinking_column(self) -> None:
        out = io.StringIO()
        console = console_module.Console(out=out, err=io.StringIO(), width=30)
        console.table(["A", "B"], [["name", "x" * 40]], shrink=1)
        assert out.getvalue().splitlines() == ["A     B", "name  " + "x" * 21 + "..."]


class TestSmoke:
    """The installed console script in a fresh process: the entry point, and a stdout litellm prints on."""

    def test_chat(self, piped_chat: tuple[subprocess.CompletedProcess[str], FakeOpenAI]) -> None:
        """`director-litellm chat` answers through the fake: only the answer on stdout."""
        result, fake = piped_chat
        assert result.returncode == 0, result.stderr
        assert result.stdout == "Hello from the fake.\n"
        assert "15 tokens" in result.stderr
        assert [r.body["messages"] for r in fake.requests] == [[{"role": "user", "content": "Say hello"}]]

    def test_doctor_json_is_pure_even_when_litellm_prints_banners(
        self, doctor_json_on_a_terminal: tuple[int, str, str]
    ) -> None:
        """An unroutable model makes litellm print "Provider List" banners; stdout is still only JSON."""
        code, out, err = doctor_json_on_a_terminal
        data = json.loads(out)  # the assertion: nothing but JSON on stdout
        assert "Provider List" not in out + err
        assert code == 1
        assert any("foo/bar-unknown" in p for p in data["problems"])

    def test_demo_without_a_key(self) -> None:
        """`director-litellm demo` in a fresh process with no key and no LITELLM_* setting: stdout is the demo.

        A fresh process is where litellm is first imported (its import-time warnings would show on stderr).
        """
        result = run_script("demo", env={})
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stderr == ""
        assert result.stdout.startswith("director-litellm demo:")
        assert "\nDemo passed: 3 calls, 3 requests" in result.stdout

    def test_providers_check(self) -> None:
        """`providers --check` loads this package's provider through its entry point in a fresh process."""
        result = run_script("providers", "--check", env={})
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.splitlines()[-1].split() == ["litellm", "OK"]


class TestEntryPoints:
    """Every way the docs start the command runs it."""

    def test_python_dash_m_package_runs_the_command(self) -> None:
        """`python -m director_litellm --version` is the command, as `python -m director_litellm.cli` is."""
        result = subprocess.run(
            [sys.executable, "-m", "director_litellm", "--version"], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"director-litellm {__version__} (litellm ")

    def test_short_version_flag(self, capsys: pytest.CaptureFixture[str]) -> None:
        """-V prints what --version prints (the usual short form: python -V, pip -V)."""
        printed = []
        for flag in ("-V", "--version"):
            with pytest.raises(SystemExit) as exited:
                cli.main([flag])
            assert exited.value.code == 0
            printed.append(capsys.readouterr().out)
        assert printed[0] == printed[1]
        assert printed[0].startswith("director-litellm ")


class _ServesUnderV1Only(FakeOpenAI):
    """An OpenAI-compatible server that, like vLLM or LM Studio, serves only under /v1 (404 elsewhere)."""

    paths = ("/v1/chat/completions",)


class TestChatErrors:
    """A failed chat is one line naming the fix, in doctor's words; no upstream text; the program named once."""

    def one_line(self, capsys: pytest.CaptureFixture[str], code: int) -> str:
        out, err = capsys.readouterr()
        assert code == 1 and out == "" and len(err.splitlines()) == 1, err
        assert err.startswith("director-litellm: error: "), err
        assert "director-litellm is misconfigured" not in err
        assert "invalid director-litellm configuration" not in err
        return err.strip()

    def test_a_misspelt_setting_is_named(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """LITELLM_CHAT_MODLE set, the default model then lacks its key: the line names the near miss."""
        monkeypatch.setenv("LITELLM_CHAT_MODLE", "anthropic/claude-sonnet-4-5")
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        err = self.one_line(capsys, cli.main(["chat", "hi"]))
        assert "no API key for gpt-4o-mini: set OPENAI_API_KEY (or LITELLM_API_KEY)" in err
        assert "LITELLM_CHAT_MODLE is not a director-litellm setting (ignored): did you mean LITELLM_CHAT_MODEL?" in err

    def test_a_model_without_provider_gets_our_sentence(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--model gpt4o: which provider, and the nearest known name; never litellm's raw text or its URL."""
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        err = self.one_line(capsys, cli.main(["chat", "hi", "--model", "gpt4o"]))
        assert "cannot tell which provider serves 'gpt4o': put the provider in front of the name" in err
        assert "did you mean 'gpt-4o'?" in err
        assert err.endswith("[config, gpt4o]")
        assert "LLM Provider NOT provided" not in err
        assert "https://" not in err

    def test_a_404_from_a_base_without_v1_names_the_missing_v1(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`--api-base http://host:port` for an openai/ model on a server that serves under /v1: the line says /v1."""
        with running(_ServesUnderV1Only) as server:
            base = server.url.removesuffix("/v1")
            monkeypatch.setenv("LITELLM_API_KEY", KEY)
            monkeypatch.setenv("LITELLM_NUM_RETRIES", "0")
            code = cli.main(["chat", "hi", "--model", "openai/llama3", "--api-base", base])
            assert [r.path for r in server.requests] == ["/chat/completions"]
        err = self.one_line(capsys, code)
        assert "[not_found, HTTP 404, openai/llama3]" in err
        assert f"--api-base {base} has no path" in err
        assert f"use {base}/v1" in err

    def test_a_connection_error_names_host_and_port(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Nothing listens at the api_base: the line names the host and port it tried."""
        with running(FakeOpenAI) as server:
            base = server.url
        port = base.split(":")[2].split("/")[0]  # the fake is stopped: its port is closed now
        monkeypatch.setenv("LITELLM_API_KEY", KEY)
        monkeypatch.setenv("LITELLM_NUM_RETRIES", "0")
        err = self.one_line(capsys, cli.main(["chat", "hi", "--model", "openai/x", "--api-base", base]))
        assert f"Could not connect to the LLM provider at 127.0.0.1:{port} (--api-base {base})" in err
        assert err.endswith("[connection, openai/x]")

    def test_a_connection_error_names_the_provider_variable_it_came_from(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """No api_base, OPENAI_API_BASE set (litellm reads it): the line names it with its host and port."""
        with running(FakeOpenAI) as server:
            base = server.url
        port = base.split(":")[2].split("/")[0]
        monkeypatch.setenv("OPENAI_API_BASE", base)
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("LITELLM_NUM_RETRIES", "0")
        err = self.one_line(capsys, cli.main(["chat", "hi", "--model", "openai/gpt-4o-mini"]))
        assert f"at 127.0.0.1:{port} (OPENAI_API_BASE {base})" in err

    def test_the_no_key_hint_keeps_its_placeholder(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With an api_base and no key the hint ends LITELLM_API_KEY=none (the masking used to eat it)."""
        err = self.one_line(
            capsys, cli.main(["chat", "hi", "--model", "openai/x", "--api-base", "http://127.0.0.1:9/v1"])
        )
        assert err.endswith("accepts any value: LITELLM_API_KEY=none) [config, openai/x]")

    def test_a_bad_setting_names_the_program_once(self, capsys: pytest.CaptureFixture[str]) -> None:
        """No 'director-litellm: error: director-litellm is misconfigured: invalid director-litellm configuration:'."""
        err = self.one_line(capsys, cli.main(["chat", "hi", "--temperature", "7"]))
        assert (
            err
            == "director-litellm: error: invalid configuration: --temperature 7.0: Input should be less than or equal to 2"
        )

    def test_no_key_is_answered_without_importing_litellm(self) -> None:
        """`chat` with no key: the config error comes before litellm's import (which takes seconds)."""
        probe = (
            "import sys; from director_litellm import cli; code = cli.main(['chat', 'hi']); "
            "sys.stdout.write(f'{code} {\"litellm\" in sys.modules}')"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LITELLM_"))}
        result = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env={**env, **OFFLINE_ENV}
        )
        assert result.stdout == "1 False", result.stderr
        assert "no API key for gpt-4o-mini: set OPENAI_API_KEY" in result.stderr


class TestProgress:
    """While litellm is first imported (seconds), a terminal's stderr says so; a pipe or --json gets nothing."""

    def test_chat_shows_the_import_on_a_terminal(self, openai_fake: FakeOpenAI) -> None:
        """One progress line on the terminal, erased once litellm is in; stdout is only the answer."""
        openai_fake.reply("Hello from the fake.")
        env = {"LITELLM_CHAT_MODEL": "openai/gpt-4o-mini", "LITELLM_API_BASE": openai_fake.url, "LITELLM_API_KEY": KEY}
        code, out, err = run_with_tty_stderr([sys.executable, "-m", "director_litellm"], "chat", "hi", env=env)
        assert code == 0, err
        assert out == "Hello from the fake.\n"
        assert err.count("director-litellm: loading litellm") == 1
        assert "\r\x1b[K" in err.split("director-litellm: loading litellm", 1)[1]  # erased, then the summary
        assert "15 tokens" in err

    def test_json_on_a_terminal_has_no_progress_line(self, doctor_json_on_a_terminal: tuple[int, str, str]) -> None:
        """doctor --json: no progress line even when stderr is a terminal."""
        _, out, err = doctor_json_on_a_terminal
        json.loads(out)
        assert "loading litellm" not in err

    def test_a_pipe_gets_no_progress_line(
        self, piped_chat: tuple[subprocess.CompletedProcess[str], FakeOpenAI]
    ) -> None:
        """stderr on a pipe (CI, a log file): nothing but the summary."""
        result, _ = piped_chat
        assert result.returncode == 0
        assert "loading litellm" not in result.stderr


class TestStream:
    def test_stream_prints_the_answer_as_it_arrives(
        self, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--stream asks for a stream and writes each piece as it comes, then the summary on stderr."""
        openai_env(monkeypatch, openai_fake)
        openai_fake.reply_stream(["Hello ", "from the ", "fake stream."])
        writes: list[str] = []
        real_write = sys.stdout.write

        def write(text: str) -> int:
            writes.append(text)
            return real_write(text)

        monkeypatch.setattr(sys.stdout, "write", write)
        code = cli.main(["chat", "Say hello", "--stream"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert out == "Hello from the fake stream.\n"
        assert openai_fake.requests[-1].body["stream"] is True
        assert [w for w in writes if w != "\n"] == ["Hello ", "from the ", "fake stream."]  # piece by piece
        assert " tokens | " in err
        assert err.rstrip().endswith("stop]")

    def test_stream_with_json_prints_the_whole_response(
        self, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--stream --json: stdout stays one JSON document."""
        openai_env(monkeypatch, openai_fake)
        openai_fake.reply_stream(["Hel", "lo."])
        assert cli.main(["chat", "Say hello", "--stream", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["content"] == "Hello."


class TestMalformedJsonSetting:
    def test_chat_names_the_variable_instead_of_a_traceback(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """LITELLM_FALLBACKS that is not JSON: one line naming the variable (was a pydantic-settings traceback)."""
        monkeypatch.setenv("LITELLM_FALLBACKS", "[1")
        code = cli.main(["chat", "hi"])
        out, err = capsys.readouterr()
        assert code == 1 and out == "" and len(err.splitlines()) == 1, err
        assert err.startswith(
            "director-litellm: error: invalid configuration: LITELLM_FALLBACKS (not shown): not valid JSON"
        )

    def test_the_provider_is_still_built(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """LiteLLMProvider() never raises on a bad variable: each call says which one."""
        from director_litellm import LiteLLMProvider

        monkeypatch.setenv("LITELLM_EXTRA_HEADERS", "{not json")
        r = LiteLLMProvider().chat_completions([{"role": "user", "content": "hi"}])
        assert not r.status
        assert r.error["category"] == "config"
        assert "LITELLM_EXTRA_HEADERS" in r.content
