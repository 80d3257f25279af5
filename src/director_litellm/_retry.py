"""Retries: the policy (attempts, waits, deadline), the call plan, and the two drivers that run it.

The provider does all retrying itself (litellm and the openai client are told to
make exactly one attempt each), so ``num_retries=N`` means exactly ``N + 1``
requests at most, per model. Only retryable categories (``error_types.RETRYABLE``:
rate_limit, timeout, connection, server) are retried; a request litellm refuses before
sending (``invalid_input``) counts no attempt and moves on to the next fallback model.
The wait is exponential with jitter, at least the provider's ``Retry-After`` when it sent one (a
``Retry-After`` over a minute is not waited for), and never past the deadline:
each attempt may take ``timeout`` seconds, and one model's attempts and waits
together end within ``(num_retries + 1) * timeout`` seconds.

``plan`` is every attempt of one call, without I/O, shared by all four call paths: it yields
``Send(request)`` and receives the response or the exception, yields ``Sleep(seconds)`` and
receives None, and returns a ``Success`` or the final ``ErrorInfo``. ``drive`` runs it with
``time.sleep``, ``adrive`` on the event loop. Each retry logs one INFO line.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Protocol, TypeVar, cast

from director_litellm import _observe as observe
from director_litellm._errors import ErrorInfo, InvalidInputError, classify
from director_litellm._target import Target


class Attempts(Protocol):
    """What the plan reads of one call (``_request.Call``): the models to try, in order, and their requests."""

    @property
    def targets(self) -> Sequence[Target]: ...

    @property
    def policy(self) -> RetryPolicy: ...

    def request_for(self, target: Target) -> dict[str, Any]: ...

    def refit(self, target: Target) -> tuple[Target, dict[str, Any]] | None: ...


logger = logging.getLogger(__name__)

# a Retry-After longer than this is not worth waiting for inside one call
MAX_RETRY_AFTER = 60.0


@dataclass
class Attempt:
    number: int  # 1-based
    timeout: float  # seconds this attempt may take
    _policy: RetryPolicy
    _deadline: float

    def time_left(self) -> float:
        """Seconds until this model's deadline."""
        return self._deadline - self._policy.clock()

    def delay_after(self, error: ErrorInfo) -> float | None:
        """Seconds to wait before the next attempt, or None to stop retrying."""
        policy = self._policy
        if not error.retryable or self.number > policy.num_retries:
            return None
        backoff = min(policy.max_delay, policy.initial_delay * (2 ** (self.number - 1)))
        delay = random.uniform(backoff / 2, backoff)
        if error.retry_after is not None:
            if error.retry_after > MAX_RETRY_AFTER:
                return None
            delay = max(delay, error.retry_after)
        remaining = self._deadline - policy.clock()
        # leave the next attempt at least a little time of its own
        if delay + min(1.0, policy.timeout / 10) > remaining:
            return None
        return delay


@dataclass
class RetryPolicy:
    num_retries: int = 2
    timeout: float = 120.0
    initial_delay: float = 0.5
    max_delay: float = 8.0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def attempts(self) -> Iterator[Attempt]:
        """Attempts for one model; the caller stops iterating on success or give-up."""
        deadline = self.clock() + self.timeout * (self.num_retries + 1)
        for number in range(1, self.num_retries + 2):
            # The first attempt gets exactly ``timeout``: litellm caches its HTTP client per distinct
            # timeout value, so a value that differs by nanoseconds on every call (deadline - now with
            # num_retries=0) builds a new client per call (+0.5 ms on litellm 1.110, +20 ms on 1.60).
            # Later attempts get the time left, cut to tenths so the set of values stays small.
            if number == 1:
                attempt_timeout = self.timeout
            else:
                remaining = deadline - self.clock()
                attempt_timeout = min(self.timeout, max(math.floor(remaining * 10) / 10, 0.1))
            yield Attempt(number, attempt_timeout, self, deadline)


# ------------------------------------------------------------------------------ the plan of one call

R = TypeVar("R")


@dataclass(frozen=True)
class Send:
    """Make one attempt with these ``litellm.completion`` keyword arguments."""

    request: dict[str, Any]


@dataclass(frozen=True)
class Sleep:
    """Wait before the next attempt."""

    seconds: float


@dataclass(frozen=True)
class Success(Generic[R]):
    response: R
    model: str
    attempts: int
    started: float  # time.monotonic() when this model's first attempt began


