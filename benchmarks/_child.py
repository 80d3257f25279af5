"""Measurements that need a fresh process; each prints one JSON line on stdout.

``_child.py import [MOD...]``    import director_litellm + available_providers() + LiteLLMProvider(),
                                after importing MOD... untimed (what the host already has)
``_child.py import-litellm``    import litellm (what the line above must not pay)
``_child.py rss SIDE URL N W``  RSS growth over N sync calls after W warm-up calls;
                                SIDE = provider | raw (one request reused) | raw-fresh (rebuilt per call)
``_child.py peers MAX SRV SEC``  peers (langchain-litellm, llama-index-llms-litellm) vs raw litellm, interleaved
``_child.py probe``             which peers are importable here, without importing them
"""

from __future__ import annotations

import json
import os
import sys
import time


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def cmd_import(preload: list) -> None:
    # only the stdlib (and ``preload``, what the host already had) has been imported so far;
    # everything timed below is what the host pays
    for module in preload:
        __import__(module)
    t0 = time.perf_counter()
    import director_litellm  # noqa: F401

    t1 = time.perf_counter()
    from director_litellm.discovery import available_providers

    names = [getattr(p, "name", str(p)) for p in available_providers()]
    t2 = time.perf_counter()
    from director_litellm import LiteLLMProvider

    LiteLLMProvider()
    t3 = time.perf_counter()
    _emit(
        {
            "total_ms": (t3 - t0) * 1e3,
            "import_ms": (t1 - t0) * 1e3,
            "discovery_ms": (t2 - t1) * 1e3,
            "provider_ms": (t3 - t2) * 1e3,
            "providers": names,
            "litellm_imported": "litellm" in sys.modules,
            "pydantic_settings_imported": "pydantic_settings" in sys.modules,
            "pydantic_imported": "pydantic" in sys.modules,
        }
    )


def cmd_import_litellm() -> None:
    t0 = time.perf_counter()
    import litellm  # noqa: F401

    _emit({"total_ms": (time.perf_counter() - t0) * 1e3})


