"""What a recorded payload says, read straight from its bytes (never from the adapter).

``expected(payload)`` parses the JSON body or the SSE events of an OpenAI-wire or
Anthropic-wire response and returns what Director should receive, by the contract in
DESIGN.md and the fixed behaviour issue 10 asks for:

- ``content``: the answer's text; for a refusal, the refusal text.
- ``tool_calls``: complete calls as ``(id, name, arguments dict)``; a call whose arguments
  were cut off by the token limit is not callable and is listed in ``cut_tool_arguments``
  (id -> the raw text received) instead.
- ``finish_reason``: Director's vocabulary: ``stop``, ``tool_calls``, ``length``,
  ``content_filter``, ``refusal``. ``withheld``: ``content_filter`` with no text and no tool
  calls, which Director must see as an ERROR (``content_policy``), not as an empty answer.
- ``send_tokens`` / ``recv_tokens``: the usage the provider reported (OpenAI: the
  ``usage`` object, in the final chunk for streams; Anthropic: ``message_start`` input
  tokens, ``message_delta`` output tokens).
- for an error payload: ``status`` and the error ``category`` (errors.py's table).

Only choice 0 counts: Director's contract is one answer, so other choices are never merged.
"""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass, field
from typing import Any

from tests.conformance.gemini_wire import gemini_expected
from tests.conformance.replay import Payload


@dataclass
class Expected:
    content: str = ""
    reasoning: str = ""
    tool_calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    cut_tool_arguments: dict[str, str] = field(default_factory=dict)
    finish_reason: str = "stop"
    refusal: str | None = None
    send_tokens: int | None = None
    recv_tokens: int | None = None
    # errors
    status: int = 200
    category: str | None = None
    retry_after: float | None = None
    retry_after_is_date: bool = False
    choices: int = 1
    other_choice_texts: list[str] = field(default_factory=list)
    mid_stream_error: bool = False

    @property
    def withheld(self) -> bool:
        """The provider's content filter stopped the answer before any of it: reported as a content_policy ERROR."""
        return self.finish_reason == "content_filter" and not self.content.strip() and not self.tool_calls


def sse_data(body: bytes) -> list[dict[str, Any]]:
    """The JSON ``data:`` payloads of an SSE body, in order (comments and ``[DONE]`` skipped)."""
    out: list[dict[str, Any]] = []
    for block in body.decode().replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].lstrip() for line in block.split("\n") if line.startswith("data:")]
        if not data:
            continue
        text = "\n".join(data)
        if text.strip() == "[DONE]":
            continue
        out.append(json.loads(text))
    return out


def _parts(content: Any) -> tuple[str, str]:
    """(text, thinking) of a message content: a string, or a list of parts (Mistral's magistral models)."""
    if content is None:
        return "", ""
    if isinstance(content, str):
        return content, ""
    text, thinking = [], []
    for part in content:
        if part.get("type") == "text":
            text.append(part.get("text") or "")
        elif part.get("type") == "thinking":
            inner = part.get("thinking")
            thinking.append(inner if isinstance(inner, str) else "".join(p.get("text", "") for p in inner or []))
    return "".join(text), "".join(thinking)


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _openai_finish(raw: str | None, refusal: str | None, calls: bool, cut: bool) -> str:
    if refusal:
        return "refusal"
    if raw == "length" or cut:
        return "length"
    if raw == "content_filter":
        return "content_filter"
    if calls:
        return "tool_calls"
    return "stop"


_ANTHROPIC_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "refusal": "refusal",
}


def _calls(expected: Expected, raw_calls: list[tuple[str, str, str]], truncated: bool) -> None:
    for call_id, name, arguments in raw_calls:
        parsed = _json_object(arguments)
        if parsed is None or truncated:
            expected.cut_tool_arguments[call_id] = arguments
        else:
            expected.tool_calls.append((call_id, name, parsed))


