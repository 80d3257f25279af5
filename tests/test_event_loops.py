"""Async calls across event loops, against servers that keep connections alive (issue 10, defect 4).

HTTP clients pool connections, and an asyncio connection belongs to the loop that opened it. litellm
1.60 caches its async clients process-wide, so the second ``asyncio.run(provider.achat_completions(...))``
reused a connection of the first, closed loop: "Connection error" on the OpenAI wire, "Event loop is
closed" on the Anthropic wire; a second thread's loop got "... is bound to a different event loop".
These tests run every async path on both wires with ``num_retries=0`` (a retry would hide the failure
at the cost of one failed request per call), and count requests and TCP connections at the fake.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from director_litellm import LiteLLMProvider, LLMResponse
from director_litellm._stream import Final
from tests.exit_support.loops_at_exit import PHASE_MARK
from tests.exit_support.tally import counts_events, logged, unclean_lines
from tests.fakes import FakeOpenAI
from tests.helpers import child_environment, provider_for

MODELS = {"openai": "openai/gpt-4o-mini", "anthropic": "anthropic/claude-3-5-sonnet-20241022"}
USER = [{"role": "user", "content": "hi"}]


def loop_provider(fake: Any) -> LiteLLMProvider:
    return provider_for(fake, MODELS["openai" if isinstance(fake, FakeOpenAI) else "anthropic"])


async def complete(provider: LiteLLMProvider) -> LLMResponse:
    return await provider.achat_completions(USER)


async def stream(provider: LiteLLMProvider) -> LLMResponse:
    finals = [e.response async for e in provider.astream_chat_completions(USER) if isinstance(e, Final)]
    assert len(finals) == 1
    return finals[0]


PATHS: dict[str, Callable[[LiteLLMProvider], Any]] = {"achat": complete, "astream": stream}


def check(results: list[LLMResponse], fake: Any, calls: int) -> None:
    failures = [r.error or r.content for r in results if not r.status]
    assert failures == [], failures
    assert [r.content for r in results] == ["ok"] * calls
    assert len(fake.requests) == calls  # one request per call: no hidden retry of a failed one
    assert fake.violations == []


@pytest.mark.parametrize("path", PATHS, ids=PATHS)
def test_repeated_asyncio_run(fake: Any, path: str) -> None:
    provider = loop_provider(fake)
    results = [asyncio.run(PATHS[path](provider)) for _ in range(4)]
    check(results, fake, 4)


@pytest.mark.parametrize("path", PATHS, ids=PATHS)
def test_both_paths_alternating_across_loops(fake: Any, path: str) -> None:
    """Plain and streamed calls share litellm's clients: alternate them over fresh loops."""
    provider = loop_provider(fake)
    other = "astream" if path == "achat" else "achat"
    results = [asyncio.run(PATHS[name](provider)) for name in (path, other, path, other)]
    check(results, fake, 4)


@pytest.mark.parametrize("threads", [2, 4])
@pytest.mark.parametrize("path", PATHS, ids=PATHS)
def test_threads_each_with_their_own_loop(fake: Any, path: str, threads: int) -> None:
    """Director's ThreadPoolExecutor shape: each thread runs its own loop, two calls per loop, all the
    loops alive at once (a barrier holds every thread until all have made their first call)."""
    provider = loop_provider(fake)
    results: list[Any] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads, timeout=30)

    def worker() -> None:
        loop = asyncio.new_event_loop()
        try:
            got = [loop.run_until_complete(PATHS[path](provider))]
            barrier.wait()
            got.append(loop.run_until_complete(PATHS[path](provider)))
        except BaseException as exc:  # reported below, never swallowed
            got = [exc]
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
        with lock:
            results.extend(got)

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not any(w.is_alive() for w in workers)
    assert not [r for r in results if isinstance(r, BaseException)]
    check(results, fake, 2 * threads)


def test_one_loop_reuses_its_connection(fake: Any) -> None:
    """Within one loop, calls keep sharing one kept-alive connection (the fix must not cost that).

    Plain calls only: litellm 1.60 does not hand a finished Anthropic stream's connection back to the
    pool, so a later call there opens another (litellm's behaviour, with or without this package)."""
    provider = loop_provider(fake)

    async def calls() -> list[LLMResponse]:
        return [await complete(provider) for _ in range(3)]

    check(asyncio.run(calls()), fake, 3)
    assert fake.connections == 1


@pytest.mark.parametrize("path", PATHS, ids=PATHS)
def test_loop_clients_are_closed_with_the_loop(fake: Any, path: str) -> None:
    """asyncio.run shuts the loop down: the loop's clients close their connections then, on the loop
    (no connection left open at the server, nothing kept for the dead loop)."""
    from director_litellm import _litellm, _loop_clients

    if isinstance(fake, FakeOpenAI) and _litellm.caches_clients_per_loop():
        pytest.skip("this litellm keys its own OpenAI clients by loop: no client of ours to close")
    provider = loop_provider(fake)
    check([asyncio.run(PATHS[path](provider))], fake, 1)
    deadline = time.monotonic() + 5
    while fake.server.open_connections() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake.connections == 1
    assert fake.server.open_connections() == 0
    assert not [loop for loop in _loop_clients._loops if loop.is_closed()]


