"""Director messages and tools -> OpenAI-format messages and tools (what litellm takes).

Pure functions: dict in, dict out, no litellm. Malformed input raises
``InvalidInputError`` naming the message index and the problem; the provider turns
that into an ERROR response before any request leaves the process.

Director's shapes (read from Director's own code, director/llm and director/core):

- tool calls on assistant messages: ``{"id", "tool": {"name", "arguments": dict},
  "type": "function" | "tool_use"}`` -> ``{"id", "type": "function", "function":
  {"name", "arguments": "<JSON string>"}}``; calls already in OpenAI shape pass through;
- assistant ``content`` of ``[]`` or ``""`` beside tool calls -> ``None``;
- system messages may appear anywhere, including last (shaping per model is
  ``model_rules``' job, not this module's);
- user content: a string, or parts (``text``, ``image_url``, and Director's
  ``{"type": "image", "image": {"url"}}`` which becomes ``image_url``);
- tools: ``{"name", "description", "parameters"}`` -> ``{"type": "function",
  "function": {...}}``; tools already in OpenAI shape pass through. ``parameters`` must be
  an object schema (``"type": "object"``), as both APIs require; absent, null or ``{}``
  becomes an empty object schema.
- a caller's ``cache_control`` on a message, a text/image part or a tool is kept (parts of a
  system message, joined into one text, hand theirs to the message); the provider removes them
  for models that do not take prompt-cache breakpoints (``prompt_cache``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, NamedTuple, TypeGuard

from director_litellm._errors import InvalidInputError

Message = dict[str, Any]

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}
# one encoder, built once (json.dumps builds a new JSONEncoder per call when given options)
_encode_arguments = json.JSONEncoder(ensure_ascii=False).encode
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)


def _encode_dict(arguments: dict[str, Any]) -> str:
    """``json.dumps(arguments, ensure_ascii=False)`` for a plain dict, in half the time.

    ``JSONEncoder.encode`` builds a C encoder (and a circular-reference table) on every call;
    this one is built once. Without the table a circular structure ends in ``RecursionError``,
    which the caller reports like any other argument that cannot be encoded.
    """
    return "".join(_iterencode_dict(arguments, 0))


if _c_make_encoder is not None:  # CPython
    _iterencode_dict = _c_make_encoder(
        None, json.JSONEncoder().default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True
    )
else:  # pragma: no cover - other interpreters

    def _iterencode_dict(arguments: dict[str, Any], _level: int) -> list[str]:
        return [_encode_arguments(arguments)]


def _is_mapping(value: Any) -> TypeGuard[Mapping[str, Any]]:
    """``isinstance(value, Mapping)``: plain dicts and None, nearly every value here, skip the ABC's slower check."""
    return type(value) is dict or (value is not None and isinstance(value, Mapping))


def _role(message: Mapping[str, Any], index: int) -> str:
    role = message.get("role")
    if isinstance(role, Enum):
        role = role.value
    if not isinstance(role, str) or role not in ROLES:
        raise InvalidInputError(f"messages[{index}]: role must be one of {', '.join(sorted(ROLES))}, got {role!r}")
    return role


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise InvalidInputError(f"{where}: content must be a string, got {type(value).__name__}")


def _keep_mark(source: Mapping[str, Any], converted: dict[str, Any]) -> dict[str, Any]:
    """Carry the caller's prompt-cache breakpoint over (the provider strips it where not taken)."""
    mark = source.get("cache_control")
    if mark is not None and _is_mapping(mark):
        converted["cache_control"] = dict(mark)
    return converted


