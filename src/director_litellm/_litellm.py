"""litellm itself: the ONLY module that imports it (inside functions), and what we ask its data.

``import director_litellm`` and building a provider must not pay litellm's import (~3 s here),
so every function imports litellm on first use. Capability lookups read litellm's bundled model
data, offline, and are cached per model: that data does not change while the process runs.
"""

from __future__ import annotations

import functools
import os
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from director_litellm.router import RouterBackend

OFFLINE_DATA_VARIABLES = ("LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS")


class Backend(Protocol):
    """What calls go through: the litellm module, or a ``router.RouterBackend`` with the same surface."""

    def completion(self, **request: Any) -> Any: ...

    async def acompletion(self, **request: Any) -> Any: ...


@functools.cache
def import_litellm() -> ModuleType:
    """Import litellm on first use, without letting it fetch its data files over the network.

    litellm fetches its model-cost map at import and (1.10x) Anthropic beta-header data on
    Anthropic calls unless told to use the copies it ships. ``setdefault``: a host that
    chose otherwise keeps its choice.
    """
    for name in OFFLINE_DATA_VARIABLES:
        os.environ.setdefault(name, "True")
    import litellm

    return litellm


def async_http_handler() -> Any:
    """A new litellm ``AsyncHTTPHandler`` (the client its Anthropic handler takes per call)."""
    import_litellm()
    from litellm.llms.custom_httpx.http_handler import AsyncHTTPHandler

    return AsyncHTTPHandler()


def backend(router_config: str | None) -> Backend:
    """litellm itself, or the shared ``litellm.Router`` built from ``router_config`` (router mode)."""
    if router_config is None:
        return cast(Backend, import_litellm())
    return router_backend(router_config)


def router_backend(router_config: str) -> RouterBackend:
    """The shared ``litellm.Router`` for ``router_config`` (built once per version of the file)."""
    from director_litellm import router

    return router.router_for(router_config, import_litellm())


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


def stream_cost(model: str | None, prompt_tokens: int, completion_tokens: int) -> float | None:
    """The cost of a streamed answer from its token counts; None when litellm has no price for ``model``."""
    if not model or not (prompt_tokens or completion_tokens):
        return None
    try:
        prompt, completion = import_litellm().cost_per_token(
            model=model, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
        )
        return float(prompt + completion)
    except Exception:
        return None


__all__ = [
    "OFFLINE_DATA_VARIABLES",
    "Backend",
    "backend",
    "import_litellm",
    "router_backend",
    "stream_cost",
    "supports_response_schema",
]
