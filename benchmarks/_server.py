"""The benchmark's loopback servers, run in their OWN process (``python benchmarks/_server.py``).

Two kinds, both speaking the OpenAI Chat Completions wire protocol on 127.0.0.1 (the light one also
answers Gemini's ``:generateContent`` and a ``/token`` OAuth endpoint, for ``fig_gemini.py``):

``strict``  ``tests.fakes.servers.FakeOpenAI`` (threaded, HTTP/1.1 keep-alive): parses and validates every request
            against ``tests/fakes/rules/`` and answers ``fake.default(text="ok")``. Used for every
            per-call latency figure, so a request either side sends wrong is refused, not timed.
``light``   a minimal asyncio HTTP/1.1 server that answers a canned body (JSON, or SSE when the request
            asks for ``"stream": true``) without parsing JSON. Used where the server itself would otherwise
            be the bottleneck: throughput at concurrency 16/64 and the RSS runs (see benchmarks/README).

Running the server in a separate process keeps its CPU time (request parsing + validation, ~1-2 ms per
44 KB request) off the client's GIL, so the client-side figures measure the client.

Protocol: prints one JSON line ``{"url": ...}`` on stdout, then serves until stdin closes. Commands on
stdin, one per line, each answered by one JSON line:
``bodies N``    the last N request bodies, oldest first (strict only)
``violations``  the strict fake's rule violations so far
``count``       requests answered so far
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CANNED = {
    "id": "chatcmpl-bench",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4o-mini",
    "system_fingerprint": "fp_bench",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "ok", "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
}


def _sse() -> bytes:
    env = {k: CANNED[k] for k in ("id", "created", "model", "system_fingerprint")}
    env["object"] = "chat.completion.chunk"

    def chunk(delta: dict, finish: object = None) -> bytes:
        body = {**env, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
        return b"data: " + json.dumps(body).encode() + b"\n\n"

    return (
        chunk({"role": "assistant", "content": "", "refusal": None})
        + chunk({"content": "ok"})
        + chunk({}, "stop")
        + b"data: [DONE]\n\n"
    )


def _response(status: str, ctype: str, body: bytes, chunked: bool = False) -> bytes:
    if chunked:  # one chunk, like a short real stream
        head = (
            f"HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\ntransfer-encoding: chunked\r\n"
            f"cache-control: no-cache\r\nx-request-id: req_bench\r\n\r\n"
        ).encode()
        return head + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\ncontent-length: {len(body)}\r\nx-request-id: req_bench\r\n\r\n"
    ).encode()
    return head + body


JSON_REPLY = _response("200 OK", "application/json", json.dumps(CANNED).encode())
# the Gemini wire (fig_gemini.py): a generateContent answer, and an OAuth token for a service account
GEMINI = {
    "candidates": [{"content": {"parts": [{"text": "ok"}], "role": "model"}, "finishReason": "STOP", "index": 0}],
    "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
    "modelVersion": "gemini-2.5-flash",
    "responseId": "bench",
}
GEMINI_REPLY = _response("200 OK", "application/json; charset=UTF-8", json.dumps(GEMINI).encode())
TOKEN = {"access_token": "ya29.bench", "expires_in": 3599, "token_type": "Bearer"}
TOKEN_REPLY = _response("200 OK", "application/json", json.dumps(TOKEN).encode())
SSE_REPLY = _response("200 OK", "text/event-stream", _sse(), chunked=True)
NOT_FOUND = _response("404 Not Found", "application/json", b'{"error":{"message":"not found"}}')


class _Light(asyncio.Protocol):
    """HTTP/1.1 keep-alive; answers each complete request with a canned reply."""

    count = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            total = end + 4 + length
            if len(self.buf) < total:
                return
            body, self.buf = self.buf[end + 4 : total], self.buf[total:]
            path = head.split(" ", 2)[1] if " " in head else ""
            _Light.count += 1
            if path.endswith(":generateContent"):
                self.transport.write(GEMINI_REPLY)  # type: ignore[attr-defined]
            elif path == "/token":
                self.transport.write(TOKEN_REPLY)  # type: ignore[attr-defined]
            elif not path.endswith("/chat/completions"):
                self.transport.write(NOT_FOUND)  # type: ignore[attr-defined]
            elif b'"stream":true' in body.replace(b" ", b""):
                self.transport.write(SSE_REPLY)  # type: ignore[attr-defined]
            else:
                self.transport.write(JSON_REPLY)  # type: ignore[attr-defined]


def serve_light() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_Light, "127.0.0.1", 0, backlog=1024)
        port = server.sockets[0].getsockname()[1]
        _announce({"url": f"http://127.0.0.1:{port}/v1", "kind": "light"})
        done = asyncio.Event()

        def commands() -> None:
            for line in sys.stdin:
                cmd = line.strip()
                if cmd == "count":
                    _reply({"count": _Light.count})
                elif cmd.startswith("bodies"):
                    _reply({"bodies": []})
                else:
                    _reply({"bodies": [], "violations": [], "unsupported": cmd})
            loop.call_soon_threadsafe(done.set)

        threading.Thread(target=commands, daemon=True).start()
        await done.wait()
        server.close()

    asyncio.run(main())


def serve_strict() -> None:
    sys.path.insert(0, REPO)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request otherwise
    from tests.fakes.servers import FakeOpenAI, running

    with running(FakeOpenAI) as fake:
        fake.default(text="ok")

        def trim() -> None:  # the fake records every request; keep its memory flat over long runs
            while True:
                time.sleep(1.0)
                with fake._lock:
                    if len(fake._requests) > 2000:
                        del fake._requests[:-64]

        threading.Thread(target=trim, daemon=True).start()
        _announce({"url": fake.url, "kind": "strict"})
        for line in sys.stdin:
            cmd = line.strip()
            if cmd.startswith("bodies"):
                n = int(cmd.split()[1]) if len(cmd.split()) > 1 else 1
                with fake._lock:
                    bodies = [r.body for r in fake._requests[-n:]]
                _reply({"bodies": bodies})
            elif cmd == "violations":
                _reply({"violations": fake.violations})
            elif cmd == "count":
                _reply({"count": len(fake.requests)})
            else:
                _reply({"unsupported": cmd})


def _announce(obj: dict) -> None:
    _reply(obj)


def _reply(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    (serve_light if "--light" in sys.argv[1:] else serve_strict)()
