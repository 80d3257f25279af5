"""litellm's queued async logging, one worker per event loop (issue 24, item 5).

litellm 1.110 hands every async call's success logging to one process-wide ``LoggingWorker``, bound to
one event loop at a time: a call on another loop moves it there ("LoggingWorker: event loop changed;
carried N pending ..." on stderr). The worker is not thread-safe. When loops run at once in several
threads (a loop per thread, as the package supports), each thread's calls move it from under the
others: a queue is emptied in one thread while another puts into it, logging coroutines are dropped
("coroutine 'Logging.async_success_handler' was never awaited") and litellm's callbacks miss calls.
Plain ``litellm.acompletion`` does the same (tests/test_event_loops.py proves it).

litellm has no per-call switch for this, so, once, at litellm's first import by the package (unless
``LITELLM_LOGGING_PER_LOOP`` is false; litellm 1.60 has no worker): the shared worker's
``ensure_initialized_and_enqueue``, the one entry litellm's call paths use, hands each coroutine to a
worker of the running loop's own, an instance of litellm's own ``LoggingWorker`` class, which never
changes loops. What the class does stays litellm's (bounded queue, concurrency, timeouts, running what
is queued when its task is cancelled). Here:

- ``drain(loop)`` runs what the loop's worker still holds while the loop shuts down (``_loop_clients``
  calls it from ``shutdown_asyncgens``), then stops and forgets the worker;
- a loop closed without that: the next loop to log takes over its unstarted coroutines (each in the
  context it was queued in), as litellm's own worker carries its queue;
- at interpreter exit the workers left run what they hold, the way litellm's own exit handler does
  (each worker's own exit handler is unregistered: one handler here, not one per loop ever seen).

This module never imports litellm: ``_litellm`` passes the shared worker and the class in.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

__all__ = ["PerLoop", "drain", "drain_shared", "install", "installed"]

log = logging.getLogger(__name__)


class Worker(Protocol):
    """What is used of litellm's ``LoggingWorker``."""

    _queue: asyncio.Queue[Any] | None

    def ensure_initialized_and_enqueue(self, async_coroutine: Coroutine[Any, Any, Any]) -> None: ...
    async def flush(self) -> None: ...
    async def stop(self, *, discard_pending: bool = False, timeout: float | None = None) -> None: ...
    def _unstarted_dequeued_tasks(self) -> tuple[dict[str, Any], ...]: ...
    def _flush_on_exit(self) -> None: ...


_NEEDED = ("ensure_initialized_and_enqueue", "flush", "stop", "_unstarted_dequeued_tasks", "_flush_on_exit")


class PerLoop:
    """Routes the shared worker's enqueues to a worker of the running loop's own."""

    def __init__(self, shared: Worker, factory: Callable[[], Worker]) -> None:
        self._shared_enqueue = shared.ensure_initialized_and_enqueue
        self._factory = factory
        self._workers: dict[asyncio.AbstractEventLoop, Worker] = {}
        self._lock = threading.Lock()

    def enqueue(self, async_coroutine: Coroutine[Any, Any, Any]) -> None:
        """Stands in for the shared worker's ``ensure_initialized_and_enqueue`` (positional or keyword)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop: litellm's own worker decides, as before
            self._shared_enqueue(async_coroutine)
            return
        self.worker(loop).ensure_initialized_and_enqueue(async_coroutine)

    def worker(self, loop: asyncio.AbstractEventLoop) -> Worker:
        """The loop's worker, built on its first use; closed loops' workers are swept then."""
        found = self._workers.get(loop)
        if found is not None:
            return found
        with self._lock:
            stale = [(old, w) for old, w in self._workers.items() if old.is_closed()]
            for old, _ in stale:
                del self._workers[old]
            found = self._workers[loop] = self._new()
        for _, old_worker in stale:
            _carry(old_worker, found)
        return found

    def _new(self) -> Worker:
        made = self._factory()
        atexit.unregister(made._flush_on_exit)  # one exit handler for all: flush_all
        return made

    async def drain(self, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        """Run what ``loop``'s worker holds, on ``loop``, then stop it and forget it."""
        found = self._workers.get(loop)
        if found is None:
            return
        try:
            # asyncio.run cancelled the worker's task already: flush starts one again and waits for the queue
            await asyncio.wait_for(found.flush(), timeout)
        except asyncio.TimeoutError:
            log.debug("litellm's logging on this event loop did not finish in %ss; the rest is dropped", timeout)
            await found.stop(discard_pending=True, timeout=timeout)
        else:
            await found.stop(timeout=timeout)
        with self._lock:
            if self._workers.get(loop) is found:
                del self._workers[loop]

    def flush_all(self) -> None:
        """At interpreter exit: each worker left runs what it holds (litellm's own exit flush, per worker)."""
        with self._lock:
            left = list(self._workers.items())
            self._workers.clear()
        for loop, w in left:
            with contextlib.suppress(Exception):
                w._flush_on_exit()
            if loop.is_closed():  # closed without shutdown_asyncgens, and no loop after it took its queue
                _end_stuck(w)


