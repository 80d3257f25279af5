"""``director-litellm doctor`` for a ``vertex_ai/`` model: google-auth, project, location, credentials file (offline)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from director_litellm import cli
from tests.fakes.google_auth import service_account_info

pytestmark = pytest.mark.usefixtures("columns")
MODEL = "vertex_ai/gemini-2.5-flash"


def doctor_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **env: str) -> tuple[int, Any]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = cli.main(["doctor", "--site-packages", os.devnull, "--json"])
    out, _ = capsys.readouterr()
    data = json.loads(out)
    return code, data


def findings(data: dict, level: str) -> list[str]:
    return [
        f["text"] for s in data["sections"] if s["title"] == "Vertex AI" for f in s["findings"] if f["level"] == level
    ]


@pytest.fixture
def key_file(tmp_path: Path) -> str:
    path = tmp_path / "sa.json"
    path.write_text(json.dumps(service_account_info("https://oauth2.googleapis.com/token", "proj-from-file")))
    return str(path)


class TestVertexDoctor:
    def test_complete_setup(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], key_file: str
    ) -> None:
        """google-auth, a service-account file, project and location: no Vertex problem, the facts in --json."""
        _, data = doctor_json(
            monkeypatch,
            capsys,
            LITELLM_CHAT_MODEL=MODEL,
            GOOGLE_APPLICATION_CREDENTIALS=key_file,
            VERTEXAI_PROJECT="p-1",
            VERTEXAI_LOCATION="europe-west4",
        )
        assert findings(data, "problem") == []
        assert data["vertex"] == {
            "google_auth": True,
            "project": "p-1",
            "location": "europe-west4",
            "credentials": "service_account",
        }

    def test_project_from_the_credentials_file(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], key_file: str
    ) -> None:
        """No VERTEXAI_PROJECT: the file's project_id is used; no location: litellm's us-central1 is noted."""
        _, data = doctor_json(monkeypatch, capsys, LITELLM_CHAT_MODEL=MODEL, GOOGLE_APPLICATION_CREDENTIALS=key_file)
        assert data["vertex"]["project"] == "proj-from-file"
        assert any("VERTEXAI_LOCATION" in t and "us-central1" in t for t in findings(data, "note"))

    def test_nothing_set(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        """No project and no credentials: a problem naming VERTEXAI_PROJECT, a warning naming the credentials variable."""
        code, data = doctor_json(monkeypatch, capsys, LITELLM_CHAT_MODEL=MODEL)
        assert code != 0
        assert any("VERTEXAI_PROJECT" in t for t in findings(data, "problem"))
        assert any("GOOGLE_APPLICATION_CREDENTIALS" in t for t in findings(data, "warn"))

    def test_credentials_file_missing(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A credentials variable naming no file is a problem naming that variable."""
        code, data = doctor_json(
            monkeypatch,
            capsys,
            LITELLM_CHAT_MODEL=MODEL,
            VERTEXAI_PROJECT="p",
            GOOGLE_APPLICATION_CREDENTIALS=str(tmp_path / "nope.json"),
        )
        assert code != 0
        assert any(t.startswith("GOOGLE_APPLICATION_CREDENTIALS names") for t in findings(data, "problem"))

    def test_without_google_auth(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], key_file: str
    ) -> None:
        """google-auth not importable: a problem with the install command of the package's vertex extra."""
        for name in [m for m in sys.modules if m == "google" or m.startswith("google.")]:
            monkeypatch.delitem(sys.modules, name)

        class NotInstalled:
            def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
                if name == "google" or name.startswith("google."):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)

        monkeypatch.setattr(sys, "meta_path", [NotInstalled(), *sys.meta_path])
        code, data = doctor_json(
            monkeypatch, capsys, LITELLM_CHAT_MODEL=MODEL, GOOGLE_APPLICATION_CREDENTIALS=key_file, VERTEXAI_PROJECT="p"
        )
        assert code != 0
        assert data["vertex"]["google_auth"] is False
        section = next(s for s in data["sections"] if s["title"] == "Vertex AI")
        assert any(f.get("command") == 'pip install "director-litellm[vertex]"' for f in section["findings"])

    def test_not_shown_for_other_models(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Only vertex_ai/ models get the section."""
        _, data = doctor_json(monkeypatch, capsys, LITELLM_CHAT_MODEL="openai/gpt-4o-mini", OPENAI_API_KEY="sk-x")
        assert data["vertex"] is None


def test_claude_on_vertex_needs_aiplatform_on_litellm_160(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], key_file: str
) -> None:
    """litellm 1.60's Claude on Vertex imports google-cloud-aiplatform (vertex_claude_160): doctor says so there."""
    from importlib.metadata import version

    old = tuple(int(p) for p in version("litellm").split(".")[:2]) < (1, 61)
    _, data = doctor_json(
        monkeypatch,
        capsys,
        LITELLM_CHAT_MODEL="vertex_ai/claude-sonnet-4-6",
        GOOGLE_APPLICATION_CREDENTIALS=key_file,
        VERTEXAI_PROJECT="p",
    )
    section = next(s for s in data["sections"] if s["title"] == "Vertex AI")
    commands = [f.get("command") for f in section["findings"]]
    assert ('pip install "google-cloud-aiplatform>=1.38"' in commands) is old
