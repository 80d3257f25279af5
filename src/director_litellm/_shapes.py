"""The transforms the per-model rules apply to a request: messages and tool schemas in, changed copies out.

Pure, no litellm. Which model gets which transform, and why, is decided in ``model_rules``
(``shape_conversation``, ``tools_for``) and stated in docs/model-rules.md; this module only
knows how. Each transform returns its input itself when nothing changes, so an unchanged
request costs no copy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def flatten_tool_history(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tool calls and their results as text: ``[called tool NAME with arguments {...}]`` in the
    assistant's turn, ``[result of tool NAME]`` and the result as a user turn."""
    names: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for message in messages:
        calls = message.get("tool_calls")
        if message["role"] == "assistant" and calls:
            lines = [message["content"]] if message.get("content") else []
            for call in calls:
                function = call["function"]
                names[call["id"]] = function["name"]
                lines.append(f"[called tool {function['name']} with arguments {function['arguments']}]")
            out.append({"role": "assistant", "content": "\n".join(lines)})
        elif message["role"] == "tool":
            name = names.get(message["tool_call_id"], "tool")
            out.append({"role": "user", "content": f"[result of tool {name}]\n{message['content']}"})
        else:
            out.append(message)
    return out


def system_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    return content if isinstance(content, str) else json.dumps(content)


def trailing_system_as_user(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """System messages after the last assistant turn (or a conversation of system messages only) as one user turn."""
    last = len(messages) - 1
    while last >= 0 and messages[last]["role"] in ("system", "developer"):
        last -= 1
    if last < 0 or (last < len(messages) - 1 and messages[last]["role"] == "assistant"):
        trailing = "\n\n".join(system_text(m) for m in messages[last + 1 :])
        return [*messages[: last + 1], {"role": "user", "content": trailing}]
    return messages


def mistral_order(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """System text after an assistant turn goes as user text (Mistral: system only first or after a user)."""
    shaped: list[dict[str, Any]] | None = None
    for i, message in enumerate(messages):
        if message["role"] in ("system", "developer") and i and messages[i - 1]["role"] == "assistant":
            shaped = list(messages) if shaped is None else shaped
            shaped[i] = {"role": "user", "content": message.get("content")}
    return messages if shaped is None else shaped


#: what a blank message is sent as to Bedrock
BLANK_PLACEHOLDER = "(empty)"


def _blank(content: Any) -> bool:
    return content is None or (isinstance(content, str) and (not content or content.isspace()))


def _without_blank_parts(content: Any) -> Any:
    if not isinstance(content, list):
        return content
    kept = [p for p in content if not (isinstance(p, dict) and p.get("type") == "text" and _blank(p.get("text")))]
    return kept if len(kept) != len(content) else content


def _unblanked(message: dict[str, Any]) -> tuple[bool, Any]:
    """(changed, content to send) for one message when no blank text may be sent."""
    content, calls = message.get("content"), message.get("tool_calls")
    if isinstance(content, str):
        if (content and not content.isspace()) or (
            not content and calls
        ):  # litellm leaves an empty string out of a tool-call turn
            return False, content
    elif isinstance(content, list):
        kept = _without_blank_parts(content)
        if kept is content:
            return False, content
        if kept:
            return True, kept
    elif content is not None or calls:
        return False, content
    return True, None if calls else BLANK_PLACEHOLDER


def no_blank_text(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """No blank text (Bedrock); returns ``messages`` itself when none is blank."""
    out: list[dict[str, Any]] | None = None
    for i, message in enumerate(messages):
        content = message.get("content")
        if type(content) is str and content and not content.isspace():
            continue  # the common case, decided without a call (this runs on every Bedrock call)
        if message["role"] in ("system", "developer"):
            continue  # litellm leaves blank system text out itself (both stacks)
        changed, content = _unblanked(message)
        if changed:
            out = list(messages) if out is None else out
            out[i] = {**message, "content": content}
    return messages if out is None else out


#: Schema's fields (https://ai.google.dev/api/caching#Schema); ``$ref``/``$defs`` are kept for
#: litellm, which inlines them before it sends
GEMINI_SCHEMA_KEYS = frozenset(
    [
        "type",
        "format",
        "title",
        "description",
        "nullable",
        "enum",
        "maxItems",
        "minItems",
        "properties",
        "required",
        "minProperties",
        "maxProperties",
        "minLength",
        "maxLength",
        "pattern",
        "example",
        "anyOf",
        "propertyOrdering",
        "default",
        "items",
        "minimum",
        "maximum",
        "$ref",
        "$defs",
        "definitions",
    ]
)
#: the formats each type takes ("for STRING type: enum, date-time"); other types take none
GEMINI_FORMATS = {"string": ("enum", "date-time"), "number": ("float", "double"), "integer": ("int32", "int64")}


def gemini_schema(schema: Any) -> Any:
    """``schema`` cut to Gemini's Schema subset ; nested schemas alike."""
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key not in GEMINI_SCHEMA_KEYS:
            continue
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            value = {name: gemini_schema(sub) for name, sub in value.items()}
        elif key in ("items", "anyOf"):
            value = [gemini_schema(sub) for sub in value] if isinstance(value, list) else gemini_schema(value)
        elif key == "format" and value not in GEMINI_FORMATS.get(str(kind).lower(), ()):
            continue
        out[key] = value
    return out


#: parameters object -> (that object, its Gemini subset). Director passes each agent's same schema
#: object on every call (the formatters keep it), and cutting 25 schemas costs ~0.3 ms per call, so
#: the cut is kept per object; the object itself is held, so its id is never reused while cached.
#: A schema changed in place after a call is not seen (none of Director's are).
_GEMINI_CUTS: dict[int, tuple[Any, Any]] = {}
_GEMINI_CUTS_MAX = 1024


def gemini_cut(parameters: Any) -> Any:
    """``gemini_schema(parameters)``, kept per parameters object (above)."""
    hit = _GEMINI_CUTS.get(id(parameters))
    if hit is not None and hit[0] is parameters:
        return hit[1]
    cut = gemini_schema(parameters)
    if len(_GEMINI_CUTS) >= _GEMINI_CUTS_MAX:
        _GEMINI_CUTS.clear()
    _GEMINI_CUTS[id(parameters)] = (parameters, cut)
    return cut


__all__ = [
    "BLANK_PLACEHOLDER",
    "GEMINI_FORMATS",
    "GEMINI_SCHEMA_KEYS",
    "flatten_tool_history",
    "gemini_cut",
    "gemini_schema",
    "mistral_order",
    "no_blank_text",
    "system_text",
    "trailing_system_as_user",
]
