"""A quiet library: one WARNING line per failed call, one INFO line per retry, tracebacks at DEBUG."""

from __future__ import annotations

import logging
import re
import socket

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from director_litellm._litellm import _module as import_litellm

KEY = "sk-test-key-0123456789abcdef"
USER = [{"role": "user", "content": "hi"}]


def _refused_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _ours(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("director_litellm") and r.levelno == level]


def test_package_logger_has_a_null_handler() -> None:
    """The package logger carries a NullHandler, so Python's last-resort handler never prints our records."""
    import director_litellm

    handlers = logging.getLogger(director_litellm.__name__).handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_failed_call_logs_one_warning_line(caplog: pytest.LogCaptureFixture) -> None:
    """Two retries then failure: two INFO retry lines, one WARNING without traceback, tracebacks only at DEBUG."""
    cfg = LiteLLMConfig(
        chat_model="openai/gpt-4o-mini",
        api_base=_refused_url(),
        api_key=KEY,
        num_retries=2,
        retry_initial_delay=0.01,
        retry_max_delay=0.02,
        timeout=5,
    )
    caplog.set_level(logging.DEBUG, logger="director_litellm")
    litellm = import_litellm()
    r = LiteLLMProvider(cfg).chat_completions(USER)
    assert not r.status
    assert r.error["category"] == "connection"
    assert r.error["attempts"] == 3

    warnings = _ours(caplog, logging.WARNING) + _ours(caplog, logging.ERROR)
    assert len(warnings) == 1, [w.getMessage() for w in warnings]
    line = warnings[0]
    text = line.getMessage()
    assert line.exc_info is None
    assert not line.exc_text
    assert "\n" not in text
    assert "connection" in text
    assert "openai/gpt-4o-mini" in text
    assert "3 attempt" in text
    assert KEY not in text
    assert "_Scrubbed" not in text
    # the real exception type litellm raised (InternalServerError or APIConnectionError, by version)
    kind = re.search(r"\[connection\]: (\w+): ", text)
    assert kind is not None and issubclass(getattr(litellm.exceptions, kind.group(1)), Exception), text

    infos = _ours(caplog, logging.INFO)
    assert len(infos) == 2
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in infos)

    tracebacks = [r for r in _ours(caplog, logging.DEBUG) if "Traceback" in r.getMessage()]
    assert len(tracebacks) == 3
    assert all("_Scrubbed" not in r.getMessage() and KEY not in r.getMessage() for r in tracebacks)
    assert all(r.getMessage().splitlines()[-1].startswith(f"litellm.exceptions.{kind.group(1)}: ") for r in tracebacks)


def test_refused_before_sending_logs_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    """A call refused before sending logs one WARNING line naming the problem, no traceback."""
    caplog.set_level(logging.DEBUG, logger="director_litellm")
    cfg = LiteLLMConfig(chat_model="openai/gpt-4o-mini", api_base=_refused_url(), api_key=KEY)
    r = LiteLLMProvider(cfg).chat_completions(USER, temperature="hot")
    assert not r.status
    assert r.error["category"] == "invalid_input"
    warnings = _ours(caplog, logging.WARNING) + _ours(caplog, logging.ERROR)
    assert len(warnings) == 1
    assert warnings[0].exc_info is None
    assert "temperature" in warnings[0].getMessage()