#: classifies one failed attempt: (exception, model, attempt number) -> ErrorInfo
Failed = Callable[[BaseException, str, int], ErrorInfo]
Plan = Generator[Send | Sleep, R | BaseException | None, Success[R] | ErrorInfo]


def plan(call: Attempts, failed: Failed) -> Plan[R]:
    """Every attempt of one call, in order, without doing I/O (see the module docstring)."""
    info: ErrorInfo | None = None
    observer = observe.current()  # the call's span and ledger see each attempt (None outside a provider call)
    for position, target in enumerate(call.targets):
        try:
            request = call.request_for(target)
        except InvalidInputError as exc:  # a fallback model's own rules refuse this call
            info = classify(exc, model=target.model)
            continue
        started, refitted = time.monotonic(), False
        for attempts, attempt in enumerate(call.policy.attempts(), start=1):
            request["timeout"] = attempt.timeout
            if observer is not None:
                observer.attempt(target.model, request, attempts)
            outcome = yield Send(request)
            if isinstance(outcome, BaseException):
                info = failed(outcome, target.model, attempts)
                again = None
                if (
                    info.category == "context_window"
                    and not refitted
                    and attempt.time_left() > min(1.0, call.policy.timeout / 10)
                ):
                    again = call.refit(target)
                if again is not None:
                    # the provider counted more than the estimate: the same attempt once more, fitted tighter
                    logger.info(
                        "LLM call to %s: the provider found it over the context window; sending it once more to %s",
                        *(target.model, again[0].model),
                    )
                    refitted, (target, request) = True, again
                    request["timeout"] = min(attempt.timeout, attempt.time_left())
                    outcome = yield Send(request)
                    if isinstance(outcome, BaseException):
                        info = failed(outcome, target.model, attempts)
            if not isinstance(outcome, BaseException):
                return Success(cast(R, outcome), target.model, attempts, started)
            assert info is not None
            if info.category == "invalid_input":  # litellm refused it before sending: this attempt sent nothing
                info = replace(info, attempts=attempts - 1)
            delay = attempt.delay_after(info)
            if observer is not None:
                observer.failed(info.category, target.model, attempts, delay)
            if delay is None:
                break
            logger.info(
                "LLM call to %s: attempt %d failed [%s], retrying in %.2f s",
                target.model,
                attempts,
                info.category,
                delay,
            )
            yield Sleep(delay)
        if info is not None and info.category == "invalid_input":
            continue  # refused for this model by litellm; the next model may take it, and nothing was sent
        if info is not None and not info.retryable:
            break  # a fallback model would be refused for the same reason
        if info is not None and position + 1 < len(call.targets):
            logger.info("LLM call to %s failed [%s]; trying the next fallback model", target.model, info.category)
    assert info is not None
    return info


def drive(call: Attempts, failed: Failed, perform: Callable[[dict[str, Any]], R]) -> Success[R] | ErrorInfo:
    """Run the plan synchronously; ``perform(request)`` makes one attempt."""
    steps: Plan[R] = plan(call, failed)
    step = _advance(steps, None)
    while isinstance(step, Send | Sleep):
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
        step = _advance(steps, None if isinstance(step, Sleep) else _attempt(perform, step.request))
    return step


async def adrive(
    call: Attempts, failed: Failed, perform: Callable[[dict[str, Any]], Awaitable[R]]
) -> Success[R] | ErrorInfo:
    """Run the plan on the event loop; ``await perform(request)`` makes one attempt."""
    steps: Plan[R] = plan(call, failed)
    step = _advance(steps, None)
    while isinstance(step, Send | Sleep):
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
        step = _advance(steps, None if isinstance(step, Sleep) else await _aattempt(perform, step.request))
    return step


def _advance(steps: Plan[R], value: R | BaseException | None) -> Send | Sleep | Success[R] | ErrorInfo:
    """The plan's next step after ``value`` (the first step for None), or what it returned."""
    try:
        return steps.send(value)
    except StopIteration as done:
        result: Success[R] | ErrorInfo = done.value
        return result


async def _aattempt(perform: Callable[[dict[str, Any]], Awaitable[R]], request: dict[str, Any]) -> R | BaseException:
    try:
        return await perform(request)
    except Exception as exc:
        return exc


def _attempt(perform: Callable[[dict[str, Any]], R], request: dict[str, Any]) -> R | BaseException:
    try:
        return perform(request)
    except Exception as exc:
        return exc
