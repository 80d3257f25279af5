"""Every rule the loopback fakes enforce, in one place.

Each rule cites the provider documentation it comes from. ``check_*`` return a list of human-readable
violations (empty = the real service would accept the request); the servers answer the first non-empty
group with the real status and error shape. The model-family helpers are the only place that knows model
names.
"""

from __future__ import annotations

import json
import re
from typing import Any

OPENAI_REF = "https://platform.openai.com/docs/api-reference/chat/create"
OPENAI_ERRORS = "https://platform.openai.com/docs/guides/error-codes"
OPENAI_REASONING = "https://platform.openai.com/docs/guides/reasoning"
ANTHROPIC_REF = "https://docs.anthropic.com/en/api/messages"
ANTHROPIC_VERSIONS = "https://docs.anthropic.com/en/api/versioning"
ANTHROPIC_ERRORS = "https://docs.anthropic.com/en/api/errors"
ANTHROPIC_TOOLS = "https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use"
ANTHROPIC_MODELS = "https://docs.anthropic.com/en/docs/about-claude/models/overview"
ANTHROPIC_MIGRATION = "https://docs.anthropic.com/en/docs/about-claude/models/migrating-to-claude-4"
ANTHROPIC_THINKING = "https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking"
ANTHROPIC_CACHING = "https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching"
OPENAI_CACHING = "https://platform.openai.com/docs/guides/prompt-caching"

# Function / tool names: OPENAI_REF ("tools[].function.name") and ANTHROPIC_TOOLS ("name" must match).
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

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


def _num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _range(body: dict, key: str, lo: float, hi: float) -> list[str]:
    value = body.get(key)
    if value is None or (_num(value) and lo <= value <= hi):
        return []
    return [f"{key}: must be a number between {lo} and {hi}, got {value!r}"]


# ----------------------------------------------------------------------------------------------- models
_NEW_CLAUDE = re.compile(r"claude-(opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?![0-9])")
_OLD_CLAUDE = re.compile(r"claude-(\d+)(?:-(\d{1,2}))?-(opus|sonnet|haiku)")
_OPENAI_REASONING = re.compile(r"^(o1|o3|o3-mini|o4-mini|gpt-5|gpt-5-mini|gpt-5-nano)(-\d{4}-\d{2}-\d{2})?$")


def claude_family(model: str) -> tuple[str, int, int] | None:
    """``(family, major, minor)`` of a Claude model id, or None when it is not one.

    Knows both naming schemes: ``claude-3-5-sonnet-20241022`` (version first) and
    ``claude-sonnet-4-5-20250929`` / ``claude-opus-4-1`` / ``claude-sonnet-4-20250514`` (family first; a
    minor part has one or two digits, an 8-digit date is not a minor version). Provider prefixes such as
    ``anthropic/`` or ``us.anthropic.`` are ignored. The generation thresholds used by the rules below
    (ANTHROPIC_MODELS, ANTHROPIC_MIGRATION):

    - Sonnet/Haiku >= 4.5, Opus >= 4.1, any major >= 5: ``temperature`` and ``top_p`` are exclusive;
    - any Claude >= 4.6: no assistant prefill (the conversation must end on a user turn).
    """
    m = _NEW_CLAUDE.search(model)
    if m:
        return m.group(1), int(m.group(2)), int(m.group(3) or 0)
    m = _OLD_CLAUDE.search(model)
    if m:
        return m.group(3), int(m.group(1)), int(m.group(2) or 0)
    return None


def claude_exclusive_sampling(model: str) -> bool:
    fam = claude_family(model)
    if fam is None:
        return False
    family, *version = fam
    return tuple(version) >= ((4, 1) if family == "opus" else (4, 5))


def claude_refuses_prefill(model: str) -> bool:
    fam = claude_family(model)
    return fam is not None and tuple(fam[1:]) >= (4, 6)


