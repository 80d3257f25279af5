"""litellm itself: the ONLY module that imports it (inside functions), and what we ask its data.

``import director_litellm`` and building a provider must not pay litellm's import (~3 s here),
so every function imports litellm on first use. Capability lookups read litellm's bundled model
data, offline, and are cached per model: that data does not change while the process runs.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
import os
import threading
from collections.abc import Sequence
from types import ModuleType
from typing import Any, NamedTuple

from director_litellm import _credentials as credentials
from director_litellm import _environment as environment
from director_litellm import _logging_loops
from director_litellm._pricing import Prices

_IMPORT_LOCK = threading.Lock()
logger = logging.getLogger(__name__)


@functools.cache
def _module() -> ModuleType:
    """Import litellm on first use, without letting it fetch its data files over the network.

    litellm fetches its model-cost map at import and (1.10x) Anthropic beta-header data on
    Anthropic calls unless told to use the copies it ships. ``setdefault``: a host that
    chose otherwise keeps its choice. litellm prints its banners on every failed call unless its
    ``suppress_debug_info`` global is set (no per-call switch): set once, here, unless
    ``LITELLM_SUPPRESS_DEBUG_INFO`` is false (``_environment``).
    """
    environment.default_offline_data()
    with _IMPORT_LOCK:  # a warm-up thread may be importing it: wait for it, do not race it
        import litellm

        if environment.enabled(environment.SUPPRESS_DEBUG_INFO):
            litellm.suppress_debug_info = True
        if environment.enabled(environment.LOGGING_PER_LOOP):
            _route_logging_per_loop()
    return litellm


def _route_logging_per_loop() -> None:
    """litellm 1.110's logging worker, one per event loop (``_logging_loops``); 1.60 has no worker."""
    try:
        from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER, LoggingWorker
    except ImportError:
        return
    _logging_loops.install(GLOBAL_LOGGING_WORKER, LoggingWorker)


def ensure_imported() -> None:
    """Import litellm now (see ``_module``): a warm-up, or a command that wants its import time here."""
    _module()


def setting(name: str) -> Any:
    """The value of litellm's process-wide global ``name`` (``api_key``, ``azure_key``, ...); None when unset."""
    return getattr(_module(), name, None)


@functools.cache
def caches_clients_per_loop() -> bool:
    """litellm keys its cached clients by event loop (``LLMClientCache.update_cache_key_with_event_loop``)."""
    return hasattr(setting("in_memory_llm_clients_cache"), "update_cache_key_with_event_loop")


@functools.cache
def openai_compatible_providers() -> frozenset[str]:
    """The providers litellm sends through its OpenAI-compatible handler."""
    return frozenset(str(p) for p in setting("openai_compatible_providers") or ())


def provider_names() -> list[str]:
    """Every provider prefix litellm knows (``openai``, ``anthropic``, ...)."""
    return [str(getattr(p, "value", p)) for p in setting("provider_list") or ()]


def has_host_hooks() -> bool:
    """Whether the host registered litellm callbacks or a cache (a rehearsal call would be recorded)."""
    hooks = ("callbacks", "input_callback", "success_callback", "failure_callback", "_async_success_callback")
    return any(setting(name) for name in hooks) or setting("cache") is not None


class Direct:
    """litellm itself as a ``_backend.Backend``: its ``completion``/``acompletion``, looked up at each call."""

    def completion(self, **request: Any) -> Any:
        return _module().completion(**request)

    async def acompletion(self, **request: Any) -> Any:
        return await _module().acompletion(**request)


DIRECT = Direct()


def complete(**request: Any) -> Any:
    """One ``litellm.completion`` call (the warm-up's rehearsal)."""
    return _module().completion(**request)


def async_http_handler() -> Any:
    """A new litellm ``AsyncHTTPHandler`` (the client its Anthropic handler takes per call)."""
    _module()
    from litellm.llms.custom_httpx.http_handler import AsyncHTTPHandler

    return AsyncHTTPHandler()


@functools.cache
def callback(name: str) -> Any:
    """One ``LITELLM_CALLBACKS`` entry: a name litellm knows, or the ``CustomLogger`` that
    ``module:attribute`` names (a class is instantiated once). None, after one WARNING, when unusable."""
    if ":" not in name:
        return name
    _module()
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
    used = [name for name in names if callback(name) is not None]
    if langfuse and "langfuse" not in used and importlib.util.find_spec("langfuse") is not None:
        used.append("langfuse")
    litellm = _module()
    for attribute in ("callbacks", "success_callback", "failure_callback"):
        for entry in getattr(litellm, attribute, None) or ():
            label = entry if isinstance(entry, str) else type(entry).__name__
            used.append(f"{label} (litellm.{attribute}, process-wide)")
    return used


