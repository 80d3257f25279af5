"""litellm's async logging when several event loops make calls (issue 24, item 5; ``_logging_loops``).

litellm 1.110 queues every async call's success logging on one process-wide worker, bound to one loop
at a time and not thread-safe: with loops running at once in several threads, calls' logging was lost
("coroutine 'Logging.async_success_handler' was never awaited") and callbacks missed calls. The
package gives the worker one instance per loop (a documented, opt-out default). These tests count what
a litellm ``CustomLogger`` named in ``LITELLM_CALLBACKS`` receives: one async success event per
non-streamed call is what litellm promises a logger (litellm 1.60 runs no per-call logger on
``acompletion``, and 1.110 none for an async stream's success: both proved with plain litellm, in
tests/test_callbacks.py and below).
"""

from __future__ import annotations

import asyncio
import gc
import importlib.metadata
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from director_litellm import LLMResponse, _backend, _litellm
from tests.exit_support import counting
from tests.fakes import FakeOpenAI, Reply
from tests.helpers import child_environment, provider_for

USER = [{"role": "user", "content": "hi"}]
KEY = "sk-test-key-0123456789abcdef"


needs_worker = pytest.mark.skipif(
    importlib.metadata.version("litellm").startswith("1.60."),
    reason="litellm 1.60 has no logging worker and runs no per-call logger on acompletion",
)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Calls carry the counting CustomLogger (``tests.exit_support.counting``)."""
    monkeypatch.setenv("LITELLM_CALLBACKS", '["tests.exit_support.counting:Counter"]')
    _backend._with_callbacks.cache_clear()
    _litellm.callback.cache_clear()
    yield
    _backend._with_callbacks.cache_clear()
    _litellm.callback.cache_clear()


def _never_awaited(caught: list[warnings.WarningMessage]) -> list[str]:
    gc.collect()
    return [str(w.message) for w in caught if "never awaited" in str(w.message)]


@needs_worker
@pytest.mark.usefixtures("counted")
def test_loops_running_at_once_in_threads_lose_no_logging(openai_fake: FakeOpenAI) -> None:
    """4 threads, each making 15 calls through ``asyncio.run`` on loops of its own, all at once, every
    fifth one streamed: the logger gets the 48 non-streamed calls' success events, and no logging
    coroutine is dropped unawaited."""
    provider = provider_for(openai_fake)
    start = counting.count()
    failed: list[str] = []
    barrier = threading.Barrier(4, timeout=30)

    async def call(n: int) -> LLMResponse:
        if n % 5 == 4:
            return [e async for e in provider.astream_chat_completions(USER)][-1].response  # type: ignore[union-attr]
        return await provider.achat_completions(USER)

    def thread() -> None:
        barrier.wait()
        for n in range(15):
            response = asyncio.run(call(n))
            if not response.status:
                failed.append(response.content)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        threads = [threading.Thread(target=thread) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert _never_awaited(caught) == []
    assert failed == []
    assert counting.count() - start == 48


@needs_worker
@pytest.mark.usefixtures("counted")
def test_each_loops_logging_has_run_when_asyncio_run_returns(openai_fake: FakeOpenAI) -> None:
    """Sequential ``asyncio.run`` calls: each call's event has reached the logger when its loop is gone."""
    provider = provider_for(openai_fake)
    start = counting.count()
    for n in range(1, 4):
        assert asyncio.run(provider.achat_completions(USER)).status
        assert counting.count() - start == n


@needs_worker
@pytest.mark.usefixtures("counted")
def test_a_loop_closed_without_shutdown_hands_its_logging_to_the_next(openai_fake: FakeOpenAI) -> None:
    """A hand-made loop closed with ``loop.close()`` alone (no ``shutdown_asyncgens``) leaves its queued
    logging behind: the next loop to log runs it, so neither event is lost nor left unawaited."""
    provider = provider_for(openai_fake)
    start = counting.count()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loop = asyncio.new_event_loop()
        try:
            assert loop.run_until_complete(provider.achat_completions(USER)).status
        finally:
            loop.close()
        assert asyncio.run(provider.achat_completions(USER)).status
        assert _never_awaited(caught) == []
    assert counting.count() - start == 2


@needs_worker
def test_plain_litellm_gives_no_async_stream_success_to_a_per_call_logger(openai_fake: FakeOpenAI) -> None:
    """litellm 1.110's own limit, with plain litellm: a per-call ``success_callback`` CustomLogger gets
    an ``acompletion``'s success but not an async stream's, even with the loop kept alive a while."""
    import litellm

    logger = counting.Counter()
    openai_fake.enqueue(Reply.success("one"), Reply.success("two"))
    start = counting.count()

    async def calls() -> None:
        kw: dict[str, Any] = {"model": "openai/gpt-4o-mini", "messages": USER, "api_base": openai_fake.url}
        await litellm.acompletion(**kw, api_key=KEY, success_callback=[logger])
        async for _ in await litellm.acompletion(**kw, api_key=KEY, stream=True, success_callback=[logger]):
            pass
        await asyncio.sleep(0.5)  # the loop stays alive: litellm's logging has time to run

    asyncio.run(calls())
    assert counting.count() - start == 1


_LAST_LOOP_CLOSED_BY_HAND = """
import asyncio, sys
from director_litellm import LiteLLMConfig, LiteLLMProvider
provider = LiteLLMProvider(LiteLLMConfig(chat_model="openai/gpt-4o-mini", api_base=sys.argv[1], api_key=sys.argv[2]))
loop = asyncio.new_event_loop()
try:
    print(bool(loop.run_until_complete(provider.achat_completions([{"role": "user", "content": "hi"}])).status))
finally:
    loop.close()  # no shutdown_asyncgens, and no loop after it to take its logging over
"""


@needs_worker
def test_the_last_loop_closed_by_hand_leaves_no_task_to_destroy_at_exit(openai_fake: FakeOpenAI) -> None:
    """A process whose last loop was closed with ``loop.close()`` alone: its worker's task can never run
    again; at exit it goes quietly, not as asyncio's "Task was destroyed but it is pending!" about
    ``LoggingWorker._worker_loop`` and an "Event loop is closed" traceback (seen in CI's proxy step)."""
    env = child_environment()
    done = subprocess.run(
        [sys.executable, "-c", _LAST_LOOP_CLOSED_BY_HAND, openai_fake.url, KEY],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "True"
    assert "Task was destroyed" not in done.stderr
    assert "Event loop is closed" not in done.stderr
