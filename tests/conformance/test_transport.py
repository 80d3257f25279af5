"""The adapter copes with a server that keeps connections alive, like the real APIs.

Issue 10 defect 4: async calls across ``asyncio.run`` calls and across threads with their own loops,
against the replay server, with ``num_retries=0``. The replay server's own tests (byte for byte,
keep-alive, chunked SSE, bounds) are tests/test_fakes_replay.py.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from tests.conformance.replay import ReplayServer


def _provider(server: ReplayServer, key: str, model: str) -> LiteLLMProvider:
    return LiteLLMProvider(LiteLLMConfig(chat_model=model, api_base=server.base(key), api_key="sk-test", num_retries=0))


_WIRES = [
    pytest.param("openai/sdk-text", "openai/gpt-4o-mini", id="openai-wire"),
    pytest.param("anthropic/mirascope-text", "anthropic/claude-sonnet-4-20250514", id="anthropic-wire"),
]


@pytest.mark.parametrize(("key", "model"), _WIRES)
def test_async_calls_across_asyncio_run(server: ReplayServer, key: str, model: str) -> None:
    provider = _provider(server, key, model)
    results = [asyncio.run(provider.achat_completions([{"role": "user", "content": "Hi"}])) for _ in range(3)]
    assert [bool(r.status) for r in results] == [True, True, True], [r.content for r in results]


@pytest.mark.parametrize(("key", "model"), _WIRES)
def test_async_calls_from_threads_with_their_own_loops(server: ReplayServer, key: str, model: str) -> None:
    provider = _provider(server, key, model)
    results: list[object] = []

    def worker() -> None:
        for _ in range(2):
            results.append(asyncio.run(provider.achat_completions([{"role": "user", "content": "Hi"}])))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 4
    assert all(r.status for r in results), [r.content for r in results]  # type: ignore[attr-defined]
