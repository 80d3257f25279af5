"""Mistral Chat Completions: the request body, message order and tool-call ids the real API accepts.

Mistral's API validates conversations with its open-source ``mistral-common`` validator (MISTRAL_COMMON,
``MistralRequestValidatorV13``, the one for current models); the messages below are its texts, and the
error bodies are Mistral's as recorded in public bug reports (cited per rule).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from .common import TOOL_NAME, number_range

MISTRAL_REF = "https://docs.mistral.ai/api/#tag/chat/operation/chat_completion_v1_chat_completions_post"
MISTRAL_TOOLS = "https://docs.mistral.ai/capabilities/function_calling/"
MISTRAL_COMMON = (
    "https://github.com/mistralai/mistral-common/blob/main/src/mistral_common/protocol/instruct/validator.py"
)

# MISTRAL_REF: the request body of POST /v1/chat/completions; any other key is refused (422)
MISTRAL_PARAMS = frozenset(
    [
        "model",
        "messages",
        "temperature",
        "top_p",
        "max_tokens",
        "stream",
        "stop",
        "random_seed",
        "metadata",
        "response_format",
        "tools",
        "tool_choice",
        "presence_penalty",
        "frequency_penalty",
        "n",
        "prediction",
        "parallel_tool_calls",
        "prompt_mode",
        "safe_prompt",
    ]
)
# MISTRAL_COMMON (MistralRequestValidatorV3): "Tool call id was {id} but must be a-z, A-Z, 0-9, with a length
# of 9." Body recorded from the API in editor-code-assistant/eca#233 (2025-12): 400,
# {"object":"error","message":...,"type":"invalid_function_call","param":null,"code":"3280"}
TOOL_CALL_ID = re.compile(r"^[a-zA-Z0-9]{9}$")
_NEXT_ROLES = {  # MISTRAL_COMMON _validate_message_order
    "system": {"user", "assistant", "system"},
    "user": {"assistant", "system", "user"},
    "assistant": {"assistant", "user", "tool"},
    "tool": {"assistant", "tool"},
}


# MISTRAL_REF: the fields each message role takes
_MESSAGE_KEYS = {
    "system": {"role", "content"},
    "user": {"role", "content"},
    "assistant": {"role", "content", "tool_calls", "prefix"},
    "tool": {"role", "content", "tool_call_id", "name"},
}


def _id_error(call_id: Any) -> tuple[str, str, str]:
    return (
        f"Tool call id was {call_id} but must be a-z, A-Z, 0-9, with a length of 9.",
        "invalid_function_call",
        "3280",
    )


Violation = tuple[int, Any, str, "str | None"]  # (status, message: str or {"detail": [...]}, type, code)


def _extra(loc: list[Any], value: Any) -> dict[str, Any]:
    return {"type": "extra_forbidden", "loc": ["body", *loc], "msg": "Extra inputs are not permitted", "input": value}


def _unprocessable(body: dict[str, Any]) -> list[dict[str, Any]]:
    """MISTRAL_REF request validation: unknown keys, at the top or in a message, are 422 ``extra_forbidden``.
    Recorded: editor-code-assistant/eca#231 (2025-12, ``max_completion_tokens``), crush#1590 (an assistant's
    ``reasoning_content``), nomtek/mistralai_client_dart#44 (a user message's ``name``)."""
    detail = [_extra([key], body[key]) for key in sorted(set(body) - MISTRAL_PARAMS)]
    for i, message in enumerate(body.get("messages") or []):
        role = message.get("role") if isinstance(message, dict) else None
        allowed = _MESSAGE_KEYS.get(role)  # type: ignore[arg-type]
        if allowed is not None:
            detail += [_extra(["messages", i, role, key], message[key]) for key in sorted(set(message) - allowed)]
    if not isinstance(body.get("model"), str) or not body.get("model"):
        detail.append({"type": "missing", "loc": ["body", "model"], "msg": "Field required", "input": None})
    return detail


def check_mistral(body: Any) -> Violation | None:
    """The first violation as (status, message, type, code), or None. Checked in the validator's order."""
    if not isinstance(body, dict):
        return 400, "Invalid JSON body", "invalid_request_error", None
    detail = _unprocessable(body)
    if detail:
        return 422, {"detail": detail}, "invalid_request_error", None
    for message in (number_range(body, "temperature", 0, 1.5) + number_range(body, "top_p", 0, 1))[:1]:
        return 422, message, "invalid_request_error", None
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return 400, "Conversation must have at least one message", "invalid_request_message_order", "3230"
    found = _check_messages(messages)
    if found:
        return found
    for tool in body.get("tools") or []:
        name = ((tool or {}).get("function") or {}).get("name", "")
        if not TOOL_NAME.match(str(name)):
            return (
                400,
                f"Function name was {name} but must be a-z, A-Z, 0-9, or contain underscores and dashes, "
                "with a maximum length of 64.",
                "invalid_request_error",
                None,
            )
    return None


def _check_messages(messages: list[Any]) -> Violation | None:
    roles = [m.get("role") if isinstance(m, dict) else None for m in messages]
    for role in roles:
        if role not in _NEXT_ROLES:
            return (
                422,
                f"Input tag '{role}' found using 'role' does not match any of the expected tags",
                ("invalid_request_message_error"),
                None,
            )
    # MISTRAL_COMMON _validate_last_message: serving needs a user or tool message last (or an assistant
    # prefix); recorded: huggingface/smolagents#757 (400, invalid_request_error, code null)
    last = messages[-1]
    if len(messages) > 1 and last["role"] == "assistant" and not last.get("prefix"):
        return (
            400,
            "Expected last role User or Tool (or Assistant with prefix True) for serving but got assistant",
            "invalid_request_error",
            None,
        )
    # MISTRAL_COMMON _validate_message_order; recorded: swarmauri/swarmauri-sdk#162 (400, "Unexpected role
    # 'system' after role 'assistant'", invalid_request_error, code null)
    for before, after in itertools.pairwise(roles):
        if after not in _NEXT_ROLES[before]:  # type: ignore[index]
            return 400, f"Unexpected role '{after}' after role '{before}'", "invalid_request_error", None
    expected: set[str] = set()
    observed: set[str] = set()
    for message in messages:
        role = message["role"]
        if role == "assistant":
            calls = message.get("tool_calls") or []
            content = message.get("content")
            if not content and not calls:
                # MISTRAL_COMMON _validate_assistant_message (V5+ allow both, never neither)
                return (
                    400,
                    "Assistant message must have either content or tool_calls, but not both.",
                    ("invalid_request_error"),
                    None,
                )
            if len(expected) != len(observed):
                return 400, "Not the same number of function calls and responses", "invalid_request_error", None
            expected, observed = set(), set()
            for call in calls:
                call_id = call.get("id") if isinstance(call, dict) else None
                if not isinstance(call_id, str) or not TOOL_CALL_ID.match(call_id):
                    return (400, *_id_error(call_id))
                if call_id in expected:
                    return 400, f"Duplicate tool call id {call_id} in assistant message", "invalid_request_error", None
                expected.add(call_id)
        elif role == "tool":
            call_id = message.get("tool_call_id")
            if not isinstance(call_id, str) or not TOOL_CALL_ID.match(call_id):
                return (400, *_id_error(call_id))
            if call_id in observed or call_id not in expected:
                return 400, f"Unexpected tool call id {call_id} in tool results", "invalid_request_error", None
            observed.add(call_id)
    if len(expected) != len(observed):
        return 400, "Not the same number of function calls and responses", "invalid_request_error", None
    return None
