"""litellm's callbacks, per call: a backend whose calls carry them (a leaf ``_litellm`` wraps with).

litellm takes callbacks per call as ``success_callback=[...]`` / ``failure_callback=[...]`` and
leaves its process-wide lists alone then; its ``callbacks=[...]`` keyword adds to those lists
(litellm 1.110) or is ignored (1.60), so it is not used. litellm 1.60 does not run a CustomLogger
given per call on ``acompletion`` (docs/observability.md, known limitation).
"""

from __future__ import annotations

from typing import Any


class WithCallbacks:
    """A backend whose calls carry litellm callbacks; everything else is the backend's own."""

    def __init__(self, inner: Any, callbacks: list[Any]) -> None:
        self._inner = inner
        self._callbacks = callbacks

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _kwargs(self) -> dict[str, Any]:
        # fresh lists each call: litellm 1.60 moves async entries out of them in place
        return {"success_callback": list(self._callbacks), "failure_callback": list(self._callbacks)}

    def completion(self, **request: Any) -> Any:
        return self._inner.completion(**request, **self._kwargs())

    async def acompletion(self, **request: Any) -> Any:
        return await self._inner.acompletion(**request, **self._kwargs())
