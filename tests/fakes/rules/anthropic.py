"""Anthropic Messages: the request body, messages, headers and auth the real API accepts (ANTHROPIC_REF)."""

from __future__ import annotations

import re
from typing import Any

from .caching import check_anthropic_cache_control
from .common import TOOL_NAME, claude_exclusive_sampling, claude_max_output, claude_refuses_prefill, number_range
from .reasoning import check_anthropic_thinking

# are beta features but documented there). `output_format` exists only behind the structured-outputs beta
# header (litellm 1.110 sends it with `anthropic-beta: structured-outputs-2025-11-13`).
ANTHROPIC_PARAMS = frozenset(
    [
        "model",
        "messages",
        "system",
        "max_tokens",
        "metadata",
        "stop_sequences",
        "stream",
        "temperature",
        "top_p",
        "top_k",
        "tools",
        "tool_choice",
        "thinking",
        "service_tier",
        "container",
        "mcp_servers",
        "context_management",
        "output_config",
    ]
)

TOOL_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
_USER_BLOCKS = ("text", "image", "document", "tool_result", "search_result")
_ASSISTANT_BLOCKS = ("text", "tool_use", "thinking", "redacted_thinking", "server_tool_use", "web_search_tool_result")


def _anthropic_blocks(where: str, content: Any, allowed: tuple[str, ...]) -> list[str]:
    if isinstance(content, str):
        return []
    if not isinstance(content, list):
        return [f"{where}.content: expected a string or an array of content blocks"]
    out = []
    for i, block in enumerate(content):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind not in allowed:
            out.append(f"{where}.content.{i}.type: must be one of {allowed}, got {kind!r}")
        elif kind == "text" and (not isinstance(block.get("text"), str) or not block["text"]):
            out.append(f"{where}: text content blocks must be non-empty")  # ANTHROPIC_REF
        elif kind == "tool_use" and not (
            isinstance(block.get("id"), str)
            and isinstance(block.get("name"), str)
            and isinstance(block.get("input"), dict)
        ):
            out.append(f"{where}.content.{i}: tool_use needs string id and name and an object input")
        elif kind in ("tool_use", "tool_result") and not TOOL_ID.match(str(block.get("id", block.get("tool_use_id")))):
            # ANTHROPIC_REF: tool_use.id and tool_result.tool_use_id match ^[a-zA-Z0-9_-]+$
            name = "id" if kind == "tool_use" else "tool_use_id"
            out.append(f"{where}.content.{i}.{kind}.{name}: String should match pattern '{TOOL_ID.pattern}'")
    return out


