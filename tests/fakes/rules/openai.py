"""OpenAI Chat Completions: the request body, messages and auth the real API accepts (OPENAI_REF)."""

from __future__ import annotations

from typing import Any

from .common import TOOL_NAME, number_range, openai_reasoning_model

# OPENAI_REF: the documented request body of POST /v1/chat/completions. litellm 1.60 and 1.110 send only
# model, messages and the params the caller passed (checked at the wire), so nothing extra is allowed.
OPENAI_PARAMS = frozenset(
    [
        "model",
        "messages",
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "metadata",
        "modalities",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
        "verbosity",
        "web_search_options",
    ]
)
# ANTHROPIC_REF: the documented request body of POST /v1/messages (container/mcp_servers/context_management


def _openai_parts(where: str, content: Any, allowed: tuple[str, ...]) -> list[str]:
    if isinstance(content, str):
        return []
    if not isinstance(content, list) or not content:
        return [f"{where}.content: expected a string or a non-empty array of content parts"]
    out = []
    for i, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind not in allowed:
            out.append(f"{where}.content[{i}].type: must be one of {allowed}, got {kind!r}")
        elif kind == "text" and not isinstance(part.get("text"), str):
            out.append(f"{where}.content[{i}].text: expected a string")
        elif kind == "image_url" and not isinstance((part.get("image_url") or {}).get("url"), str):
            out.append(f"{where}.content[{i}].image_url.url: expected a string")
    return out


def _openai_messages(messages: Any) -> list[str]:
    if not isinstance(messages, list) or not messages:
        return ["messages: expected a non-empty array"]
    out: list[str] = []
    open_calls: set[str] = set()  # calls of the latest assistant turn still waiting for a tool message
    answerable: set[str] = set()
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        role = msg.get("role") if isinstance(msg, dict) else None
        if role != "tool" and open_calls:
            # OPENAI_REF: "An assistant message with 'tool_calls' must be followed by tool messages
            # responding to each 'tool_call_id'."
            out.append(f"{where}: tool_call_ids did not have response messages: {sorted(open_calls)}")
            open_calls, answerable = set(), set()
        if role not in ("system", "developer", "user", "assistant", "tool"):
            out.append(f"{where}.role: must be one of system/developer/user/assistant/tool, got {role!r}")
            continue
        content = msg.get("content")
        if role in ("system", "developer"):
            out += _openai_parts(where, content, ("text",))
        elif role == "user":
            out += _openai_parts(where, content, ("text", "image_url", "input_audio", "file"))
        elif role == "assistant":
            calls = msg.get("tool_calls")
            if content is not None:
                out += _openai_parts(where, content, ("text", "refusal"))
            elif not calls:
                out.append(f"{where}.content: expected a string, got null (no tool_calls either)")
            if calls is not None:
                if not isinstance(calls, list) or not calls:  # OPENAI_REF: tool_calls has minItems 1
                    out.append(f"{where}.tool_calls: empty array; expected at least 1 item")
                    calls = []
                open_calls, answerable = set(), set()
                for j, call in enumerate(calls):
                    fn = call.get("function") if isinstance(call, dict) else None
                    if not (
                        isinstance(fn, dict)
                        and call.get("type") == "function"
                        and isinstance(call.get("id"), str)
                        and isinstance(fn.get("name"), str)
                    ):
                        out.append(f"{where}.tool_calls[{j}]: expected id, type 'function' and function.name")
                        continue
                    if not isinstance(fn.get("arguments"), str):  # OPENAI_REF: arguments is a JSON *string*
                        out.append(f"{where}.tool_calls[{j}].function.arguments: expected a string")
                    if len(call["id"]) > 40:  # the API's own limit (agno-agi/agno#5382, langgenius/dify#28987)
                        out.append(
                            f"Invalid '{where}.tool_calls[{j}].id': string too long. Expected a string with maximum "
                            f"length 40, but got a string with length {len(call['id'])} instead."
                        )
                    open_calls.add(call["id"])
                answerable = set(open_calls)
        else:  # tool
            out += _openai_parts(where, content, ("text",))
            call_id = msg.get("tool_call_id")
            # OPENAI_REF: "messages with role 'tool' must be a response to a preceding message with 'tool_calls'"
            if call_id not in answerable:
                out.append(
                    f"{where}: role 'tool' must be a response to a preceding message with "
                    f"'tool_calls' (tool_call_id {call_id!r} not found)"
                )
            open_calls.discard(call_id)
    if open_calls:
        out.append(f"messages: tool_call_ids did not have response messages: {sorted(open_calls)}")
    return out


