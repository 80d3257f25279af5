"""Cohere Chat v2 (``POST /v2/chat``): the request body and messages the real API accepts.

Errors are ``{"id": "<uuid>", "message": "..."}`` (COHERE_ERRORS); a request the schema refuses is 400 with
a message starting ``invalid request:`` (the API's prefix; the rest of each text here is the fake's own
wording, not a recording), a missing or bad key 401 ``invalid api token``.
"""

from __future__ import annotations

from typing import Any

from .common import TOOL_NAME, number_range

COHERE_REF = "https://docs.cohere.com/reference/chat"
COHERE_STREAM = "https://docs.cohere.com/reference/chat-stream"
COHERE_TOOLS = "https://docs.cohere.com/v2/docs/tool-use-overview"
COHERE_ERRORS = "https://docs.cohere.com/reference/errors"

# COHERE_REF: the request body of POST /v2/chat
COHERE_PARAMS = frozenset(
    [
        "model",
        "messages",
        "stream",
        "tools",
        "strict_tools",
        "documents",
        "citation_options",
        "response_format",
        "safety_mode",
        "max_tokens",
        "stop_sequences",
        "temperature",
        "seed",
        "frequency_penalty",
        "presence_penalty",
        "k",
        "p",
        "logprobs",
        "tool_choice",
        "thinking",
        "priority",
    ]
)
# COHERE_REF "messages": each role's fields
_MESSAGE_KEYS = {
    "system": {"role", "content"},
    "user": {"role", "content"},
    "assistant": {"role", "content", "tool_calls", "tool_plan", "citations"},
    "tool": {"role", "content", "tool_call_id"},
}
_TOOL_CONTENT = ("text", "document")
_ASSISTANT_CONTENT = ("text", "thinking")


def _content(where: str, content: Any, parts: tuple[str, ...], required: bool) -> str | None:
    if content is None or content == "" or content == []:
        return f"invalid request: {where}.content is required" if required else None
    if isinstance(content, str):
        return None
    if not isinstance(content, list):
        return f"invalid request: {where}.content must be a string or a list of content items"
    for j, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind not in parts:
            return f"invalid request: {where}.content[{j}].type must be one of {list(parts)}"
    return None


def check_cohere(body: Any) -> str | None:
    """The first violation as the API's ``message`` text, or None (all are answered 400)."""
    if not isinstance(body, dict):
        return "invalid request: body must be a JSON object"
    for key in sorted(set(body) - COHERE_PARAMS):
        return f"invalid request: unknown field: parameter {key} is not a valid field"
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "invalid request: model must be specified"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "invalid request: messages must not be empty"
    # COHERE_REF: "temperature" is non-negative; "p" is between 0.01 and 0.99
    for problem in number_range(body, "temperature", 0, float("inf")) + number_range(body, "p", 0.01, 0.99):
        return f"invalid request: {problem}"
    calls: set[str] = set()
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        role = message.get("role") if isinstance(message, dict) else None
        if role not in _MESSAGE_KEYS:
            return f"invalid request: {where}.role must be one of system, user, assistant, tool"
        for key in sorted(set(message) - _MESSAGE_KEYS[role]):
            return f"invalid request: unknown field: parameter {where}.{key} is not a valid field"
        if role == "assistant":
            own = message.get("tool_calls") or []
            # COHERE_TOOLS: an assistant turn carries text, or tool calls (with an optional tool_plan)
            problem = _content(where, message.get("content"), _ASSISTANT_CONTENT, required=not own)
            if problem:
                return problem
            for j, call in enumerate(own):
                fn = (call or {}).get("function") or {}
                if not isinstance(call.get("id"), str) or not isinstance(fn.get("name"), str):
                    return f"invalid request: {where}.tool_calls[{j}] must have an id and a function name"
                if not isinstance(fn.get("arguments"), str):
                    return f"invalid request: {where}.tool_calls[{j}].function.arguments must be a string"
                calls.add(call["id"])
        elif role == "tool":
            problem = _content(where, message.get("content"), _TOOL_CONTENT, required=True)
            if problem:
                return problem
            # COHERE_TOOLS: a tool result answers a tool call made earlier in the conversation
            if message.get("tool_call_id") not in calls:
                return f"invalid request: {where}.tool_call_id {message.get('tool_call_id')!r} does not match any tool call"
        else:
            problem = _content(where, message.get("content"), ("text", "image_url", "document"), required=True)
            if problem:
                return problem
    for i, tool in enumerate(body.get("tools") or []):
        fn = (tool or {}).get("function") or {}
        if (tool or {}).get("type") != "function" or not TOOL_NAME.match(str(fn.get("name", ""))):
            return f"invalid request: tools[{i}] must be {{type: function, function: {{name, parameters}}}}"
    choice = body.get("tool_choice")
    if choice is not None and choice not in ("REQUIRED", "NONE"):
        return "invalid request: tool_choice must be one of REQUIRED, NONE"
    return None