class Route(NamedTuple):
    """What litellm resolves for a model: the name without its provider prefix, the provider, and the key
    and endpoint it found (None when not)."""

    model: str
    provider: str
    api_key: str | None
    api_base: str | None


@functools.lru_cache(maxsize=256)
def resolve(model: str, api_base: str | None = None) -> Route | None:
    """litellm's ``get_llm_provider`` for ``model``: the ONE place the provider route is looked up."""
    try:
        bare, provider, key, base = _module().get_llm_provider(model=model, api_base=api_base)
    except Exception:
        return None
    return Route(str(bare), str(provider), key or None, base or None)


def model_entry(name: str) -> dict[str, Any] | None:
    """``name``'s entry in litellm's model map (``litellm.model_cost``), a copy; None when it has none."""
    entry = (setting("model_cost") or {}).get(name)
    return None if entry is None else dict(entry)


def install_dir() -> str:
    """The directory litellm is imported from."""
    return os.path.dirname(os.path.abspath(getattr(_module(), "__file__", None) or "."))


def model_info(model: str) -> dict[str, Any] | None:
    """litellm's ``get_model_info`` for ``model``; None when litellm has none."""
    try:
        return dict(_module().get_model_info(model))
    except Exception:
        return None


def supports(model: str, capability: str) -> bool | None:
    """litellm's ``supports_<capability>`` for ``model``; None when litellm cannot say."""
    try:
        return bool(getattr(_module(), f"supports_{capability}")(model))
    except Exception:
        return None


def environment_missing(model: str, api_key: str | None = None, api_base: str | None = None) -> list[str]:
    """The variables litellm's ``validate_environment`` lists as missing for ``model``; raises what it raises."""
    found = _module().validate_environment(model, api_key=api_key, api_base=api_base)
    return [str(n) for n in (found or {}).get("missing_keys") or ()]


def router_arguments() -> list[str] | None:
    """``litellm.Router``'s keyword arguments, or None when they cannot be known."""
    import inspect

    try:
        signature = inspect.signature(_module().Router.__init__)
    except (TypeError, ValueError):
        return None
    params = signature.parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return [p.name for p in params if p.name not in ("self", "_host") and not p.name.startswith("_")]


def build_router(model_list: list[dict[str, Any]], settings: dict[str, Any]) -> Any:
    """A ``litellm.Router``; raises what litellm raises. litellm 1.60's Router turns ``suppress_debug_info``
    on process-wide as a side effect of construction: the host's own value is written back."""
    litellm = _module()
    suppress = getattr(litellm, "suppress_debug_info", None)
    try:
        return litellm.Router(model_list=model_list, **settings)
    finally:
        if suppress is not None and getattr(litellm, "suppress_debug_info", None) != suppress:
            setattr(litellm, "suppress_debug_info", suppress)  # noqa: B010 - litellm declares no such attribute


_ROUTER_CALLBACK_LISTS = (
    "callbacks",
    "success_callback",
    "failure_callback",
    "input_callback",
    "service_callback",
    "_async_success_callback",
    "_async_failure_callback",
    "_async_input_callback",
)


def unregister(owned: set[int]) -> None:
    """Remove from litellm's callback lists every entry (or bound method of an object) whose id is in ``owned``."""
    litellm = _module()
    for name in _ROUTER_CALLBACK_LISTS:
        callbacks = getattr(litellm, name, None)
        if not isinstance(callbacks, list):
            continue
        keep = [cb for cb in callbacks if id(getattr(cb, "__self__", cb)) not in owned and id(cb) not in owned]
        if len(keep) != len(callbacks):
            callbacks[:] = keep


def missing_key_variables(model: str, api_base: str | None = None) -> list[str]:
    """The call path's credential verdict for a call without a key of its own (``_credentials``, over
    litellm's ``validate_environment`` and the host's litellm globals); doctor asks the same."""
    return credentials.missing_key_variables(model, api_base, os.environ, environment_missing, host_has_key)


def host_has_key(variable: str) -> bool:
    """Whether the host gave litellm a key itself: ``litellm.api_key``, or the global for ``variable``
    (``OPENAI_API_KEY`` -> ``litellm.openai_key``)."""
    prefix = variable.removesuffix("_API_KEY").lower()
    return bool(setting("api_key")) or any(setting(f"{prefix}{suffix}") for suffix in ("_key", "_api_key"))


@functools.lru_cache(maxsize=256)
def supports_response_schema(model: str) -> bool:
    """litellm's capability data, offline; unknown models count as unsupported.

    Cached: this sits on the per-call path whenever a response_format is given.
    """
    try:
        return bool(_module().supports_response_schema(model=model))
    except Exception:
        return False