def _anthropic_messages(messages: Any, model: str) -> list[str]:
    if not isinstance(messages, list) or not messages:
        return ["messages: at least one message is required"]
    out: list[str] = []
    prev_tool_uses: set[str] = set()
    for i, msg in enumerate(messages):
        where = f"messages.{i}"
        role = msg.get("role") if isinstance(msg, dict) else None
        if role not in ("user", "assistant"):  # ANTHROPIC_REF: roles are "user" or "assistant" only
            out.append(f"{where}.role: Input should be 'user' or 'assistant', got {role!r}")
            prev_tool_uses = set()
            continue
        content = msg.get("content")
        blocks = content if isinstance(content, list) else []
        out += _anthropic_blocks(where, content, _USER_BLOCKS if role == "user" else _ASSISTANT_BLOCKS)
        if content in ("", []) and not (role == "assistant" and i == len(messages) - 1):
            # ANTHROPIC_REF: non-empty content except for the optional final assistant message
            out.append(
                f"{where}: all messages must have non-empty content except for the optional final assistant message"
            )
        kinds = [b.get("type") for b in blocks if isinstance(b, dict)]
        results = {b.get("tool_use_id") for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result"}
        # ANTHROPIC_TOOLS: each tool_result must answer a tool_use of the immediately preceding assistant turn,
        # every tool_use must be answered in the next message, and tool_result blocks come first.
        for ref in sorted(results - prev_tool_uses, key=str):
            out.append(
                f"{where}.content: unexpected `tool_use_id` found in `tool_result` blocks: {ref}. "
                "Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
            )
        if prev_tool_uses - results:
            out.append(
                f"{where}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                f"{', '.join(sorted(prev_tool_uses - results))}"
            )
        if kinds[: kinds.count("tool_result")] != ["tool_result"] * kinds.count("tool_result"):
            out.append(f"{where}.content: tool_result blocks must come first in the user message")
        prev_tool_uses = {b.get("id") for b in blocks if isinstance(b, dict) and b.get("type") == "tool_use"}
        if role == "assistant" and i == 0:  # ANTHROPIC_REF: "The first message must always use the user role"
            out.append("messages.0.role: the first message must use the user role")
    if prev_tool_uses:
        out.append(
            "`tool_use` ids were found without `tool_result` blocks immediately after: "
            + ", ".join(sorted(prev_tool_uses))
        )
    last = messages[-1] if isinstance(messages[-1], dict) else {}
    if last.get("role") == "assistant" and claude_refuses_prefill(model):
        out.append(
            "This model does not support assistant message prefill. The conversation must end with a user message."
        )  # ANTHROPIC_MIGRATION (Claude 4.6+)
    return out


def check_anthropic(body: Any, headers: dict[str, str]) -> list[str]:
    """Violations of ANTHROPIC_REF for a Messages request (``headers`` lower-cased)."""
    if not headers.get("anthropic-version"):  # ANTHROPIC_VERSIONS: the header is required
        return ["anthropic-version: header is required"]
    if not isinstance(body, dict):
        return ["The request body is not valid JSON: expected an object"]
    beta = headers.get("anthropic-beta", "")
    allowed = ANTHROPIC_PARAMS | ({"output_format"} if "structured-outputs" in beta else set())
    out = [f"{k}: Extra inputs are not permitted" for k in sorted(set(body) - allowed)]
    model = body.get("model")
    if not isinstance(model, str) or not model:
        out.append("model: Field required")
        model = ""
    max_tokens = body.get("max_tokens")
    cap = claude_max_output(model, beta)
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        out.append("max_tokens: Field required (an integer >= 1)")
    elif cap is not None and max_tokens > cap:  # ANTHROPIC_MODELS: "Max output" per model
        out.append(
            f"max_tokens: {max_tokens} > {cap}, which is the maximum allowed number of output tokens for {model}"
        )
    out += _anthropic_messages(body.get("messages"), model)
    system = body.get("system")
    if system is not None:  # ANTHROPIC_REF: system is a string or an array of text blocks
        out += _anthropic_blocks("system", system, ("text",))
    tools = body.get("tools")
    for i, tool in enumerate(tools if isinstance(tools, list) else ([] if tools is None else [None])):
        if not isinstance(tool, dict) or not TOOL_NAME.match(str(tool.get("name", ""))):
            out.append(f"tools.{i}.name: String should match pattern '{TOOL_NAME.pattern}'")
        elif tool.get("type", "custom") == "custom":  # ANTHROPIC_TOOLS: client tools need an object schema
            schema = tool.get("input_schema")
            if not isinstance(schema, dict) or schema.get("type") != "object":
                out.append(f"tools.{i}.input_schema: Field required (a JSON Schema with type 'object')")
            if set(tool) - {"name", "description", "input_schema", "type", "cache_control"}:
                out.append(f"tools.{i}: Extra inputs are not permitted")
    used = any(
        isinstance(b, dict) and b.get("type") in ("tool_use", "tool_result")
        for m in body.get("messages") or []
        if isinstance(m, dict) and isinstance(m.get("content"), list)
        for b in m["content"]
    )
    if used and not tools:  # ANTHROPIC_TOOLS
        out.append("Requests which include `tool_use` or `tool_result` blocks must define tools.")
    choice = body.get("tool_choice")
    if choice is not None:
        kind = choice.get("type") if isinstance(choice, dict) else None
        if kind not in ("auto", "any", "tool", "none") or (kind == "tool" and not isinstance(choice.get("name"), str)):
            out.append(f"tool_choice: invalid value {choice!r}")
        elif not tools:
            out.append("tool_choice: may only be specified while providing tools")
    out += number_range(body, "temperature", 0, 1) + number_range(body, "top_p", 0, 1)
    stops = body.get("stop_sequences")
    if stops is not None and not (isinstance(stops, list) and all(isinstance(s, str) for s in stops)):
        out.append("stop_sequences: expected an array of strings")
    if "temperature" in body and "top_p" in body and claude_exclusive_sampling(model):  # ANTHROPIC_MIGRATION
        out.append("`temperature` and `top_p` cannot both be specified for this model. Please use only one.")
    out += check_anthropic_thinking(body)  # ANTHROPIC_THINKING (rules/reasoning.py)
    out += check_anthropic_cache_control(body)
    return out


def check_anthropic_auth(headers: dict[str, str], expected_key: str | None) -> str | None:
    """ANTHROPIC_ERRORS 401 authentication_error: the key travels in ``x-api-key``."""
    key = headers.get("x-api-key")
    if not key:
        return "x-api-key header is required"
    if expected_key is not None and key != expected_key:
        return "invalid x-api-key"
    return None
