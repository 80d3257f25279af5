#!/usr/bin/env python
"""Two checkouts' ``src/`` side by side: figures 1, 3' and 4, before against after, alternating.

    python benchmarks/compare.py --old ../before/src              # new: this checkout's src/
    python benchmarks/compare.py --old A/src --new B/src --rounds 5 --only 3,4

For a change's before/after on a shared machine: every round measures each figure once per side,
the sides' order alternating round by round, so a burst of load hits both alike.

- 3': import + ``available_providers()`` + the first ``LiteLLMProvider()`` with pydantic and
  pydantic-settings already imported (as in Director): fresh processes (``_child.py import``),
  old and new alternating process by process;
- 4: ``LiteLLMProvider()`` from ``LITELLM_*``: ``run.py --quick --only 4 --src SIDE``;
- 1: ``chat_completions`` ÷ ``litellm.completion``: ``run.py --only 1 --src SIDE``, a ratio to raw
  litellm calls made moments apart in the same run, so each side carries its own baseline.

Each side's figure is the median over its samples (3') or over its runs' medians (1, 4); the
table gives both and new ÷ old. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ENV_CONFIG = {  # as _harness.ENV_CONFIG: a configured Director host (not imported: it loads _common)
    "LITELLM_CHAT_MODEL": "openai/gpt-4o-mini",
    "LITELLM_API_KEY": "sk-bench-0123456789",
    "LITELLM_API_BASE": "http://127.0.0.1:9/v1",
}


def log(message: str) -> None:
    sys.stderr.write(f"[compare {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def hosted_import_ms(src: str) -> float:
    """One fresh process: figure 3' for ``src``, in ms."""
    env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", PYTHONPATH=os.pathsep.join([src, REPO]))
    env.update(ENV_CONFIG)
    cmd = [sys.executable, os.path.join(HERE, "_child.py"), "import", "pydantic", "pydantic_settings"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"figure 3' child failed for {src}: {proc.stderr[-600:]}")
    out = json.loads(lines[-1])
    if out["litellm_imported"]:
        raise SystemExit(f"figure 3': {src} imported litellm")
    return float(out["total_ms"])


def run_figure(src: str, figure: str) -> dict[str, Any]:
    """``run.py --only FIGURE --src SRC`` (figure 4 in --quick mode); its raw numbers."""
    with tempfile.NamedTemporaryFile(suffix=".json") as fh:
        cmd = [sys.executable, os.path.join(HERE, "run.py"), "--only", figure, "--src", src, "--json", fh.name]
        if figure == "4":
            cmd.append("--quick")
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if proc.returncode:
            raise SystemExit(f"run.py --only {figure} failed for {src}: {proc.stderr[-600:]}")
        raw: dict[str, Any] = json.load(fh)["raw"]
    return raw


def sample(src: str, figure: str) -> float:
    """One sample of ``figure`` for ``src``: ms (3'), µs (4) or a ratio (1)."""
    if figure == "3":
        return hosted_import_ms(src)
    raw = run_figure(src, figure)
    if figure == "4":
        return float(raw["fig4"]["env_s"]["median"]) * 1e6
    return float(raw["fig1_ratio"]["median"])


TITLES = {  # figure: (its row label, title, format)
    "1": ("1", "chat_completions ÷ litellm.completion (median of each run's per-round ratio)", "{:.3f}×"),
    "3": ("3'", "import + available_providers() + LiteLLMProvider(), pydantic(-settings) loaded", "{:.1f} ms"),
    "4": ("4", "LiteLLMProvider() construction, config from env", "{:.0f} µs"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--old", required=True, metavar="DIR", help="the src/ measured as before")
    parser.add_argument("--new", default=os.path.join(REPO, "src"), metavar="DIR", help="default: this src/")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--imports", type=int, default=4, help="fresh processes per side per round for 3'")
    parser.add_argument("--only", default="3,4,1", help="figures, in the order run each round (default 3,4,1)")
    parser.add_argument("--json", metavar="PATH", help="also write every sample here")
    args = parser.parse_args(argv)
    sides = {"old": os.path.abspath(args.old), "new": os.path.abspath(args.new)}
    figures = [f.strip() for f in args.only.split(",") if f.strip() in TITLES]
    for src in sides.values():  # bytecode first, as run.py does (pip writes it for a wheel)
        compileall.compile_dir(src, quiet=1)
    samples: dict[str, dict[str, list[float]]] = {f: {"old": [], "new": []} for f in figures}
    started, load_start = time.perf_counter(), load()
    for r in range(args.rounds):
        order = ["old", "new"] if r % 2 == 0 else ["new", "old"]
        for figure in figures:
            log(f"round {r + 1}/{args.rounds}, figure {figure}, load {load()}")
            for _ in range(args.imports if figure == "3" else 1):
                for side in order:
                    samples[figure][side].append(sample(sides[side], figure))
                order.reverse()
    python = ".".join(map(str, sys.version_info[:3]))
    lines = [
        f"old {sides['old']} vs new {sides['new']} — Python {python}, {args.rounds} rounds, "
        f"{time.perf_counter() - started:.0f} s, load average {load_start} at the start, {load()} at the end",
        "",
        "| # | figure | old | new | new ÷ old | n per side |",
        "|---|--------|-----|-----|-----------|------------|",
    ]
    for figure in figures:
        label, title, fmt = TITLES[figure]
        old, new = (statistics.median(samples[figure][s]) for s in ("old", "new"))
        n = len(samples[figure]["old"])
        lines.append(f"| {label} | {title} | {fmt.format(old)} | {fmt.format(new)} | {new / old:.2f} | {n} |")
    sys.stdout.write("\n".join(lines) + "\n")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"sides": sides, "samples": samples}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
