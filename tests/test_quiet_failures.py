"""A failed call prints nothing of its own: the README's "Direct use" snippet, run as written.

issue 12, item 3: litellm's "Give Feedback / Get Help" banner, its tracebacks and our log records
must not reach stdout or stderr of a host that configured no logging.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider, _litellm
from tests.environment import OFFLINE_ENV
from tests.helpers import KEY

README = Path(__file__).resolve().parents[1] / "README.md"
BANNER = "Give Feedback / Get Help"


def _direct_use_snippet() -> str:
    """The first python block after the README's "Direct use:" line, unchanged."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"^Direct use:\s*\n+```python\n(.*?)^```", text, re.S | re.M)
    assert found, "README has no 'Direct use:' python block"
    return found.group(1)


def _refused_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _run_snippet(**env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LITELLM_", "OPENAI_", "ANTHROPIC_"))}
    env.update(
        OFFLINE_ENV,  # no price-map download with retry sleeps before the snippet even starts
        LITELLM_API_BASE=_refused_url(),  # the snippet's explicit config still takes api_base from the env
        LITELLM_RETRY_INITIAL_DELAY="0.01",
        LITELLM_RETRY_MAX_DELAY="0.02",
        LITELLM_TIMEOUT="10",
        PYTHONWARNINGS="ignore",  # the snippet's output, not the interpreter's deprecation notes
        **env_extra,
    )
    return subprocess.run(
        [sys.executable, "-c", _direct_use_snippet()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_direct_use_snippet_prints_only_its_own_line() -> None:
    """Refused port, no logging configured: stdout is the snippet's one print, stderr is empty."""
    done = _run_snippet()
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    # the snippet prints response.content on failure and nothing else (no tool calls came back)
    assert len(lines) == 1, done.stdout
    assert BANNER not in done.stdout
    assert "Traceback" not in done.stdout
    assert "connect" in lines[0].lower()


def test_opting_out_gives_litellm_its_banner_back(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """LITELLM_SUPPRESS_DEBUG_INFO=false leaves litellm's own switch alone: its banner prints again.

    In this process: the switch is read where litellm is imported, so the import step runs again.
    """
    litellm = _litellm._module()
    monkeypatch.setattr(litellm, "suppress_debug_info", False)  # as a fresh import of litellm leaves it
    monkeypatch.setenv("LITELLM_SUPPRESS_DEBUG_INFO", "false")
    _litellm._module.cache_clear()
    try:
        assert _litellm._module() is litellm
        assert litellm.suppress_debug_info is False
        cfg = LiteLLMConfig(chat_model="openai/gpt-4o-mini", api_base=_refused_url(), api_key=KEY, num_retries=0)
        response = LiteLLMProvider(cfg).chat_completions([{"role": "user", "content": "Find clips with cats"}])
    finally:
        _litellm._module.cache_clear()  # the next caller imports with the default again
    assert not response.status
    assert response.error["category"] == "connection"
    assert BANNER in capsys.readouterr().out
