"""litellm itself: the ONLY module that imports it (inside functions), and what we ask its data.

``import director_litellm`` and building a provider must not pay litellm's import (~3 s here),
so every function imports litellm on first use. Capability lookups read litellm's bundled model
data, offline, and are cached per model: that data does not change while the process runs.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import importlib.util
import logging
import os
import threading
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from director_litellm._router import RouterBackend

OFFLINE_DATA_VARIABLES = ("LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS")
# Ours, not litellm's (litellm reads no variable of this name): whether to set litellm's
# process-wide ``suppress_debug_info`` at import. litellm prints its "Give Feedback / Get Help"
# banner (and its "Provider List" banner) with print() on every failed call unless that global
# is set, and offers no per-call switch. Default on; "false"/"0"/"no"/"off" leaves litellm alone.
SUPPRESS_DEBUG_INFO_VARIABLE = "LITELLM_SUPPRESS_DEBUG_INFO"
_IMPORT_LOCK = threading.Lock()
logger = logging.getLogger(__name__)


class Backend(Protocol):
    """What calls go through: the litellm module, or a ``router.RouterBackend`` with the same surface."""

    def completion(self, **request: Any) -> Any: ...

    async def acompletion(self, **request: Any) -> Any: ...


@functools.cache
def import_litellm() -> ModuleType:
    """Import litellm on first use, without letting it fetch its data files over the network.

    litellm fetches its model-cost map at import and (1.10x) Anthropic beta-header data on
    Anthropic calls unless told to use the copies it ships. ``setdefault``: a host that
    chose otherwise keeps its choice. litellm's banners are silenced once, here, unless
    ``LITELLM_SUPPRESS_DEBUG_INFO`` is false (see ``SUPPRESS_DEBUG_INFO_VARIABLE``).
    """
    for name in OFFLINE_DATA_VARIABLES:
        os.environ.setdefault(name, "True")
    with _IMPORT_LOCK:  # a warm-up thread may be importing it: wait for it, do not race it
        import litellm

        if suppress_debug_info():
            litellm.suppress_debug_info = True
    return litellm


def suppress_debug_info() -> bool:
    """Whether to silence litellm's printed banners: ``LITELLM_SUPPRESS_DEBUG_INFO``, default true."""
    value = os.environ.get(SUPPRESS_DEBUG_INFO_VARIABLE, "true").strip().lower()
    return value not in ("false", "0", "no", "off")


def async_http_handler() -> Any:
    """A new litellm ``AsyncHTTPHandler`` (the client its Anthropic handler takes per call)."""
    import_litellm()
    from litellm.llms.custom_httpx.http_handler import AsyncHTTPHandler

    return AsyncHTTPHandler()


def backend(router_config: str | None, callbacks: Sequence[str] = (), langfuse: bool = False) -> Backend:
    """litellm itself, or the shared ``litellm.Router`` built from ``router_config`` (router mode);
    with ``callbacks`` (or Director's ``enable_langfuse``) every call also carries litellm callbacks."""
    found = cast(Backend, import_litellm()) if router_config is None else router_backend(router_config)
    if not callbacks and not langfuse:
        return found
    return _with_callbacks(cast(Any, found), tuple(callbacks), langfuse)


@functools.lru_cache(maxsize=64)
def _with_callbacks(inner: Any, names: tuple[str, ...], langfuse: bool) -> Backend:
    """``inner`` whose calls carry the callbacks ``names`` resolve to (``_callbacks.WithCallbacks``)."""
    resolved = [found for found in map(_callback, names) if found is not None]
    if langfuse and "langfuse" not in resolved:
        if importlib.util.find_spec("langfuse") is None:
            logger.warning("enable_langfuse is set but the langfuse package is not installed: pip install langfuse")
        else:
            resolved.append("langfuse")
    from director_litellm._callbacks import WithCallbacks

    return cast(Backend, WithCallbacks(inner, resolved) if resolved else inner)


