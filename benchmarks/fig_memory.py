"""Figure 7: RSS growth over N sync calls, director-litellm against raw litellm.

Three fresh processes at once (``_child.py rss``): the provider, raw litellm reusing one request
object (7), and raw litellm with the request rebuilt for every call (7').
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import _common as C
from _harness import NOTES, RAW, Row, log, verdict

HERE = os.path.dirname(os.path.abspath(__file__))


def fig_rss(mode: dict[str, Any]) -> list[Row]:
    budget, cap = mode["rss"]
    warmup = mode["rss_warmup"]
    # three processes share two cores: a call takes ~1.5x as long as alone
    calls = cap if budget is None else C.rounds_for(budget, 1.5 * RAW.get("t_call", 0.01), cap, floor=200)
    sides = ("provider", "raw", "raw-fresh")
    log(f"figure 7: RSS over {calls} sync calls after {warmup} warm-up calls, {len(sides)} fresh processes at once")
    with C.server("light") as srv:
        procs = {
            side: subprocess.Popen(
                [sys.executable, os.path.join(HERE, "_child.py"), "rss", side, srv.url, str(calls), str(warmup)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=C.child_env(),
                cwd=C.REPO,
            )
            for side in sides
        }
        out = {}
        for side, proc in procs.items():
            stdout, stderr = proc.communicate(timeout=3600)
            lines = [line for line in stdout.splitlines() if line.startswith("{")]
            if not lines:
                raise SystemExit(f"RSS child ({side}) failed: {stderr[-600:]}")
            out[side] = json.loads(lines[-1])
    RAW["fig7"] = out
    mb = 1024 * 1024
    growth = {side: out[side]["growth"] / mb for side in sides}
    for side in sides:
        trace = " ".join(f"{t / mb:+.1f}" for t in out[side]["trace"])
        NOTES.append(
            f"figure 7: {side}: RSS after warm-up {out[side]['start'] / mb:.0f} MB, growth at each fifth "
            f"of the run {trace} MB; live objects after gc.collect() {out[side]['objects']:+d}; "
            f"{out[side]['seconds']:.0f} s"
        )
    if calls < 5000:
        NOTES.append(f"figure 7: {calls:,} calls per side in this mode; --full runs 5,000")
    rows = []
    for key, side, label in (
        ("7", "raw", "one request object reused"),
        ("7'", "raw-fresh", "request rebuilt per call"),
    ):
        extra = growth["provider"] - growth[side]
        rows.append(
            Row(
                key,
                f"RSS growth over {calls:,} calls vs raw, {label}" if key == "7" else f"  same vs raw, {label}",
                f"{growth['provider']:+.2f} MB",
                f"{growth[side]:+.2f} MB",
                f"{extra:+.2f} MB extra",
                "one run each",
                str(calls),
                "≤1 MB extra",
                verdict(extra <= 1.0),
            )
        )
    return rows
