"""The Cohere Chat v2 fake: ``POST /v2/chat`` with Cohere's response shape and its typed stream events.

Give litellm ``url`` + ``/v2/chat`` (``chat_url``) as api_base (litellm posts to the api_base as given) and a
``cohere_chat/<model>`` model; litellm 1.60 has no v2 route (it sends the v1 body, refused here).

Answers follow the recordings in tests/conformance/payloads/cohere (vercel/ai fixtures): ``message`` with
``content`` parts (``text``, ``thinking``), ``tool_plan`` and ``tool_calls``, ``finish_reason`` in Cohere's
words (COMPLETE, MAX_TOKENS, TOOL_CALL, ...), ``usage`` with ``billed_units``, ``tokens`` and
``cached_tokens``. A stream is SSE, one ``event: <type>`` per event: message-start, content-start/delta/end,
tool-plan-delta, tool-call-start/delta/end, message-end (COHERE_STREAM).

``tool_plan`` and ``thinking`` (a fake attribute each, default None) are added to every answer when set.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .base import AUTO, DEFAULT_USAGE, BaseFake, Recorded
from .rules import cohere

_FINISH = {"stop": "COMPLETE", "length": "MAX_TOKENS", "tool_calls": "TOOL_CALL", "content_filter": "ERROR"}


class FakeCohere(BaseFake):
    """Cohere at ``POST /v2/chat``."""

    paths = ("/v2/chat",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tool_plan: str | None = None
        self.thinking: str | None = None
        self.cached_tokens = 448

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    @property
    def chat_url(self) -> str:
        return self.url + "/v2/chat"

    def response_headers(self, status: int) -> dict[str, str]:
        """Cohere's API headers (x-api-warning/x-debug-trace-id and num_tokens are what api.cohere.com sends)."""
        return {
            "x-debug-trace-id": uuid.uuid4().hex,
            "x-endpoint-monthly-call-limit": "1000",
            "x-trial-endpoint-call-limit": "20",
            "x-trial-endpoint-call-remaining": "19",
            "num_chars": "120",
            "num_tokens": "15",
        }

    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        if rec.method != "POST" or rec.path not in self.paths:
            return 404, [f"Not Found ({rec.method} {rec.path})"]
        auth = rec.headers.get("authorization", "")
        key = auth.split(" ", 1)[1].strip() if auth.lower().startswith("bearer ") else ""
        if not key or (self.expected_key is not None and key != self.expected_key):
            return 401, ["invalid api token"]  # COHERE_ERRORS 401
        if bad_json:
            return 400, ["invalid request: body is not valid JSON"]
        problem = cohere.check_cohere(rec.body)
        return (400, [problem]) if problem else None

    def _error_body(self, status: int, message: str, type: str | None) -> dict:
        return {"id": str(uuid.uuid4()), "message": message}  # COHERE_ERRORS

    # ------------------------------------------------------------------ answers
    def _usage(self, o: dict) -> dict | None:
        usage = o["usage"]
        if usage is None or isinstance(usage, dict):
            return usage
        p, c = DEFAULT_USAGE if usage is AUTO else usage
        # COHERE_REF "usage": billed units exclude the system preamble; tokens count everything
        return {
            "billed_units": {"input_tokens": max(p - 3, 0), "output_tokens": c},
            "tokens": {"input_tokens": p + 495, "output_tokens": c + 3},
            "cached_tokens": self.cached_tokens,
        }

    @staticmethod
    def _calls(o: dict) -> list[dict]:
        return [
            {
                "id": c.get("id") or f"{c['name']}_{uuid.uuid4().hex[:12]}",  # recorded: weather_dqgshstja6p9
                "type": "function",
                "function": {"name": c["name"], "arguments": c.get("arguments", "{}")},
            }
            for c in o["tool_calls"]
        ]

    def _finish(self, o: dict, calls: list[dict]) -> str:
        reason = o["finish_reason"] or ("tool_calls" if calls else "stop")
        return _FINISH.get(reason, reason)

    def _success_body(self, o: dict, rec: Recorded) -> dict:
        calls = self._calls(o)
        message: dict = {"role": "assistant"}
        if calls:
            if self.tool_plan is not None:
                message["tool_plan"] = self.tool_plan
            message["tool_calls"] = calls
        parts = [{"type": "thinking", "thinking": self.thinking}] if self.thinking else []
        if o["text"]:
            parts.append({"type": "text", "text": o["text"]})
        if parts:
            message["content"] = parts
        if o["content"] is not AUTO:
            message["content"] = o["content"]
        body: dict = {"id": str(uuid.uuid4()), "message": message, "finish_reason": self._finish(o, calls)}
        usage = self._usage(o)
        return body if usage is None else {**body, "usage": usage}

    def _frame(self, event: dict) -> bytes:
        return f"event: {event.get('type', 'message')}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n".encode()

    def _stream_error(self, message: str) -> bytes:
        return self._frame({"type": "message-end", "delta": {"error": message, "finish_reason": "ERROR"}})

    def _frames(self, o: dict, rec: Recorded) -> list[bytes]:
        calls = self._calls(o)
        start = {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}
        events: list[dict] = [{"id": str(uuid.uuid4()), "type": "message-start", "delta": {"message": start}}]
        index = 0
        if self.thinking:
            events.append(
                {
                    "type": "content-start",
                    "index": 0,
                    "delta": {"message": {"content": {"type": "thinking", "thinking": ""}}},
                }
            )
            events.append(
                {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"thinking": self.thinking}}}}
            )
            events.append({"type": "content-end", "index": 0})
            index = 1
        if o["pieces"] and any(o["pieces"]):
            events.append(
                {
                    "type": "content-start",
                    "index": index,
                    "delta": {"message": {"content": {"type": "text", "text": ""}}},
                }
            )
            events += [
                {"type": "content-delta", "index": index, "delta": {"message": {"content": {"text": piece}}}}
                for piece in o["pieces"]
            ]
            events.append({"type": "content-end", "index": index})
        if calls and self.tool_plan:
            events += [
                {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": word}}}
                for word in _words(self.tool_plan)
            ]
        for i, call in enumerate(calls):
            args = call["function"]["arguments"]
            opening = {**call, "function": {"name": call["function"]["name"], "arguments": ""}}
            events.append({"type": "tool-call-start", "index": i, "delta": {"message": {"tool_calls": opening}}})
            half = len(args) // 2
            events += [
                {
                    "type": "tool-call-delta",
                    "index": i,
                    "delta": {"message": {"tool_calls": {"function": {"arguments": part}}}},
                }
                for part in (args[:half], args[half:])
                if part
            ]
            events.append({"type": "tool-call-end", "index": i})
        end: dict = {"finish_reason": self._finish(o, calls)}
        usage = self._usage(o)
        if usage is not None:
            end["usage"] = usage
        events.append({"type": "message-end", "delta": end})
        return [self._frame(e) for e in events]


def _words(text: str) -> list[str]:
    out, word = [], ""
    for ch in text:
        if ch == " " and word:
            out.append(word)
            word = ""
        word += ch
    return [*out, word] if word else out


__all__ = ["FakeCohere"]
