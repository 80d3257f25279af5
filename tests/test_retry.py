"""retry: attempts, waits and the deadline, on a fake clock."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from director_litellm._errors import ErrorInfo
from director_litellm._retry import RetryPolicy
from director_litellm._retry_after import retry_after_seconds
from tests.fakes import FakeAnthropic, FakeOpenAI, Reply


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def server_error(retry_after: float | None = None) -> ErrorInfo:
    return ErrorInfo("server", "x", retryable=True, retry_after=retry_after)


class TestRetryPolicy:
    def test_first_attempt_timeout_is_exactly_the_configured_one(self) -> None:
        """Every call's first attempt passes the same timeout (litellm caches its HTTP client per value)."""
        clock = FakeClock()
        policy = RetryPolicy(num_retries=0, timeout=30.0, clock=clock)
        seen: list[float] = []
        for _ in range(3):
            clock.now += 0.123456
            seen.append(next(policy.attempts()).timeout)
        assert seen == [30.0, 30.0, 30.0]

    def test_attempt_count_and_no_retry_for_non_retryable(self) -> None:
        """num_retries=2 gives three attempts; a non-retryable error stops at once."""
        policy = RetryPolicy(num_retries=2, timeout=10.0, initial_delay=0.0, clock=FakeClock())
        assert len(list(policy.attempts())) == 3
        first = next(policy.attempts())
        assert first.delay_after(ErrorInfo("auth", "x")) is None
        assert first.delay_after(server_error()) is not None

    def test_backoff_grows_and_honours_retry_after(self) -> None:
        """Waits grow per attempt within [backoff/2, backoff] and are at least Retry-After."""
        policy = RetryPolicy(num_retries=3, timeout=100.0, initial_delay=1.0, max_delay=8.0, clock=FakeClock())
        attempts = list(policy.attempts())
        d1, d2 = attempts[0].delay_after(server_error()), attempts[1].delay_after(server_error())
        assert d1 is not None
        assert d2 is not None
        assert 0.5 <= d1 <= 1.0
        assert 1.0 <= d2 <= 2.0
        assert attempts[0].delay_after(server_error(retry_after=5.0)) == 5.0
        assert attempts[0].delay_after(server_error(retry_after=3600.0)) is None
        assert attempts[-1].delay_after(server_error()) is None  # no attempts left

    def test_waits_never_pass_the_deadline(self) -> None:
        """A wait that would end past (num_retries + 1) x timeout ends the call instead; later attempts get the time left."""
        clock = FakeClock()
        policy = RetryPolicy(num_retries=1, timeout=2.0, initial_delay=0.0, clock=clock)
        gen = policy.attempts()
        first = next(gen)
        clock.now += 3.05  # the first attempt ran long
        assert first.delay_after(server_error(retry_after=1.0)) is None
        assert first.delay_after(server_error(retry_after=0.1)) == 0.1
        assert next(gen).timeout == 0.9


NOW = datetime(2026, 12, 1, 12, 0, 0, tzinfo=timezone.utc)


class TestRetryAfterHeader:
    @pytest.mark.parametrize(
        "headers, seconds",
        [
            ({"retry-after": "2"}, 2.0),
            ({"Retry-After": "0.5"}, 0.5),
            ({"retry-after-ms": "1500"}, 1.5),  # OpenAI sends milliseconds
            ({"retry-after-ms": "250", "retry-after": "1"}, 0.25),  # the finer value wins
            ({"retry-after": "Tue, 01 Dec 2026 12:00:07 GMT"}, 7.0),  # RFC 9110 HTTP-date
            ({"retry-after": "Tue, 01 Dec 2026 11:59:00 GMT"}, 0.0),  # a date already past: retry now
            ({"retry-after": "soon"}, None),
            ({"retry-after": "-3"}, None),
            ({"retry-after-ms": "nan", "retry-after": "4"}, 4.0),
            ({"retry-after": "inf"}, None),
            ({}, None),
        ],
    )
    def test_forms(self, headers: dict[str, str], seconds: float | None) -> None:
        """Seconds, retry-after-ms and the HTTP-date form all give seconds to wait; junk gives None."""
        assert retry_after_seconds(headers, now=NOW) == seconds


KEY = "sk-test-key-0123456789abcdef"
USER = [{"role": "user", "content": "hello"}]


def fast_provider(fake: Any) -> LiteLLMProvider:
    model = "openai/gpt-4o-mini" if isinstance(fake, FakeOpenAI) else "anthropic/claude-sonnet-4-6"
    config = LiteLLMConfig(
        chat_model=model, api_base=fake.url, api_key=KEY, num_retries=1, retry_initial_delay=0.01, retry_max_delay=0.02
    )
    return LiteLLMProvider(config)


class TestRetryAfterAtTheWire:
    def test_retry_after_ms_is_honoured(self, openai_fake: FakeOpenAI) -> None:
        """OpenAI's retry-after-ms: 600 makes the retry wait at least 0.6 s (backoff alone is 0.02 s)."""
        openai_fake.reply_error(429, "Rate limit reached", headers={"retry-after-ms": "600"})
        openai_fake.reply("fine")
        r = fast_provider(openai_fake).chat_completions(USER)
        assert r.status
        assert r.content == "fine"
        assert len(openai_fake.requests) == 2
        first, second = openai_fake.requests
        assert second.at - first.at >= 0.6

    def test_http_date_is_honoured(self, anthropic_fake: FakeAnthropic) -> None:
        """A Retry-After HTTP-date two seconds ahead makes the retry wait until then (whole-second resolution)."""

        def in_two_seconds(_: Any) -> Reply:  # dated when the request arrives, as a server would
            when = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
            return Reply.error(429, "rate limited", headers={"retry-after": format_datetime(when, usegmt=True)})

        anthropic_fake.enqueue(Reply.handler(in_two_seconds))
        anthropic_fake.reply("fine")
        r = fast_provider(anthropic_fake).chat_completions(USER)
        assert r.status
        assert r.content == "fine"
        assert len(anthropic_fake.requests) == 2
        first, second = anthropic_fake.requests
        assert second.at - first.at >= 1.0

    def test_long_retry_after_ms_is_reported_not_waited(self, openai_fake: FakeOpenAI) -> None:
        """retry-after-ms beyond the deadline rule ends the call at once, reporting the wait asked for."""
        openai_fake.default(Reply.error(429, "quota", headers={"retry-after-ms": "120000"}))
        started = time.monotonic()
        r = fast_provider(openai_fake).chat_completions(USER)
        assert not r.status
        assert r.error["category"] == "rate_limit"
        assert r.error["retry_after"] == 120.0
        assert len(openai_fake.requests) == 1
        assert time.monotonic() - started < 10
