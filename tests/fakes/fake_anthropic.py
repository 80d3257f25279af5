"""The Anthropic Messages fake: paths, headers, error bodies, JSON answers and SSE events."""

from __future__ import annotations

import json
import re
import time
import uuid

from . import rules
from .base import AUTO, DEFAULT_USAGE, BaseFake, Recorded, call_id, ids, usage_object
from .prompt_cache import AnthropicCache
from .transport import LoopbackServer


class FakeAnthropic(BaseFake):
    """Anthropic Messages at ``POST /v1/messages``; pass ``url`` (no ``/v1``) as litellm's api_base."""

    paths = ("/v1/messages",)
    _stop = {"stop": "end_turn", "tool_calls": "tool_use", "length": "max_tokens"}

    def __init__(self, server: LoopbackServer, expected_key: str | None = None) -> None:
        super().__init__(server, expected_key)
        self.prompt_cache = AnthropicCache()
        # AUTO usage is the cache-accounted estimate (prompt_cache.py) for a request with cache_control,
        # else DEFAULT_USAGE; True: the estimate for every request
        self.count_tokens = False

    def _auto_usage(self, o: dict, rec: Recorded) -> dict | None:
        if o["usage"] is not AUTO or not isinstance(rec.body, dict):
            return usage_object(o["usage"], "input_tokens", "output_tokens", False)
        if not self.count_tokens and all(mark is None for _, mark in rules.cache_blocks(rec.body)):
            return usage_object(AUTO, "input_tokens", "output_tokens", False)
        return {**self.prompt_cache.account(rec.body), "output_tokens": DEFAULT_USAGE[1]}

    @property
    def url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def response_headers(self, status: int) -> dict[str, str]:
        """What api.anthropic.com sends besides the body's content-type (a recorded 2026 message:
        DataDog/dd-trace-py tests/contrib/litellm/cassettes/completion_anthropic.yaml), minus Cloudflare's.
        The rate-limit headers are documented at docs.anthropic.com/en/api/rate-limits#response-headers."""
        reset = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))
        limits = {"requests": 4000, "input-tokens": 2000000, "output-tokens": 400000, "tokens": 2400000}
        hdrs = {"request-id": f"req_011C{uuid.uuid4().hex[:20]}", "anthropic-organization-id": "fake-org"}
        for name, limit in limits.items():
            hdrs[f"anthropic-ratelimit-{name}-limit"] = str(limit)
            hdrs[f"anthropic-ratelimit-{name}-remaining"] = str(limit - 1)
            hdrs[f"anthropic-ratelimit-{name}-reset"] = reset
        return hdrs

    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        if rec.method != "POST" or rec.path not in self.paths:
            return 404, [f"Not Found ({rec.method} {rec.path})"]
        auth = rules.check_anthropic_auth(rec.headers, self.expected_key)
        if auth:
            return 401, [auth]
        if bad_json:
            return 400, ["The request body is not valid JSON."]
        return (400, v) if (v := rules.check_anthropic(rec.body, rec.headers)) else None

    def _error_body(self, status: int, message: str, type: str | None) -> dict:
        default = {
            400: "invalid_request_error",
            401: "authentication_error",
            403: "permission_error",
            404: "not_found_error",
            413: "request_too_large",
            429: "rate_limit_error",
            529: "overloaded_error",
        }.get(status, "api_error" if status >= 500 else "invalid_request_error")
        return {
            "type": "error",
            "error": {"type": type or default, "message": message},
            "request_id": f"req_fake{next(ids)}",
        }

    def _window_error(self, body: dict, window: int) -> dict | None:
        message = rules.anthropic_window_error(body, window)
        return None if message is None else self._error_body(400, message, "invalid_request_error")

    @staticmethod
    def _tool_blocks(o: dict) -> list[dict]:
        blocks = []
        for c in o["tool_calls"]:
            args = c.get("arguments", "{}")
            # Anthropic's input is always an object: empty or missing arguments arrive as {}
            if args is None or (isinstance(args, str) and not args.strip()):
                args = {}
            blocks.append(
                {
                    "type": "tool_use",
                    "id": call_id(c, "toolu_"),
                    "name": c["name"],
                    "input": json.loads(args) if isinstance(args, str) else args,
                }
            )
        return blocks

    def _head(self, o: dict, rec: Recorded) -> dict:
        model = o["model"] or (rec.body or {}).get("model") or "fake-model"
        return {"id": f"msg_fake{next(ids)}", "type": "message", "role": "assistant", "model": model}

    def _stop_reason(self, o: dict) -> str:
        reason = o["finish_reason"] or ("tool_calls" if o["tool_calls"] else "stop")
        return self._stop.get(reason, reason)

    @staticmethod
    def _thinking(rec: Recorded) -> dict | None:
        """With thinking on, every answer starts with a thinking block the fake signs (rules.reasoning.sign)."""
        body = rec.body if isinstance(rec.body, dict) else {}
        if not rules.thinking_on(body):
            return None
        text = f"Thinking {next(ids)}: which of Director's agents fits this step?"
        named = re.search(r"/models/([^/:]+):", rec.path)  # Claude on Vertex AI names the model in the URL
        model = str(body.get("model") or (named.group(1) if named else ""))
        return {"type": "thinking", "thinking": text, "signature": rules.sign(model, text)}

    def _success_body(self, o: dict, rec: Recorded) -> dict:
        content = o["content"]
        if content is AUTO:
            tools = self._tool_blocks(o)
            text = o["text"]
            thinking = self._thinking(rec)
            content = ([thinking] if thinking else []) + (
                [{"type": "text", "text": text}] if text is not None and (text or not tools) else []
            )
            content += tools
        body = {**self._head(o, rec), "content": content, "stop_reason": self._stop_reason(o), "stop_sequence": None}
        usage = self._auto_usage(o, rec)
        return body if usage is None else {**body, "usage": usage}

    def _frame(self, event: dict) -> bytes:
        return f"event: {event.get('type', 'message')}\ndata: {json.dumps(event)}\n\n".encode()

    def _stream_error(self, message: str) -> bytes:
        return self._frame({"type": "error", "error": {"type": "overloaded_error", "message": message}})

    def _frames(self, o: dict, rec: Recorded) -> list[bytes]:
        usage = self._auto_usage(o, rec)
        start = {**self._head(o, rec), "content": [], "stop_reason": None, "stop_sequence": None}
        if usage is not None:
            start["usage"] = {**usage, "output_tokens": 1}
        events: list[dict] = [{"type": "message_start", "message": start}, {"type": "ping"}]
        index = 0
        thinking = self._thinking(rec)
        if thinking:  # ANTHROPIC_THINKING "Streaming thinking": thinking_delta pieces, then one signature_delta
            text = thinking["thinking"]
            events.append(
                {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}}
            )
            events += [
                {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": part}}
                for part in (text[: len(text) // 2], text[len(text) // 2 :])
            ]
            sig = {"type": "signature_delta", "signature": thinking["signature"]}
            events += [
                {"type": "content_block_delta", "index": 0, "delta": sig},
                {"type": "content_block_stop", "index": 0},
            ]
            index = 1
        if o["pieces"]:
            events.append(
                {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}
            )
            events += [
                {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": p}}
                for p in o["pieces"]
            ]
            events.append({"type": "content_block_stop", "index": index})
            index += 1
        for i, block in enumerate(self._tool_blocks(o), start=index):
            args = json.dumps(block["input"])
            events.append({"type": "content_block_start", "index": i, "content_block": {**block, "input": {}}})
            events += [
                {"type": "content_block_delta", "index": i, "delta": {"type": "input_json_delta", "partial_json": part}}
                for part in (args[: len(args) // 2], args[len(args) // 2 :])
            ]
            events.append({"type": "content_block_stop", "index": i})
        delta: dict = {"type": "message_delta", "delta": {"stop_reason": self._stop_reason(o), "stop_sequence": None}}
        if usage is not None:
            delta["usage"] = {"output_tokens": usage.get("output_tokens", 0)}
        return [self._frame(e) for e in [*events, delta, {"type": "message_stop"}]]
