"""The AWS Bedrock Runtime Converse fake: paths, SigV4 check, error bodies, JSON answers, event streams.

``POST /model/{modelId}/converse`` answers JSON; ``POST /model/{modelId}/converse-stream`` answers in
AWS's binary event-stream framing (``eventstream.py``), events in the order Bedrock sends them (recorded:
pydantic/pydantic-ai tests/models/cassettes/test_bedrock/*.yaml): messageStart, for a text block only
contentBlockDelta events then contentBlockStop (no contentBlockStart), for a toolUse block
contentBlockStart with its id and name then input deltas, messageStop, metadata. Every event payload
carries Bedrock's ``"p"`` padding field. Errors before the stream are plain JSON ``{"message": ...}``
with the ``x-amzn-errortype`` header; a scripted mid-stream error is an event-stream exception message.

Pass ``url`` (``http://127.0.0.1:PORT``) to litellm as ``api_base`` or ``aws_bedrock_runtime_endpoint``
with any ``aws_access_key_id`` / ``aws_secret_access_key`` / ``aws_region_name``.

Claude with thinking on (``additionalModelRequestFields.thinking``): every generated answer starts with
a reasoningContent block signed by the fake (``rules.bedrock.sign_thinking``), or a redactedContent block
when ``redact_thinking`` is set, and the request rules check what comes back (BEDROCK_THINKING).
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
import threading
import uuid
from typing import Any
from urllib.parse import unquote

from werkzeug import Request, Response

from . import eventstream
from .base import AUTO, BaseFake, Recorded, Reply
from .rules import bedrock as rules
from .rules.aws_auth import check_sigv4
from .transport import LoopbackServer

_PATH = re.compile(r"^/model/(?P<model>[^/]+)/(?P<op>converse|converse-stream)$")
_ERROR_TYPES = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}
_PAD = string.ascii_lowercase + string.ascii_uppercase + string.digits


def _pad() -> str:
    """Bedrock's ``"p"`` field: a run of the alphabet of random length (seen in every recorded event)."""
    return _PAD[: random.randint(1, len(_PAD))]


def tool_use_id() -> str:
    """An id shaped like Bedrock's (``tooluse_`` + 22 URL-safe characters)."""
    return "tooluse_" + base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


