"""Figure 2: the peer adapters (langchain-litellm, llama-index-llms-litellm) ÷ raw litellm.

Measured in a child process of the interpreter given by ``--peers-python`` (``_child.py peers``),
with director-litellm and raw litellm in the same child, so the peers' ratios and ours come from
the same rounds. "not installed" when neither peer imports there.
"""

from __future__ import annotations

import sys
from typing import Any

import _common as C
from _harness import NOTES, RAW, Row, log, ms, signed_us, verdict


def fig_peers(mode: dict[str, Any], peers_python: str, timing_kind: str) -> list[Row]:
    labels = {
        "langchain-litellm": "langchain-litellm ChatLiteLLM ÷ litellm",
        "llama-index-llms-litellm": "llama-index-llms-litellm LiteLLM ÷ litellm",
    }
    try:
        probe = C.run_child(peers_python, ["probe"], timeout=120)
    except Exception as exc:  # e.g. a --peers-python that does not exist
        NOTES.append(f"figure 2: could not probe {peers_python}: {exc}")
        probe = {"peers": {}}
    found = {k: v for k, v in probe.get("peers", {}).items() if v}
    if not found:
        NOTES.append("figure 2: peers not installed for " + peers_python + " (see benchmarks/README.md)")
        return [Row("2", labels[k], "—", "—", "not installed", "—", "—", "> ours", "n/a") for k in labels]
    budget, cap = mode["peers"]
    log(f"figure 2: peers in {peers_python} ({', '.join(found)}), interleaved rounds for ~{budget} s")
    env = C.child_env(BENCH_SERVER_PYTHON=sys.executable)
    out = C.run_child(peers_python, ["peers", str(cap), timing_kind, str(budget)], timeout=900, env=env)
    samples = out.get("samples", {})
    RAW["fig2"] = {k: C.Dist.of(v).as_dict() for k, v in samples.items()}
    versions = ", ".join(f"{d} {probe.get(d)}" for d in ("litellm", *labels) if probe.get(d))
    NOTES.append(
        f"figure 2: measured in {peers_python} ({versions}); each peer's input was converted "
        "to its own types and tools bound OUTSIDE the timing (favours the peers)"
    )
    for name, diff in out.get("wire", {}).items():
        if name != "raw" and diff:
            NOTES.append(f"figure 2: {name} body vs raw litellm at the wire: {' '.join(diff)}")
    for name, err in out.get("errors", {}).items():
        NOTES.append(f"figure 2: {name} failed: {err}")
    if out.get("violations"):
        NOTES.append(f"figure 2: the strict fake refused: {out['violations'][0][:120]}")
    raw = samples.get("raw", [])
    ours = C.paired(samples.get("director-litellm", []), raw)["ratio"] if raw else None
    if ours is not None:
        RAW["fig2_ours_ratio"] = ours.as_dict()
    rows = []
    for key, label in labels.items():
        if key not in samples or not raw:
            status = "not installed" if key not in found else "failed"
            rows.append(Row("2", label, "—", "—", status, "—", "—", "> ours", "n/a"))
            continue
        peer = C.paired(samples[key], raw)
        RAW[f"fig2_{key}_ratio"] = peer["ratio"].as_dict()
        ok = ours is not None and ours.median < peer["ratio"].median
        rows.append(
            Row(
                "2",
                label,
                f"ours {ours.median:.3f}×" if ours else "—",
                f"{ms(peer['a'].median)} vs {ms(peer['b'].median)}",
                f"{peer['ratio'].median:.3f}× ({signed_us(peer['diff'].median)})",
                f"{peer['ratio'].p25:.2f}–{peer['ratio'].p75:.2f}×",
                str(len(raw)),
                "> ours (same run)",
                verdict(ok),
            )
        )
    return rows
