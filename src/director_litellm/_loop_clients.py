"""Async HTTP clients per event loop, passed to litellm per call (``client=``).

Why: litellm caches its async HTTP clients process-wide (1.60: for every loop alike; 1.110: its
Anthropic streaming client too). A pooled keep-alive connection belongs to the event loop that opened
it, so the next ``asyncio.run(...)`` or another thread's loop reused a dead connection: "Connection
error" (OpenAI wire), "Event loop is closed", "... is bound to a different event loop" or "Connector is
closed" (Anthropic wire). Nothing process-wide is changed here: each async call gets, through litellm's
per-call ``client=`` argument, a client that belongs to the running loop.

- ``openai/...`` models, when litellm's client cache is not per event loop (1.60; 1.110 keys it by
  loop itself, and its own client is faster there: with ours, benchmark figure 5 fell from 0.96x to
  0.82x at concurrency 64): an ``openai.AsyncOpenAI`` (litellm's OpenAI handler takes one per call). It
  carries the endpoint, so it is built the way litellm resolves it for this provider: the call's
  ``api_base``/``api_key``/``organization``, else litellm's settings, else ``OPENAI_API_BASE``,
  ``OPENAI_API_KEY``, ``OPENAI_ORGANIZATION``; ``max_retries=0`` (retries are ours).
- Providers litellm 1.60 reaches through the same OpenAI handler (``mistral/``, ``deepseek/``, ``groq/``, ...,
  its ``openai_compatible_providers``): the same ``AsyncOpenAI``, for the endpoint and key litellm resolves
  for the provider (``get_llm_provider``), when both are known. Without it, on 1.60 every async call after
  an earlier ``asyncio.run`` went out twice (the pooled connection died with its loop) and Director got the
  second request's answer (seen on the Mistral fake, tests/test_families.py; DeepSeek's async calls failed
  with "Connection error").
- ``azure/...`` models on litellm 1.60: an ``AsyncAzureOpenAI`` that makes one attempt (``_azure_client``).
- ``anthropic/...`` models: a litellm ``AsyncHTTPHandler`` (endpoint and headers stay litellm's).
- ``bedrock/...``, ``gemini/...`` and ``vertex_ai/...`` models when litellm's cache is not per loop
  (1.60): the same (their handlers take one per call; without it the second ``asyncio.run`` got "Event
  loop is closed"; the Bedrock handler signs each request itself).
- Anything else (other providers, Router mode): ``{}``, litellm's own clients.

Clients are cached per (loop, provider, endpoint): calls on one loop keep sharing one pool. When
``asyncio.run`` shuts the loop down (``shutdown_asyncgens``) the loop's clients are closed on it; a loop
closed without that is dropped the next time a new loop registers.

Every loop that makes a call is registered, with a client or not: at that same shutdown litellm 1.110's
queued logging of the loop's calls is run on it (``_litellm.drain_logging``), unless another registered
loop is running in another thread at that moment (litellm's logging worker serves one loop at a time).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from director_litellm import _litellm

__all__ = ["client_kwargs"]


@dataclass
class _Loop:
    clients: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    closer: Any = None
    dead: bool = False  # closed without shutdown_asyncgens: nothing left to await on


_loops: dict[asyncio.AbstractEventLoop, _Loop] = {}
_lock = threading.Lock()


def _resolved(model: str, api_base: str | None) -> tuple[str | None, str | None, str | None]:
    """(provider, api key, api base) as litellm resolves them for ``model``; Nones when it cannot."""
    found = _litellm.resolve(model, api_base)
    return (None, None, None) if found is None else (found.provider, found.api_key, found.api_base)


def provider_of(request: dict[str, Any]) -> str | None:
    """litellm's provider for a request (``azure``, ``openai``, ...), cached."""
    return _litellm.route(request["model"], request.get("api_base"))


def _compatible_client(request: dict[str, Any]) -> tuple[tuple[Any, ...], Any] | None:
    """An ``AsyncOpenAI`` for an OpenAI-compatible provider's endpoint, when litellm resolves both its base and key."""
    provider, key, base = _resolved(request["model"], request.get("api_base"))
    key = request.get("api_key") or key
    base = request.get("api_base") or base
    if not key or not base:
        return None
    ident = (provider, base, key)

    def build() -> Any:
        from openai import AsyncOpenAI

        return AsyncOpenAI(api_key=key, base_url=base, max_retries=0)

    return ident, build