def claude_max_output(model: str, beta: str = "") -> int | None:
    """Documented max output tokens (ANTHROPIC_MODELS "Max output"); None = not capped here."""
    fam = claude_family(model)
    if fam is None:
        return None
    family, *version = fam
    if tuple(version) == (3, 7) and "output-128k" in beta:
        return 128000
    caps = {(3, 0): 4096, (3, 5): 8192, (3, 7): 64000, (4, 0): 64000, (4, 5): 64000}
    if family == "opus" and tuple(version) in ((4, 0), (4, 1)):
        return 32000
    return caps.get(tuple(version))


def openai_reasoning_model(model: str) -> bool:
    """o-series and GPT-5 reasoning models (OPENAI_REASONING): no max_tokens, default sampling only."""
    return bool(_OPENAI_REASONING.match(model.rsplit("/", 1)[-1]))


# ----------------------------------------------------------------------------------------------- OpenAI
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
    out += _range(body, "temperature", 0, 2) + _range(body, "top_p", 0, 1)
    out += _range(body, "presence_penalty", -2, 2) + _range(body, "frequency_penalty", -2, 2)
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


# -------------------------------------------------------------------------------------------- Anthropic
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
    out += _range(body, "temperature", 0, 1) + _range(body, "top_p", 0, 1)
    stops = body.get("stop_sequences")
    if stops is not None and not (isinstance(stops, list) and all(isinstance(s, str) for s in stops)):
        out.append("stop_sequences: expected an array of strings")
    if "temperature" in body and "top_p" in body and claude_exclusive_sampling(model):  # ANTHROPIC_MIGRATION
        out.append("`temperature` and `top_p` cannot both be specified for this model. Please use only one.")
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":  # ANTHROPIC_THINKING
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024 or (isinstance(max_tokens, int) and budget >= max_tokens):
            out.append("thinking.budget_tokens: must be >= 1024 and less than max_tokens")
        if body.get("temperature", 1) != 1 or "top_k" in body:
            out.append("temperature may only be set to 1 when thinking is enabled; top_k is not supported")
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


# ------------------------------------------------------------------------------------- prompt caching
# ANTHROPIC_CACHING: "You can define up to 4 cache breakpoints"; a fifth is refused with 400.
CACHE_BREAKPOINT_LIMIT = 4
# ANTHROPIC_CACHING: cache_control is {"type": "ephemeral"} with an optional "ttl" of "5m" (the default)
# or "1h"; the lifetime is refreshed each time the cached content is used.
CACHE_TTLS = {"5m": 300.0, "1h": 3600.0}
# ANTHROPIC_CACHING: "the system automatically checks for cache hits at all previous content block
# boundaries (up to approximately 20 blocks before your explicit breakpoint)".
CACHE_LOOKBACK_BLOCKS = 20
# ANTHROPIC_CACHING "What can be cached": tool definitions, system text blocks, and message content
# blocks (text, images and documents, tool use and tool results). "Thinking blocks cannot be cached
# directly with cache_control"; a message object itself takes only role and content (ANTHROPIC_REF).
_CACHEABLE_BLOCKS = ("text", "image", "document", "tool_use", "tool_result", "search_result")
# OPENAI_CACHING: caching is automatic "for prompts that are 1024 tokens or longer", and cache hits
# come "in increments of 128 tokens" past the first 1,024.
OPENAI_CACHE_MINIMUM = 1024
OPENAI_CACHE_INCREMENT = 128


