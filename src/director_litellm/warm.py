"""Warm start: import litellm, and what the first call needs, in a background thread.

In a fresh process the first call pays for importing litellm (2-5 s here). A host that
knows it will use this package (Director with ``DEFAULT_LLM=litellm``) calls
:func:`warm_up` while it starts, so that cost is paid before the first message.

``warm_up()`` is idempotent, never raises and returns at once; set ``LITELLM_WARM_UP=false``
to turn it off. Importing this module imports nothing heavy.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

logger = logging.getLogger(__name__)

WARM_UP_VARIABLE = "LITELLM_WARM_UP"
_OFF = frozenset({"0", "false", "no", "off"})

_lock = threading.Lock()
_thread: threading.Thread | None = None


def warm_up() -> threading.Thread | None:
    """Start importing litellm in a daemon thread; return that thread (the same one every time).

    Returns ``None`` when ``LITELLM_WARM_UP`` is ``false``/``0``/``no``/``off``, or if the
    thread could not be started. ``thread.join(timeout)`` waits for the warm-up to end.
    """
    global _thread
    try:
        if os.environ.get(WARM_UP_VARIABLE, "").strip().lower() in _OFF:
            logger.debug("warm-up turned off by %s", WARM_UP_VARIABLE)
            return None
        with _lock:
            if _thread is None:
                thread = threading.Thread(target=_run, name="director-litellm-warm-up", daemon=True)
                thread.start()
                _thread = thread
            return _thread
    except Exception as exc:  # never raise: a failed warm-up only means a slower first call
        logger.debug("warm-up not started: %s: %s", type(exc).__name__, exc)
        return None


def _import_litellm() -> Any:
    """The package's one litellm-importing function, wherever it lives today."""
    try:
        from director_litellm._litellm import import_litellm  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        from director_litellm.provider import import_litellm
    return import_litellm()


def _run() -> None:
    started = time.perf_counter()
    try:
        litellm = _import_litellm()
        # What the first call imports beyond litellm's top level: the provider's own modules
        # (pydantic-settings among them) and litellm's lazily loaded request path.
        import director_litellm.provider  # noqa: F401

        for name in ("main", "utils", "cost_calculator"):
            getattr(litellm, name, None)
        logger.debug("warm-up finished in %.2f s", time.perf_counter() - started)
    except BaseException as exc:  # a daemon thread must not print a traceback into the host's stderr
        logger.debug("warm-up failed after %.2f s: %s: %s", time.perf_counter() - started, type(exc).__name__, exc)