def _openai_json(body: dict[str, Any]) -> Expected:
    exp = Expected()
    choices = body.get("choices") or []
    exp.choices = len(choices)
    choice = choices[0]
    message = choice.get("message") or {}
    exp.refusal = message.get("refusal") or None
    text, thinking = _parts(message.get("content"))
    exp.content = exp.refusal or text
    exp.reasoning = message.get("reasoning_content") or message.get("reasoning") or thinking
    raw_calls = [
        (c["id"], c["function"]["name"], c["function"].get("arguments") or "") for c in message.get("tool_calls") or []
    ]
    truncated = choice.get("finish_reason") == "length"
    _calls(exp, raw_calls, truncated)
    exp.finish_reason = _openai_finish(choice.get("finish_reason"), exp.refusal, bool(exp.tool_calls), truncated)
    usage = body.get("usage") or {}
    exp.send_tokens, exp.recv_tokens = usage.get("prompt_tokens"), usage.get("completion_tokens")
    exp.other_choice_texts = [(c.get("message") or {}).get("content") or "" for c in choices[1:]]
    return exp


def _openai_sse(events: list[dict[str, Any]]) -> Expected:
    exp = Expected()
    texts: dict[int, list[str]] = {}
    refusal: list[str] = []
    reasoning: list[str] = []
    calls: dict[int, list[str]] = {}  # index -> [id, name, arguments]
    finish: str | None = None
    for event in events:
        if "error" in event:
            exp.mid_stream_error = True
        if event.get("usage"):
            exp.send_tokens = event["usage"].get("prompt_tokens")
            exp.recv_tokens = event["usage"].get("completion_tokens")
        for choice in event.get("choices") or []:
            index = choice.get("index", 0)
            delta = choice.get("delta") or {}
            text, thinking = _parts(delta.get("content"))
            texts.setdefault(index, []).append(text)
            if index != 0:
                continue
            refusal.append(delta.get("refusal") or "")
            reasoning.append(delta.get("reasoning_content") or delta.get("reasoning") or thinking)
            for call in delta.get("tool_calls") or []:
                slot = calls.setdefault(call.get("index", 0), ["", "", ""])
                function = call.get("function") or {}
                slot[0] = slot[0] or call.get("id") or ""
                slot[1] = slot[1] or function.get("name") or ""
                slot[2] += function.get("arguments") or ""
            finish = choice.get("finish_reason") or finish
    exp.choices = len(texts)
    exp.refusal = "".join(refusal) or None
    exp.content = exp.refusal or "".join(texts.get(0, []))
    exp.reasoning = "".join(reasoning)
    truncated = finish == "length"
    _calls(exp, [tuple(calls[i]) for i in sorted(calls)], truncated)  # type: ignore[misc]
    exp.finish_reason = _openai_finish(finish, exp.refusal, bool(exp.tool_calls), truncated)
    exp.other_choice_texts = ["".join(texts[i]) for i in sorted(texts) if i != 0]
    return exp


def _anthropic_usage(exp: Expected, usage: dict[str, Any]) -> None:
    if "input_tokens" in usage:
        exp.send_tokens = (
            usage["input_tokens"]
            + (usage.get("cache_creation_input_tokens") or 0)
            + (usage.get("cache_read_input_tokens") or 0)
        )
    if "output_tokens" in usage:
        exp.recv_tokens = usage["output_tokens"]


def _anthropic_blocks(
    exp: Expected, blocks: list[dict[str, Any]], stop_reason: str | None, stop_details: dict[str, Any] | None = None
) -> None:
    text = "".join(b.get("text", "") for b in blocks if b.get("type") == "text")
    exp.reasoning = "".join(b.get("thinking", "") for b in blocks if b.get("type") == "thinking")
    truncated = stop_reason == "max_tokens"
    raw_calls = [(b["id"], b["name"], b["_raw"]) for b in blocks if b.get("type") == "tool_use"]
    _calls(exp, raw_calls, truncated)
    exp.finish_reason = _ANTHROPIC_FINISH.get(stop_reason or "end_turn", "stop")
    if exp.finish_reason == "tool_calls" and not exp.tool_calls:
        exp.finish_reason = "stop"
    if exp.finish_reason == "stop" and exp.tool_calls:
        exp.finish_reason = "tool_calls"
    exp.content = text
    if exp.finish_reason == "refusal":  # the text it wrote, else the explanation Anthropic gave
        exp.refusal = text or (stop_details or {}).get("explanation") or None


