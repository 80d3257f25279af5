"""doctor on a Bedrock model: AWS credentials, region and the SDK, checked offline, naming what to set."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from director_litellm import cli

MODEL = "bedrock/converse/amazon.nova-lite-v1:0"
pytestmark = pytest.mark.usefixtures("columns")


@pytest.fixture(autouse=True)
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr("director_litellm._aws_credentials._EC2_MARKERS", ())


def doctor(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **env: str
) -> tuple[int, dict[str, Any]]:
    for name, value in {"LITELLM_CHAT_MODEL": MODEL, **env}.items():
        monkeypatch.setenv(name, value)
    code = cli.main(["doctor", "--site-packages", os.devnull, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_nothing_set_fails_naming_the_variables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = doctor(monkeypatch, capsys)
    assert code == 1
    problem = next(p for p in data["problems"] if "AWS" in p)
    assert "AWS_ACCESS_KEY_ID" in problem
    assert "AWS_SECRET_ACCESS_KEY" in problem
    assert "AWS_REGION_NAME" in problem


def test_credentials_and_region_set_pass(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, data = doctor(
        monkeypatch, capsys, AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="s", AWS_REGION="eu-west-1"
    )
    assert not any("AWS" in p for p in data["problems"]), data["problems"]
    assert data["credentials"]["aws_region"] == "eu-west-1"
    assert "AKIAIOSFODNN7EXAMPLE" not in json.dumps(data)


def test_region_missing_is_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, data = doctor(monkeypatch, capsys, AWS_PROFILE="dev")
    problem = next(p for p in data["problems"] if "AWS" in p)
    assert "AWS_REGION_NAME" in problem
    assert "AWS_ACCESS_KEY_ID" not in problem


def test_missing_sdk_names_the_extra(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in [m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore")] + ["boto3", "botocore"]:
        monkeypatch.setitem(sys.modules, name, None)
    _, data = doctor(monkeypatch, capsys, AWS_PROFILE="dev", AWS_REGION="us-east-1")
    assert any('pip install "director-litellm[bedrock]"' in p for p in data["problems"]), data["problems"]
