"""The demo's endpoint: a loopback server speaking OpenAI's Chat Completions API, in-process.

Standard library only (``http.server``). It answers like the real API in the parts a client
reads: the JSON shape of a completion and of stream chunks, ``x-request-id`` and
``openai-processing-ms`` headers, HTTP/1.1 keep-alive, Server-Sent Events with chunked
transfer, ``usage`` in a final chunk when ``stream_options.include_usage`` is set, and the
error shape with the real status for what the real API refuses (an unknown role, a ``tool``
message answering no earlier tool call, a missing Bearer key).

What it answers is scripted from the request itself, so the demo shows what reached the wire:

- tools offered and the last message is the user's: a call of the first tool, its arguments
  taken from the question (``DEMO_ARGUMENTS``);
- the last message is a tool result: an answer that quotes the result it received;
- otherwise: a short fixed answer (streamed when ``stream`` is true).

Token counts are an estimate (about four characters a token), as no tokenizer is at hand.
Bound to 127.0.0.1 on a free port; ``close()`` (or leaving the ``with`` block) stops it and
closes open connections; idle keep-alive connections also end after ``IDLE_TIMEOUT``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

UPSTREAM_MODEL = "gpt-4o-mini-2024-07-18"  # what OpenAI reports for "gpt-4o-mini"
DEMO_ARGUMENTS = {"video_id": "m-1234", "query": "pricing", "search_type": "semantic"}
STREAM_ANSWER = ["Director ", "can now ", "use any ", "model ", "litellm ", "supports."]
IDLE_TIMEOUT = 5.0  # seconds an idle keep-alive connection is kept
_ROLES = {"system", "user", "assistant", "tool", "developer"}
_ids = itertools.count(1)


@dataclass(frozen=True)
class Received:
    """One request as it arrived: path, lower-cased headers and the parsed JSON body."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class DemoServer:
    """``with DemoServer() as server: ... server.url`` (``http://127.0.0.1:PORT/v1``)."""

    api_key: str
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.demo = self
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="director-litellm-demo", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}/v1"

    def __enter__(self) -> DemoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()

    def record(self, received: Received) -> None:
        with self._lock:
            self.requests.append(received)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    demo: DemoServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._open_lock:
            for sock in list(self._open):
                with contextlib.suppress(OSError):  # already closed by the client
                    sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API
    server_version = "demo"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # a library stays quiet
        pass

    def do_GET(self) -> None:
        self._error(404, f"Unknown request URL: GET {self.path}.", "invalid_request_error", "unknown_url")

    def do_POST(self) -> None:
        started = time.monotonic()
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._error(404, f"Unknown request URL: POST {self.path}.", "invalid_request_error", "unknown_url")
            return
        demo = self.server.demo
        if self.headers.get("authorization") != f"Bearer {demo.api_key}":
            self._error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._error(400, "We could not parse the JSON body of your request.", "invalid_request_error", None)
            return
        demo.record(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        problem = _refusal(body)
        if problem:
            self._error(400, problem, "invalid_request_error", None)
            return
        message, finish = _answer(body)
        prompt = _tokens(json.dumps([body.get("messages"), body.get("tools")]))
        calls = message.get("tool_calls") or ()
        completion = _tokens(message.get("content") or "".join(json.dumps(c["function"]) for c in calls))
        if body.get("stream"):
            usage = (body.get("stream_options") or {}).get("include_usage") is True
            self._stream(message, finish, _usage(prompt, completion) if usage else None, started)
        else:
            self._json(200, _completion(message, finish, _usage(prompt, completion)), started)

    # ------------------------------------------------------------------ writing answers

    def _headers(self, status: int, content_type: str, started: float, length: int | None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("x-request-id", f"req_demo{next(_ids):06d}")
        self.send_header("openai-processing-ms", str(max(1, round((time.monotonic() - started) * 1000))))
        self.send_header("openai-version", "2020-10-01")
        if length is None:
            self.send_header("transfer-encoding", "chunked")
            self.send_header("cache-control", "no-cache")
        else:
            self.send_header("content-length", str(length))
        self.end_headers()

    def _json(self, status: int, body: dict[str, Any], started: float) -> None:
        data = json.dumps(body).encode()
        self._headers(status, "application/json", started, len(data))
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str, code: str | None) -> None:
        self._json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}}, time.monotonic())

    def _stream(self, message: dict[str, Any], finish: str, usage: dict[str, Any] | None, started: float) -> None:
        self._headers(200, "text/event-stream; charset=utf-8", started, None)
        base = {"id": f"chatcmpl-demo{next(_ids):06d}", "object": "chat.completion.chunk", "created": int(time.time())}
        base |= {"model": UPSTREAM_MODEL, "service_tier": "default", "system_fingerprint": "fp_demo"}
        with_usage = {"usage": None} if usage else {}

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            return {**base, "choices": [choice], **with_usage}

        frames = [chunk({"role": "assistant", "content": "", "refusal": None})]
        frames += [chunk({"content": piece}) for piece in STREAM_ANSWER]
        frames.append(chunk({}, finish))
        if usage:  # OpenAI: one last chunk with no choices carries the usage
            frames.append({**base, "choices": [], "usage": usage})
        for frame in frames:
            self._chunk(f"data: {json.dumps(frame)}\n\n".encode())
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def _refusal(body: dict[str, Any]) -> str | None:
    """What the real API refuses with 400, for the parts of a request the demo sends."""
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "you must provide a model parameter"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "[] is too short - 'messages'"
    offered: set[str] = set()
    for i, msg in enumerate(messages):
        role = msg.get("role") if isinstance(msg, dict) else None
        if role not in _ROLES:
            return f"Invalid value: '{role}'. Supported values are: {', '.join(sorted(_ROLES))}. ('messages[{i}].role')"
        if role == "assistant":
            calls = [c for c in msg.get("tool_calls") or () if isinstance(c, dict)]
            offered = {c["id"] for c in calls if isinstance(c.get("id"), str)}
            for j, call in enumerate(calls):
                if not isinstance((call.get("function") or {}).get("arguments"), str):
                    return f"Invalid type for 'messages[{i}].tool_calls[{j}].function.arguments': expected a string."
        elif role == "tool" and msg.get("tool_call_id") not in offered:
            return (
                "Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
                "with 'tool_calls'."
            )
    return None