def _anthropic_json(body: dict[str, Any]) -> Expected:
    exp = Expected()
    blocks = [dict(b, _raw=json.dumps(b.get("input", {}))) for b in body.get("content") or []]
    _anthropic_usage(exp, body.get("usage") or {})
    _anthropic_blocks(exp, blocks, body.get("stop_reason"), body.get("stop_details"))
    return exp


def _anthropic_sse(events: list[dict[str, Any]]) -> Expected:
    exp = Expected()
    blocks: dict[int, dict[str, Any]] = {}
    stop_reason = None
    stop_details = None
    for event in events:
        kind = event.get("type")
        if kind == "message_start":
            _anthropic_usage(exp, event["message"].get("usage") or {})
        elif kind == "content_block_start":
            block = dict(event["content_block"])
            block["_raw"] = ""
            block.setdefault("text", "")
            block.setdefault("thinking", "")
            blocks[event["index"]] = block
        elif kind == "content_block_delta":
            block, delta = blocks[event["index"]], event["delta"]
            if delta.get("type") == "text_delta":
                block["text"] += delta["text"]
            elif delta.get("type") == "thinking_delta":
                block["thinking"] += delta["thinking"]
            elif delta.get("type") == "input_json_delta":
                block["_raw"] += delta["partial_json"]
        elif kind == "message_delta":
            stop_reason = (event.get("delta") or {}).get("stop_reason") or stop_reason
            stop_details = (event.get("delta") or {}).get("stop_details") or stop_details
            _anthropic_usage(exp, {k: v for k, v in (event.get("usage") or {}).items() if k == "output_tokens"})
        elif kind == "error":
            exp.mid_stream_error = True
    _anthropic_blocks(exp, [blocks[i] for i in sorted(blocks)], stop_reason, stop_details)
    return exp


def retry_after_seconds(payload: Payload) -> float | None:
    """The wait the provider asked for: ``retry-after-ms``, else ``retry-after`` (seconds or HTTP-date)."""
    ms = payload.header("retry-after-ms")
    if ms is not None:
        return float(ms) / 1000
    value = payload.header("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return max(when.timestamp() - time.time(), 0.0)


def error_category(payload: Payload) -> str:
    """errors.py's category for a recorded error, from the status and the provider's error code."""
    body = json.loads(payload.body)
    error = body.get("error") or {}
    code = error.get("code") if isinstance(error, dict) else None
    if code == "content_filter":
        return "content_policy"
    reasons = (
        {d.get("reason") for d in error.get("details") or [] if isinstance(d, dict)}
        if isinstance(error, dict)
        else set()
    )
    if "API_KEY_INVALID" in reasons:  # Gemini answers a bad key with 400
        return "auth"
    return {
        400: "bad_request",
        401: "auth",
        403: "permission",
        404: "not_found",
        429: "rate_limit",
        500: "server",
        502: "server",
        503: "server",
        529: "server",
    }[payload.status]


def expected(payload: Payload) -> Expected:
    if payload.status >= 400:
        return Expected(
            status=payload.status,
            category=error_category(payload),
            retry_after=retry_after_seconds(payload),
            retry_after_is_date=payload.header("retry-after-ms") is None
            and not (payload.header("retry-after") or "0").replace(".", "", 1).isdigit(),
            finish_reason="",
        )
    if payload.wire == "gemini":
        chunks = sse_data(payload.body) if payload.format == "sse" else [json.loads(payload.body)]
        return gemini_expected(chunks, Expected())
    if payload.format == "sse":
        events = sse_data(payload.body)
        return _anthropic_sse(events) if payload.wire == "anthropic" else _openai_sse(events)
    body = json.loads(payload.body)
    return _anthropic_json(body) if payload.wire == "anthropic" else _openai_json(body)


__all__ = ["Expected", "error_category", "expected", "retry_after_seconds", "sse_data"]
