"""litellm's own callbacks through ``LITELLM_CALLBACKS`` and Director's ``enable_langfuse`` (issue 24).

Callbacks travel with each call (litellm's per-call ``success_callback`` / ``failure_callback``);
litellm's process-wide callback lists must stay as the host left them.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.metadata
import importlib.util
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from director_litellm import _backend, _litellm
from tests.fakes import FakeOpenAI, Reply
from tests.helpers import provider_for

USER = [{"role": "user", "content": "hi"}]
LITELLM_1_60 = importlib.metadata.version("litellm").startswith("1.60.")


def _logger_base() -> type:
    from director_litellm._litellm import _module as import_litellm

    import_litellm()
    from litellm.integrations.custom_logger import CustomLogger

    return CustomLogger


SEEN: list[tuple[str, Any]] = []  # what the Recorder built through LITELLM_CALLBACKS was told


@functools.cache
def _recorder_class() -> type:
    """A litellm CustomLogger that keeps what it is told (built on first use: litellm is imported then)."""

    class Recorder(_logger_base()):  # type: ignore[misc]
        def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
            SEEN.append(("success", response_obj.choices[0].message.content))

        async def async_log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
            SEEN.append(("async_success", response_obj.choices[0].message.content))

        def log_failure_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
            SEEN.append(("failure", type(kwargs.get("exception")).__name__))

    return Recorder


def __getattr__(name: str) -> Any:
    """``tests.test_callbacks:Recorder``, as LITELLM_CALLBACKS names it, without importing litellm at collection."""
    if name == "Recorder":
        return _recorder_class()
    raise AttributeError(name)


def waited(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    """litellm runs sync callbacks on a worker thread: give it a moment."""
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.02)
    return check()


def litellm_globals() -> dict[str, int]:
    litellm = _litellm._module()
    names = ("callbacks", "success_callback", "failure_callback", "_async_success_callback", "_async_failure_callback")
    return {name: len(getattr(litellm, name)) for name in names}


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Any]]]:
    """LITELLM_CALLBACKS names the Recorder; yields what it is told."""
    monkeypatch.setenv("LITELLM_CALLBACKS", '["tests.test_callbacks:Recorder"]')
    _backend._with_callbacks.cache_clear()
    _litellm.callback.cache_clear()
    SEEN.clear()
    yield SEEN
    _backend._with_callbacks.cache_clear()
    _litellm.callback.cache_clear()


class TestCallbacks:
    def test_custom_logger_gets_the_success_event(
        self, recorder: list[tuple[str, Any]], openai_fake: FakeOpenAI
    ) -> None:
        """A CustomLogger class named in LITELLM_CALLBACKS receives the call's success, with the fake's answer."""
        before = litellm_globals()
        openai_fake.enqueue(Reply.success("from the fake"))
        response = provider_for(openai_fake).chat_completions(USER)
        assert response.status
        assert response.content == "from the fake"
        assert waited(lambda: ("success", "from the fake") in recorder), recorder
        assert litellm_globals() == before  # nothing process-wide was added

    def test_custom_logger_gets_the_failure_event(
        self, recorder: list[tuple[str, Any]], openai_fake: FakeOpenAI
    ) -> None:
        """A refused call reaches the logger's failure event."""
        openai_fake.enqueue(Reply.error(401, "Incorrect API key provided", type="invalid_request_error"))
        assert not provider_for(openai_fake).chat_completions(USER).status
        assert waited(lambda: any(kind == "failure" for kind, _ in recorder)), recorder

    @pytest.mark.skipif(LITELLM_1_60, reason="litellm 1.60 runs no per-call CustomLogger on acompletion (proved below)")
    def test_custom_logger_gets_the_async_success_event(
        self, recorder: list[tuple[str, Any]], openai_fake: FakeOpenAI
    ) -> None:
        """An async call reaches the logger's async success event."""

        async def call() -> Any:
            result = await provider_for(openai_fake).achat_completions(USER)
            for _ in range(50):  # litellm's logging worker runs on this loop
                if recorder:
                    break
                await asyncio.sleep(0.02)
            return result

        assert asyncio.run(call()).status
        assert ("async_success", "ok") in recorder

    def test_a_bad_entry_is_one_warning(
        self, monkeypatch: pytest.MonkeyPatch, openai_fake: FakeOpenAI, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An entry that names nothing usable: one WARNING naming it, and calls go on."""
        monkeypatch.setenv("LITELLM_CALLBACKS", '["no_such_module_here:Logger", "tests.test_callbacks:USER"]')
        _backend._with_callbacks.cache_clear()
        _litellm.callback.cache_clear()
        provider = provider_for(openai_fake)
        with caplog.at_level(logging.WARNING, logger="director_litellm"):
            assert provider.chat_completions(USER).status
            assert provider.chat_completions(USER).status
        lines = [r.getMessage() for r in caplog.records if "LITELLM_CALLBACKS" in r.getMessage()]
        assert len(lines) == 2, lines
        assert "no_such_module_here:Logger" in lines[0]
        assert "not a litellm CustomLogger" in lines[1]

    def test_enable_langfuse_without_langfuse_warns_once(
        self, openai_fake: FakeOpenAI, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Director's enable_langfuse without the langfuse package: one WARNING naming it, calls succeed."""
        pytest.importorskip("litellm")
        if importlib.util.find_spec("langfuse") is not None:
            pytest.skip("langfuse is installed here")
        _backend._with_callbacks.cache_clear()
        provider = provider_for(openai_fake, enable_langfuse=True)
        with caplog.at_level(logging.WARNING, logger="director_litellm"):
            assert all(provider.chat_completions(USER).status for _ in range(2))
        lines = [r.getMessage() for r in caplog.records if "langfuse" in r.getMessage()]
        assert lines == ["enable_langfuse is set but the langfuse package is not installed: pip install langfuse"]


def test_enable_langfuse_with_langfuse_installed_sends_it_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the langfuse package importable, enable_langfuse puts litellm's "langfuse" in each call's lists."""
    real = importlib.util.find_spec
    monkeypatch.setattr(
        _backend.importlib.util, "find_spec", lambda name, *a: object() if name == "langfuse" else real(name, *a)
    )
    _backend._with_callbacks.cache_clear()
    sent: list[dict[str, Any]] = []
    inner = type("Inner", (), {"completion": staticmethod(lambda **kw: sent.append(kw))})()
    _backend._with_callbacks(inner, (), True).completion(model="m")
    _backend._with_callbacks.cache_clear()
    assert sent == [{"model": "m", "success_callback": ["langfuse"], "failure_callback": ["langfuse"]}]


def test_plain_litellm_per_call_logger_on_acompletion() -> None:
    """Plain litellm: a CustomLogger passed per call reaches ``acompletion``'s success on 1.110, not on 1.60."""
    litellm = _litellm._module()
    seen: list[str] = []

    class Plain(_logger_base()):  # type: ignore[misc]
        async def async_log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
            seen.append("async")

        def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
            seen.append("sync")

    async def call() -> None:
        logger = Plain()
        await litellm.acompletion(
            model="openai/gpt-4o-mini",
            messages=USER,
            mock_response="x",
            api_key="k",
            success_callback=[logger],
            failure_callback=[logger],
        )
        for _ in range(25):
            await asyncio.sleep(0.02)

    asyncio.run(call())
    assert seen == ([] if LITELLM_1_60 else ["async"])
