"""The OpenAI Chat Completions fake: paths, headers, error bodies, JSON answers and SSE frames."""

from __future__ import annotations

import json
import time
import uuid

from . import rules
from .base import AUTO, DEFAULT_USAGE, BaseFake, Recorded, call_id, ids, usage_object
from .prompt_cache import OpenAICache
from .transport import LoopbackServer


class FakeOpenAI(BaseFake):
    """OpenAI Chat Completions at ``POST /v1/chat/completions`` (and ``/chat/completions``)."""

    paths = ("/v1/chat/completions", "/chat/completions")

    def __init__(self, server: LoopbackServer, expected_key: str | None = None) -> None:
        super().__init__(server, expected_key)
        self.prompt_cache = OpenAICache()
        # AUTO usage is the estimate (prompt_cache.py) for prompts of >= 1,024 tokens, else DEFAULT_USAGE;
        # True: the estimate for every prompt
        self.count_tokens = False

    def _auto_usage(self, o: dict, rec: Recorded) -> dict | None:
        if o["usage"] is not AUTO or not isinstance(rec.body, dict):
            return usage_object(o["usage"], "prompt_tokens", "completion_tokens", True)
        prompt, cached = self.prompt_cache.account(rec.body)
        if not self.count_tokens and prompt < rules.OPENAI_CACHE_MINIMUM:
            return usage_object(AUTO, "prompt_tokens", "completion_tokens", True)
        out = DEFAULT_USAGE[1]
        details = {"cached_tokens": cached, "audio_tokens": 0}
        return {
            "prompt_tokens": prompt,
            "completion_tokens": out,
            "total_tokens": prompt + out,
            "prompt_tokens_details": details,
        }

    @property
    def url(self) -> str:
        return self.server.url_for("/v1")

    def response_headers(self, status: int) -> dict[str, str]:
        """What api.openai.com sends besides the body's content-type (a recorded 2025 chat completion:
        DataDog/dd-trace-py tests/contrib/litellm/cassettes/completion_stream.yaml), minus Cloudflare's."""
        return {
            "openai-organization": "user-fake",
            "openai-processing-ms": "7",
            "openai-version": "2020-10-01",
            "x-request-id": f"req_{uuid.uuid4().hex}",
            "access-control-expose-headers": "X-Request-ID",
            "x-ratelimit-limit-requests": "10000",
            "x-ratelimit-limit-tokens": "2000000",
            "x-ratelimit-remaining-requests": "9999",
            "x-ratelimit-remaining-tokens": "1999990",
            "x-ratelimit-reset-requests": "6ms",
            "x-ratelimit-reset-tokens": "0s",
            "x-content-type-options": "nosniff",
        }

    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        if rec.method != "POST" or rec.path not in self.paths:
            return 404, [f"Invalid URL ({rec.method} {rec.path})"]
        auth = rules.check_openai_auth(rec.headers, self.expected_key)
        if auth:
            return 401, [auth]
        if bad_json:
            return 400, ["We could not parse the JSON body of your request."]
        return (400, v) if (v := rules.check_openai(rec.body)) else None

    def _error_body(self, status: int, message: str, type: str | None) -> dict:
        default = {401: "invalid_request_error", 429: "requests"}.get(
            status, "server_error" if status >= 500 else "invalid_request_error"
        )
        code = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(status)
        return {"error": {"message": message, "type": type or default, "param": None, "code": code}}

    def _window_error(self, body: dict, window: int) -> dict | None:
        return rules.openai_window_error(body, window)

    @staticmethod
    def _calls(o: dict) -> list[dict]:
        return [
            {
                "id": call_id(c, "call_"),
                "type": "function",
                "function": {"name": c["name"], "arguments": c.get("arguments", "{}")},
            }
            for c in o["tool_calls"]
        ]

    def _envelope(self, o: dict, rec: Recorded, obj: str) -> dict:
        model = o["model"] or (rec.body or {}).get("model") or "fake-model"
        return {
            "id": f"chatcmpl-fake{next(ids)}",
            "object": obj,
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_fake",
        }

    def _success_body(self, o: dict, rec: Recorded) -> dict:
        calls = self._calls(o)
        message: dict = {
            "role": "assistant",
            "content": o["text"] if o["content"] is AUTO else o["content"],
            "refusal": None,
        }
        if calls:
            message["tool_calls"] = calls
        body = {
            **self._envelope(o, rec, "chat.completion"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": o["finish_reason"] or ("tool_calls" if calls else "stop"),
                }
            ],
        }
        usage = self._auto_usage(o, rec)
        return body if usage is None else {**body, "usage": usage}

    def _frame(self, event: dict) -> bytes:
        return f"data: {json.dumps(event)}\n\n".encode()

    def _stream_error(self, message: str) -> bytes:
        return self._frame({"error": {"message": message, "type": "server_error", "param": None, "code": None}})

    def _frames(self, o: dict, rec: Recorded) -> list[bytes]:
        env = self._envelope(o, rec, "chat.completion.chunk")
        want_usage = bool(((rec.body or {}).get("stream_options") or {}).get("include_usage"))
        extra = {"usage": None} if want_usage else {}

        def chunk(delta: dict, finish: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return self._frame({**env, "choices": [choice], **extra})

        frames = [chunk({"role": "assistant", "content": "", "refusal": None})]
        frames += [chunk({"content": piece}) for piece in o["pieces"]]
        calls = self._calls(o)
        for i, call in enumerate(calls):
            args = call["function"]["arguments"]
            frames.append(
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": i,
                                "id": call["id"],
                                "type": "function",
                                "function": {"name": call["function"]["name"], "arguments": ""},
                            }
                        ]
                    }
                )
            )
            half = len(args) // 2
            frames += [
                chunk({"tool_calls": [{"index": i, "function": {"arguments": part}}]})
                for part in (args[:half], args[half:])
                if part
            ]
        frames.append(chunk({}, o["finish_reason"] or ("tool_calls" if calls else "stop")))
        usage = self._auto_usage(o, rec)
        if want_usage and usage is not None:
            frames.append(self._frame({**env, "choices": [], "usage": usage}))
        return [*frames, b"data: [DONE]\n\n"]