def _user_parts(parts: Sequence[Any], where: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for j, part in enumerate(parts):
        at = f"{where}.content[{j}]"
        if isinstance(part, str):
            out.append({"type": "text", "text": part})
            continue
        if not _is_mapping(part):
            raise InvalidInputError(f"{at}: a content part must be an object, got {type(part).__name__}")
        kind = part.get("type")
        if kind == "text":
            out.append(_keep_mark(part, {"type": "text", "text": _text(part.get("text"), at)}))
        elif kind == "image_url":
            image = part.get("image_url")
            url = image.get("url") if _is_mapping(image) else image
            if not isinstance(url, str) or not url:
                raise InvalidInputError(f"{at}: image_url needs a url (http(s) or data: URI)")
            converted: dict[str, Any] = {"url": url}
            if _is_mapping(image) and image.get("detail"):
                converted["detail"] = image["detail"]
            out.append(_keep_mark(part, {"type": "image_url", "image_url": converted}))
        elif kind == "image":
            # Director's own image part
            image = part.get("image")
            url = image.get("url") if _is_mapping(image) else image
            if not isinstance(url, str) or not url:
                raise InvalidInputError(f"{at}: image part needs image.url")
            out.append({"type": "image_url", "image_url": {"url": url}})
        else:
            raise InvalidInputError(f"{at}: unsupported content part type {kind!r}")
    return out


def _arguments_json(arguments: Any, i: int, j: int) -> str:
    """Tool-call arguments as the JSON text the API takes (``messages[i].tool_calls[j]``)."""
    if type(arguments) is dict or _is_mapping(arguments):
        try:
            return _encode_dict(arguments) if type(arguments) is dict else _encode_arguments(arguments)
        except (TypeError, ValueError, RecursionError) as exc:
            raise InvalidInputError(
                f"messages[{i}].tool_calls[{j}]: arguments are not JSON-serialisable ({exc})"
            ) from None
    if arguments is None:
        return "{}"
    if isinstance(arguments, str):
        return arguments if arguments.strip() else "{}"
    raise InvalidInputError(f"messages[{i}].tool_calls[{j}]: arguments must be an object or a JSON string")


# The converters below run on every message and tool of every request (Director sends ~25 tools of
# ~1.7k characters and a growing history each step): the common shapes take the shortest path, and
# an error's location ("messages[3].tool_calls[0]") is spelled out only when there is an error.


def _tool_call(call: Any, i: int, j: int) -> dict[str, Any]:
    if not _is_mapping(call):
        raise InvalidInputError(f"messages[{i}].tool_calls[{j}]: a tool call must be an object")
    call_id = call.get("id")
    if not isinstance(call_id, str) or not call_id:
        raise InvalidInputError(f"messages[{i}].tool_calls[{j}]: tool call needs a non-empty string id")
    body = call.get("function")
    if not _is_mapping(body):
        body = call.get("tool")
        if not _is_mapping(body):
            raise InvalidInputError(
                f"messages[{i}].tool_calls[{j}]: tool call needs 'tool' (Director) or 'function' (OpenAI)"
            )
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidInputError(f"messages[{i}].tool_calls[{j}]: tool call needs a name")
    arguments = _arguments_json(body.get("arguments"), i, j)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _system(content: Any, where: str, converted: Message) -> None:
    """A system (or developer) message's content: one text; parts are joined, their last mark kept."""
    if isinstance(content, list):
        parts = _user_parts(content, where)
        converted["content"] = "".join(_text(p.get("text"), where) for p in parts)
        marks = [p["cache_control"] for p in parts if "cache_control" in p]
        if marks:  # the parts become one text, so a breakpoint among them marks its end
            converted["cache_control"] = marks[-1]
    else:
        converted["content"] = _text(content, where)


def _assistant(message: Mapping[str, Any], content: Any, i: int, converted: Message) -> None:
    """An assistant message's text and tool calls; ``""`` or ``[]`` beside tool calls becomes None."""
    calls = message.get("tool_calls") or []
    if not isinstance(calls, (list, tuple)):
        raise InvalidInputError(f"messages[{i}]: tool_calls must be a list")
    if type(content) is str:
        text = content
    elif not isinstance(content, (list, tuple)):
        text = _text(content, f"messages[{i}]")
    elif content:
        text = "".join(p["text"] for p in _user_parts(content, f"messages[{i}]") if p["type"] == "text")
    else:  # Director sends [] beside tool calls
        text = ""
    if calls:
        converted["content"] = text or None
        converted["tool_calls"] = [_tool_call(call, i, j) for j, call in enumerate(calls)]
    else:
        converted["content"] = text


class Messages(NamedTuple):
    messages: list[Message]
    marked: bool  # False: no ``cache_control`` mark can have come through


def convert_messages(messages: Any) -> Messages:
    """Director's messages in OpenAI chat format, validated as it goes, and False when no ``cache_control``
    mark can have come through (so the request needs no look for marks to strip: ``request``)."""
    if type(messages) is not list and (isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence)):
        raise InvalidInputError("messages must be a list of message objects")
    if not messages:
        raise InvalidInputError("messages is empty")
    out: list[Message] = []
    marked = False  # a message or a list of parts carried a mark (parts: counted as marked)
    open_calls: set[str] = set()  # tool messages may answer only the calls of the assistant turn just before them
    for i, message in enumerate(messages):
        if type(message) is not dict and not _is_mapping(message):
            raise InvalidInputError(f"messages[{i}]: must be an object, got {type(message).__name__}")
        role = message.get("role")
        if type(role) is not str or role not in ROLES:
            role = _role(message, i)
        content = message.get("content")
        converted: Message = {"role": role}
        if role == "tool":
            call_id = message.get("tool_call_id")
            if not isinstance(call_id, str) or not call_id:
                raise InvalidInputError(f"messages[{i}]: tool message needs a tool_call_id")
            if call_id not in open_calls:
                raise InvalidInputError(
                    f"messages[{i}]: tool_call_id {call_id!r} answers no tool call of the preceding assistant message"
                )
            converted["tool_call_id"] = call_id
            converted["content"] = content if isinstance(content, str) else json.dumps(content, default=str)
        elif role == "assistant":
            _assistant(message, content, i, converted)
            open_calls = {c["id"] for c in converted.get("tool_calls", ())}
        elif role == "user":
            if type(content) is str:
                converted["content"] = content
            elif isinstance(content, (list, tuple)):
                converted["content"] = _user_parts(content, f"messages[{i}]")
                marked = True
            else:
                converted["content"] = _text(content, f"messages[{i}]")
            open_calls = set()
        else:  # system, developer
            _system(content, f"messages[{i}]", converted)
            marked = marked or isinstance(content, list)
        if "name" in message:
            name = message["name"]
            if isinstance(name, str) and name and role in ("user", "assistant", "system"):
                converted["name"] = name
        if "cache_control" in message:
            marked = True
            _keep_mark(message, converted)
        out.append(converted)
    return Messages(out, marked)


