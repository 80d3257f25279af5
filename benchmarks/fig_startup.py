"""Figures 3 and 4: what a Director host pays before its first call.

3: ``import director_litellm`` + ``available_providers()`` + ``LiteLLMProvider()`` in fresh processes
(3': with pydantic and pydantic-settings imported first, as Director's ``director.llm.base`` does),
with ``import litellm`` interleaved as a yardstick; 4: ``LiteLLMProvider()`` from ``LITELLM_*``
against ``LiteLLMProvider(config)``, construction by construction.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import _common as C
from _harness import ENV_CONFIG, NOTES, RAW, Row, log, us, verdict


def fig_import(mode: dict[str, Any]) -> list[Row]:
    log(
        f"figure 3: {2 * mode['import_reps']} fresh processes importing director_litellm (half of them after "
        f"pydantic-settings), {mode['litellm_reps']} importing litellm, interleaved"
    )
    env = C.child_env(**ENV_CONFIG)
    ours: list[dict[str, Any]] = []
    hosted: list[dict[str, Any]] = []
    theirs: list[float] = []
    plan = ["ours", "hosted"] * mode["import_reps"]
    step = max(len(plan) // max(mode["litellm_reps"], 1), 1)
    for i in range(mode["litellm_reps"]):
        plan.insert(min(i * (step + 1) + step // 2, len(plan)), "litellm")
    for item in plan:
        if item == "ours":
            ours.append(C.run_child(sys.executable, ["import"], env=env))
        elif item == "hosted":  # Director's own director.llm.base imports pydantic + pydantic-settings
            hosted.append(C.run_child(sys.executable, ["import", "pydantic", "pydantic_settings"], env=env))
        else:
            theirs.append(C.run_child(sys.executable, ["import-litellm"], env=env)["total_ms"])
    total = C.Dist.of([o["total_ms"] for o in ours])
    parts = {k: C.Dist.of([o[k] for o in ours]).median for k in ("import_ms", "discovery_ms", "provider_ms")}
    imported = any(o["litellm_imported"] for o in ours)
    RAW["fig3"] = {
        "total_ms": total.as_dict(),
        "parts_ms": parts,
        "litellm_import_ms": theirs,
        "litellm_imported": imported,
        "providers": ours[0]["providers"],
        "pydantic_settings_imported": ours[0]["pydantic_settings_imported"],
    }
    NOTES.append(
        "figure 3: median split: import director_litellm {import_ms:.1f} ms, available_providers() "
        "{discovery_ms:.1f} ms, LiteLLMProvider() {provider_ms:.1f} ms (first one: imports "
        "pydantic-settings + provider module); interpreter start-up not included".format(**parts)
        + f"; pydantic_settings imported: {ours[0]['pydantic_settings_imported']}"
    )
    ok = total.median <= 50 and not imported
    in_host = C.Dist.of([o["total_ms"] for o in hosted])
    RAW["fig3_hosted_ms"] = in_host.as_dict()
    hosted_imported = any(o["litellm_imported"] for o in hosted)
    return [
        Row(
            "3",
            "import + available_providers() + LiteLLMProvider(), fresh process",
            f"{total.median:.1f} ms",
            f"import litellm {C.Dist.of(theirs).median:.0f} ms" if theirs else "(litellm import skipped)",
            f"{total.median:.1f} ms, litellm {'IMPORTED' if imported else 'not imported'}",
            f"{total.p25:.1f}–{total.p75:.1f} ms",
            str(total.n),
            "≤50 ms, no litellm",
            verdict(ok),
        ),
        Row(
            "3'",
            "  same, pydantic + pydantic-settings already imported (as in Director)",
            f"{in_host.median:.1f} ms",
            "—",
            f"{in_host.median:.1f} ms, litellm {'IMPORTED' if hosted_imported else 'not imported'}",
            f"{in_host.p25:.1f}–{in_host.p75:.1f} ms",
            str(in_host.n),
            "≤50 ms, no litellm",
            verdict(in_host.median <= 50 and not hosted_imported),
        ),
    ]


def fig_construction(mode: dict[str, Any]) -> list[Row]:
    from director_litellm import LiteLLMConfig, LiteLLMProvider

    saved = {k: os.environ.get(k) for k in ENV_CONFIG}
    os.environ.update(ENV_CONFIG)
    try:
        config = LiteLLMConfig()
        fns = {"env": LiteLLMProvider, "config": lambda: LiteLLMProvider(config)}
        log(f"figure 4: {mode['ctor_rounds']} interleaved constructions per side")
        samples = C.interleaved(fns, mode["ctor_rounds"], warmup=20)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    env, cfg = C.Dist.of(samples["env"]), C.Dist.of(samples["config"])
    RAW["fig4"] = {"env_s": env.as_dict(), "config_s": cfg.as_dict()}
    return [
        Row(
            "4",
            "LiteLLMProvider() construction, config from env",
            us(env.median),
            f"(config) {cfg.median * 1e6:.1f} µs",
            us(env.median),
            f"{env.p25 * 1e6:.0f}–{env.p75 * 1e6:.0f} µs",
            str(env.n),
            "≤100 µs",
            verdict(env.median <= 100e-6),
        )
    ]