def _carry(old: Worker, new: Worker) -> None:
    """Queue ``old``'s unstarted coroutines (a closed loop's) on ``new``, each in the context it was queued in."""
    tasks: list[dict[str, Any]] = []
    queue = old._queue
    while queue is not None:
        try:
            tasks.append(queue.get_nowait())
        except asyncio.QueueEmpty:
            break
    tasks.extend(old._unstarted_dequeued_tasks())
    for task in tasks:
        task["context"].run(new.ensure_initialized_and_enqueue, task["coroutine"])
    _end_stuck(old)


def _end_stuck(old: Worker) -> None:
    """End the tasks of a worker whose loop is closed (they can never run) without asyncio's complaints."""
    for stuck in (getattr(old, "_worker_task", None), *getattr(old, "_running_tasks", ())):
        if isinstance(stuck, asyncio.Task) and not stuck.done():
            stuck._log_destroy_pending = False  # type: ignore[attr-defined]  # asyncio: no "Task was destroyed"
            with contextlib.suppress(RuntimeError):  # a pending queue.get() cancels its getter on the dead loop
                stuck.get_coro().close()


_installed: list[PerLoop] = []
_install_lock = threading.Lock()


def install(shared: Any, factory: Callable[[], Any]) -> bool:
    """Route ``shared``'s enqueues per loop (once per process); False when ``shared`` is not the worker
    this module knows (another litellm), and nothing is changed then."""
    with _install_lock:
        if _installed:
            return True
        if not all(callable(getattr(shared, name, None)) for name in _NEEDED):
            log.debug("litellm's logging worker is not the one known here: left as it is")
            return False
        router = PerLoop(shared, factory)
        shared.ensure_initialized_and_enqueue = router.enqueue
        atexit.register(router.flush_all)
        _installed.append(router)
        return True


def installed() -> bool:
    """Whether litellm's logging runs per loop in this process."""
    return bool(_installed)


async def drain(timeout: float = 5.0) -> None:
    """Run the running loop's queued litellm logging on it, before it closes (no-op when not installed)."""
    if _installed:
        await _installed[0].drain(asyncio.get_running_loop(), timeout)


async def drain_shared(worker: Any, timeout: float) -> None:
    """The opt-out's drain: litellm's one shared worker, when it is bound to the running loop (it serves
    one loop at a time and is not thread-safe: the caller knows no other loop runs)."""
    loop = asyncio.get_running_loop()
    if getattr(worker, "_queue", None) is None or getattr(worker, "_bound_loop", None) is not loop:
        return  # nothing queued, or the worker serves another loop now
    await asyncio.wait_for(worker.flush(), timeout)
    task = getattr(worker, "_worker_task", None)
    if task is not None and task.get_loop() is loop:  # flush started it after asyncio.run cancelled the tasks
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
