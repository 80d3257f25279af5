"""Run ``loops_at_exit`` many times and print the tally (issue 24, item 5's 20-run figure).

    python -m tests.exit_support.tally [--runs 20] {package|plain} {openai|anthropic} ...

Each run is a fresh interpreter with the current one's ``sys.executable`` (so pick the stack by the
python that runs this). A run is clean when it exits 0, no call failed, every non-streamed call's litellm logging reached
the counting logger (``logged events``; not on litellm 1.60, which runs none), and stderr has none of the
lines ``unclean_lines`` picks out (litellm's logging worker, destroyed tasks, never-awaited
coroutines, "Event loop is closed", tracebacks). Prints one line per run and a tally per mode/wire.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

# what a clean exit never prints: litellm's logging worker, asyncio's complaints about tasks and
# coroutines left behind, a closed loop used again, any traceback, a crash
# (most telling first: a line is counted under the first mark it has)
UNCLEAN = (
    "never awaited",
    "Segmentation fault",
    "Fatal Python error",
    "Task was destroyed",
    "Task exception was never retrieved",
    "Event loop is closed",
    "Traceback",
    "logging_worker",
    "LoggingWorker",
)

ROOT = Path(__file__).resolve().parents[2]


def unclean_lines(stderr: str) -> list[str]:
    """The lines of a run's stderr a clean exit never prints."""
    return [line for line in stderr.splitlines() if any(mark in line for mark in UNCLEAN)]


def kind(line: str) -> str:
    """A short name for an unclean line, for the tally."""
    for mark in UNCLEAN:
        if mark in line:
            return mark
    return "other"


def logged(stderr: str) -> list[tuple[int, int]]:
    """The ``logged events: N of M`` pairs a ``package`` run printed (one per phase)."""
    pairs = []
    for line in stderr.splitlines():
        if line.startswith("logged events: "):
            n, _, m = line.removeprefix("logged events: ").partition(" of ")
            pairs.append((int(n), int(m)))
    return pairs


def counts_events() -> bool:
    """Whether this litellm hands ``acompletion``'s success to a per-call logger (1.60 does not)."""
    from importlib.metadata import version

    return not version("litellm").startswith("1.60.")


def run_once(mode: str, wire: str, timeout: float = 300) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of one ``loops_at_exit`` run in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    env.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.exit_support.loops_at_exit", mode, wire],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return -999, "", "timed out"
    return done.returncode, done.stdout, done.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("pairs", nargs="+", help="mode and wire, alternating: package openai plain anthropic ...")
    args = parser.parse_args(argv)
    pairs = list(zip(args.pairs[::2], args.pairs[1::2], strict=True))
    from importlib.metadata import version

    print(f"litellm {version('litellm')}, python {sys.version.split()[0]}, {args.runs} runs each", flush=True)
    all_clean = True
    for mode, wire in pairs:
        clean = exit0 = 0
        kinds: Counter[str] = Counter()
        runs_with: Counter[str] = Counter()
        for n in range(1, args.runs + 1):
            code, out, err = run_once(mode, wire)
            bad = unclean_lines(err)
            failed = out.strip().splitlines()[-1:] != ["failed calls: 0 []"]
            events = logged(err)
            lost = counts_events() and any(n != m for n, m in events)
            exit0 += code == 0
            clean += code == 0 and not bad and not failed and not lost
            found = Counter(kind(line) for line in bad)
            kinds.update(found)
            runs_with.update(found.keys())
            summary = ", ".join(f"{k}: {v}" for k, v in sorted(found.items())) or "none"
            print(
                f"  {mode} {wire} run {n}: exit {code}, failed calls: {'some' if failed else 0}, "
                f"logged events: {' '.join(f'{a}/{b}' for a, b in events) or '-'}, unclean lines: {summary}",
                flush=True,
            )
        detail = ", ".join(f"{k!r} {kinds[k]} lines in {runs_with[k]} runs" for k in sorted(kinds)) or "no unclean line"
        print(f"{mode} {wire}: {clean}/{args.runs} clean, {exit0}/{args.runs} exit 0; {detail}", flush=True)
        all_clean &= clean == args.runs
    return 0 if all_clean else 1


if __name__ == "__main__":
    sys.exit(main())
