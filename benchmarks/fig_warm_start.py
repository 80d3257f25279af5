"""Figure 9: the first call after ``warm_up()`` in a fresh process, against a warm call.

Each sample is a fresh interpreter (``python benchmarks/fig_warm_start.py child URL warm|cold``):

- ``warm``: ``director_litellm.warm_up()``, then wait for its thread (Director's start-up, where
  the patched ``director/llm/__init__.py`` calls it), then build a provider and time its first
  ``chat_completions`` with the Director-sized request, then five more (the warm calls);
- ``cold``: the same without ``warm_up()``, to show what the warm-up moves out of the first call.

The figure is, per process, first call − median warm call; the table shows the median over the
processes. Target: within +50 ms. Run alone: ``python benchmarks/run.py --only 9``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import _common as C  # noqa: E402  (puts src/ first on sys.path; sets the offline cost map)

WARM_CALLS = 5
TARGET_MS = 50.0
PROCESSES = {"quick": 3, "default": 5, "full": 9}


def child(url: str, kind: str) -> None:
    """One fresh process: (warm-up and wait), first call, then warm calls; prints one JSON line."""
    t0 = time.perf_counter()
    import director_litellm

    warm_s = None
    if kind == "warm":
        thread = director_litellm.warm_up()
        assert thread is not None, "warm-up is turned off (LITELLM_WARM_UP)"
        thread.join()
        warm_s = time.perf_counter() - t0
    messages, tools = C.director_request()
    provider = director_litellm.LiteLLMProvider()  # from LITELLM_* (set by run() to this server), as in Director
    times = []
    for _ in range(1 + WARM_CALLS):
        started = time.perf_counter()
        response = provider.chat_completions(messages, tools=tools)
        times.append(time.perf_counter() - started)
        if not response.status:
            raise SystemExit(f"call failed: {response.content}")
    print(json.dumps({"kind": kind, "warm_up_s": warm_s, "first_s": times[0], "warm_s": statistics.median(times[1:])}))


def _child_result(url: str, kind: str, env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "child", url, kind],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=C.REPO,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{kind} child failed (rc={proc.returncode}): {proc.stderr.strip()[-800:]}")
    return dict(json.loads(lines[-1]))


def run(mode_name: str, row: Any, notes: list[str], raw: dict[str, Any]) -> list[Any]:
    """The figure's rows (``row`` is run.py's Row class); samples alternate warm and cold processes."""
    n = PROCESSES.get(mode_name, 5)
    samples: dict[str, list[dict[str, Any]]] = {"warm": [], "cold": []}
    with C.server("light") as srv:
        # configured through the environment, as in Director: the warm-up prepares that model
        env = C.child_env(
            LITELLM_WARM_UP="true", LITELLM_CHAT_MODEL=C.MODEL, LITELLM_API_BASE=srv.url, LITELLM_API_KEY=C.KEY
        )
        for i in range(2 * n):
            kind = ("warm", "cold")[(i + i // 2) % 2]  # warm, cold, cold, warm, ...: neither always first
            samples[kind].append(_child_result(srv.url, kind, env))
    extra = {k: [1e3 * (s["first_s"] - s["warm_s"]) for s in v] for k, v in samples.items()}
    warm_ms = C.Dist.of(extra["warm"])
    cold_ms = C.Dist.of(extra["cold"])
    warm_call = C.Dist.of([1e3 * s["warm_s"] for s in samples["warm"]])
    import_s = C.Dist.of([s["warm_up_s"] for s in samples["warm"]])
    raw["fig8"] = {"samples": samples, "first_minus_warm_ms": {"warm": warm_ms.as_dict(), "cold": cold_ms.as_dict()}}
    notes.append(
        f"figure 9: warm_up() finished {import_s.median:.2f} s after start (median); a warm call is "
        f"{warm_call.median:.1f} ms; without warm_up() the first call is +{cold_ms.median:.0f} ms "
        f"({cold_ms.p25:.0f}–{cold_ms.p75:.0f}) over a warm one"
    )
    return [
        row(
            "9",
            "first call after warm_up() − warm call, fresh process",
            f"{warm_call.median + warm_ms.median:.1f} ms",
            f"warm {warm_call.median:.1f} ms",
            f"{warm_ms.median:+.1f} ms (no warm-up: {cold_ms.median:+.0f} ms)",
            f"{warm_ms.p25:+.1f}–{warm_ms.p75:+.1f} ms",
            str(warm_ms.n),
            f"≤+{TARGET_MS:.0f} ms",
            "PASS" if warm_ms.median <= TARGET_MS else "MISS",
        )
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2], sys.argv[3])
