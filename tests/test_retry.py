"""retry: attempts, waits and the deadline, on a fake clock."""

from __future__ import annotations

from director_litellm.errors import ErrorInfo
from director_litellm.retry import RetryPolicy


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
        assert d1 is not None and d2 is not None and 0.5 <= d1 <= 1.0 and 1.0 <= d2 <= 2.0
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
