"""Figure 8: input cost of a Director turn, with LITELLM_PROMPT_CACHING=auto and =off.

Not a timing: a replay. A 5-step Director turn (four reasoning steps with Director's 25 tools and a
growing history, then the Final Cut without tools) goes through ``LiteLLMProvider`` to the accounting
Anthropic fake (tests/fakes: writes a breakpointed prefix on first sight, reads it on a repeat within
the TTL, nothing below the model's minimum; tokens are the fake's documented chars/4 estimate), once
with ``auto`` and once with ``off``, each against a fresh cache. Each step's input is priced from the
token classes the response reports (``send_tokens``, ``cached_tokens``, ``cache_write_tokens``) with
litellm's price data for ``anthropic/claude-sonnet-4-5``.

Targets (issue 14): the turn's input cost at least 60 % lower with ``auto``, and no step costlier than
with ``off`` by more than the write premium (1.25x). The OpenAI wire gets the same turn with
``openai/gpt-4o-mini``: cached tokens seen, and every request byte-equal between ``auto`` and ``off``.

    python benchmarks/fig_prompt_cache.py      # this figure alone (run.py --only 8 in the table)
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
if REPO not in sys.path:
    sys.path.insert(0, REPO)
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

MODEL = "anthropic/claude-sonnet-4-5"
# Anthropic's published Sonnet 4.5 prices ($ per MTok: input 3, 5-minute cache write 3.75, cache read
# 0.30), used only when this litellm's price data lacks the model (litellm 1.60 predates it).
PUBLISHED = (3e-6, 3.75e-6, 3e-7)
WRITE_PREMIUM = 1.25
KEY = "sk-bench-0123456789"


def turn(earlier: int = 5) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]] | None]]:
    """(messages, tools) of each step of one turn after ``earlier`` turns: 4 reasoning steps, then the Final Cut."""
    from tests.director_data import director_tools, history

    tools = director_tools(25)
    messages = [*history(earlier), {"role": "user", "content": "Make a 30-second cut of the best clips."}]
    steps: list[tuple[list[dict[str, Any]], list[dict[str, Any]] | None]] = [(list(messages), tools)]
    for k in range(3):
        call = {"id": f"step_{k}", "tool": {"name": f"agent_{k:02d}", "arguments": {"mode": "edit", "query": "cut"}}}
        result = json.dumps({"clips": [{"start": 1.5 * k, "end": 9.0, "score": 0.9}] * 8, "step": k})
        messages += [
            {"role": "assistant", "content": [], "tool_calls": [{**call, "type": "function"}]},
            {"role": "tool", "content": result, "tool_call_id": call["id"]},
        ]
        steps.append((list(messages), tools))
    steps.append(([*messages, {"role": "system", "content": "Now write the final answer for the user."}], None))
    return steps


def prices() -> tuple[tuple[float, float, float], str]:
    from director_litellm import _litellm

    try:
        info = _litellm.model_info(MODEL) or {}
        found = (
            info["input_cost_per_token"],
            info["cache_creation_input_token_cost"],
            info["cache_read_input_token_cost"],
        )
        if all(isinstance(p, float) and p > 0 for p in found):
            return found, "litellm's price data"
    except Exception:
        pass
    return PUBLISHED, "Anthropic's published prices (not in this litellm's price data)"


def replay(fake_cls: Any, model: str, caching: str) -> tuple[list[Any], list[bytes]]:
    """Each step's LLMResponse and request body, against a fresh fake: a session's first turn (after
    5 earlier turns' history, cold cache), then its next turn (one turn more of history) within the TTL."""
    from tests.fakes import running

    from director_litellm import LiteLLMConfig, LiteLLMProvider

    with running(fake_cls) as fake:
        fake.count_tokens = True
        config = LiteLLMConfig(chat_model=model, api_base=fake.url, api_key=KEY, num_retries=0, prompt_caching=caching)
        provider = LiteLLMProvider(config)
        steps = [*turn(5), *turn(6)]
        responses = [provider.chat_completions(messages, tools=tools) for messages, tools in steps]
        assert all(r.status for r in responses) and fake.violations == [], fake.violations
        return responses, [rec.raw for rec in fake.requests]


def measure() -> dict[str, Any]:
    """Every number of the figure."""
    from tests.fakes import FakeAnthropic, FakeOpenAI

    (per_in, per_write, per_read), source = prices()

    def input_cost(r: Any) -> float:
        uncached = r.send_tokens - r.cached_tokens - r.cache_write_tokens
        return uncached * per_in + r.cache_write_tokens * per_write + r.cached_tokens * per_read

    sides: dict[str, list[dict[str, Any]]] = {}
    for caching in ("auto", "off"):
        responses, _ = replay(FakeAnthropic, MODEL, caching)
        sides[caching] = [
            {
                "full_price": r.send_tokens - r.cached_tokens - r.cache_write_tokens,
                "written": r.cache_write_tokens,
                "read": r.cached_tokens,
                "usd": input_cost(r),
            }
            for r in responses
        ]
    turns = {}
    for name, part in (("first", slice(0, 5)), ("next", slice(5, 10))):
        auto, off = sides["auto"][part], sides["off"][part]
        totals = {
            side: {k: sum(step[k] for step in steps) for k in steps[0]}
            for side, steps in (("auto", auto), ("off", off))
        }
        turns[name] = {
            "steps": {"auto": auto, "off": off},
            "totals": totals,
            "reduction": 1 - totals["auto"]["usd"] / totals["off"]["usd"],
            "worst_step_ratio": max(a["usd"] / o["usd"] for a, o in zip(auto, off, strict=True)),
        }
    oa_auto, bodies_auto = replay(FakeOpenAI, "openai/gpt-4o-mini", "auto")
    _, bodies_off = replay(FakeOpenAI, "openai/gpt-4o-mini", "off")
    return {
        "prices": source,
        **turns,
        "openai": {
            "cached": sum(r.cached_tokens for r in oa_auto),
            "prompt": sum(r.send_tokens for r in oa_auto),
            "requests_identical": bodies_auto == bodies_off,
        },
    }


def rows(row_cls: Any, raw: dict[str, Any], notes: list[str]) -> list[Any]:
    """The figure's rows for benchmarks/run.py's table."""
    m = measure()
    raw["fig8_prompt_cache"] = m
    out = []
    for name, key, title in (
        ("first", "8", "input cost of a 5-step Director turn, Sonnet 4.5, cold cache: auto ÷ off"),
        ("next", "8'", "  the session's next turn, within the 5-minute TTL: auto ÷ off"),
    ):
        t = m[name]
        auto, off = t["totals"]["auto"], t["totals"]["off"]
        ok = t["reduction"] >= 0.60 and t["worst_step_ratio"] <= WRITE_PREMIUM + 1e-9
        steps = "; ".join(
            f"{i}: {a['full_price']}+{a['written']}w+{a['read']}r vs {o['full_price']}"
            for i, (a, o) in enumerate(zip(t["steps"]["auto"], t["steps"]["off"], strict=True), start=1)
        )
        notes.append(f"figure {key}: tokens per step, auto full+written+read vs off full: {steps}")
        out.append(
            row_cls(
                key,
                title,
                f"${auto['usd']:.4f} ({auto['full_price']} full, {auto['written']} written, {auto['read']} read)",
                f"${off['usd']:.4f} ({off['full_price']} full)",
                f"-{t['reduction'] * 100:.1f}%, worst step {t['worst_step_ratio']:.2f}×",
                "deterministic",
                "5 steps",
                "≥60% lower, no step >1.25×",
                "PASS" if ok else "MISS",
            )
        )
    notes.append(f"figure 8: prices from {m['prices']}")
    oa = m["openai"]
    return [
        *out,
        row_cls(
            "8''",
            "  both turns, OpenAI wire (gpt-4o-mini): cached tokens, requests unchanged",
            f"{oa['cached']} of {oa['prompt']} cached",
            "—",
            "bodies identical" if oa["requests_identical"] else "BODIES DIFFER",
            "deterministic",
            "10 steps",
            "cached seen, no change",
            "PASS" if oa["cached"] > 0 and oa["requests_identical"] else "MISS",
        ),
    ]


if __name__ == "__main__":
    result = measure()
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
