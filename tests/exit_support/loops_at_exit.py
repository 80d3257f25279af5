"""Run as a script: many event loops, then interpreter exit (issue 24, item 5).

    python -m tests.exit_support.loops_at_exit {package|plain} {openai|anthropic} [CALLS]

CALLS (default 200) ``asyncio.run`` calls (every tenth one streamed), then 4 threads that each make 5 calls, each
through ``asyncio.run`` on the thread's own loop, against a loopback fake started here. ``package``
calls go through ``LiteLLMProvider``; ``plain`` ones through ``litellm.acompletion`` itself (to tell
litellm's part from the package's). Prints the number of failed calls on stdout; stderr gets a line
``PHASE threads`` between the two phases, and whatever litellm and asyncio print.

``package`` runs also carry a counting litellm ``CustomLogger`` (``LITELLM_CALLBACKS``), and stderr
gets ``logged events: N of M`` before each phase's end: N async success events reached it, of M
non-streamed calls (litellm 1.110 does not hand a stream's success to a per-call ``success_callback``
logger, plain litellm included: tests/test_event_loops.py; litellm 1.60 runs none on ``acompletion``).
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_CALLBACKS", '["tests.exit_support.counting:Counter"]')

from tests.exit_support import counting
from tests.fakes.servers import FakeAnthropic, FakeOpenAI, running

KEY = "sk-test-key-0123456789abcdef"
USER = [{"role": "user", "content": "hi"}]
PHASE_MARK = "PHASE threads"


def streamed(i: int) -> bool:
    """Call ``i`` is a stream (every tenth)."""
    return i % 10 == 9


def _non_streamed(made: list[int]) -> int:
    return sum(not streamed(i) for i in made)


def main(mode: str, wire: str, calls: int = 200) -> None:
    cls: Any = FakeOpenAI if wire == "openai" else FakeAnthropic
    model = "openai/gpt-4o-mini" if wire == "openai" else "anthropic/claude-3-5-sonnet-20241022"
    failed: list[str] = []
    with running(cls) as fake:
        if mode == "plain":
            import litellm

            async def one(i: int) -> None:
                kw: dict[str, Any] = {"model": model, "messages": USER, "api_base": fake.url, "api_key": KEY}
                if streamed(i):
                    async for _ in await litellm.acompletion(**kw, max_tokens=10, stream=True):
                        pass
                else:
                    await litellm.acompletion(**kw, max_tokens=10)
        else:
            from director_litellm import LiteLLMConfig, LiteLLMProvider

            provider = LiteLLMProvider(LiteLLMConfig(chat_model=model, api_base=fake.url, api_key=KEY, num_retries=0))

            async def one(i: int) -> None:
                if streamed(i):
                    response = [e async for e in provider.astream_chat_completions(USER)][-1].response
                else:
                    response = await provider.achat_completions(USER)
                if not response.status:
                    failed.append(response.content)

        def run(i: int) -> None:
            try:
                asyncio.run(one(i))
            except Exception as exc:
                failed.append(repr(exc)[:200])

        made = list(range(calls))
        for i in made:
            run(i)
        if mode == "package":
            print(f"logged events: {counting.count()} of {_non_streamed(made)}", file=sys.stderr, flush=True)
        print(PHASE_MARK, file=sys.stderr, flush=True)
        per_thread = [[k * 10 + 5 + i for i in range(5)] for k in range(4)]
        made += [i for numbers in per_thread for i in numbers]
        threads = [threading.Thread(target=lambda ns=ns: [run(i) for i in ns]) for ns in per_thread]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if mode == "package":  # every call's litellm logging ran, on whichever loop made the call
        print(f"logged events: {counting.count()} of {_non_streamed(made)}", file=sys.stderr, flush=True)
    print(f"failed calls: {len(failed)} {failed[:2]}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 200)
