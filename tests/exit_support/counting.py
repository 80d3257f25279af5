"""A litellm CustomLogger that counts async success events, for ``loops_at_exit`` (issue 24, item 5):
named in ``LITELLM_CALLBACKS`` as ``tests.exit_support.counting:Counter``, so the package hands it to
litellm with each call, and the run can say whether every call's logging ran (nothing lost).

Built on first use: litellm is imported then, not when this module is imported.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_lock = threading.Lock()
_count = [0]


def count() -> int:
    """How many async success events litellm has handed to a Counter so far."""
    with _lock:
        return _count[0]


@functools.cache
def _counter_class() -> type:
    from litellm.integrations.custom_logger import CustomLogger

    class Counter(CustomLogger):  # type: ignore[misc]
        async def async_log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
            with _lock:
                _count[0] += 1

    return Counter


def __getattr__(name: str) -> Any:
    if name == "Counter":
        return _counter_class()
    raise AttributeError(name)