def check_openai(body: Any) -> list[str]:
    """Violations of OPENAI_REF for a Chat Completions request body."""
    if not isinstance(body, dict):
        return ["We could not parse the JSON body of your request: expected a JSON object"]
    out = [f"Unrecognized request argument supplied: {k}" for k in sorted(set(body) - OPENAI_PARAMS)]
    model = body.get("model")
    if not isinstance(model, str) or not model:
        out.append("model: you must provide a model parameter")
        model = ""
    out += _openai_messages(body.get("messages"))
    tools = body.get("tools")
    if tools == []:  # OPENAI_REF: tools has minItems 1 (litellm forwards `tools=[]` as is)
        out.append("Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array.")
    if tools is not None:
        for i, tool in enumerate(tools if isinstance(tools, list) else [None]):
            fn = tool.get("function") if isinstance(tool, dict) else None
            if not isinstance(fn, dict) or tool.get("type") != "function" or set(tool) - {"type", "function"}:
                out.append(f"tools[{i}]: expected {{type:'function', function:{{...}}}}")
                continue
            if not TOOL_NAME.match(str(fn.get("name", ""))):
                out.append(f"tools[{i}].function.name: must match {TOOL_NAME.pattern}")
            if extra := sorted(set(fn) - {"name", "description", "parameters", "strict"}):
                out.append(f"tools[{i}].function: Unrecognized arguments {extra}")
            if "parameters" in fn and not isinstance(fn["parameters"], dict):
                out.append(f"tools[{i}].function.parameters: expected an object")
    for key in ("tool_choice", "parallel_tool_calls"):  # OPENAI_REF: "only allowed when 'tools' are specified"
        if key in body and not tools:
            out.append(f"{key}: '{key}' is only allowed when 'tools' are specified")
    choice = body.get("tool_choice")
    if (
        choice is not None
        and choice not in ("none", "auto", "required")
        and not (
            isinstance(choice, dict)
            and choice.get("type") == "function"
            and isinstance((choice.get("function") or {}).get("name"), str)
        )
    ):
        out.append(f"tool_choice: invalid value {choice!r}")
    out += number_range(body, "temperature", 0, 2) + number_range(body, "top_p", 0, 1)
    out += number_range(body, "presence_penalty", -2, 2) + number_range(body, "frequency_penalty", -2, 2)
    for key in ("max_tokens", "max_completion_tokens", "n"):
        if key in body and not (isinstance(body[key], int) and not isinstance(body[key], bool) and body[key] >= 1):
            out.append(f"{key}: expected an integer >= 1, got {body[key]!r}")
    stop = body.get("stop")
    if (
        stop is not None
        and not isinstance(stop, str)
        and not (isinstance(stop, list) and len(stop) <= 4 and all(isinstance(s, str) for s in stop))
    ):
        out.append("stop: expected a string or an array of at most 4 strings")
    fmt = body.get("response_format")
    if fmt is not None:
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        if kind not in ("text", "json_object", "json_schema"):
            out.append(f"response_format.type: must be text, json_object or json_schema, got {kind!r}")
        elif kind == "json_schema":
            spec = fmt.get("json_schema")
            if not (
                isinstance(spec, dict) and isinstance(spec.get("name"), str) and isinstance(spec.get("schema"), dict)
            ):
                out.append("response_format.json_schema: requires 'name' and an object 'schema'")
    if "stream_options" in body and not body.get("stream"):  # OPENAI_REF: stream_options
        out.append("stream_options: only allowed when 'stream' is enabled")
    if openai_reasoning_model(model):  # OPENAI_REASONING: reasoning models
        if "max_tokens" in body:
            out.append(
                "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead."
            )
        for key in ("temperature", "top_p"):
            if key in body and body[key] != 1:
                out.append(
                    f"Unsupported value: '{key}' does not support {body[key]} with this model. "
                    "Only the default (1) value is supported."
                )
    return out


def check_openai_auth(headers: dict[str, str], expected_key: str | None) -> str | None:
    """OPENAI_ERRORS "401 - Invalid Authentication": Bearer key in the Authorization header."""
    auth = headers.get("authorization", "")
    if not auth.startswith("Bearer ") or not auth[7:].strip():
        return (
            "You didn't provide an API key. You need to provide your API key in an Authorization header "
            "using Bearer auth."
        )
    key = auth[7:].strip()
    if expected_key is not None and key != expected_key:
        shown = key if len(key) <= 12 else key[:8] + "*" * (len(key) - 12) + key[-4:]  # the real API masks it
        return (
            f"Incorrect API key provided: {shown}. "
            "You can find your API key at https://platform.openai.com/account/api-keys."
        )
    return None
