"""Figure 11: what watching a call costs (its span and its ledger line), per call, side by side.

The provider's backend is replaced by one that returns a real, pre-fetched litellm ``ModelResponse``
(as ``profile_overhead.py`` does), so the timed code is director-litellm's own, on a small request.
Three sides, interleaved call by call with the order rotating every round (one call per side per
round, so a burst of load on the shared machine hits all three alike):

- **watched**: ``provider.chat_completions`` as shipped (``observe`` wraps it), opentelemetry
  installed as it is in this environment and no SDK configured (the ProxyTracer answers);
- **no otel**: the same, with the package told opentelemetry is absent (what a host without the
  ``otel`` extra runs);
- **unwatched**: the method ``observe`` wraps, called directly (no span, no ledger).

The difference per round (watched - unwatched) is reported with its median and p25-p75. Target (issue
24): <= 20 µs per call with opentelemetry installed and no SDK configured.

    python benchmarks/fig_observe.py [--rounds 4000]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import statistics
import sys
import time
import types
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import _common as C  # noqa: E402

USER = [{"role": "user", "content": "Summarise the clip in one line."}]


def call_us(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=4000)
    args = ap.parse_args()

    from director_litellm import LiteLLMProvider
    from director_litellm import _tracing as tracing

    litellm = C.import_litellm()
    with C.server("light") as srv:
        provider = C.make_provider(srv.url)
        response = litellm.completion(**provider.build_request(USER))
    backend = types.SimpleNamespace(completion=lambda **kw: response)
    provider._backend = lambda: backend  # litellm taken out
    unwatched = LiteLLMProvider.chat_completions.__wrapped__  # type: ignore[attr-defined]
    installed = tracing._resolve()

    def no_otel() -> Any:
        tracing._otel = False
        try:
            return provider.chat_completions(USER)
        finally:
            tracing._otel = installed

    sides: dict[str, Callable[[], Any]] = {
        "watched": lambda: provider.chat_completions(USER),
        "no otel": no_otel,
        "unwatched": lambda: unwatched(provider, USER),
    }
    assert provider.chat_completions(USER).status and unwatched(provider, USER).status
    for fn in sides.values():  # warm-up
        for _ in range(200):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for r in range(args.rounds):
        order = names[r % 3 :] + names[: r % 3]
        for name in order:
            samples[name].append(call_us(sides[name]))

    def spread(values: list[float]) -> str:
        q = statistics.quantiles(values, n=4)
        return f"{statistics.median(values):.1f} µs (p25-p75 {q[0]:.1f}-{q[2]:.1f})"

    base = samples["unwatched"]
    print(f"litellm {importlib.metadata.version('litellm')}, Python {sys.version.split()[0]}")
    print(f"opentelemetry-api installed: {importlib.util.find_spec('opentelemetry') is not None}; SDK configured: no")
    for name in names:
        print(f"  {name:10} {spread(samples[name])} per call")
    for name in ("watched", "no otel"):
        diffs = [w - u for w, u in zip(samples[name], base, strict=True)]
        ratios = [w / u for w, u in zip(samples[name], base, strict=True)]
        print(f"  {name} - unwatched: {spread(diffs)}; ratio {statistics.median(ratios):.3f}x")
    print(f"  ({args.rounds} rounds of one call per side, interleaved, order rotating)")


if __name__ == "__main__":
    main()
