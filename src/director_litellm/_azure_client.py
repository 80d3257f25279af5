"""An Azure OpenAI client that makes one attempt, for litellm 1.60's Azure handler (passed per call).

litellm 1.60 drops ``max_retries`` before its Azure handler, which then builds an ``AzureOpenAI``
client with the openai default: two retries of its own, after the ``retry-after-ms`` wait. An Azure
429 or 5xx went out three times whatever this package's retry policy and deadline said
(``azure_429_retry_160`` in tests/conformance). Handing that handler, through litellm's per-call
``client=``, a client built with ``max_retries=0`` leaves every retry to ``retry.py``. Later litellm
honours ``max_retries=0`` itself: nothing is passed there, nor when the endpoint, key or
``api_version`` is not known here (litellm resolves those cases its own way).

Sync clients are shared process-wide (one per endpoint, key and version; httpx clients are
thread-safe); async ones come from ``_loop_clients``, per event loop.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any

from director_litellm import _litellm

__all__ = ["async_client", "completion", "sync_kwargs"]

_clients: dict[tuple[str, str, str], Any] = {}
_lock = threading.Lock()


@functools.cache
def _retries_inside() -> bool:
    """litellm 1.60.x: its Azure handler ignores ``max_retries`` (checked at the wire on both stacks)."""
    from importlib.metadata import version

    try:
        major, minor = (int(part) for part in version("litellm").split(".")[:2])
    except Exception:
        return False
    return (major, minor) < (1, 61)


def endpoint(request: dict[str, Any]) -> tuple[str, str, str] | None:
    """(api_base, api_key, api_version) litellm 1.60 would use for an ``azure/`` call, or None if unknown."""
    if not _retries_inside():
        return None
    base = request.get("api_base") or _litellm.setting("api_base") or os.environ.get("AZURE_API_BASE")
    key = (
        request.get("api_key")
        or _litellm.setting("api_key")
        or _litellm.setting("azure_key")
        or os.environ.get("AZURE_OPENAI_API_KEY")
        or os.environ.get("AZURE_API_KEY")
    )
    api_version = request.get("api_version") or _litellm.setting("api_version") or os.environ.get("AZURE_API_VERSION")
    if not (base and key and api_version):
        return None
    return str(base), str(key), str(api_version)


def sync_kwargs(request: dict[str, Any], provider: str | None) -> dict[str, Any]:
    """``{"client": AzureOpenAI(max_retries=0)}`` for an ``azure/`` call on litellm 1.60, else ``{}``."""
    if provider != "azure" or "client" in request:
        return {}
    found = endpoint(request)
    if found is None:
        return {}
    client = _clients.get(found)
    if client is None:
        from openai import AzureOpenAI

        base, key, api_version = found
        with _lock:
            client = _clients.setdefault(
                found, AzureOpenAI(azure_endpoint=base, api_key=key, api_version=api_version, max_retries=0)
            )
    return {"client": client}


def async_client(request: dict[str, Any]) -> tuple[tuple[Any, ...], Any] | None:
    """(cache key, builder) of an ``AsyncAzureOpenAI(max_retries=0)`` for ``_loop_clients``, or None."""
    found = endpoint(request)
    if found is None:
        return None
    base, key, api_version = found

    def build() -> Any:
        from openai import AsyncAzureOpenAI

        return AsyncAzureOpenAI(azure_endpoint=base, api_key=key, api_version=api_version, max_retries=0)

    return ("azure", *found), build


def completion(backend: Any, provider_of: Callable[[dict[str, Any]], str | None]) -> Any:
    """``backend.completion``, given the one-attempt client where ``sync_kwargs`` says so
    (``provider_of``: litellm's provider for a request, ``_loop_clients.provider_of``)."""
    return lambda **request: backend.completion(**request, **sync_kwargs(request, provider_of(request)))