def _answer(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The assistant message and finish reason for this request (see the module docstring)."""
    last = body["messages"][-1]
    tools = body.get("tools") or []
    if last["role"] == "tool":
        text = _summary(last.get("content"))
        return {"role": "assistant", "content": text, "refusal": None}, "stop"
    if tools and last["role"] == "user" and not body.get("stream"):
        name = tools[0]["function"]["name"]
        function = {"name": name, "arguments": json.dumps(DEMO_ARGUMENTS)}
        call = {"id": f"call_demo{next(_ids):06d}", "type": "function", "function": function}
        return {"role": "assistant", "content": None, "tool_calls": [call], "refusal": None}, "tool_calls"
    return {"role": "assistant", "content": "".join(STREAM_ANSWER), "refusal": None}, "stop"


def _summary(result: Any) -> str:
    """An answer quoting the tool result it was given, so the demo shows the result reached the wire."""
    try:
        matches = json.loads(result)["matches"]
        first = matches[0]
        times = "once" if len(matches) == 1 else f"{len(matches)} times"
        return f'Pricing comes up {times}, first at {first["start"]} s: "{first["text"]}".'
    except (ValueError, KeyError, IndexError, TypeError):
        return f"The tool returned: {result}"


def _completion(message: dict[str, Any], finish: str, usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-demo{next(_ids):06d}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": UPSTREAM_MODEL,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": usage,
        "service_tier": "default",
        "system_fingerprint": "fp_demo",
    }


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4))


def _usage(prompt: int, completion: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


__all__ = ["DEMO_ARGUMENTS", "STREAM_ANSWER", "UPSTREAM_MODEL", "DemoServer", "Received"]