class FakeBedrock(BaseFake):
    """Bedrock Runtime Converse / ConverseStream on loopback."""

    _stop = {"stop": "end_turn", "tool_calls": "tool_use", "length": "max_tokens", "content_filter": "content_filtered"}

    def __init__(self, server: LoopbackServer, expected_key: str | None = None) -> None:
        super().__init__(server, expected_key)
        self._local = threading.local()
        self.thinking_text = "Let me think about which agent fits."
        self.redact_thinking = False  # True: thinking arrives as redactedContent, as for a flagged thought

    @property
    def url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    @staticmethod
    def model_of(rec: Recorded) -> str:
        m = _PATH.match(rec.path)
        return unquote(m.group("model")) if m else ""  # botocore and litellm 1.110 send ':' as %3A

    def response_headers(self, status: int) -> dict[str, str]:
        hdrs = {"x-amzn-requestid": str(uuid.uuid4())}
        error_type = getattr(self._local, "error_type", None)
        if status >= 400 and error_type:
            hdrs["x-amzn-errortype"] = f"{error_type}:http://internal.amazon.com/coral/com.amazon.bedrock/"
        return hdrs

    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        self._local.error_type = None
        m = _PATH.match(rec.path)
        if rec.method != "POST" or not m:
            self._local.error_type = "UnknownOperationException"
            return 404, [f"Not Found ({rec.method} {rec.path})"]
        auth = check_sigv4(rec.headers, self.expected_key)  # rules.aws_auth.AWS_SIGV4
        if auth:
            self._local.error_type = auth[0]
            return 403, [auth[1]]
        self._local.error_type = "ValidationException"
        if bad_json:
            self._local.error_type = "SerializationException"
            return 400, ["Unexpected character in the request body"]
        model = self.model_of(rec)
        bad_model = rules.check_model_id(model)
        if bad_model:
            return 400, [bad_model]
        violations = rules.check_converse(model, rec.body)
        if violations:
            return 400, violations
        self._local.error_type = None
        return None

    def _error_body(self, status: int, message: str, type: str | None) -> dict:
        """BEDROCK_ERRORS: ``{"message": ...}``; the exception's name travels in ``x-amzn-errortype``."""
        if type is not None or not getattr(self._local, "error_type", None):
            self._local.error_type = type or _ERROR_TYPES.get(status, "InternalServerException")
        return {"message": message}

    def _handle(self, request: Request) -> Response:
        self._local.error_type = None
        return super()._handle(request)

    def _render(self, reply: Reply, rec: Recorded, sock: Any) -> Response:
        streaming = rec.path.endswith("/converse-stream")
        if reply.kind == "success" and streaming:
            o = reply.opts
            keep = ("tool_calls", "finish_reason", "usage", "model", "headers")
            reply = Reply.stream(o["text"], **{k: o[k] for k in keep})
        response = super()._render(reply, rec, sock)
        if reply.kind == "stream":
            response.headers["content-type"] = "application/vnd.amazon.eventstream"
            del response.headers["cache-control"]
        return response

    # ------------------------------------------------------------------ bodies
    def _thinking_blocks(self, rec: Recorded) -> list[dict]:
        body = rec.body if isinstance(rec.body, dict) else {}
        if not (rules.thinking_on(body) and "claude" in self.model_of(rec)):
            return []
        if self.redact_thinking:
            return [
                {"reasoningContent": {"redactedContent": base64.b64encode(b"redacted:" + uuid.uuid4().bytes).decode()}}
            ]
        text = self.thinking_text
        return [{"reasoningContent": {"reasoningText": {"text": text, "signature": rules.sign_thinking(text)}}}]

    @staticmethod
    def _tool_blocks(o: dict) -> list[dict]:
        blocks = []
        for c in o["tool_calls"]:
            args = c.get("arguments", "{}")
            if args is None or (isinstance(args, str) and not args.strip()):
                args = {}
            tool = {"toolUseId": c.get("id") or tool_use_id(), "name": c["name"]}
            blocks.append({"toolUse": {**tool, "input": json.loads(args) if isinstance(args, str) else args}})
        return blocks

    def _content(self, o: dict, rec: Recorded) -> list[dict]:
        if o.get("content", AUTO) is not AUTO:
            return list(o["content"])
        tools = self._tool_blocks(o)
        text = o["text"]
        texts = [{"text": text}] if text else []  # Bedrock never sends a blank text block
        return self._thinking_blocks(rec) + texts + tools

    def _stop_reason(self, o: dict) -> str:
        reason = o["finish_reason"] or ("tool_calls" if o["tool_calls"] else "stop")
        return self._stop.get(reason, reason)

    @staticmethod
    def _usage(usage: Any) -> dict | None:
        if usage is None or isinstance(usage, dict):
            return usage
        p, c = (10, 5) if usage is AUTO else usage
        return {"inputTokens": p, "outputTokens": c, "totalTokens": p + c}

    def _success_body(self, o: dict, rec: Recorded) -> dict:
        body: dict[str, Any] = {
            "metrics": {"latencyMs": random.randint(200, 900)},
            "output": {"message": {"content": self._content(o, rec), "role": "assistant"}},
            "stopReason": self._stop_reason(o),
        }
        usage = self._usage(o["usage"])
        return body if usage is None else {**body, "usage": usage}

    def _frame(self, event: dict) -> bytes:
        """``{"event": "contentBlockDelta", ...payload}`` -> one event-stream message (padding added)."""
        payload = {k: v for k, v in event.items() if k != "event"}
        payload.setdefault("p", _pad())
        return eventstream.event(
            event.get("event", "messageStart"), json.dumps(payload, separators=(",", ":")).encode()
        )

    def _stream_error(self, message: str) -> bytes:
        return eventstream.exception(
            "internalServerException", json.dumps({"message": message}, separators=(",", ":")).encode()
        )

    def _frames(self, o: dict, rec: Recorded) -> list[bytes]:
        events: list[dict] = [{"event": "messageStart", "role": "assistant"}]
        index = 0
        for block in self._thinking_blocks(rec):
            reasoning = block["reasoningContent"]
            if "redactedContent" in reasoning:
                deltas = [{"redactedContent": reasoning["redactedContent"]}]
            else:
                text = reasoning["reasoningText"]["text"]
                half = len(text) // 2
                deltas = [
                    {"text": text[:half]},
                    {"text": text[half:]},
                    {"signature": reasoning["reasoningText"]["signature"]},
                ]
            events += [
                {"event": "contentBlockDelta", "contentBlockIndex": index, "delta": {"reasoningContent": d}}
                for d in deltas
            ]
            events.append({"event": "contentBlockStop", "contentBlockIndex": index})
            index += 1
        if o["pieces"]:
            events += [
                {"event": "contentBlockDelta", "contentBlockIndex": index, "delta": {"text": p}} for p in o["pieces"]
            ]
            events.append({"event": "contentBlockStop", "contentBlockIndex": index})
            index += 1
        for i, block in enumerate(self._tool_blocks(o), start=index):
            tool = block["toolUse"]
            args = json.dumps(tool["input"])
            start = {"toolUse": {"toolUseId": tool["toolUseId"], "name": tool["name"]}}
            events.append({"event": "contentBlockStart", "contentBlockIndex": i, "start": start})
            events += [
                {"event": "contentBlockDelta", "contentBlockIndex": i, "delta": {"toolUse": {"input": part}}}
                for part in (args[: len(args) // 2], args[len(args) // 2 :])
            ]
            events.append({"event": "contentBlockStop", "contentBlockIndex": i})
        events.append({"event": "messageStop", "stopReason": self._stop_reason(o)})
        metadata: dict[str, Any] = {"event": "metadata", "metrics": {"latencyMs": random.randint(200, 900)}}
        usage = self._usage(o["usage"])
        if usage is not None:
            metadata["usage"] = usage
        events.append(metadata)
        return [self._frame(e) for e in events]


#: litellm's per-call AWS options (the same names on litellm 1.60 and 1.110): any key passes the fake
AWS_OPTIONS = {
    "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",  # AWS's documented example key id
    "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "aws_region_name": "us-east-1",
}
CLAUDE_ON_BEDROCK = "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"
NOVA = "bedrock/converse/amazon.nova-lite-v1:0"


def bedrock_options(**overrides: str) -> dict[str, str]:
    """``extra_params`` for a provider on the fake (pass ``api_base=fake.url`` too)."""
    return {**AWS_OPTIONS, **overrides}