def cmd_rss(side: str, url: str, calls: int, warmup: int) -> None:
    import gc

    import _common as C

    messages, tools = C.director_request()
    provider = C.make_provider(url)
    if side == "provider":

        def call() -> None:
            r = provider.chat_completions(messages, tools=tools)
            if not r.status:
                raise SystemExit(f"provider call failed: {r.content}")
    elif side == "raw":  # one converted request, reused for every call
        litellm = C.import_litellm()
        kwargs = C.raw_kwargs(provider, messages, tools)

        def call() -> None:
            litellm.completion(**kwargs)
    else:  # "raw-fresh": the request converted again for every call, as a caller building it per call
        litellm = C.import_litellm()

        def call() -> None:
            litellm.completion(**C.raw_kwargs(provider, messages, tools))

    for _ in range(warmup):
        call()
    gc.collect()
    start = C.rss_bytes()
    objects = len(gc.get_objects())
    trace = []
    step = max(calls // 5, 1)
    t0 = time.perf_counter()
    for i in range(1, calls + 1):
        call()
        if i % step == 0:
            trace.append(C.rss_bytes() - start)
    elapsed = time.perf_counter() - t0
    gc.collect()
    end = C.rss_bytes()
    # live objects after a full collection: growth here is a leak; RSS growth without it is
    # garbage awaiting a full collection, or allocator fragmentation
    _emit(
        {
            "side": side,
            "start": start,
            "end": end,
            "growth": end - start,
            "trace": trace,
            "objects": len(gc.get_objects()) - objects,
            "calls": calls,
            "warmup": warmup,
            "seconds": elapsed,
        }
    )


def _peer_available() -> dict:
    import importlib.util

    found = {}
    for label, module in (
        ("langchain-litellm", "langchain_litellm"),
        ("llama-index-llms-litellm", "llama_index.llms.litellm"),
    ):
        try:
            found[label] = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found[label] = False
    return found


def cmd_probe() -> None:
    from importlib import metadata

    out = {"peers": _peer_available()}
    for dist in ("litellm", "langchain-litellm", "llama-index-llms-litellm"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    _emit(out)


def cmd_peers(rounds: int, timing_server: str, budget: float) -> None:
    """Each peer gets its native input prepared OUTSIDE the timing (messages converted with its own
    helpers, tools bound once), which favours the peers; director-litellm converts inside the timing.
    What each side sends is first checked on the strict fake and compared with raw litellm's request."""
    import logging

    import _common as C

    logging.disable(logging.WARNING)
    available = _peer_available()
    messages, tools = C.director_request()
    result: dict = {"available": available, "wire": {}, "errors": {}}
    litellm = C.import_litellm()

    def make_fns(url: str) -> dict:
        provider = C.make_provider(url)
        kwargs = C.raw_kwargs(provider, messages, tools)
        oa_messages, oa_tools = kwargs["messages"], kwargs["tools"]
        fns = {
            "raw": lambda: litellm.completion(**kwargs),
            "director-litellm": lambda: provider.chat_completions(messages, tools=tools),
        }
        if available["langchain-litellm"]:
            try:
                from langchain_core.messages import convert_to_messages
                from langchain_litellm import ChatLiteLLM

                lc = ChatLiteLLM(
                    model=C.MODEL,
                    api_base=url,
                    api_key=C.KEY,
                    max_tokens=4096,
                    temperature=0.9,
                    request_timeout=C.TIMEOUT,
                    max_retries=1,
                    model_kwargs={"drop_params": True, "num_retries": 0, "max_retries": 0},
                )
                lc_bound = lc.bind_tools(oa_tools, tool_choice="auto")
                lc_messages = convert_to_messages(oa_messages)
                fns["langchain-litellm"] = lambda: lc_bound.invoke(lc_messages)
            except Exception as exc:  # report, do not die: the other figures still count
                result["errors"]["langchain-litellm"] = f"{type(exc).__name__}: {exc}"[:200]
        if available["llama-index-llms-litellm"]:
            try:
                from llama_index.llms.litellm import LiteLLM
                from llama_index.llms.litellm.utils import from_openai_message_dicts

                # max_retries here is tenacity's attempt count (1 = no retry); llama-index passes its own
                # max_retries to its retry helper, so the openai client's cannot be set to 0 through it
                li = LiteLLM(
                    model=C.MODEL,
                    api_base=url,
                    api_key=C.KEY,
                    max_tokens=4096,
                    temperature=0.9,
                    max_retries=1,
                    additional_kwargs={"drop_params": True, "num_retries": 0, "timeout": C.TIMEOUT},
                )
                li_messages = from_openai_message_dicts(oa_messages)
                fns["llama-index-llms-litellm"] = lambda: li.chat(li_messages, tools=oa_tools, tool_choice="auto")
            except Exception as exc:
                result["errors"]["llama-index-llms-litellm"] = f"{type(exc).__name__}: {exc}"[:200]
        return fns

    # one call each on the strict fake, then compare what reached the wire with raw litellm's request
    with C.server("strict") as srv:
        fns = make_fns(srv.url)
        bodies = {}
        for name, fn in list(fns.items()):
            try:
                fn()
            except Exception as exc:
                result["errors"][name] = f"{type(exc).__name__}: {exc}"[:200]
                continue
            got = srv.last_bodies(1)
            bodies[name] = got[0] if got else None
        for name, body in bodies.items():
            result["wire"][name] = C.wire_diff(bodies.get("raw"), body)
            if name != "raw" and body and bodies.get("raw"):
                raw_msgs, msgs = bodies["raw"].get("messages", []), body.get("messages", [])
                result["wire"][name] += sorted(
                    {f"messages[]: +{k}" for a, b in zip(raw_msgs, msgs, strict=False) for k in set(b) - set(a)}
                    | {f"messages[]: -{k}" for a, b in zip(raw_msgs, msgs, strict=False) for k in set(a) - set(b)}
                )
        result["violations"] = srv.ask("violations").get("violations", [])[:5]
    with C.server(timing_server) as srv:
        fns = {name: fn for name, fn in make_fns(srv.url).items() if name in bodies}
        per_call = C.calibrate(fns["raw"])
        rounds = C.rounds_for(budget, per_call * len(fns), rounds)
        result["samples"] = C.interleaved(fns, rounds, warmup=3)
    _emit(result)


def main(argv: list) -> None:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    cmd = argv[0]
    if cmd == "import":
        cmd_import(argv[1:])
    elif cmd == "import-litellm":
        cmd_import_litellm()
    elif cmd == "rss":
        cmd_rss(argv[1], argv[2], int(argv[3]), int(argv[4]))
    elif cmd == "peers":
        cmd_peers(int(argv[1]), argv[2] if len(argv) > 2 else "light", float(argv[3]) if len(argv) > 3 else 1e9)
    elif cmd == "probe":
        cmd_probe()
    else:
        raise SystemExit(f"unknown command {cmd!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
