"""Figures 1, 5 and 6: calls timed in this process, director-litellm against raw litellm.

1: ``chat_completions`` ÷ ``litellm.completion``, call by call (and 1' with ``num_retries=0``);
5: ``achat_completions`` ÷ ``litellm.acompletion`` throughput at several concurrencies, block by block;
6: time to the first text event of ``stream_chat_completions`` against raw litellm's first text chunk.
Each first sends one request per side to the strict fake and compares the bodies at the wire.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import _common as C
from _harness import NOTES, RAW, Row, check_wire, log, ms, signed_us, verdict


def fig_sync(mode: dict[str, Any], timing: C.Server, strict: C.Server) -> list[Row]:
    litellm = C.import_litellm()
    messages, tools = C.director_request()

    def setup(url: str) -> dict[str, Callable[[], Any]]:
        provider = C.make_provider(url)
        provider0 = C.make_provider(url, num_retries=0)
        kwargs = C.raw_kwargs(provider, messages, tools)
        return {
            "provider": lambda: provider.chat_completions(messages, tools=tools),
            "provider_r0": lambda: provider0.chat_completions(messages, tools=tools),
            "raw": lambda: litellm.completion(**kwargs),
        }

    wire = setup(strict.url)
    first = wire["provider"]()
    if not first.status:
        raise SystemExit(f"director-litellm call failed against the strict fake: {first.content}")
    check_wire(strict, "figure 1", wire["provider"], wire["raw"])
    fns = setup(timing.url)
    RAW["t_call"] = per_call = C.calibrate(fns["raw"])
    rounds = C.rounds_for(mode["sync"][0], 3 * per_call, mode["sync"][1])
    log(
        f"figure 1: {rounds} interleaved rounds of chat_completions / litellm.completion "
        f"(a raw call takes {per_call * 1e3:.1f} ms here)"
    )
    samples = C.interleaved(fns, rounds, warmup=5)
    RAW["fig1"] = {k: C.Dist.of(v).as_dict() for k, v in samples.items()}
    main = C.paired(samples["provider"], samples["raw"])
    r0 = C.paired(samples["provider_r0"], samples["raw"])
    RAW["fig1_ratio"] = main["ratio"].as_dict()
    RAW["fig1_overhead_us"] = main["diff"].median * 1e6
    RAW["fig1_r0"] = r0["ratio"].as_dict()
    rows = [
        Row(
            "1",
            "chat_completions ÷ litellm.completion (25 tools, 21 msgs)",
            ms(main["a"].median),
            ms(main["b"].median),
            f"{main['ratio'].median:.3f}× ({signed_us(main['diff'].median)})",
            f"{main['ratio'].p25:.2f}–{main['ratio'].p75:.2f}×",
            str(rounds),
            "≤1.03×, < each peer",
            "?",
        ),
        Row(
            "1'",
            "  same, LITELLM_NUM_RETRIES=0",
            ms(r0["a"].median),
            ms(r0["b"].median),
            f"{r0['ratio'].median:.3f}× ({signed_us(r0['diff'].median)})",
            f"{r0['ratio'].p25:.2f}–{r0['ratio'].p75:.2f}×",
            str(rounds),
            "≤1.03×",
            verdict(r0["ratio"].median <= 1.03),
        ),
    ]
    return rows


def fig_throughput(mode: dict[str, Any], timing: C.Server, strict: C.Server) -> list[Row]:
    litellm = C.import_litellm()
    messages, tools = C.director_request()

    async def run() -> dict[int, dict[str, list[float]]]:
        # wire check on the strict fake first (async path)
        p_strict = C.make_provider(strict.url)
        kw_strict = C.raw_kwargs(p_strict, messages, tools)
        first = await p_strict.achat_completions(messages, tools=tools)
        if not first.status:
            raise SystemExit(f"achat_completions failed against the strict fake: {first.content}")
        await litellm.acompletion(**kw_strict)
        bodies = strict.last_bodies(2)
        diff = C.wire_diff(*bodies) if len(bodies) == 2 else ["bodies not recorded"]
        NOTES.append("figure 5: async bodies at the wire: " + ("identical" if not diff else "DIFFER " + " ".join(diff)))

        provider = C.make_provider(timing.url)
        kwargs = C.raw_kwargs(provider, messages, tools)
        sides: dict[str, Callable[[], Any]] = {
            "provider": lambda: provider.achat_completions(messages, tools=tools),
            "raw": lambda: litellm.acompletion(**kwargs),
        }

        async def block(fn: Callable[[], Any], n: int, conc: int) -> float:
            left = n

            async def worker() -> None:
                nonlocal left
                while left > 0:
                    left -= 1
                    await fn()

            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(conc)))
            return n / (time.perf_counter() - t0)

        rates: dict[int, dict[str, list[float]]] = {}
        for conc, (budget, n, cap) in mode["tp"].items():
            for fn in sides.values():  # warm-up: opens the connections this concurrency needs
                await block(fn, max(n, conc), conc)
            t_block = n / await block(sides["raw"], n, conc)
            blocks = C.rounds_for(budget, 2 * t_block, cap, floor=4)
            log(f"figure 5: concurrency {conc}: {blocks} interleaved blocks of {n} calls per side")
            rates[conc] = {"provider": [], "raw": []}
            cpu0, t0 = timing.cpu_seconds(), time.perf_counter()
            for b in range(blocks):
                order = ["provider", "raw"] if b % 2 == 0 else ["raw", "provider"]
                for name in order:
                    rates[conc][name].append(await block(sides[name], n, conc))
            RAW[f"fig5_server_cpu_{conc}"] = (timing.cpu_seconds() - cpu0) / (time.perf_counter() - t0)
        return rates

    rates = asyncio.run(run())
    rows = []
    for conc, got in rates.items():
        ratio = C.paired(got["provider"], got["raw"])["ratio"]
        p, r = C.Dist.of(got["provider"]), C.Dist.of(got["raw"])
        RAW[f"fig5_c{conc}"] = {"provider": p.as_dict(), "raw": r.as_dict(), "ratio": ratio.as_dict()}
        rows.append(
            Row(
                "5",
                f"achat_completions ÷ litellm.acompletion throughput, concurrency {conc}",
                f"{p.median:.0f} calls/s",
                f"{r.median:.0f} calls/s",
                f"{ratio.median:.3f}×",
                f"{ratio.p25:.2f}–{ratio.p75:.2f}×",
                f"{ratio.n}×{mode['tp'][conc][1]}",
                "≥0.97×",
                verdict(ratio.median >= 0.97),
            )
        )
    cpu = ", ".join(f"c={c}: {RAW[f'fig5_server_cpu_{c}'] * 100:.0f}%" for c in mode["tp"])
    NOTES.append(
        f"figure 5: {timing.kind} server CPU during the blocks ({cpu} of one core): "
        + ("not the bottleneck" if timing.kind == "light" else "check it is not the bottleneck")
    )
    return rows


def _event_type(event: Any) -> Any:
    if isinstance(event, dict):
        return event.get("type")
    return getattr(event, "type", None)


def fig_stream(mode: dict[str, Any], timing: C.Server, strict: C.Server) -> list[Row]:
    litellm = C.import_litellm()
    messages, tools = C.director_request()
    has_api = hasattr(C.make_provider(strict.url), "stream_chat_completions")

    def raw_side(kwargs: dict[str, Any]) -> Callable[[], Any]:
        def go() -> C.Measured:
            t0 = time.perf_counter()
            first = first_text = None
            for chunk in litellm.completion(**kwargs):
                now = time.perf_counter()
                if first is None:
                    first = now
                if first_text is None:
                    choices = getattr(chunk, "choices", None) or []
                    delta = getattr(choices[0], "delta", None) if choices else None
                    if getattr(delta, "content", None):
                        first_text = now
            return C.Measured((first_text or first or time.perf_counter()) - t0)

        return go

    def provider_side(provider: Any) -> Callable[[], Any]:
        def go() -> C.Measured:
            t0 = time.perf_counter()
            first = first_text = None
            for event in provider.stream_chat_completions(messages, tools=tools):
                now = time.perf_counter()
                if first is None:
                    first = now
                if first_text is None and _event_type(event) == "text":
                    first_text = now
            return C.Measured((first_text or first or time.perf_counter()) - t0)

        return go

    def raw_kwargs_for(provider: Any, body: dict[str, Any] | None) -> dict[str, Any]:
        kwargs = C.raw_kwargs(provider, messages, tools, stream=True)
        if body and "stream_options" in body:  # send exactly what the provider sends
            kwargs["stream_options"] = body["stream_options"]
        return kwargs

    body = None
    if has_api:
        p_strict = C.make_provider(strict.url)
        provider_side(p_strict)()
        got = strict.last_bodies(1)
        body = got[0] if got else None
        check_wire(strict, "figure 6 (stream)", provider_side(p_strict), raw_side(raw_kwargs_for(p_strict, body)))
    else:
        NOTES.append("figure 6: LiteLLMProvider has no stream_chat_completions yet; raw litellm measured alone")
    provider = C.make_provider(timing.url)
    fns = {"raw": raw_side(raw_kwargs_for(provider, body))}
    if has_api:
        fns["provider"] = provider_side(provider)
    rounds = C.rounds_for(mode["stream"][0], 2 * C.calibrate(fns["raw"], 3), mode["stream"][1])
    log(f"figure 6: {rounds} interleaved streamed calls per side")
    samples = C.interleaved(fns, rounds, warmup=5)
    raw = C.Dist.of(samples["raw"])
    RAW["fig6"] = {k: C.Dist.of(v).as_dict() for k, v in samples.items()}
    if not has_api:
        return [
            Row(
                "6",
                "stream: time to first text chunk",
                "n/a (no stream API)",
                ms(raw.median),
                "n/a",
                f"raw {raw.p25 * 1e3:.2f}–{raw.p75 * 1e3:.2f} ms",
                str(rounds),
                "≤ +0.2 ms",
                "n/a",
            )
        ]
    pair = C.paired(samples["provider"], samples["raw"])
    RAW["fig6_diff_ms"] = {k: v * 1e3 for k, v in pair["diff"].as_dict().items() if k != "n"}
    return [
        Row(
            "6",
            "stream_chat_completions: time to first text event",
            ms(pair["a"].median),
            ms(pair["b"].median),
            f"{pair['diff'].median * 1e3:+.2f} ms",
            f"{pair['diff'].p25 * 1e3:+.2f}…{pair['diff'].p75 * 1e3:+.2f} ms",
            str(rounds),
            "≤ +0.2 ms",
            verdict(pair["diff"].median <= 0.2e-3),
        )
    ]
