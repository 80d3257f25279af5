"""Figure 10: what fitting the conversation into the model's window costs (``LITELLM_CONTEXT_FIT``).

Timed in this process, no network: ``provider.build_request`` (everything ``chat_completions`` does
before litellm is called: validation, formatting, the per-model rules, and the fitting) with
``LITELLM_CONTEXT_FIT=auto`` and ``=off``, interleaved call by call (``_common.interleaved``), the
difference taken per round. Model ``openai/gpt-4o-mini`` (litellm's window: 128,000 tokens).

- 10: Director's real request under the window: its 25 tool schemas (tests/data/director_agent_tools.json)
  and ``history(5)`` (21 messages). Target: fitting adds at most 50 µs per call.
- 10': a 500-message session (125 Director turns with 20,000-character transcripts as tool results,
  about 640,000 tokens) fitted into the window, the token counts memoized (each call after the first
  re-sends the same history, as Director does). Target: at most 20 ms.
- 10'': the same session's first fit in a process, every message counted by litellm's token counter
  (no target: the counting is litellm's; the note gives it per message).

    python benchmarks/fig_context_fit.py      # this figure alone (run.py --only 10 in the table)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import _common as C  # noqa: E402  (puts the measured src/ first on sys.path)

TOOLS_FILE = os.path.join(C.REPO, "tests", "data", "director_agent_tools.json")


def session(turns: int) -> list[dict[str, Any]]:
    """Director's message shapes: system, then per turn user, assistant tool call, tool result, answer."""
    from tests.director_data import transcript

    messages: list[dict[str, Any]] = [{"role": "system", "content": "You are Director, a video agent. " * 20}]
    for t in range(turns):
        call = {"id": f"call_{t}", "tool": {"name": "transcription", "arguments": {"video_id": f"v{t}"}}}
        messages += [
            {"role": "user", "content": f"What happens in video v{t}?"},
            {"role": "assistant", "content": [], "tool_calls": [{**call, "type": "function"}]},
            {"role": "tool", "content": transcript(t), "tool_call_id": call["id"]},
            {"role": "assistant", "content": f"In v{t} the camera pans over the old bridge."},
        ]
    return messages


def providers() -> dict[str, Any]:
    from director_litellm import LiteLLMConfig, LiteLLMProvider

    base = {"chat_model": C.MODEL, "api_key": C.KEY, "api_base": "http://127.0.0.1:9/v1"}
    return {fit: LiteLLMProvider(LiteLLMConfig.from_values(**base, context_fit=fit)) for fit in ("auto", "off")}


def measure(rounds: int = 400, long_rounds: int = 40) -> dict[str, Any]:
    from tests.director_data import history

    from director_litellm import _token_counts as token_counts

    with open(TOOLS_FILE, encoding="utf-8") as fh:
        tools = json.load(fh)
    sides = providers()
    short = history(5)
    long = [*session(125), {"role": "user", "content": "Now cut the best clips together."}]
    assert len(long) == 502  # 500 messages of history, the system prompt and the new question
    for name, p in sides.items():  # the same body either way under the window; fitted over it
        assert (p.build_request(short, tools) == sides["off"].build_request(short, tools)) or name == "off"

    token_counts.clear()  # the cold fit: every message counted by litellm once
    t0 = time.perf_counter()
    fitted = sides["auto"].build_request(long, tools)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    sides["off"].build_request(long, tools)
    cold_off = time.perf_counter() - t0

    def call(p: Any, messages: list[dict[str, Any]]) -> Any:
        return lambda: p.build_request(messages, tools)

    under = C.interleaved({k: call(p, short) for k, p in sides.items()}, rounds, warmup=20)
    over = C.interleaved({k: call(p, long) for k, p in sides.items()}, long_rounds, warmup=3)
    fit_report = sides["auto"]._new_call(long, tools, None, None, {}, stream=False).fits["openai/gpt-4o-mini"]
    return {
        "under": C.paired(under["auto"], under["off"]),
        "over": C.paired(over["auto"], over["off"]),
        "cold_seconds": cold - cold_off,
        "cold_messages": len(long),
        "sent_messages": len(fitted["messages"]),
        "fit": fit_report.__dict__ if fit_report is not None else None,
        "long_tokens_estimate": sum(len(str(m.get("content"))) for m in long) // 4,
    }


def rows(row_cls: Any, raw: dict[str, Any], notes: list[str]) -> list[Any]:
    """The figure's rows for benchmarks/run.py's table."""
    m = measure()
    raw["fig10_context_fit"] = {
        k: (v if not isinstance(v, dict) else {kk: getattr(vv, "__dict__", vv) for kk, vv in v.items()})
        for k, v in m.items()
    }
    under, over = m["under"], m["over"]
    notes.append(
        f"figure 10': the 500-message session ({m['cold_messages']} messages sent as {m['sent_messages']}): {m['fit']}"
    )
    notes.append(
        f"figure 10'': the first fit counts every message with litellm's token counter: "
        f"{m['cold_seconds'] * 1e3 / m['cold_messages']:.2f} ms per message"
    )
    return [
        row_cls(
            "10",
            "context fit, Director's real request under the window: build_request auto − off",
            f"{under['a'].median * 1e6:.0f} µs",
            f"{under['b'].median * 1e6:.0f} µs",
            f"{under['diff'].median * 1e6:+.1f} µs",
            f"{under['diff'].p25 * 1e6:+.1f}…{under['diff'].p75 * 1e6:+.1f} µs",
            str(under["diff"].n),
            "≤ +50 µs",
            "PASS" if under["diff"].median <= 50e-6 else "MISS",
        ),
        row_cls(
            "10'",
            "  a 500-message session fitted (token counts memoized): auto − off",
            f"{over['a'].median * 1e3:.2f} ms",
            f"{over['b'].median * 1e3:.2f} ms",
            f"{over['diff'].median * 1e3:+.2f} ms",
            f"{over['diff'].p25 * 1e3:+.2f}…{over['diff'].p75 * 1e3:+.2f} ms",
            str(over["diff"].n),
            "≤ 20 ms",
            "PASS" if over["diff"].median <= 20e-3 else "MISS",
        ),
        row_cls(
            "10''",
            "  the same session's first fit in a process (litellm counts every message)",
            f"{m['cold_seconds'] * 1e3:.0f} ms",
            "—",
            f"{m['cold_seconds'] * 1e3 / m['cold_messages']:.2f} ms per message",
            "one run",
            "1",
            "—",
            "n/a",
        ),
    ]


if __name__ == "__main__":
    result = measure()
    out = {
        "under_diff_us": {k: getattr(result["under"]["diff"], k) * 1e6 for k in ("median", "p25", "p75")},
        "under_off_us": result["under"]["b"].median * 1e6,
        "over_diff_ms": {k: getattr(result["over"]["diff"], k) * 1e3 for k in ("median", "p25", "p75")},
        "over_off_ms": result["over"]["b"].median * 1e3,
        "cold_ms": result["cold_seconds"] * 1e3,
        "fit": result["fit"],
        "sent_messages": result["sent_messages"],
        "n": [result["under"]["diff"].n, result["over"]["diff"].n],
        "median_of_off_under_us": statistics.median([result["under"]["b"].median * 1e6]),
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