@functools.cache
def _callback(name: str) -> Any:
    """One ``LITELLM_CALLBACKS`` entry: a name litellm knows, or the ``CustomLogger`` that
    ``module:attribute`` names (a class is instantiated once). None, after one WARNING, when unusable."""
    if ":" not in name:
        return name
    import_litellm()
    from litellm.integrations.custom_logger import CustomLogger

    module, _, attribute = name.partition(":")
    try:
        found = getattr(importlib.import_module(module), attribute)
    except Exception as exc:
        logger.warning(
            "LITELLM_CALLBACKS: cannot load %s (%s: %s); calls go on without it", name, type(exc).__name__, exc
        )
        return None
    if isinstance(found, type) and issubclass(found, CustomLogger):
        found = found()
    if not isinstance(found, CustomLogger):
        logger.warning("LITELLM_CALLBACKS: %s is not a litellm CustomLogger; calls go on without it", name)
        return None
    return found


def callbacks_in_use(names: Sequence[str], langfuse: bool) -> list[str]:
    """For ``doctor``: the callbacks calls carry, by name (``module:attribute`` for loggers), and litellm's own
    process-wide ones (set by the host)."""
    used = [name for name in names if _callback(name) is not None]
    if langfuse and "langfuse" not in used and importlib.util.find_spec("langfuse") is not None:
        used.append("langfuse")
    litellm = import_litellm()
    for attribute in ("callbacks", "success_callback", "failure_callback"):
        for entry in getattr(litellm, attribute, None) or ():
            label = entry if isinstance(entry, str) else type(entry).__name__
            used.append(f"{label} (litellm.{attribute}, process-wide)")
    return used


def router_backend(router_config: str) -> RouterBackend:
    """The shared ``litellm.Router`` for ``router_config`` (built once per version of the file)."""
    from director_litellm import _router as router

    return router.router_for(router_config, import_litellm())


