"""Shared by ``run.py`` and its child processes: servers, the Director-sized request, statistics.

Nothing here imports litellm at module level; callers decide when that cost is paid.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# BENCH_SRC (run.py --src): benchmark another checkout's src/ (e.g. with a proposed patch applied)
SRC = os.path.abspath(os.environ.get("BENCH_SRC") or os.path.join(REPO, "src"))
for _p in (REPO, SRC):  # SRC ends up first
    if _p in sys.path:
        sys.path.remove(_p)
    sys.path.insert(0, _p)

# litellm must never fetch its cost map during a benchmark (set before any litellm import)
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

MODEL = "openai/gpt-4o-mini"
KEY = "sk-bench-0123456789"
TIMEOUT = 120.0


# ------------------------------------------------------------------------------------------ servers
class Server:
    """A loopback server in its own process (see ``_server.py``)."""

    def __init__(self, kind: str = "strict", python: str | None = None) -> None:
        # a child running in another environment (the peers') uses the parent's interpreter for the
        # server: the strict fake needs pytest-httpserver, which that environment may not have
        python = python or os.environ.get("BENCH_SERVER_PYTHON") or sys.executable
        args = [python, os.path.join(HERE, "_server.py")]
        if kind == "light":
            args.append("--light")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, REPO, os.environ.get("PYTHONPATH", "")]))
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise RuntimeError(f"the {kind} benchmark server did not start")
        info = json.loads(line)
        self.url: str = info["url"]
        self.kind = kind

    def ask(self, command: str) -> dict[str, Any]:
        self.proc.stdin.write(command + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        return json.loads(self.proc.stdout.readline())  # type: ignore[union-attr]

    def last_bodies(self, n: int) -> list[Any]:
        return self.ask(f"bodies {n}").get("bodies", [])

    def cpu_seconds(self) -> float:
        """User+system CPU the server process has used so far (Linux /proc)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            return float("nan")

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # type: ignore[union-attr]
                self.proc.wait(timeout=5)
            except Exception:
                self.proc.kill()
                self.proc.wait()


@contextmanager
def server(kind: str = "strict", python: str | None = None) -> Iterator[Server]:
    srv = Server(kind, python)
    try:
        yield srv
    finally:
        srv.close()


def import_litellm() -> Any:
    """litellm, imported the way the provider imports it (offline data files), else plainly."""
    try:  # _litellm hands the module out no more: import it the provider's way, then take it
        from director_litellm._litellm import ensure_imported
    except ImportError:  # a checkout from before the seam (--src)
        try:
            from director_litellm._litellm import import_litellm
        except ImportError:  # a checkout from before the _litellm module
            from director_litellm.provider import import_litellm  # type: ignore[attr-defined,no-redef]
        return import_litellm()
    ensure_imported()
    import litellm

    return litellm


# ------------------------------------------------------------------------------------------ workload
def director_request(turns: int = 5, n_tools: int = 25):
    """Director's reasoning call: (messages, tools) in Director's own shapes."""
    from tests.director_data import director_tools, history

    return history(turns), director_tools(n_tools)


def make_provider(url: str, **cfg: Any):
    from director_litellm import LiteLLMConfig, LiteLLMProvider

    return LiteLLMProvider(LiteLLMConfig(chat_model=MODEL, api_base=url, api_key=KEY, **cfg))


def raw_kwargs(provider: Any, messages: Any, tools: Any, **extra: Any) -> dict[str, Any]:
    """What ``provider`` sends to ``litellm.completion``, built once, outside any timing.

    ``build_request`` converts with ``director_litellm._formatters``; the provider then adds the
    per-attempt ``timeout`` (see ``provider._plan``), which raw litellm gets here as the configured
    constant (what a plain litellm user would pass).
    """
    request = dict(provider.build_request(messages, tools=tools))
    request["timeout"] = float(provider.config.timeout)
    request.update(extra)
    return request


def wire_diff(a: Any, b: Any) -> list[str]:
    """Human-readable differences between two request bodies (top-level keys, then values)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return [f"bodies not comparable ({type(a).__name__} vs {type(b).__name__})"]
    out = []
    for key in sorted(set(a) | set(b)):
        if key not in a:
            out.append(f"+{key}={json.dumps(b[key])[:40]}")
        elif key not in b:
            out.append(f"-{key}")
        elif a[key] != b[key]:
            out.append(f"~{key}")
    return out


# ------------------------------------------------------------------------------------------ statistics
def quantile(values: Sequence[float], q: float) -> float:
    data = sorted(values)
    if not data:
        return float("nan")
    pos = (len(data) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


@dataclass
class Dist:
    median: float
    p25: float
    p75: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Dist:
        return cls(
            statistics.median(values) if values else float("nan"),
            quantile(values, 0.25),
            quantile(values, 0.75),
            len(values),
        )

    def as_dict(self) -> dict[str, float]:
        return {"median": self.median, "p25": self.p25, "p75": self.p75, "n": self.n}


class Measured(float):
    """Returned by a benchmarked fn that times itself (e.g. to the first streamed chunk)."""


def interleaved(fns: dict[str, Callable[[], Any]], rounds: int, warmup: int = 3) -> dict[str, list[float]]:
    """Run every fn once per round, in an order that rotates every round; seconds per call, per name.

    Neighbouring samples of different names were taken moments apart, so slow drift and noise bursts on
    a shared machine hit every side alike; ratios are then taken per round (see ``paired``). A fn that
    returns a ``Measured`` value reports its own time instead of the wall time of the whole call.
    """
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    clock = time.perf_counter
    for r in range(rounds):
        k = r % len(names)
        order = names[k:] + names[:k]
        if (r // len(names)) % 2:
            order.reverse()
        for name in order:
            fn = fns[name]
            t0 = clock()
            got = fn()
            samples[name].append(got if isinstance(got, Measured) else clock() - t0)
    return samples


def calibrate(fn: Callable[[], Any], n: int = 7) -> float:
    """Median seconds per call of ``fn`` (after two untimed calls)."""
    for _ in range(2):
        fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def rounds_for(budget: float, per_round: float, cap: int, floor: int = 20) -> int:
    """How many rounds fit ``budget`` seconds, between ``floor`` and ``cap``."""
    return max(min(int(budget / max(per_round, 1e-6)), cap), min(floor, cap))


def paired(a: Sequence[float], b: Sequence[float]) -> dict[str, Any]:
    """Per-round ratio a/b and difference a-b: medians and interquartile range."""
    ratios = [x / y for x, y in zip(a, b, strict=False) if y > 0]
    diffs = [x - y for x, y in zip(a, b, strict=False)]
    return {"ratio": Dist.of(ratios), "diff": Dist.of(diffs), "a": Dist.of(a), "b": Dist.of(b)}


def rss_bytes() -> int:
    """Current resident set size (Linux /proc/self/statm)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SRC, REPO, env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


def run_child(python: str, args: list[str], timeout: float = 600, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``_child.py`` and return the JSON it prints last on stdout."""
    proc = subprocess.run(
        [python, os.path.join(HERE, "_child.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or child_env(),
        cwd=REPO,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"child {args[0]} failed (rc={proc.returncode}): {proc.stderr.strip()[-800:]}")
