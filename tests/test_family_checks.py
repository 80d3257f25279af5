"""doctor's family checks: Azure OpenAI's api_version, deployment and endpoint; Ollama's host."""

from __future__ import annotations

import json
import os
import socket
from typing import Any

import pytest

from director_litellm import cli
from tests.conformance.known import OLD_STACK
from tests.fakes import FakeOllama

KEY = "sk-test-cli-0123456789abcdefXYZ"
pytestmark = pytest.mark.usefixtures("columns")


def doctor_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **env: str) -> tuple[int, Any]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = cli.main(["doctor", "--site-packages", os.devnull, "--json"])
    return code, json.loads(capsys.readouterr().out)


def findings(data: dict[str, Any], title: str) -> list[tuple[str, str]]:
    section = next(s for s in data["sections"] if s["title"] == title)
    return [(f["level"], f["text"]) for f in section["findings"]]


class TestAzure:
    AZURE = {"LITELLM_CHAT_MODEL": "azure/my-gpt4o", "LITELLM_API_BASE": "https://res.openai.azure.com"}

    def test_a_good_setup_names_the_deployment_and_version(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Deployment, api_version and a resource URL: shown, nothing wrong."""
        code, data = doctor_json(monkeypatch, capsys, LITELLM_API_VERSION="2024-10-21", AZURE_API_KEY=KEY, **self.AZURE)
        assert data["azure"] == {
            "deployment": "my-gpt4o",
            "api_version": "2024-10-21",
            "api_base": "https://res.openai.azure.com",
        }
        assert findings(data, "Azure OpenAI") == []
        assert code == 0

    @pytest.mark.parametrize("version", ["2024-13", "24-10-21", "2024-10-21-beta"])
    def test_a_malformed_api_version_is_a_problem(
        self, version: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An api_version Azure cannot serve fails doctor, naming the value."""
        code, data = doctor_json(monkeypatch, capsys, LITELLM_API_VERSION=version, AZURE_API_KEY=KEY, **self.AZURE)
        assert (
            "problem",
            f"api_version {version!r} is not an Azure API version (YYYY-MM-DD or YYYY-MM-DD-preview)",
        ) in findings(data, "Azure OpenAI")
        assert code != 0

    def test_no_api_version_and_a_deployment_path_in_the_base(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """No version: a warning; an api_base that already holds /openai/deployments/...: a problem."""
        _, data = doctor_json(
            monkeypatch,
            capsys,
            LITELLM_CHAT_MODEL="azure/my-gpt4o",
            LITELLM_API_BASE="https://res.openai.azure.com/openai/deployments/my-gpt4o",
            AZURE_API_KEY=KEY,
        )
        levels = dict((text.split(":")[0], level) for level, text in findings(data, "Azure OpenAI"))
        assert levels["no api_version"] == "warn"
        assert any(level == "problem" and "has a path" in text for level, text in findings(data, "Azure OpenAI"))

    def test_other_providers_get_no_family_section(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        _, data = doctor_json(monkeypatch, capsys, LITELLM_CHAT_MODEL="openai/gpt-4o-mini", OPENAI_API_KEY=KEY)
        assert data["azure"] is None
        assert data["ollama"] is None


class TestOllama:
    def test_a_running_ollama_answers(
        self, ollama_fake: FakeOllama, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A loopback host is probed once (GET /) and answers as Ollama does."""
        _, data = doctor_json(
            monkeypatch,
            capsys,
            LITELLM_CHAT_MODEL="ollama_chat/llama3.1",
            LITELLM_API_BASE=ollama_fake.url,
            OLLAMA_API_BASE=ollama_fake.url,
        )
        assert data["ollama"] == {"host": ollama_fake.url, "probed": True, "reachable": True}
        assert ("ok", f"Ollama answers at {ollama_fake.url}") in findings(data, "Ollama")
        assert [(p.method, p.path) for p in ollama_fake.probes] == [("GET", "/")]

    def test_nothing_listening_is_a_problem(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A closed loopback port: 'is ollama serve running?' and a failing exit code."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]  # closed again when the block ends: nothing listens there
        base = f"http://127.0.0.1:{port}"
        code, data = doctor_json(monkeypatch, capsys, LITELLM_CHAT_MODEL="ollama/llama3.1", LITELLM_API_BASE=base)
        assert data["ollama"]["reachable"] is False
        assert ("problem", f"nothing answers at {base}: is `ollama serve` running?") in findings(data, "Ollama")
        assert code != 0

    def test_a_remote_host_is_not_contacted(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """doctor stays offline: a host that is not this machine is named, never connected to."""

        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError(f"doctor connected to {args}")

        monkeypatch.setattr(socket, "create_connection", refuse)
        _, data = doctor_json(
            monkeypatch, capsys, LITELLM_CHAT_MODEL="ollama_chat/llama3.1", LITELLM_API_BASE="http://gpu-box:11434"
        )
        assert data["ollama"] == {"host": "http://gpu-box:11434", "probed": False, "reachable": None}
        assert ("note", "gpu-box is not on this machine: not contacted (doctor stays offline)") in findings(
            data, "Ollama"
        )

    def test_the_openai_compatible_path_on_the_native_route(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """ollama_chat/ with an api_base ending in /v1 (the OpenAI-compatible endpoint) is a problem, with the fix."""
        _, data = doctor_json(
            monkeypatch, capsys, LITELLM_CHAT_MODEL="ollama_chat/llama3.1", LITELLM_API_BASE="http://gpu-box:11434/v1"
        )
        problem = next(text for level, text in findings(data, "Ollama") if level == "problem")
        assert "use http://gpu-box:11434, or openai/<model> with this URL" in problem

    def test_litellm_160_cannot_carry_the_tool_loop(
        self, ollama_fake: FakeOllama, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """On litellm 1.60 the ollama_chat/ limitations are named with the way around them; not on latest."""
        _, data = doctor_json(
            monkeypatch, capsys, LITELLM_CHAT_MODEL="ollama_chat/llama3.1", LITELLM_API_BASE=ollama_fake.url
        )
        texts = [text for level, text in findings(data, "Ollama") if level == "warn"]
        loop = [t for t in texts if "cannot carry Director's tool loop" in t]
        base = [t for t in texts if "asks OLLAMA_API_BASE" in t]
        if OLD_STACK:
            assert len(loop) == 1
            assert "openai/<model> with api_base <host>/v1" in loop[0]
            assert len(base) == 1  # OLLAMA_API_BASE is unset here: litellm 1.60 would ask localhost
        else:
            assert loop == []
            assert base == []


class TestCohere:
    def test_the_v2_route_and_its_full_url(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """litellm 1.60: no v2 route, a problem. Later: an api_base short of /v2/chat is a warning (litellm posts
        to it as given); the stream limitation is a note."""
        code, data = doctor_json(
            monkeypatch,
            capsys,
            LITELLM_CHAT_MODEL="cohere_chat/command-a-03-2025",
            LITELLM_API_BASE="https://api.cohere.com",
            COHERE_API_KEY=KEY,
        )
        found = findings(data, "Cohere")
        assert data["cohere"] == {"api_base": "https://api.cohere.com", "v2_route": not OLD_STACK}
        note = (
            "note",
            "litellm cannot read Cohere v2 streams: stream calls ask for the whole answer (docs/model-rules.md)",
        )
        assert (note in found) is not OLD_STACK
        if OLD_STACK:
            assert any(level == "problem" and "has no Cohere v2 route" in text for level, text in found)
            assert code != 0
        else:
            assert any(level == "warn" and "should be the full URL" in text for level, text in found)
            assert not any(level == "problem" for level, _ in found)