def _parameters(parameters: Any, where: str) -> Any:
    """A tool's parameters: an object schema (OpenAI and Anthropic refuse anything else)."""
    if type(parameters) is dict and parameters.get("type") == "object":  # nearly always
        return parameters
    if parameters is None or (_is_mapping(parameters) and not parameters):
        return _EMPTY_SCHEMA
    if not _is_mapping(parameters):
        got = f"a {type(parameters).__name__}"
    elif parameters.get("type") != "object":
        got = f"type {parameters['type']!r}" if "type" in parameters else "no type"
    else:
        return parameters
    raise InvalidInputError(
        f'{where}: parameters must be a JSON Schema object ({{"type": "object", "properties": {{...}}}}), got {got}'
    )


# names already seen to match TOOL_NAME (the same few dozen tools come with every call); bounded
_GOOD_NAMES: set[str] = set()


def _good_name(name: Any) -> bool:
    if type(name) is str and name in _GOOD_NAMES:
        return True
    if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
        return False
    if type(name) is str and len(_GOOD_NAMES) < 4096:
        _GOOD_NAMES.add(name)
    return True


def _any_tool(tool: Any, where: str) -> dict[str, Any]:
    """Any tool shape, every rule checked (Director's or OpenAI's, ``strict``, ``cache_control``)."""
    if not _is_mapping(tool):
        raise InvalidInputError(f"{where}: a tool must be an object")
    body = tool["function"] if _is_mapping(tool.get("function")) else tool
    name = body.get("name")
    if not _good_name(name):
        raise InvalidInputError(f"{where}: tool name must match {TOOL_NAME.pattern}, got {name!r}")
    parameters = _parameters(body.get("parameters"), f"{where} ({name!r})")
    function: dict[str, Any] = {"name": name, "parameters": parameters}
    description = body.get("description")
    if description is not None:
        if not isinstance(description, str):
            raise InvalidInputError(f"{where}: description must be a string")
        function["description"] = description
    if "strict" in body:
        function["strict"] = bool(body["strict"])
    return _keep_mark(tool if "cache_control" in tool else body, {"type": "function", "function": function})


