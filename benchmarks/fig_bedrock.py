#!/usr/bin/env python
"""Figure 1b: figure 1's method on the AWS Bedrock Converse wire.

    python benchmarks/fig_bedrock.py [--rounds N] [--model bedrock/...]

``chat_completions`` ÷ ``litellm.completion`` for Director's real request (``director_tools(25)`` +
``history(5)``) to a Bedrock model, call by call, interleaved, the order rotating every round. Raw
litellm gets exactly the kwargs the provider sends (``provider.build_request``, built outside the
timing, with the same AWS options). First, each side's request goes once to the strict Bedrock fake
(``tests/fakes/fake_bedrock.py``, in this process) and the two bodies are compared at the wire. The
timed calls go to a light Converse server in its own process (``--serve``): a canned JSON answer,
no parsing, so its CPU is not taken from the client's GIL. Both sides sign every request (SigV4).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import _common as C  # noqa: E402  (puts src/ first, sets the offline litellm variables)
from _harness import RAW, Row, log, ms, signed_us, verdict  # noqa: E402

MODEL = "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"
AWS = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "bench", "aws_region_name": "us-east-1"}
CANNED = json.dumps(
    {
        "metrics": {"latencyMs": 300},
        "output": {"message": {"content": [{"text": "ok"}], "role": "assistant"}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 10, "outputTokens": 5, "totalTokens": 15},
    }
).encode()
REPLY = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-amzn-requestid: bench\r\n"
    + f"content-length: {len(CANNED)}\r\nconnection: keep-alive\r\n\r\n".encode()
    + CANNED
)


class _Light(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while (end := self.buf.find(b"\r\n\r\n")) >= 0:
            head = self.buf[:end].decode("latin-1").lower()
            length = next((int(h.split(":")[1]) for h in head.split("\r\n") if h.startswith("content-length:")), 0)
            if len(self.buf) < end + 4 + length:
                return
            self.buf = self.buf[end + 4 + length :]
            self.transport.write(REPLY)  # type: ignore[attr-defined]


def serve() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_Light, "127.0.0.1", 0)
        print(json.dumps({"url": f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"}), flush=True)
        done = asyncio.Event()
        threading.Thread(target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(done.set)), daemon=True).start()
        await done.wait()

    asyncio.run(main())


def fig_bedrock(rounds_cap: int, model: str) -> list[Row]:
    from tests.fakes import FakeBedrock, running

    from director_litellm import LiteLLMConfig, LiteLLMProvider

    litellm = C.import_litellm()
    messages, tools = C.director_request()

    def setup(url: str) -> dict[str, Any]:
        provider = LiteLLMProvider(LiteLLMConfig(chat_model=model, api_base=url, extra_params=AWS))
        kwargs = C.raw_kwargs(provider, messages, tools)
        return {
            "provider": lambda: provider.chat_completions(messages, tools=tools),
            "raw": lambda: litellm.completion(**kwargs),
        }

    with running(FakeBedrock) as fake:
        wire = setup(fake.url)
        first = wire["provider"]()
        if not first.status:
            raise SystemExit(f"director-litellm failed against the strict Bedrock fake: {first.content}")
        wire["raw"]()
        bodies = [r.body for r in fake.requests[-2:]]
        diff = C.wire_diff(*bodies)
        if fake.violations:
            raise SystemExit(f"the strict Bedrock fake refused: {fake.violations}")
    note = "bodies identical at the wire" if not diff else "bodies DIFFER: " + " ".join(diff)
    log(f"figure 1b: {note}")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([C.SRC, C.REPO, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        url = json.loads(proc.stdout.readline())["url"]  # type: ignore[union-attr]
        fns = setup(url)
        per_call = C.calibrate(fns["raw"])
        rounds = C.rounds_for(60.0, 2 * per_call, rounds_cap)
        log(f"figure 1b: {rounds} interleaved rounds on {model} (a raw call takes {per_call * 1e3:.1f} ms here)")
        samples = C.interleaved(fns, rounds, warmup=5)
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(timeout=10)
    main = C.paired(samples["provider"], samples["raw"])
    RAW["fig1b_ratio"] = main["ratio"].as_dict()
    RAW["fig1b_wire"] = note
    ratio = main["ratio"].median
    return [
        Row(
            "1b",
            f"chat_completions ÷ litellm.completion, Bedrock Converse ({model.split('/')[-1][:28]})",
            ms(main["a"].median),
            ms(main["b"].median),
            f"{ratio:.3f}× ({signed_us(main['diff'].median)})",
            f"{main['ratio'].p25:.2f}–{main['ratio'].p75:.2f}×",
            str(rounds),
            "≤1.05×",
            verdict(ratio <= 1.05 and not diff),
        )
    ]


if __name__ == "__main__":
    if "--serve" in sys.argv:
        serve()
        raise SystemExit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=400, help="at most this many rounds (60 s budget)")
    parser.add_argument("--model", default=MODEL)
    args = parser.parse_args()
    for row in fig_bedrock(args.rounds, args.model):
        print(" | ".join(str(v) for v in row.__dict__.values()) if hasattr(row, "__dict__") else row)
