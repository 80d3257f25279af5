"""What calls go through: litellm itself (``_litellm.DIRECT``) or a shared ``litellm.Router`` (``_router``),
with the configured litellm callbacks. The choice lives here, above both, so ``_litellm`` never imports
``_router`` (an arrow pointing back up)."""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from director_litellm import _litellm

if TYPE_CHECKING:
    from director_litellm._router import RouterBackend

logger = logging.getLogger(__name__)


class Backend(Protocol):
    """What calls go through: ``_litellm.DIRECT``, or a ``_router.RouterBackend`` with the same surface."""

    def completion(self, **request: Any) -> Any: ...

    async def acompletion(self, **request: Any) -> Any: ...


def backend(router_config: str | None, callbacks: Sequence[str] = (), langfuse: bool = False) -> Backend:
    """litellm itself, or the shared ``litellm.Router`` built from ``router_config`` (router mode);
    with ``callbacks`` (or Director's ``enable_langfuse``) every call also carries litellm callbacks."""
    found: Backend = _litellm.DIRECT if router_config is None else router_backend(router_config)
    if not callbacks and not langfuse:
        return found
    return _with_callbacks(cast(Any, found), tuple(callbacks), langfuse)


@functools.lru_cache(maxsize=64)
def _with_callbacks(inner: Any, names: tuple[str, ...], langfuse: bool) -> Backend:
    """``inner`` whose calls carry the callbacks ``names`` resolve to (``_callbacks.WithCallbacks``)."""
    resolved = [found for found in map(_litellm.callback, names) if found is not None]
    if langfuse and "langfuse" not in resolved:
        if importlib.util.find_spec("langfuse") is None:
            logger.warning("enable_langfuse is set but the langfuse package is not installed: pip install langfuse")
        else:
            resolved.append("langfuse")
    from director_litellm._callbacks import WithCallbacks

    return cast(Backend, WithCallbacks(inner, resolved) if resolved else inner)


def router_backend(router_config: str) -> RouterBackend:
    """The shared ``litellm.Router`` for ``router_config`` (built once per version of the file)."""
    from director_litellm._router import router_for  # reading YAML/JSON configs: only in router mode

    return router_for(router_config)


__all__ = ["Backend", "backend", "router_backend"]
