"""The Ollama native chat fake: ``POST /api/chat`` answering JSON or NDJSON, plus the few GET/POST endpoints
a client probes (``/``, ``/api/version``, ``/api/tags``, ``/api/show``).

Give litellm ``url`` (no path) as api_base and an ``ollama_chat/<model>`` model. litellm 1.60 asks
``/api/show`` whether a model takes tools, at ``OLLAMA_API_BASE`` (not the call's api_base): point that
variable at ``url`` on that stack.

- ``models``: the pulled models (``name:tag``); another gets Ollama's 404.
- ``no_tools``: models whose template has no tool support (refuse ``tools``; ``/api/show`` says so).
- ``Reply.success``/``Reply.stream`` render Ollama's shapes: ``message.tool_calls[].function.arguments`` as
  an object, ``done_reason`` ``stop``/``length``, eval counts; a stream is one JSON object per line
  (``application/x-ndjson``) ending with ``done: true``. Ollama streams unless ``"stream": false``.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

from werkzeug import Request, Response

from .base import AUTO, DEFAULT_USAGE, BaseFake, Recorded, Reply
from .rules import ollama

NDJSON = "application/x-ndjson"
VERSION = "0.12.6"
# OLLAMA_API "Show model information": a template that mentions .Tools is what marks tool support
TOOL_TEMPLATE = "{{- if .Tools }}<|start_header_id|>system<|end_header_id|>{{ range .Tools }}{{ . }}{{ end }}{{ end }}"
PLAIN_TEMPLATE = "{{ .System }} {{ .Prompt }}"


class FakeOllama(BaseFake):
    """Ollama at ``POST /api/chat``."""

    paths = ("/api/chat",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.models = frozenset({"llama3.1:latest", "llama3.1:8b", "qwen3:8b", "gemma:latest"})
        self.no_tools = frozenset({"gemma:latest"})
        self.probes: list[Recorded] = []  # requests to the endpoints other than /api/chat

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def response_headers(self, status: int) -> dict[str, str]:
        return {"date": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())}

    # ------------------------------------------------------------------ the endpoints besides /api/chat
    def _handle(self, request: Request) -> Response:
        if request.path == "/api/chat":
            return super()._handle(request)
        raw = request.get_data()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self.probes.append(
            Recorded(request.path, {k.lower(): v for k, v in request.headers.items()}, body, raw, request.method)
        )
        if request.method in ("GET", "HEAD") and request.path == "/":
            return Response("Ollama is running", status=200, headers={"content-type": "text/plain; charset=utf-8"})
        if request.method == "GET" and request.path == "/api/version":
            return self._json(200, {"version": VERSION})
        if request.method == "GET" and request.path == "/api/tags":
            return self._json(200, {"models": [self._model_entry(m) for m in sorted(self.models)]})
        if request.method == "POST" and request.path == "/api/show":
            return self._show(body)
        return Response("404 page not found", status=404, headers={"content-type": "text/plain"})

    @staticmethod
    def _model_entry(name: str) -> dict:
        return {
            "name": name,
            "model": name,
            "modified_at": "2025-11-01T10:00:00Z",
            "size": 4920753328,
            "digest": "46e0c10c039e",
            "details": {"format": "gguf", "family": name.split(":")[0]},
        }

    def _show(self, body: Any) -> Response:
        name = (body or {}).get("model") or (body or {}).get("name") or ""
        full = name if ":" in name else f"{name}:latest"
        if full not in self.models:
            return self._json(404, {"error": f"model '{name}' not found"})
        tools = full not in self.no_tools
        return self._json(
            200,
            {
                "template": TOOL_TEMPLATE if tools else PLAIN_TEMPLATE,
                "details": {"format": "gguf", "family": full.split(":")[0], "parameter_size": "8.0B"},
                "model_info": {"general.architecture": "llama", "llama.context_length": 131072},
                "capabilities": ["completion", "tools"] if tools else ["completion"],
            },
        )

    # ------------------------------------------------------------------ /api/chat
    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        if rec.method != "POST":
            return 405, ["405 method not allowed"]
        if bad_json:
            return 400, ["invalid character looking for beginning of value"]
        found = ollama.check_ollama(rec.body, self.models, self.no_tools)
        return (found[0], [found[1]]) if found else None

    def _error_body(self, status: int, message: str, type: str | None) -> dict:
        return {"error": message}  # OLLAMA_ERRORS: {"error": "..."} for every status

    def _render(self, reply: Reply, rec: Recorded, sock: Any) -> Response:
        streaming = not (isinstance(rec.body, dict) and rec.body.get("stream") is False)
        if reply.kind == "success" and streaming:  # OLLAMA_REF: "stream" defaults to true
            o = reply.opts
            keep = ("tool_calls", "finish_reason", "usage", "model", "headers")
            reply = Reply.stream(o["text"], **{k: o[k] for k in keep})
        if reply.kind == "stream":
            reply = replace(
                reply, opts={**reply.opts, "headers": {"content-type": NDJSON, **(reply.opts["headers"] or {})}}
            )
        if reply.kind == "success":
            return self._json(200, self._success_body(reply.opts, rec), reply.opts["headers"])
        return super()._render(reply, rec, sock)

    def _head(self, o: dict, rec: Recorded) -> dict:
        model = o["model"] or (rec.body or {}).get("model") or "llama3.1"
        return {"model": model, "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())}

    @staticmethod
    def _calls(o: dict) -> list[dict]:
        calls = []
        for c in o["tool_calls"]:
            args = c.get("arguments", "{}")
            args = json.loads(args) if isinstance(args, str) and args.strip() else args or {}
            calls.append({"function": {"name": c["name"], "arguments": args}})
        return calls

    @staticmethod
    def _counts(o: dict) -> dict:
        usage = o["usage"]
        if usage is None:
            return {}
        if isinstance(usage, dict):
            return usage
        p, c = DEFAULT_USAGE if usage is AUTO else usage
        return {
            "total_duration": 4883583458,
            "load_duration": 1334875,
            "prompt_eval_count": p,
            "prompt_eval_duration": 342546000,
            "eval_count": c,
            "eval_duration": 4535599000,
        }

    def _done_reason(self, o: dict) -> str:
        # OLLAMA_REF: done_reason is "stop" (tool calls included) or "length"
        return "length" if o["finish_reason"] == "length" else o["finish_reason"] or "stop"

    def _success_body(self, o: dict, rec: Recorded) -> dict:
        message: dict = {"role": "assistant", "content": o["text"] or ""}
        calls = self._calls(o)
        if calls:
            message["tool_calls"] = calls
        if o["content"] is not AUTO:
            message["content"] = o["content"]
        return {
            **self._head(o, rec),
            "message": message,
            "done_reason": self._done_reason(o),
            "done": True,
            **self._counts(o),
        }

    def _frame(self, event: dict) -> bytes:
        return json.dumps(event, separators=(",", ":")).encode() + b"\n"

    def _stream_error(self, message: str) -> bytes:
        return self._frame({"error": message})

    def _frames(self, o: dict, rec: Recorded) -> list[bytes]:
        head = self._head(o, rec)
        frames = [
            self._frame({**head, "message": {"role": "assistant", "content": piece}, "done": False})
            for piece in o["pieces"]
        ]
        calls = self._calls(o)
        if calls:  # OLLAMA_TOOLS "Streaming": the calls arrive whole, in one chunk before the last
            frames.append(
                self._frame(
                    {**head, "message": {"role": "assistant", "content": "", "tool_calls": calls}, "done": False}
                )
            )
        last = {
            **head,
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": self._done_reason(o),
            **self._counts(o),
        }
        return [*frames, self._frame(last)]
