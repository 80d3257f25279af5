"""What one call is watched by: its span (``tracing``) and its provider's ledger (``usage``).

The four public call methods are wrapped here (``watched``), so the call path itself knows
nothing of spans or ledgers. While a call runs, its ``CallObserver`` is the context's current
one: ``retry.plan`` tells it each attempt and each failed one (``current()``). A stream's steps
run with it set, and with its span current, one step at a time: nothing leaks into the caller's
context between two events.

Without opentelemetry (or without a configured SDK) a call costs one observer object, a context
variable set and reset, and one ledger update (benchmark figure 11).
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Generator, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from director_litellm import _tracing as tracing
from director_litellm._error_types import Category
from director_litellm._usage import Usage

__all__ = ["CallObserver", "Usage", "current", "watch"]

_current: ContextVar[CallObserver | None] = ContextVar("director_litellm_call", default=None)


def current() -> CallObserver | None:
    """The observer of the call running in this context, if any."""
    return _current.get()


class CallObserver:
    """One call: the attempts it made, its span (None when not traced), its ledger."""

    __slots__ = ("attempts", "model", "provider", "span", "target")

    def __init__(self, provider: Any, overrides: dict[str, Any], stream: bool) -> None:
        self.provider = provider
        self.model = str(overrides.get("model") or provider.config.chat_model)
        self.attempts = 0
        self.target = self.model  # the model of the latest attempt: the one that answered, after fallbacks
        self.span = tracing.start(self.model, stream)

    def attempt(self, model: str, request: dict[str, Any], number: int) -> None:
        """``retry.plan`` is about to send attempt ``number`` of ``model``."""
        self.attempts += 1
        self.target = model
        if self.span is not None:
            from director_litellm._config import secrets

            self.span.attempt(model, number, request, self.attempts == 1, secrets(self.provider.config))

    def failed(self, category: Category, model: str, number: int, delay: float | None) -> None:
        """``retry.plan`` saw attempt ``number`` fail; it waits ``delay`` seconds before the next (None: no retry)."""
        if self.span is not None:
            self.span.failed(category, model, number, delay)

    def chunk(self) -> None:
        if self.span is not None and self.span.first_chunk_at is None:
            self.span.first_chunk_at = time.monotonic()

    def seen(self, event: Any, final_type: type) -> Any:
        """One stream event handed over: a chunk, or the ``Final`` whose response ends the call (returned)
        -- ended before it is handed over, so the ledger is current at ``Final``."""
        if isinstance(event, final_type):
            response = getattr(event, "response", None)
            self.end(response)
            return response
        self.chunk()
        return None

    def end(self, response: Any) -> None:
        usage = getattr(self.provider, "usage", None)
        if usage is not None:
            usage.record(response, self.attempts, self.target)
        if self.span is not None:
            self.span.end(response, self.attempts)

    def abandon(self, reason: str) -> None:
        if self.span is not None:
            self.span.abandon(reason)

    def step(self, run: Callable[[], Any]) -> Any:
        """Run one step of the call with this observer (and its span) current."""
        token = _current.set(self)
        active = self.span.activate() if self.span is not None else None
        try:
            return run()
        finally:
            if active is not None:
                self.span.deactivate(active)  # type: ignore[union-attr]
            _current.reset(token)


C = TypeVar("C", bound=type)


def watch(cls: C) -> C:
    """Class decorator: wrap the four public call methods of a provider class (which sets ``self.usage``)."""
    wrappers: tuple[tuple[str, Callable[[Any], Any]], ...] = (
        ("chat_completions", _sync),
        ("achat_completions", _async),
        ("stream_chat_completions", _stream),
        ("astream_chat_completions", _astream),
    )
    for name, wrapper in wrappers:
        setattr(cls, name, wrapper(cls.__dict__[name]))
    return cls


def _sync(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        observer = CallObserver(self, kwargs, stream=False)
        try:
            response = observer.step(lambda: method(self, *args, **kwargs))
        except BaseException:
            observer.abandon("interrupted")
            raise
        observer.end(response)
        return response

    return call


def _async(method: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Coroutine[Any, Any, Any]]:
    @functools.wraps(method)
    async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        observer = CallObserver(self, kwargs, stream=False)
        token = _current.set(observer)  # a coroutine's awaits stay in this task's context
        active = observer.span.activate() if observer.span is not None else None
        try:
            response = await method(self, *args, **kwargs)
        except BaseException:
            observer.abandon("cancelled")
            raise
        finally:
            if active is not None:
                observer.span.deactivate(active)  # type: ignore[union-attr]
            _current.reset(token)
        observer.end(response)
        return response

    return call


def _stream(method: Callable[..., Generator[Any, None, None]]) -> Callable[..., Iterator[Any]]:
    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        from director_litellm._stream import Final

        observer = CallObserver(self, kwargs, stream=True)
        events = method(self, *args, **kwargs)
        final = None
        try:
            while True:  # to the end: the method returns right after its Final
                event = observer.step(lambda: next(events, None))
                if event is None:
                    break
                final = observer.seen(event, Final) or final
                yield event
        finally:
            if final is None:
                observer.abandon("stream_closed")
            observer.step(events.close)

    return call


def _astream(method: Callable[..., AsyncIterator[Any]]) -> Callable[..., AsyncIterator[Any]]:
    @functools.wraps(method)
    async def call(self: Any, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        from director_litellm._stream import Final

        observer = CallObserver(self, kwargs, stream=True)
        events = method(self, *args, **kwargs).__aiter__()
        final = None
        try:
            while True:  # to the end: the method returns right after its Final
                token = _current.set(observer)
                active = observer.span.activate() if observer.span is not None else None
                try:
                    event = await events.__anext__()
                except StopAsyncIteration:
                    break
                finally:
                    if active is not None:
                        observer.span.deactivate(active)  # type: ignore[union-attr]
                    _current.reset(token)
                final = observer.seen(event, Final) or final
                yield event
        finally:
            if final is None:
                observer.abandon("stream_closed")
            await events.aclose()  # type: ignore[attr-defined]

    return call