@functools.lru_cache(maxsize=256)
def takes_param(model: str, param: str) -> bool:
    """Whether litellm's data says ``model`` accepts the OpenAI parameter ``param``."""
    try:
        litellm = _module()
        name, provider, _, _ = litellm.get_llm_provider(model=model)
        return param in (litellm.get_supported_openai_params(model=name, custom_llm_provider=provider) or ())
    except Exception:
        return False


@functools.lru_cache(maxsize=256)
def route(model: str, api_base: str | None = None) -> str | None:
    """litellm's provider route for ``model`` (``anthropic``, ``bedrock``, ``openai``, ...)."""
    found = resolve(model, api_base)
    return None if found is None else found.provider


@functools.lru_cache(maxsize=256)
def routable(model: str, api_base: str | None = None) -> bool:
    """False when litellm says it cannot tell which provider serves ``model`` (no provider prefix,
    a name it does not know); True otherwise, unknown failures included (the call decides)."""
    try:
        _module().get_llm_provider(model=model, api_base=api_base)
    except Exception as exc:
        return "llm provider not provided" not in str(exc).lower()
    return True


def cohere_v2(model: str) -> bool:
    """litellm sends ``model`` to Cohere's v2 chat API (1.60 has no v2 route: always False there)."""
    litellm = _module()
    if route(model) not in ("cohere", "cohere_chat") or not hasattr(litellm, "CohereV2ChatConfig"):
        return False
    from litellm.llms.cohere.common_utils import CohereModelInfo

    return bool(CohereModelInfo.get_cohere_route(model) == "v2")


@functools.lru_cache(maxsize=256)
def supports_prompt_caching(model: str) -> bool | None:
    """litellm's model data on prompt caching; None when this litellm does not know the model
    (``supports_prompt_caching`` cannot tell: 1.60 says False for an unknown model, 1.110 True for an unknown
    ``anthropic/claude-*``; an entry without a price is a 1.60 Router's placeholder, every capability False)."""
    try:
        info = _module().get_model_info(model=model)
    except Exception:
        return None
    flag = info.get("supports_prompt_caching")
    if flag is None or (not flag and not info.get("input_cost_per_token")):
        return None
    return bool(flag)


@functools.lru_cache(maxsize=256)
def prices(model: str) -> Prices | None:
    """``model``'s prices per token from litellm's price data (``_pricing`` does the arithmetic)."""
    try:
        info = _module().get_model_info(model=model)
        read, write = info.get("cache_read_input_token_cost"), info.get("cache_creation_input_token_cost")
        return Prices(
            float(info["input_cost_per_token"]),
            float(info["output_cost_per_token"]),
            None if read is None else float(read),
            None if write is None else float(write),
        )
    except Exception:
        return None


def token_cost(model: str, send: int, recv: int) -> float | None:
    """litellm's ``cost_per_token`` for ``send`` prompt and ``recv`` completion tokens; None without a price."""
    try:
        prompt, completion = _module().cost_per_token(model=model, prompt_tokens=send, completion_tokens=recv)
        return float(prompt + completion)
    except Exception:
        return None


@functools.lru_cache(maxsize=256)
def context_window(model: str) -> int | None:
    """The model's input window (``max_input_tokens`` in litellm's model data); None when unknown."""
    try:
        window = _module().get_model_info(model=model).get("max_input_tokens")
    except Exception:
        return None
    return window if isinstance(window, int) and window > 0 else None


def count_tokens(model: str, messages: list[dict[str, Any]] | None = None, text: str | None = None) -> int:
    """litellm's ``token_counter`` for ``model``: ``messages`` (images at litellm's default size, never
    fetched) or ``text``. Raises what litellm raises; ``token_counts`` memoizes and falls back."""
    litellm = _module()
    if text is not None:
        return int(litellm.token_counter(model=model, text=text))
    return int(litellm.token_counter(model=model, messages=messages, use_default_image_token_count=True))


async def drain_logging(alone: bool, timeout: float = 5.0) -> None:
    """Run litellm 1.110's queued logging of this event loop before the loop closes (``_logging_loops``):
    the loop's own worker, or else the one shared worker when it serves only this loop (``alone``)."""
    _module()
    if _logging_loops.installed():
        await _logging_loops.drain(timeout)
        return
    try:
        from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER
    except ImportError:
        return  # litellm 1.60 has no worker
    if alone:
        await _logging_loops.drain_shared(GLOBAL_LOGGING_WORKER, timeout)


def import_service_logger() -> None:
    """Import litellm's service logger, which litellm imports lazily on the first request (warm-up)."""
    import litellm._service_logger  # noqa: F401
