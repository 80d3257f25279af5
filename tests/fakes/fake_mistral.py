"""The Mistral Chat Completions fake: Mistral's validator (``rules.mistral``), its error bodies, ids and usage.

OpenAI-shaped like ``FakeOpenAI`` but Mistral's own: ``POST /v1/chat/completions`` (give litellm ``url``,
ending in ``/v1``, with a ``mistral/<model>``), tool-call ids of 9 characters of ``[a-zA-Z0-9]`` (issued by
the fake itself, and required on every call and tool result sent back), 32-hex response ids, usage in the
last stream chunk without being asked (MISTRAL_REF), and ``{"object": "error", ...}`` error bodies.
"""

from __future__ import annotations

import json
import threading
import time
import uuid

from .base import AUTO, DEFAULT_USAGE, Recorded
from .fake_openai import FakeOpenAI
from .rules import mistral


def mistral_call_id() -> str:
    """MISTRAL_TOOLS: the API's own ids are 9 characters of [a-zA-Z0-9] (e.g. ``gSIMJiOkT``)."""
    return uuid.uuid4().hex[:9]


class FakeMistral(FakeOpenAI):
    """Mistral at ``POST /v1/chat/completions``."""

    paths = ("/v1/chat/completions",)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._pending = threading.local()  # the refusal being answered on this handler thread

    def response_headers(self, status: int) -> dict[str, str]:
        """Mistral's gateway headers (recorded in karthink/gptel#1203: mistral-correlation-id, x-kong-*)."""
        correlation = str(uuid.uuid4())
        return {
            "mistral-correlation-id": correlation,
            "x-kong-request-id": correlation,
            "x-kong-upstream-latency": "131",
            "x-kong-proxy-latency": "7",
            "x-envoy-upstream-service-time": "131",
            "access-control-allow-origin": "*",
            "ratelimitbysize-limit": "5000000",
            "ratelimitbysize-remaining": "4999990",
            "x-ratelimitbysize-limit-minute": "5000000",
            "x-ratelimitbysize-remaining-minute": "4999990",
        }

    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        self._pending.error = None
        if rec.method != "POST" or rec.path not in self.paths:
            self._pending.error = {"detail": "Not Found"}
            return 404, [f"Not Found ({rec.method} {rec.path})"]
        auth = rec.headers.get("authorization", "")
        key = auth[7:].strip() if auth.startswith("Bearer ") else ""
        if not key or (self.expected_key is not None and key != self.expected_key):
            # MISTRAL_REF "Authorization: Bearer"; the gateway's 401 body has no "object"/"type"
            self._pending.error = {"message": "Unauthorized", "request_id": uuid.uuid4().hex}
            return 401, ["Unauthorized"]
        if bad_json:
            return 400, ["Invalid JSON body"]
        found = mistral.check_mistral(rec.body)
        if found is None:
            return None
        status, message, kind, code = found
        self._pending.error = {"object": "error", "message": message, "type": kind, "param": None, "code": code}
        text = message if isinstance(message, str) else json.dumps(message)
        return status, [text]

    def _error_body(self, status: int, message: str, type: str | None) -> dict:
        pending = getattr(self._pending, "error", None)
        self._pending.error = None
        if pending is not None:
            return pending
        default = {401: "unauthorized", 429: "rate_limited"}.get(status, "invalid_request_error")
        return {"object": "error", "message": message, "type": type or default, "param": None, "code": None}

    @staticmethod
    def _calls(o: dict) -> list[dict]:
        return [
            {
                "id": c.get("id") or mistral_call_id(),
                "type": "function",
                "function": {"name": c["name"], "arguments": c.get("arguments", "{}")},
                "index": i,
            }
            for i, c in enumerate(o["tool_calls"])
        ]

    def _envelope(self, o: dict, rec: Recorded, obj: str) -> dict:
        model = o["model"] or (rec.body or {}).get("model") or "mistral-small-latest"
        return {"id": uuid.uuid4().hex, "object": obj, "created": int(time.time()), "model": model}

    def _usage(self, o: dict) -> dict | None:
        usage = o["usage"]
        if usage is None or isinstance(usage, dict):
            return usage
        p, c = DEFAULT_USAGE if usage is AUTO else usage
        return {"prompt_tokens": p, "total_tokens": p + c, "completion_tokens": c}

    def _success_body(self, o: dict, rec: Recorded) -> dict:
        calls = self._calls(o)
        message: dict = {"role": "assistant", "tool_calls": calls or None, "content": o["text"] or ""}
        if o["content"] is not AUTO:
            message["content"] = o["content"]
        choice = {
            "index": 0,
            "message": message,
            "finish_reason": o["finish_reason"] or ("tool_calls" if calls else "stop"),
        }
        body = {**self._envelope(o, rec, "chat.completion"), "choices": [choice]}
        usage = self._usage(o)
        return body if usage is None else {**body, "usage": usage}

    def _frames(self, o: dict, rec: Recorded) -> list[bytes]:
        # the recorded stream (tests/conformance/payloads/mistral/vercel-tool-call-stream): role first, text
        # deltas, every tool call whole in one chunk, the finish reason with usage in the last chunk
        env = self._envelope(o, rec, "chat.completion.chunk")

        def chunk(delta: dict, finish: str | None = None, usage: dict | None = None) -> bytes:
            event = {**env, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}
            return self._frame({**event, "usage": usage} if usage else event)

        frames = [chunk({"role": "assistant", "content": ""})]
        frames += [chunk({"content": piece}) for piece in o["pieces"]]
        calls = self._calls(o)
        finish = o["finish_reason"] or ("tool_calls" if calls else "stop")
        usage = self._usage(o)
        if calls:
            frames.append(chunk({"content": None, "tool_calls": calls}, finish, usage))
        else:
            frames.append(chunk({"content": ""}, finish, usage))
        return [*frames, b"data: [DONE]\n\n"]

    def _stream_error(self, message: str) -> bytes:
        return self._frame(
            {"object": "error", "message": message, "type": "internal_error", "param": None, "code": "1000"}
        )