def estimate_tokens(text: str) -> int:
    """The fakes' token count: one token per 4 characters of a block's compact JSON, at least 1.

    Deterministic and documented; the real tokenizers differ, and nothing here depends on the exact
    ratio except the minimum lengths below, which tests size their prompts for.
    """
    return max(1, -(-len(text) // 4))


def claude_cache_minimum(model: str) -> int:
    """ANTHROPIC_CACHING "Cache limitations", minimum cacheable prompt length: 4,096 tokens for Opus
    4.5/4.6/4.7 and Haiku 4.5; 2,048 for Haiku 3 and 3.5; 1,024 for Sonnet (3.7 to 4.6), Opus 4.8, 4.1
    and 4 (and the retired Sonnet 3.5 / Opus 3). A Claude the page does not list: 1,024."""
    fam = claude_family(model)
    if fam is None:
        return 1024
    family, *version = fam
    if family == "haiku":
        return 4096 if tuple(version) >= (4, 5) else 2048
    if family == "opus" and (4, 5) <= tuple(version) <= (4, 7):
        return 4096
    return 1024


def _cache_control(where: str, value: Any) -> list[str]:
    if not isinstance(value, dict) or value.get("type") != "ephemeral":
        return [f"{where}.cache_control.type: Input should be 'ephemeral'"]
    out = [f"{where}.cache_control.{k}: Extra inputs are not permitted" for k in sorted(set(value) - {"type", "ttl"})]
    if "ttl" in value and value["ttl"] not in CACHE_TTLS:
        out.append(f"{where}.cache_control.ttl: Input should be '5m' or '1h'")
    return out


def cache_blocks(body: dict) -> list[tuple[str, dict | None]]:
    """The request as Anthropic caches it: (compact JSON without cache_control, cache_control or None)
    per block, in prefix order (ANTHROPIC_CACHING: "tools, system, then messages")."""

    def block(value: Any) -> tuple[str, dict | None]:
        if isinstance(value, dict):
            mark = value.get("cache_control")
            value = {k: v for k, v in value.items() if k != "cache_control"}
        else:
            mark = None
        return json.dumps(value, sort_keys=True, separators=(",", ":")), mark

    out = [block(t) for t in body.get("tools") or []]
    system = body.get("system")
    out += [block(system)] if isinstance(system, str) else [block(b) for b in system or []]
    for message in body.get("messages") or []:
        content = message.get("content")
        parts = content if isinstance(content, list) else [content]
        out += [block({"role": message.get("role"), **({"text": p} if isinstance(p, str) else p)}) for p in parts]
    return out


def check_anthropic_cache_control(body: dict) -> list[str]:
    """ANTHROPIC_CACHING: where cache_control may appear, its value, and at most 4 breakpoints."""
    out: list[str] = []
    marks: list[dict] = []

    def seen(where: str, holder: Any) -> None:
        if isinstance(holder, dict) and "cache_control" in holder:
            out.extend(_cache_control(where, holder["cache_control"]))
            marks.append(holder["cache_control"])

    for i, tool in enumerate(body.get("tools") or []):
        seen(f"tools.{i}", tool)
    system = body.get("system")
    for i, block in enumerate(system if isinstance(system, list) else []):
        seen(f"system.{i}", block)
    for i, message in enumerate(body.get("messages") or []):
        if not isinstance(message, dict):
            continue
        out += [
            f"messages.{i}.{key}: Extra inputs are not permitted" for key in sorted(set(message) - {"role", "content"})
        ]
        content = message.get("content")
        for j, block in enumerate(content if isinstance(content, list) else []):
            if not isinstance(block, dict) or "cache_control" not in block:
                continue
            if block.get("type") not in _CACHEABLE_BLOCKS:
                out.append(f"messages.{i}.content.{j}: cache_control cannot be set on a {block.get('type')} block")
            seen(f"messages.{i}.content.{j}", block)
            for k, inner in enumerate(block.get("content") if isinstance(block.get("content"), list) else []):
                seen(f"messages.{i}.content.{j}.content.{k}", inner)
    if len(marks) > CACHE_BREAKPOINT_LIMIT:
        out.append(
            f"A maximum of {CACHE_BREAKPOINT_LIMIT} blocks with cache_control may be provided. Found {len(marks)}."
        )
    # ANTHROPIC_CACHING "Mixing different TTLs": longer-TTL entries must appear before shorter ones.
    ttls = [m.get("ttl", "5m") for m in marks if isinstance(m, dict) and m.get("ttl", "5m") in CACHE_TTLS]
    if "1h" in ttls and "5m" in ttls[: len(ttls) - ttls[::-1].index("1h")]:
        out.append("a cache_control block with ttl='1h' must not come after one with ttl='5m'")
    return out
