"""The fakes' prompt caching: the Anthropic fake's cache_control rules and accounting, the OpenAI fake's cached_tokens.

Each expectation is the provider's documented behaviour (rules.ANTHROPIC_CACHING, rules.OPENAI_CACHING);
token counts follow the fakes' documented estimate (``rules.estimate_tokens``: 4 characters of a block's
compact JSON per token).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakes import FakeAnthropic, FakeOpenAI
from tests.fakes.rules import claude_cache_minimum
from tests.helpers import http_client

AN_HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
MARK = {"type": "ephemeral"}
SONNET = "claude-sonnet-4-5"


def post(fake: Any, body: dict) -> httpx.Response:
    with http_client(timeout=5) as client:
        if isinstance(fake, FakeOpenAI):
            return client.post(fake.url + "/chat/completions", json=body, headers={"authorization": "Bearer k"})
        return client.post(fake.url + "/v1/messages", json=body, headers=AN_HEADERS)


def text(n: int, mark: dict | None = None) -> dict:
    block: dict = {"type": "text", "text": "z" * n}
    return {**block, "cache_control": mark} if mark else block


def an(system: list[dict], user: str = "hi", model: str = SONNET, **kw: Any) -> dict:
    return {"model": model, "max_tokens": 10, "system": system, "messages": [{"role": "user", "content": user}], **kw}


class TestAnthropicRules:
    @pytest.mark.parametrize(
        "body, needle",
        [
            (an([text(10, MARK)] * 5), "A maximum of 4 blocks with cache_control may be provided. Found 5."),
            (an([text(10, {"type": "persistent"})]), "cache_control.type: Input should be 'ephemeral'"),
            (an([text(10, {"type": "ephemeral", "ttl": "2h"})]), "ttl: Input should be '5m' or '1h'"),
            (an([text(10, {"type": "ephemeral", "scope": "x"})]), "scope: Extra inputs are not permitted"),
            (an([text(10, MARK), text(10, {"type": "ephemeral", "ttl": "1h"})]), "ttl='1h' must not come after"),
            (
                {**an([]), "messages": [{"role": "user", "content": "hi", "cache_control": MARK}]},
                "messages.0.cache_control: Extra inputs are not permitted",
            ),
            (
                {
                    **an([]),
                    "messages": [
                        {"role": "user", "content": "hi"},
                        {
                            "role": "assistant",
                            "content": [{"type": "thinking", "thinking": "t", "signature": "s", "cache_control": MARK}],
                        },
                        {"role": "user", "content": "go on"},
                    ],
                },
                "cannot be set on a thinking block",
            ),
        ],
        ids=["five", "type", "ttl", "extra key", "1h after 5m", "message level", "thinking"],
    )
    def test_refused(self, anthropic_fake: FakeAnthropic, body: dict, needle: str) -> None:
        """What the API refuses, with a 400 invalid_request_error."""
        r = post(anthropic_fake, body)
        assert r.status_code == 400
        assert needle in r.json()["error"]["message"]

    def test_accepted_where_the_api_takes_it(self, anthropic_fake: FakeAnthropic) -> None:
        """Tools, system text, a text block, a tool_result; a 1h tool before 5m marks (tools come first); four in all."""
        body = {
            **an([text(10, MARK)]),
            "tools": [
                {"name": "f", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral", "ttl": "1h"}}
            ],
            "messages": [
                {"role": "user", "content": [text(5, MARK)]},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "r", "cache_control": MARK}],
                },
            ],
        }
        assert post(anthropic_fake, body).status_code == 200
        assert anthropic_fake.violations == []

    @pytest.mark.parametrize(
        "model, minimum",
        [
            ("claude-sonnet-4-5", 1024),
            ("claude-opus-4-5", 4096),
            ("claude-haiku-4-5", 4096),
            ("claude-3-5-haiku-20241022", 2048),
        ],
    )
    def test_minimums(self, model: str, minimum: int) -> None:
        """ANTHROPIC_CACHING "Cache limitations"."""
        assert claude_cache_minimum(model) == minimum


class TestAnthropicAccounting:
    def test_write_then_read_then_nothing_below_the_minimum(self, anthropic_fake: FakeAnthropic) -> None:
        """First sight writes, a repeat reads, a prefix below the minimum is neither."""
        body = an([text(8000, MARK)])  # ~2,010 tokens of system block
        first = post(anthropic_fake, body).json()["usage"]
        second = post(anthropic_fake, body).json()["usage"]
        assert first["cache_read_input_tokens"] == 0
        assert first["cache_creation_input_tokens"] > 2000
        assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
        assert second["cache_creation_input_tokens"] == 0
        assert second["input_tokens"] == first["input_tokens"] > 0  # the user turn after the breakpoint
        short = post(anthropic_fake, an([text(400, MARK)])).json()["usage"]
        assert short["cache_read_input_tokens"] == short["cache_creation_input_tokens"] == 0
        assert post(anthropic_fake, an([text(400, MARK)])).json()["usage"]["cache_read_input_tokens"] == 0

    def test_ttl_expiry_and_refresh(self, anthropic_fake: FakeAnthropic) -> None:
        """A read within 5 minutes refreshes the entry; 5 minutes without use expire it."""
        now = [0.0]
        anthropic_fake.prompt_cache.clock = lambda: now[0]
        body = an([text(8000, MARK)])
        written = post(anthropic_fake, body).json()["usage"]["cache_creation_input_tokens"]
        now[0] = 299.0
        assert post(anthropic_fake, body).json()["usage"]["cache_read_input_tokens"] == written
        now[0] = 598.0  # 299 s after the refresh
        assert post(anthropic_fake, body).json()["usage"]["cache_read_input_tokens"] == written
        now[0] = 898.0  # 300 s after the last use
        usage = post(anthropic_fake, body).json()["usage"]
        assert usage["cache_read_input_tokens"] == 0
        assert usage["cache_creation_input_tokens"] == written

    def test_a_moved_breakpoint_reads_the_earlier_prefix(self, anthropic_fake: FakeAnthropic) -> None:
        """Look-back: the next step's breakpoint finds the previous step's cached prefix a few blocks back."""
        history = [{"role": "user", "content": [text(8000, MARK)]}, {"role": "assistant", "content": "a"}]
        step1 = {**an([]), "messages": [*history[:1], *history[1:], {"role": "user", "content": "q"}]}
        written = post(anthropic_fake, step1).json()["usage"]["cache_creation_input_tokens"]
        moved = [{"role": "user", "content": [text(8000)]}, {"role": "assistant", "content": [text(1, MARK)]}]
        step2 = {**an([]), "messages": [*moved, {"role": "user", "content": "q2"}]}
        usage = post(anthropic_fake, step2).json()["usage"]
        assert usage["cache_read_input_tokens"] == written
        assert 0 < usage["cache_creation_input_tokens"] < 50

    def test_stream_reports_cache_usage_in_message_start(self, anthropic_fake: FakeAnthropic) -> None:
        """SSE: message_start's usage carries the cache fields."""
        body = {**an([text(8000, MARK)]), "stream": True}
        r = post(anthropic_fake, body)
        start = next(line for line in r.text.splitlines() if line.startswith("data:") and "message_start" in line)
        assert '"cache_creation_input_tokens": ' in start
        assert '"cache_read_input_tokens": 0' in start

    def test_no_marks_keeps_the_default_usage_unless_counting(self, anthropic_fake: FakeAnthropic) -> None:
        """Without cache_control the fixed default usage stays; count_tokens estimates every request."""
        assert post(anthropic_fake, an([text(8000)])).json()["usage"] == {"input_tokens": 10, "output_tokens": 5}
        anthropic_fake.count_tokens = True
        usage = post(anthropic_fake, an([text(8000)])).json()["usage"]
        assert usage["input_tokens"] > 2000
        assert usage["cache_creation_input_tokens"] == 0


class TestOpenAICachedTokens:
    def test_repeated_long_prefix(self, openai_fake: FakeOpenAI) -> None:
        """>=1,024 tokens: the repeat reports cached tokens in 128-token steps; short prompts never do."""
        body = {
            "model": "gpt-4o-mini",
            "messages": [{"role": "system", "content": "s" * 6000}, {"role": "user", "content": "q"}],
        }
        first = post(openai_fake, body).json()["usage"]
        second = post(
            openai_fake, {**body, "messages": [*body["messages"][:1], {"role": "user", "content": "other"}]}
        ).json()["usage"]
        assert first["prompt_tokens_details"]["cached_tokens"] == 0
        cached = second["prompt_tokens_details"]["cached_tokens"]
        assert 1024 <= cached <= second["prompt_tokens"]
        assert (cached - 1024) % 128 == 0
        short = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
        post(openai_fake, short)
        assert "prompt_tokens_details" not in post(openai_fake, short).json()["usage"]