def _openai_client(request: dict[str, Any]) -> tuple[tuple[Any, ...], Any] | None:
    """An ``AsyncOpenAI`` for the endpoint litellm would use, or None (leave it to litellm)."""
    base = (
        request.get("api_base")
        or _litellm.setting("api_base")
        or os.environ.get("OPENAI_API_BASE")
        or "https://api.openai.com/v1"
    )
    key = (
        request.get("api_key")
        or _litellm.setting("api_key")
        or _litellm.setting("openai_key")
        or os.environ.get("OPENAI_API_KEY")
    )
    org = request.get("organization") or _litellm.setting("organization") or os.environ.get("OPENAI_ORGANIZATION")
    if not key:
        return None  # litellm reports the missing key itself
    ident = ("openai", base, key, org)

    def build() -> Any:
        from openai import AsyncOpenAI

        return AsyncOpenAI(api_key=key, base_url=base, organization=org, max_retries=0)

    return ident, build


def _http_handler(name: str) -> tuple[tuple[Any, ...], Any]:
    from director_litellm._litellm import async_http_handler

    return (name,), async_http_handler


async def _close_on_shutdown(loop: asyncio.AbstractEventLoop, entry: _Loop) -> AsyncIterator[None]:
    """Registered with the loop as an async generator: ``shutdown_asyncgens`` closes it, on the loop."""
    try:
        yield
    finally:
        with _lock:
            if _loops.get(loop) is entry:
                del _loops[loop]
        if not entry.dead:
            for client in list(entry.clients.values()):
                with contextlib.suppress(Exception):
                    await (client.close() if hasattr(client, "close") else client.aclose())
            from director_litellm._litellm import drain_logging

            with contextlib.suppress(Exception):
                await drain_logging(alone=not _others_running(loop))  # litellm's logging of this loop's calls
        entry.clients.clear()


def _others_running(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether another registered event loop is running now (another thread's)."""
    with _lock:
        return any(other is not loop and other.is_running() for other in _loops)


def _finish(entry: _Loop) -> None:
    """End a closed loop's closer without awaiting anything (its loop can no longer run)."""
    entry.dead = True
    if entry.closer is not None:
        step: Any = entry.closer.aclose()
        with contextlib.suppress(StopIteration, RuntimeError):
            step.send(None)
        step.close()


def _entry(loop: asyncio.AbstractEventLoop) -> _Loop:
    entry = _loops.get(loop)
    if entry is not None:
        return entry
    with _lock:
        stale = [(lp, e) for lp, e in _loops.items() if lp.is_closed()]
        for lp, _ in stale:
            del _loops[lp]
        entry = _loops.setdefault(loop, _Loop())
    for _, old in stale:
        _finish(old)
    if entry.closer is None:
        closer = _close_on_shutdown(loop, entry)
        step: Any = closer.__anext__()  # first iteration: the loop's asyncgen hook now tracks it
        with contextlib.suppress(StopIteration):
            step.send(None)
        entry.closer = closer
    return entry


def client_kwargs(request: dict[str, Any]) -> dict[str, Any]:
    """``{"client": <client of the running loop>}`` for litellm's ``acompletion``, or ``{}``.

    Every loop that makes a call is registered, client or not: its shutdown drains litellm's logging.
    """
    entry = _entry(asyncio.get_running_loop())
    provider = provider_of(request)
    if provider == "openai" and not _litellm.caches_clients_per_loop():
        found = _openai_client(request)
    elif provider in _litellm.openai_compatible_providers() and not _litellm.caches_clients_per_loop():
        found = _compatible_client(request)
    elif provider == "azure":
        from director_litellm import _azure_client

        found = _azure_client.async_client(request)
    elif provider == "anthropic" or (
        provider in ("bedrock", "gemini", "vertex_ai") and not _litellm.caches_clients_per_loop()
    ):
        found = _http_handler(provider)
    else:
        return {}
    if found is None:
        return {}
    ident, build = found
    client = entry.clients.get(ident)
    if client is None:
        client = entry.clients.setdefault(ident, build())
    return {"client": client}