# stderr lines that must never appear at exit: asyncio's complaints, a closed loop used again, a crash
_NEVER = ("Task was destroyed", "Task exception was never retrieved", "Traceback", "Segmentation fault", "Fatal Python")
# (mode, wire, asyncio.run calls) of the fresh processes the exit tests read, started together: the
# issue's 200 calls on the OpenAI wire, fewer on the Anthropic wire and for plain litellm's proof (suite
# time; the 20-run tally runs 200 on both wires)
_RUNS = {
    "openai": ("package", "openai", 200),
    "anthropic": ("package", "anthropic", 60),
    "plain": ("plain", "openai", 10),
    "opted_out": ("package", "openai", 10),  # LITELLM_LOGGING_PER_LOOP=false: litellm's worker left alone
}


@pytest.fixture(scope="module")
def exits() -> dict[str, subprocess.CompletedProcess[str]]:
    """The ``loops_at_exit`` runs, side by side (one per wire, and plain litellm's): exit code, stdout, stderr.
    The 20-run figure is measured by ``python -m tests.exit_support.tally``, not here."""
    env = child_environment()
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "tests.exit_support.loops_at_exit", mode, wire, str(calls)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, "LITELLM_LOGGING_PER_LOOP": "false"} if name == "opted_out" else env,
        )
        for name, (mode, wire, calls) in _RUNS.items()
        if name in ("openai", "anthropic") or _has_logging_worker()  # the others are about 1.110's worker
    }
    done = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=240)
        done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


@pytest.mark.parametrize("wire", ["openai", "anthropic"])
def test_many_loops_then_exit_is_clean(exits: dict[str, subprocess.CompletedProcess[str]], wire: str) -> None:
    """200 asyncio.run calls (every tenth streamed; 60 on the Anthropic wire), 4 threads with their own
    loops, then exit: exit 0,
    no call failed, no destroyed task, traceback or closed loop, and nothing from litellm's logging
    worker during the asyncio.run phase (what its worker prints while loops run in several threads at
    once: test_concurrent_loops_exit_quietly)."""
    done = exits[wire]
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "failed calls: 0 []"
    assert [line for line in done.stderr.splitlines() if line.startswith(_NEVER)] == []
    assert "Event loop is closed" not in done.stderr
    before = done.stderr.partition(PHASE_MARK)[0]
    assert unclean_lines(before) == [], before[-2000:]


@pytest.mark.parametrize("wire", ["openai", "anthropic"])
def test_concurrent_loops_exit_quietly(exits: dict[str, subprocess.CompletedProcess[str]], wire: str) -> None:
    """Issue 24's bar: no stderr line at all from litellm's logging worker, destroyed tasks or
    never-awaited coroutines, threads' phase included, and (litellm 1.110) every non-streamed call's
    success event reached the run's counting logger in both phases. Failed on 1.110 before litellm's
    worker was given one instance per loop (``_logging_loops``): it was moved between the loops running
    at once in the threads, and the threads' 16 events had not reached the logger by the end."""
    done = exits[wire]
    assert done.returncode == 0
    assert unclean_lines(done.stderr) == []
    events = logged(done.stderr)
    assert len(events) == 2
    if counts_events():
        assert [n for n, _ in events] == [m for _, m in events]


def test_the_opt_out_leaves_litellms_worker_alone(exits: dict[str, subprocess.CompletedProcess[str]]) -> None:
    """``LITELLM_LOGGING_PER_LOOP=false``: litellm's one worker does as it does with plain litellm
    (it reports being moved to each new loop of the threads' phase)."""
    if not _has_logging_worker():
        pytest.skip("this litellm has no logging worker")
    done = exits["opted_out"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert "LoggingWorker: event loop changed" in done.stderr.partition(PHASE_MARK)[2]


def test_plain_litellm_worker_reports_loop_changes(exits: dict[str, subprocess.CompletedProcess[str]]) -> None:
    """litellm's own part, proved with plain ``litellm.acompletion``: 10 asyncio.run calls, then 4
    threads with their own loops. litellm 1.110's worker reports carrying its queue to each new loop,
    in sequence and while the threads' loops run at once. (litellm 1.60 has no such worker.)"""
    if not _has_logging_worker():
        pytest.skip("this litellm has no logging worker (1.60 logs on tasks of the call's own loop)")
    done = exits["plain"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "failed calls: 0 []"
    before, _, threads = done.stderr.partition(PHASE_MARK)
    assert "LoggingWorker: event loop changed" in before
    assert "LoggingWorker: event loop changed" in threads


def _has_logging_worker() -> bool:
    from importlib.util import find_spec

    return find_spec("litellm.litellm_core_utils.logging_worker") is not None
