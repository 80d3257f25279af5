"""``provider.usage``, the ledger (issue 24): its totals are the sum of what the responses reported."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from director_litellm import LLMResponse
from director_litellm._usage import Usage, UsageTotals
from tests.fakes import FakeOpenAI, Reply
from tests.helpers import provider_for

USER = [{"role": "user", "content": "hi"}]


def usage_dict(i: int) -> dict[str, Any]:
    """A distinct OpenAI usage object per reply (so a lost or doubled update changes the sums)."""
    prompt, completion = 100 + i, 1 + i
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": i},
    }


class TestLedgerAcrossThreads:
    def test_totals_equal_the_responses_across_32_threads(self, openai_fake: FakeOpenAI) -> None:
        """32 threads (every fourth through ``asyncio.run``), some calls refused: totals = sum of the responses."""
        replies = [
            Reply.error(400, "bad request") if i % 8 == 7 else Reply.success("ok", usage=usage_dict(i))
            for i in range(32)
        ]
        openai_fake.enqueue(*replies)
        provider = provider_for(openai_fake)
        responses: list[LLMResponse] = []
        start = threading.Barrier(32)

        def one(i: int) -> None:
            start.wait(30)
            if i % 4 == 0:
                responses.append(asyncio.run(provider.achat_completions(USER)))
            else:
                responses.append(provider.chat_completions(USER))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(responses) == 32
        usage = provider.usage
        assert usage.calls == 32
        assert usage.attempts == len(openai_fake.requests) == 32
        assert usage.failures == sum(not r.status for r in responses) == 4
        assert (
            usage.input_tokens == sum(r.send_tokens for r in responses) == sum(100 + i for i in range(32) if i % 8 != 7)
        )
        assert usage.output_tokens == sum(r.recv_tokens for r in responses)
        assert usage.cached_tokens == sum(r.cached_tokens for r in responses) == sum(i for i in range(32) if i % 8 != 7)
        assert usage.cost_usd == pytest.approx(sum(r.cost or 0.0 for r in responses))
        assert usage.cost_usd > 0
        share = usage.by_model["openai/gpt-4o-mini"]
        assert (share.calls, share.input_tokens, share.cost_usd) == (usage.calls, usage.input_tokens, usage.cost_usd)


class TestLedger:
    def test_streams_and_retries_count(self, openai_fake: FakeOpenAI) -> None:
        """A stream counts its tokens; a retried call counts each attempt once."""
        openai_fake.enqueue(Reply.stream(["a", "b"]), Reply.error(503), Reply.success("ok"))
        provider = provider_for(openai_fake, num_retries=1, retry_initial_delay=0.01, retry_max_delay=0.01)
        list(provider.stream_chat_completions(USER))
        provider.chat_completions(USER)
        assert (provider.usage.calls, provider.usage.attempts, provider.usage.failures) == (2, 3, 0)
        assert provider.usage.output_tokens == 2 * 5  # the fake's default usage (10, 5), reported by both

    def test_snapshot_and_reset(self) -> None:
        """``snapshot`` is plain data with ``by_model``; ``reset`` counts from zero again."""
        usage = Usage()
        usage.record(LLMResponse(status=True, send_tokens=3, recv_tokens=2, cost=0.5), 2, "m")
        usage.record(LLMResponse(status=False), 1, "n")
        data = usage.snapshot()
        assert {k: data[k] for k in ("calls", "failures", "attempts", "input_tokens", "cost_usd")} == {
            "calls": 2,
            "failures": 1,
            "attempts": 3,
            "input_tokens": 3,
            "cost_usd": 0.5,
        }
        assert data["by_model"]["n"] == {**UsageTotals().__dict__, "calls": 1, "failures": 1, "attempts": 1}
        usage.reset()
        assert usage.snapshot() == {**UsageTotals().__dict__, "by_model": {}}

    def test_a_provider_starts_empty(self) -> None:
        """A new provider's ledger is zero, whatever other providers did."""
        from director_litellm import LiteLLMProvider

        assert LiteLLMProvider(chat_model="openai/x").usage.snapshot()["calls"] == 0