# credentials with a chain of their own (AWS profile or role, Google application-default credentials):
# litellm lists them as missing, but a call can still succeed without them
AMBIENT_CREDENTIALS = ("AWS_", "VERTEXAI_", "VERTEX_", "GOOGLE_APPLICATION_CREDENTIALS")
# Azure takes an Entra ID token or client credentials in place of AZURE_API_KEY
_AZURE_ALTERNATIVES = ("AZURE_AD_TOKEN", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID")


def is_key_variable(name: str) -> bool:
    """A variable that holds a key (``OPENAI_API_KEY``, ``WATSONX_TOKEN``, ...), not an endpoint or version."""
    return any(part in name for part in ("KEY", "TOKEN", "SECRET")) and not name.startswith(AMBIENT_CREDENTIALS)


# (model, api_base) -> len(os.environ) when litellm last found every key that model needs
_KEYS_FOUND: dict[tuple[str, str | None], int] = {}


def missing_key_variables(model: str, api_base: str | None = None) -> list[str]:
    """The key variables litellm needs for ``model`` and cannot find, per litellm's ``validate_environment``;
    empty when a key is there (in the environment or a litellm global the host set), the provider
    takes none, or litellm cannot tell.

    Only for a call that has no key of its own (``api_key`` unset). litellm checks which variables
    are *present*, which costs 7-12 µs on litellm 1.60 and 21-32 µs on 1.110 per call, so a "found"
    verdict is kept per (model, api_base) while the set of variables keeps its size: a variable
    removed later is noticed. A "missing" verdict is never kept: a key set after a refused call is
    used by the next one.
    """
    cache_key = (model, api_base)
    if _KEYS_FOUND.get(cache_key) == len(os.environ):
        return []
    litellm = import_litellm()
    try:
        found = litellm.validate_environment(model=model, api_base=api_base)
    except Exception:
        return []
    # litellm lists a provider's variables all or none (Azure: base, version and key), so keep the absent keys
    named = (str(n) for n in (found or {}).get("missing_keys") or ())
    missing = [n for n in named if is_key_variable(n) and n not in os.environ]
    if not missing:
        if len(_KEYS_FOUND) >= 256:
            _KEYS_FOUND.clear()
        _KEYS_FOUND[cache_key] = len(os.environ)
        return []
    if getattr(litellm, "api_key", None) or any(_litellm_global(litellm, n) for n in missing):
        return []
    if any(n.startswith("AZURE_") for n in missing) and any(os.environ.get(n) for n in _AZURE_ALTERNATIVES):
        return []
    return missing


def _litellm_global(litellm: ModuleType, variable: str) -> bool:
    """Whether the host set litellm's own global for ``variable`` (``OPENAI_API_KEY`` -> ``litellm.openai_key``)."""
    prefix = variable.removesuffix("_API_KEY").lower()
    return any(getattr(litellm, f"{prefix}{suffix}", None) for suffix in ("_key", "_api_key"))


@functools.lru_cache(maxsize=256)
def supports_response_schema(model: str) -> bool:
    """litellm's capability data, offline; unknown models count as unsupported.

    Cached: this sits on the per-call path whenever a response_format is given.
    """
    try:
        return bool(import_litellm().supports_response_schema(model=model))
    except Exception:
        return False


@functools.lru_cache(maxsize=256)
def takes_param(model: str, param: str) -> bool:
    """Whether litellm's data says ``model`` accepts the OpenAI parameter ``param``."""
    try:
        litellm = import_litellm()
        name, provider, _, _ = litellm.get_llm_provider(model=model)
        return param in (litellm.get_supported_openai_params(model=name, custom_llm_provider=provider) or ())
    except Exception:
        return False


@functools.lru_cache(maxsize=256)
def route(model: str) -> str | None:
    """litellm's provider route for ``model`` (``anthropic``, ``bedrock``, ``openai``, ...)."""
    try:
        return str(import_litellm().get_llm_provider(model=model)[1])
    except Exception:
        return None


@functools.lru_cache(maxsize=256)
def routable(model: str, api_base: str | None = None) -> bool:
    """False when litellm says it cannot tell which provider serves ``model`` (no provider prefix,
    a name it does not know); True otherwise, unknown failures included (the call decides)."""
    try:
        import_litellm().get_llm_provider(model=model, api_base=api_base)
    except Exception as exc:
        return "llm provider not provided" not in str(exc).lower()
    return True


def cohere_v2(model: str) -> bool:
    """litellm sends ``model`` to Cohere's v2 chat API (1.60 has no v2 route: always False there)."""
    litellm = import_litellm()
    if route(model) not in ("cohere", "cohere_chat") or not hasattr(litellm, "CohereV2ChatConfig"):
        return False
    from litellm.llms.cohere.common_utils import CohereModelInfo

    return bool(CohereModelInfo.get_cohere_route(model) == "v2")


@functools.lru_cache(maxsize=256)
def supports_prompt_caching(model: str) -> bool | None:
    """litellm's model data on prompt caching; None when this litellm does not know the model.

    ``supports_prompt_caching`` itself cannot tell: litellm 1.60 answers False for a model it
    has no data on, 1.110 True for an unknown ``anthropic/claude-*`` name. An entry without a
    price is not data either: a litellm 1.60 Router registers each deployment's model that way
    (process-wide), and ``get_model_info`` then reports a price of 0 and every capability False.
    """
    try:
        info = import_litellm().get_model_info(model=model)
    except Exception:
        return None
    flag = info.get("supports_prompt_caching")
    if flag is None or (not flag and not info.get("input_cost_per_token")):
        return None
    return bool(flag)


@functools.lru_cache(maxsize=256)
def _prices(model: str) -> tuple[float, float, float | None, float | None] | None:
    """(input, output, cache read, cache write) USD per token from litellm's price data."""
    try:
        info = import_litellm().get_model_info(model=model)
        read, write = info.get("cache_read_input_token_cost"), info.get("cache_creation_input_token_cost")
        return (
            float(info["input_cost_per_token"]),
            float(info["output_cost_per_token"]),
            None if read is None else float(read),
            None if write is None else float(write),
        )
    except Exception:
        return None


def cache_cost(model: str | None, send: int, recv: int, cached: int, written: int) -> float | None:
    """The cost of a call that read or wrote the prompt cache, each token at its own price.

    litellm's own figure is not used for these calls: litellm 1.60 bills Anthropic's cache writes
    twice (as plain input and again as writes). None when the price data lacks a needed price.
    """
    prices = _prices(model) if model else None
    if prices is None:
        return None
    per_input, per_output, per_read, per_write = prices
    if (cached and per_read is None) or (written and per_write is None):
        return None
    uncached = max(send - cached - written, 0)
    return float(uncached * per_input + cached * (per_read or 0.0) + written * (per_write or 0.0) + recv * per_output)


def stream_cost(model: str | None, send: int, recv: int, cached: int = 0, written: int = 0) -> float | None:
    """The cost of a streamed answer from its token counts; None when litellm has no price for ``model``."""
    if not model or not (send or recv):
        return None
    if cached or written:
        return cache_cost(model, send, recv, cached, written)
    try:
        prompt, completion = import_litellm().cost_per_token(model=model, prompt_tokens=send, completion_tokens=recv)
        return float(prompt + completion)
    except Exception:
        return None


@functools.lru_cache(maxsize=256)
def context_window(model: str) -> int | None:
    """The model's input window (``max_input_tokens`` in litellm's model data); None when unknown."""
    try:
        window = import_litellm().get_model_info(model=model).get("max_input_tokens")
    except Exception:
        return None
    return window if isinstance(window, int) and window > 0 else None


def count_tokens(model: str, messages: list[dict[str, Any]] | None = None, text: str | None = None) -> int:
    """litellm's ``token_counter`` for ``model``: ``messages`` (images at litellm's default size, never
    fetched) or ``text``. Raises what litellm raises; ``token_counts`` memoizes and falls back."""
    litellm = import_litellm()
    if text is not None:
        return int(litellm.token_counter(model=model, text=text))
    return int(litellm.token_counter(model=model, messages=messages, use_default_image_token_count=True))


async def drain_logging(timeout: float = 5.0) -> None:
    """Run litellm's queued success/failure logging of this event loop before the loop closes.

    litellm 1.110 queues each async call's logging on one process-wide worker whose queue and task
    belong to the running loop. ``asyncio.run`` cancels that task and closes the loop before the
    queue is read, so each new loop carries the queue over with a WARNING ("LoggingWorker: event loop
    changed; carried N pending ...") and, at interpreter exit, the worker's coroutines of closed loops
    are collected (where issue 24 reported a crash at exit). Draining on the loop's own shutdown leaves nothing
    to carry. No setting changes; litellm 1.60 has no such worker (nothing to do).
    """
    import_litellm()
    try:
        from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER as worker
    except ImportError:
        return
    # the worker serves one loop at a time: when another loop (another thread's) has it now, leave it there
    loop = asyncio.get_running_loop()
    if getattr(worker, "_queue", None) is None or getattr(worker, "_bound_loop", None) is not loop:
        return  # nothing queued, or the worker serves another loop now (it serves one at a time)
    await asyncio.wait_for(worker.flush(), timeout)
    task = getattr(worker, "_worker_task", None)
    if task is not None and task.get_loop() is loop:  # flush started it after asyncio.run cancelled the tasks
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def import_service_logger() -> None:
    """Import litellm's service logger, which litellm imports lazily on the first request (warm-up)."""
    import litellm._service_logger  # noqa: F401


__all__ = [
    "AMBIENT_CREDENTIALS",
    "OFFLINE_DATA_VARIABLES",
    "SUPPRESS_DEBUG_INFO_VARIABLE",
    "Backend",
    "backend",
    "cache_cost",
    "callbacks_in_use",
    "context_window",
    "count_tokens",
    "drain_logging",
    "import_litellm",
    "import_service_logger",
    "is_key_variable",
    "missing_key_variables",
    "routable",
    "route",
    "router_backend",
    "stream_cost",
    "supports_prompt_caching",
    "supports_response_schema",
    "suppress_debug_info",
]