class Tools(NamedTuple):
    tools: list[dict[str, Any]] | None  # None: no tools
    marked: bool  # False: no tool carries a ``cache_control`` mark


def convert_tools(tools: Any) -> Tools:
    """Director tools as OpenAI tools (``None`` or ``[]``: no tools), and False when no tool carries a
    ``cache_control`` mark."""
    if tools is None:
        return Tools(None, False)
    if type(tools) is not list and (isinstance(tools, (str, bytes, Mapping)) or not isinstance(tools, Sequence)):
        raise InvalidInputError("tools must be a list of tool definitions")
    if not tools:
        return Tools(None, False)
    marked = False
    out: list[dict[str, Any]] = []
    for i, tool in enumerate(tools):
        if type(tool) is dict and "function" not in tool and "cache_control" not in tool and "strict" not in tool:
            # Director's own shape, {"name", "description", "parameters"}: the common case
            name, parameters, description = tool.get("name"), tool.get("parameters"), tool.get("description")
            if (
                type(parameters) is dict
                and parameters.get("type") == "object"
                and (description is None or type(description) is str)
                and _good_name(name)
            ):
                function = {"name": name, "parameters": parameters}
                if description is not None:
                    function["description"] = description
                out.append({"type": "function", "function": function})
                continue
        converted = _any_tool(tool, f"tools[{i}]")
        marked = marked or "cache_control" in converted
        out.append(converted)
    names = [tool["function"]["name"] for tool in out]
    if len(set(names)) < len(names):
        duplicates = {name for name in names if names.count(name) > 1}
        raise InvalidInputError(f"tools: duplicate tool names {', '.join(sorted(duplicates))}")
    return Tools(out, marked)


def format_stop(stop: Any) -> list[str] | None:
    """Validate ``stop``: a string or a list of up to four non-empty strings."""
    if stop is None:
        return None
    if isinstance(stop, str):
        stop = [stop]
    if not isinstance(stop, (list, tuple)) or not all(isinstance(s, str) and s for s in stop):
        raise InvalidInputError("stop must be a string or a list of non-empty strings")
    if len(stop) > 4:
        raise InvalidInputError("stop takes at most 4 sequences")
    return list(stop) or None


def format_response_format(response_format: Any) -> dict[str, Any] | None:
    """Validate ``response_format``: ``{"type": "text" | "json_object" | "json_schema"}``."""
    if response_format is None:
        return None
    if not _is_mapping(response_format):
        raise InvalidInputError("response_format must be an object such as {'type': 'json_object'}")
    kind = response_format.get("type")
    if kind not in ("text", "json_object", "json_schema"):
        raise InvalidInputError(f"response_format.type must be text, json_object or json_schema, got {kind!r}")
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        if not _is_mapping(spec) or not _is_mapping(spec.get("schema")):
            raise InvalidInputError("response_format json_schema needs json_schema.schema (an object)")
        if not isinstance(spec.get("name"), str) or not spec.get("name"):
            raise InvalidInputError("response_format json_schema needs json_schema.name")
    return dict(response_format)


__all__ = [
    "ROLES",
    "Messages",
    "Tools",
    "convert_messages",
    "convert_tools",
    "format_response_format",
    "format_stop",
]
