#!/usr/bin/env python
"""director-litellm performance: one table, every figure measured side by side in the same run.

    python benchmarks/run.py                 # ~2-3 min on 2 shared cores
    python benchmarks/run.py --quick         # ~30-40 s, fewer samples (wider spread)
    python benchmarks/run.py --full          # ~6-8 min, includes 5,000-call RSS runs
    python benchmarks/run.py --peers-python /tmp/venvPeers/bin/python   # peers from another env

Every comparison is interleaved: the two sides alternate call by call (or block by block for
throughput), the order rotating every round, so drift and noise bursts on a shared machine hit both
alike. Figures are medians; "spread" is the interquartile range (p25-p75) of the per-round ratio or
difference. All traffic is loopback (127.0.0.1) to servers started by this script (see _server.py).

Before anything is timed, each side's request is sent once to the strict fake (tests/fakes), which
validates it, and the bodies are compared at the wire: director-litellm and raw litellm must send the
same JSON, or the run says so under "Notes".

The table goes to stdout; progress to stderr. ``--json PATH`` also writes every raw number.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
if "--src" in sys.argv[1:-1]:  # before _common is imported: it puts this src/ first on sys.path
    os.environ["BENCH_SRC"] = os.path.abspath(sys.argv[sys.argv.index("--src") + 1])

# _common (imported first, also by every module below) puts the measured src/ first on sys.path and
# sets LITELLM_LOCAL_MODEL_COST_MAP before any litellm import
import _common as C  # noqa: E402
import fig_calls  # noqa: E402
import fig_memory  # noqa: E402
import fig_peers  # noqa: E402
import fig_startup  # noqa: E402
from _harness import MODES, NOTES, RAW, Row, compile_src, environment, log, render, verdict  # noqa: E402

# Where each figure lives: fig_startup (3, 4), fig_calls (1, 5, 6), fig_peers (2), fig_memory (7),
# fig_prompt_cache (8), fig_warm_start (9), fig_context_fit (10); what they share is in _harness and _common.


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="~30-40 s, fewer samples")
    size.add_argument("--full", action="store_true", help="more samples, 5,000-call RSS runs")
    parser.add_argument(
        "--peers-python",
        default=os.environ.get("DIRECTOR_LITELLM_PEERS_PYTHON", sys.executable),
        help="interpreter of an environment with langchain-litellm / llama-index-llms-litellm "
        "(default: $DIRECTOR_LITELLM_PEERS_PYTHON, else this one)",
    )
    parser.add_argument(
        "--server",
        choices=("light", "strict"),
        default="light",
        help="server for the timed calls (requests are always validated on the strict fake "
        "first); default light: see benchmarks/README.md",
    )
    parser.add_argument(
        "--src",
        metavar="DIR",
        help="benchmark the director_litellm in DIR (another checkout's "
        "src/, e.g. with a proposed patch applied) instead of this repository's",
    )
    parser.add_argument("--only", default="", help="comma-separated figure numbers to run, e.g. 1,5")
    parser.add_argument("--json", metavar="PATH", help="also write every raw number here")
    args = parser.parse_args(argv)
    mode_name = "quick" if args.quick else "full" if args.full else "default"
    mode = MODES[mode_name]
    only = {s.strip() for s in args.only.split(",") if s.strip()}

    def wanted(n: str) -> bool:
        return not only or n in only

    started = time.perf_counter()
    log(f"mode {mode_name}; {environment()}")
    rows: list[Row] = []

    def figure(key: str, title: str, fn: Callable[[], list[Row]]) -> None:
        """One figure; a failure becomes an "error" row and a note, not a lost table."""
        if not wanted(key):
            return
        try:
            rows.extend(fn())
        except (Exception, SystemExit) as exc:
            log(f"figure {key} failed: {type(exc).__name__}: {exc}")
            NOTES.append(f"figure {key}: FAILED: {type(exc).__name__}: {str(exc)[:300]}")
            rows.append(Row(key, title, "—", "—", "error (see notes)", "—", "—", "—", "n/a"))

    compile_src()
    # fresh-process and import-free figures first, before this process imports litellm
    figure("3", "import + available_providers() + LiteLLMProvider()", lambda: fig_startup.fig_import(mode))
    figure("4", "LiteLLMProvider() construction", lambda: fig_startup.fig_construction(mode))
    if only.intersection({"1", "5", "6"}) or not only:
        log("importing litellm in this process")
        C.import_litellm()
        with C.server("strict") as strict, C.server(args.server) as timing:
            figure("1", "chat_completions ÷ litellm.completion", lambda: fig_calls.fig_sync(mode, timing, strict))
            figure("6", "stream: time to first text event", lambda: fig_calls.fig_stream(mode, timing, strict))
            # async last: litellm 1.60 misbehaves on sync streams after an event loop has run
            figure("5", "achat_completions throughput", lambda: fig_calls.fig_throughput(mode, timing, strict))
    figure("2", "peers ÷ litellm", lambda: fig_peers.fig_peers(mode, args.peers_python, args.server))
    figure("7", "RSS growth", lambda: fig_memory.fig_rss(mode))
    import fig_prompt_cache  # figure 8: a replay, not a timing

    figure("8", "input cost of a Director turn", lambda: fig_prompt_cache.rows(Row, RAW, NOTES))

    import fig_warm_start  # figure 9, in its own module: the first call after warm_up() vs a warm call

    figure("9", "first call after warm_up() − warm call", lambda: fig_warm_start.run(mode_name, Row, NOTES, RAW))

    import fig_context_fit  # figure 10: what fitting the conversation into the window costs

    figure("10", "context fit", lambda: fig_context_fit.rows(Row, RAW, NOTES))

    # figure 1's target includes "lower than each peer's"
    ours = RAW.get("fig1_ratio", {}).get("median")
    peers = [
        v["median"] for k, v in RAW.items() if k.startswith("fig2_") and k.endswith("_ratio") and k != "fig2_ours_ratio"
    ]
    ours_same_env = RAW.get("fig2_ours_ratio", {}).get("median")
    for row in rows:
        if row.key == "1" and ours is not None:
            beats = all((ours_same_env if ours_same_env is not None else ours) < p for p in peers)
            row.status = verdict(ours <= 1.03 and beats)
    rows.sort(key=lambda r: int(r.key.rstrip("'")))  # stable: keeps 1 before 1', and 5's three rows in order

    elapsed = time.perf_counter() - started
    out = [
        f"director-litellm performance — {mode_name} run, {elapsed:.0f} s — {environment()}",
        f"timed calls: loopback {args.server} server in its own process; requests validated on the strict "
        "fake first; Director-sized request = tests/director_data.py director_tools(25) + history(5)",
        "",
        render(rows),
        "",
        "Notes:",
    ]
    out += [f"- {n}" for n in NOTES]
    sys.stdout.write("\n".join(out) + "\n")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "mode": mode_name,
                    "rows": [asdict(r) for r in rows],
                    "notes": NOTES,
                    "raw": RAW,
                    "environment": environment(),
                    "seconds": elapsed,
                },
                fh,
                indent=2,
                default=str,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
