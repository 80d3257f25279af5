#!/usr/bin/env python
"""Where director-litellm's own time goes (companion to run.py; no network beyond one loopback call).

    python benchmarks/profile_overhead.py            # summary + cProfile top lists
    python benchmarks/profile_overhead.py --imports  # also: import cost of each dependency, fresh processes

1. Per-call overhead with litellm taken out: the provider's backend is replaced by one that returns a
   real, pre-fetched litellm ``ModelResponse``, so what is timed is exactly director-litellm's code on
   the Director-sized request (format, model rules, retry plan, parse). Then the pieces one by one.
2. ``LiteLLMProvider()`` construction from the environment, and its pieces.
3. (--imports) what a fresh process pays for each module on the import path.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as C


def per_call_us(fn: Callable[[], Any], n: int = 200, reps: int = 15) -> float:
    """Median over ``reps`` batches of ``n`` calls, µs per call."""
    values = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        values.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(values)


def top(stmt: Callable[[], Any], n: int, limit: int, sort: str = "tottime") -> str:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        stmt()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).strip_dirs().sort_stats(sort).print_stats(limit)
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(lines[start : start + limit + 1])


def per_call(calls: int) -> None:
    from director_litellm import LiteLLMConfig, LiteLLMProvider
    from director_litellm import _formatters as formatters
    from director_litellm import _model_rules as model_rules
    from director_litellm import _parser as parser
    from director_litellm import _request as request
    from director_litellm._response import LLMResponse
    from director_litellm.provider import _Given

    litellm = C.import_litellm()
    messages, tools = C.director_request()
    with C.server("light") as srv:
        provider = C.make_provider(srv.url)
        response = litellm.completion(**C.raw_kwargs(provider, messages, tools))
    backend = types.SimpleNamespace(completion=lambda **kw: response)
    provider._backend = lambda: backend  # litellm taken out
    # no api_key configured, the key in the provider's own variable (as a Director host often has it):
    # every call then asks litellm's validate_environment whether a key is there (check_credentials)
    os.environ.setdefault("OPENAI_API_KEY", C.KEY)
    keyless = LiteLLMProvider(LiteLLMConfig(chat_model=C.MODEL, api_base=srv.url))
    keyless._backend = lambda: backend
    keyless_call = keyless._new_call(_Given(messages, tools, None, None, {}), stream=False)
    formatted = formatters.convert_messages(messages).messages
    rows = [
        (
            "chat_completions, litellm taken out (total own cost)",
            lambda: provider.chat_completions(messages, tools=tools),
        ),
        (
            "chat_completions, no api_key (key from OPENAI_API_KEY)",
            lambda: keyless.chat_completions(messages, tools=tools),
        ),
        ("  request.check_credentials, no api_key", lambda: request.check_credentials(keyless_call)),
        ("  build_request (format + model rules)", lambda: provider.build_request(messages, tools=tools)),
        ("    formatters.convert_tools(25 tools)", lambda: formatters.convert_tools(tools)),
        ("    formatters.convert_messages(21 msgs)", lambda: formatters.convert_messages(messages)),
        ("    model_rules.shape_conversation", lambda: model_rules.shape_conversation(C.MODEL, formatted, True)),
        ("  parser.parse_response", lambda: parser.parse_response(response, model=C.MODEL)),
        (
            "    LLMResponse(...) alone",
            lambda: LLMResponse(
                content="ok",
                tool_calls=[],
                send_tokens=1,
                recv_tokens=1,
                total_tokens=2,
                finish_reason="stop",
                status=True,
            ),
        ),
    ]
    print("1. per-call cost of director-litellm's own code (Director-sized request), median µs per call")
    for label, fn in rows:
        print(f"   {label:58s} {per_call_us(fn):8.1f}")
    print(f"\n   cProfile, {calls} calls, by own time:")
    print(top(lambda: provider.chat_completions(messages, tools=tools), calls, 16))


def construction(calls: int) -> None:
    os.environ.update(
        {"LITELLM_CHAT_MODEL": C.MODEL, "LITELLM_API_KEY": C.KEY, "LITELLM_API_BASE": "http://127.0.0.1:9/v1"}
    )
    from director_litellm import LiteLLMConfig, LiteLLMProvider
    from director_litellm import _supply_chain as supply_chain

    config = LiteLLMConfig()
    rows = [
        ("LiteLLMProvider()            (env)", LiteLLMProvider),
        ("  LiteLLMConfig()            (pydantic-settings env read)", LiteLLMConfig),
        (
            "  LiteLLMConfig.model_validate(dict) (BaseSettings: env read anyway)",
            lambda: LiteLLMConfig.model_validate(
                {"chat_model": C.MODEL, "api_key": C.KEY, "api_base": "http://127.0.0.1:9/v1"}
            ),
        ),
        ("  LiteLLMProvider(config)    (no env)", lambda: LiteLLMProvider(config)),
        ("  supply_chain.check_installed() (cached)", supply_chain.check_installed),
    ]
    print(
        f"\n2. construction, median µs ({len([k for k in os.environ if k.startswith('LITELLM_')])} LITELLM_* "
        f"variables, {len(os.environ)} variables in the environment)"
    )
    for label, fn in rows:
        print(f"   {label:58s} {per_call_us(fn, n=50):8.1f}")
    print(f"\n   cProfile, {calls} LiteLLMProvider() calls, by cumulative time:")
    print(top(LiteLLMProvider, calls, 22, sort="cumulative"))


IMPORTS = [
    ("python -c pass (start-up, wall)", None),
    ("import director_litellm", "import director_litellm"),
    ("import importlib.metadata", "import importlib.metadata"),
    ("discovery.available_providers()", "from director_litellm.discovery import available_providers as a; a()"),
    ("import pydantic", "import pydantic"),
    ("import pydantic_settings", "import pydantic_settings"),
    ("import asyncio", "import asyncio"),
    ("import director_litellm._response", "import director_litellm._response"),
    ("import director_litellm._config", "import director_litellm._config"),
    ("import director_litellm.provider", "import director_litellm.provider"),
    ("provider module + LiteLLMProvider()", "from director_litellm.provider import LiteLLMProvider as P; P()"),
]


def imports(reps: int) -> None:
    print(f"\n3. fresh-process import costs, median of {reps} (ms, in-process, start-up excluded)")
    env = C.child_env()
    for label, stmt in IMPORTS:
        values = []
        for _ in range(reps):
            if stmt is None:
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
                values.append((time.perf_counter() - t0) * 1e3)
                continue
            code = f"import time; t=time.perf_counter(); {stmt}; print((time.perf_counter()-t)*1e3)"
            out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
            values.append(float(out.stdout.strip().splitlines()[-1]))
        print(f"   {label:58s} {statistics.median(values):8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--imports", action="store_true", help="also time each import in fresh processes")
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    per_call(args.calls)
    construction(max(args.calls // 4, 100))
    if args.imports:
        imports(5)


if __name__ == "__main__":
    main()
