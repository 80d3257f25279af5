"""Per-model rules: what to send to which model. Every such decision lives here.

Pure functions, no litellm. docs/model-rules.md states the same rules in prose, with the same
numbers (its rules 5-7 are not decisions of this module; 12 and 13 live in ``reasoning_rules``);
tests check each one at the wire.

1. Sampling parameters (``sampling_params``)
   - ``temperature`` is always sent (Director's default is 0.9).
   - ``top_p`` is sent only when you set it (``LITELLM_TOP_P``, ``top_p=`` on the
     config, or a per-call override). Its default, 1.0, is every API's own default,
     so leaving it out changes nothing.
   - Claude models that take only one sampling parameter (Sonnet 4.5+, Haiku 4.5+,
     Opus 4.1+, any Claude 5+): if you set ``top_p`` and not ``temperature``, only
     ``top_p`` is sent; if you set both, the call is refused before sending, with a
     message telling you to unset one (the API would answer 400 anyway).

2. Conversation shape for the families whose APIs take system text only at the top
   (``shape_conversation``): Claude (a name containing ``claude``: ``anthropic/...``,
   ``bedrock/anthropic.claude-...``, ``vertex_ai/claude-...``) and Gemini on its own
   wire (``gemini/...``, ``vertex_ai/gemini-...``; ``is_gemini``).
   - System messages after the last assistant turn are sent as one user turn with
     the same text. litellm moves system text to the top (Anthropic's ``system``,
     Gemini's ``systemInstruction``), so the conversation would end on the assistant's
     turn, which Claude 4.6+ refuses ("must end with a user message"), older Claude
     reads as a prefill to continue, and Gemini refuses ("Please ensure that multiturn
     requests end with a user role or a function response"). Director's "Final Cut"
     call has exactly this shape.
   - A conversation of system messages only is sent as one user turn with their text
     (both need at least one non-system message).
   - Claude only: when a call has no tools but the history has tool calls, the tool
     calls and their results are sent as text (Anthropic refuses ``tool_use`` blocks in
     a request without tool definitions, and litellm 1.60 refuses to send them).

   Mistral models (``mistral/...``, ``codestral/...``, or a name starting ``mistral``, ``magistral``,
   ``codestral``, ``devstral``, ``ministral``, ``pixtral``, ``open-mistral``, ``open-mixtral``):
   - A system message right after an assistant turn is sent as a user turn with the same text. Mistral's
     API refuses it (400 "Unexpected role 'system' after role 'assistant'"; it allows a system message only
     at the start or after a user turn), and Director's "Final Cut" call ends with exactly that.

3. Structured output (``response_format_for``)
   - ``{"type": "text"}`` and ``{"type": "json_object"}`` are sent as given.
   - ``{"type": "json_schema", ...}`` (also what a pydantic model class becomes) is sent
     as given when litellm's capability data says the model supports response
     schemas; otherwise ``{"type": "json_object"}`` is sent with a system instruction
     carrying the schema, and the downgrade is logged.

4. ``reasoning_effort`` (config or per call) is sent only to models that take it
   according to litellm's parameter data (litellm 1.60 would otherwise forward it to
   Anthropic as an unknown key); when it is not sent, that is logged.

8. Streams litellm cannot read (``stream_whole``)
   - Cohere v2 chat: litellm parses each line of Cohere's SSE stream as JSON and fails on the first
     ``event:`` line. A stream call asks for the whole answer (litellm's per-call ``fake_stream``) and
     litellm hands it on as stream chunks: one text piece, the tool calls, the finish and usage.

9. Prompt-cache breakpoints (``cache_breakpoint_minimum``; placed by ``prompt_cache``)
   - Only Claude models reached over a wire that takes ``cache_control`` get breakpoints:
     litellm's ``anthropic`` (Messages API), ``vertex_ai`` and ``bedrock`` routes, which
     translate ``cache_control`` into Anthropic blocks or Bedrock ``cachePoint``s. Models
     behind the OpenAI wire (OpenAI, Azure, a LiteLLM Proxy, ...) cache long prefixes by
     themselves and would refuse or ignore the key, so they get none.
   - litellm's model data must say the model supports prompt caching. On the ``anthropic``
     route a Claude model litellm does not know (newer than the installed litellm) counts as
     supporting it, as every current Claude model does on Anthropic's API; on Bedrock and
     Vertex, where support varies by model and region, litellm's data must say yes.
   - At most ``MAX_CACHE_BREAKPOINTS`` (4) per request, the caller's own included.
   - A breakpoint is placed only where the prefix before it reaches the model's minimum
     cacheable length (``CACHE_MINIMUM_TOKENS``); a shorter prefix would not be cached.
   - Router mode: only when every deployment of the group qualifies; the largest minimum
     among them applies.

10. Conversation shape for AWS Bedrock models (``shape_conversation``; ``bedrock/...``)
   - When a call has no tools but the history has tool calls, the tool calls and their
     results are sent as text, as for Claude: Bedrock refuses ``toolUse``/``toolResult``
     blocks in a request without ``toolConfig``, and litellm 1.60 refuses to send them
     (litellm 1.110 turns them into text itself, dropping non-text results). Director's
     Final Cut has exactly this shape.
   - No blank text is sent: Bedrock refuses a blank text block ("The text field in the
     ContentBlock object is blank"), and litellm 1.60 forwards Director's empty strings as
     such. An assistant tool-call turn with blank text is sent without text; any other
     blank message (an empty answer Director stored, an agent's empty result) is sent as
     ``shapes.BLANK_PLACEHOLDER``, keeping the turn so roles still alternate; blank text parts of
     a list are left out.

11. Tool schemas for Gemini (``tools_for``): Gemini takes function parameters in its
   Schema subset of OpenAPI 3.0 (https://ai.google.dev/api/caching#Schema) and refuses
   the rest with 400: any other key (``Unknown name "if"``, ``then``, ``const``,
   ``additionalProperties``, ...) and a string ``format`` other than ``enum`` or
   ``date-time`` (numbers: ``float``/``double``; integers: ``int32``/``int64``).
   litellm 1.110 strips these itself; 1.60 sends Director's schemas as given. So every
   Gemini-wire model gets only the subset, on every litellm.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from director_litellm import _shapes as shapes
from director_litellm._errors import InvalidInputError

logger = logging.getLogger(__name__)

_CLAUDE_VERSION = re.compile(
    r"claude-(?:(?P<family>opus|sonnet|haiku)-(?P<major>\d+)(?:[-.](?P<minor>\d{1,2})(?!\d))?"
    r"|(?P<major2>\d+)(?:[-.](?P<minor2>\d{1,2})(?!\d))?-(?P<family2>opus|sonnet|haiku))"
)


def is_claude(model: str) -> bool:
    return "claude" in model.lower()


#: litellm routes that speak Gemini's own wire (a bare ``gemini-...`` name goes to Vertex AI)
GEMINI_ROUTES = ("gemini/", "vertex_ai/", "vertex_ai_beta/")


def is_gemini(model: str) -> bool:
    """A Gemini model on its own wire (the Gemini API or Vertex AI), not behind an OpenAI-compatible one."""
    name = model.lower()
    return "gemini" in name and (name.startswith(GEMINI_ROUTES) or "/" not in name)


def takes_system_at_top(model: str) -> bool:
    """Rule 2's families: their APIs take system text only before the conversation."""
    return is_claude(model) or is_gemini(model)


def claude_version(model: str) -> tuple[str, int, int] | None:
    """``("sonnet", 4, 5)`` for ``anthropic/claude-sonnet-4-5-20250929``; None if not parsable."""
    match = _CLAUDE_VERSION.search(model.lower())
    if not match:
        return None
    family = match.group("family") or match.group("family2")
    major = match.group("major") or match.group("major2")
    minor = match.group("minor") or match.group("minor2") or "0"
    return family, int(major), int(minor)


def takes_one_sampling_param(model: str) -> bool:
    """Claude models that refuse ``temperature`` together with ``top_p``."""
    version = claude_version(model)
    if version is None:
        return False
    family, major, minor = version
    if major >= 5:
        return True
    if family == "opus":
        return (major, minor) >= (4, 1)
    return (major, minor) >= (4, 5)


def sampling_params(
    model: str,
    temperature: float,
    top_p: float,
    *,
    temperature_set: bool,
    top_p_set: bool,
) -> dict[str, Any]:
    """Which of temperature / top_p to send to ``model`` (rule 1 above)."""
    if takes_one_sampling_param(model):
        if temperature_set and top_p_set:
            raise InvalidInputError(
                f"{model} accepts temperature or top_p, not both; unset one of LITELLM_TEMPERATURE / LITELLM_TOP_P"
            )
        if top_p_set:
            return {"top_p": top_p}
        return {"temperature": temperature}
    params: dict[str, Any] = {"temperature": temperature}
    if top_p_set:
        params["top_p"] = top_p
    return params


def is_bedrock(model: str) -> bool:
    return model.startswith("bedrock/")


_MISTRAL_NAMES = (
    "mistral",
    "magistral",
    "codestral",
    "devstral",
    "ministral",
    "pixtral",
    "open-mistral",
    "open-mixtral",
)


def is_mistral(model: str) -> bool:
    """A model served by Mistral's API, whose validator fixes the order of roles (rule 2)."""
    lowered = model.lower()
    return lowered.startswith(("mistral/", "codestral/")) or lowered.rsplit("/", 1)[-1].startswith(_MISTRAL_NAMES)


def shape_conversation(model: str, messages: list[dict[str, Any]], has_tools: bool) -> list[dict[str, Any]]:
    """Apply rules 2 and 10 above; returns ``messages`` itself when nothing changes."""
    if is_mistral(model):
        return shapes.mistral_order(messages)
    shaped = messages
    if is_bedrock(model):
        if not has_tools and any(m["role"] == "tool" or m.get("tool_calls") for m in shaped):
            shaped = shapes.flatten_tool_history(shaped)
        shaped = shapes.no_blank_text(shaped)
    if not takes_system_at_top(model):
        return shaped
    if is_claude(model) and not has_tools and any(m["role"] == "tool" or m.get("tool_calls") for m in shaped):
        shaped = shapes.flatten_tool_history(shaped)
    return shapes.trailing_system_as_user(shaped)


def tools_for(model: str, tools: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """The OpenAI-format ``tools`` to send to ``model`` (rule 11); ``tools`` itself when nothing changes."""
    if not tools or not is_gemini(model):
        return tools
    out = []
    for tool in tools:
        function = tool.get("function")
        if isinstance(function, dict) and "parameters" in function:
            tool = {**tool, "function": {**function, "parameters": shapes.gemini_cut(function["parameters"])}}
        out.append(tool)
    return out


def response_format_for(
    model: str, response_format: dict[str, Any], supports_schema: Callable[[str], bool]
) -> tuple[dict[str, Any], str | None]:
    """(response_format to send, extra system instruction or None) for ``model`` (rule 3)."""
    if response_format.get("type") != "json_schema" or supports_schema(model):
        return response_format, None
    spec = response_format["json_schema"]
    logger.info(
        "%s has no response-schema support in litellm's model data; sending json_object with the schema "
        "as an instruction",
        model,
    )
    instruction = (
        f"Reply with one JSON object only, no prose, matching this JSON Schema (name: {spec['name']}):\n"
        + json.dumps(spec["schema"], separators=(",", ":"))
    )
    return {"type": "json_object"}, instruction


def stream_whole(model: str, cohere_v2: Callable[[str], bool]) -> bool:
    """Rule 8: ask for the whole answer on a stream call (Cohere v2 chat, whose stream litellm cannot read)."""
    return cohere_v2(model)


def send_reasoning_effort(model: str, takes_param: Callable[[str, str], bool]) -> bool:
    """Rule 4: send ``reasoning_effort`` only where litellm's data says the model takes it."""
    if takes_param(model, "reasoning_effort"):
        return True
    logger.info("%s does not take reasoning_effort per litellm's model data; not sending it", model)
    return False


# ------------------------------------------------------------------ 5. prompt-cache breakpoints

#: Anthropic: "You can define up to 4 cache breakpoints" per request (the caller's count too).
MAX_CACHE_BREAKPOINTS = 4

#: Minimum cacheable prompt length, in tokens, per Claude model: (family, (major, minor) from,
#: (major, minor) up to and including). Source: Anthropic, "Prompt caching", section
#: "Cache limitations" (https://platform.claude.com/docs/en/build-with-claude/prompt-caching,
#: formerly docs.anthropic.com/en/docs/build-with-claude/prompt-caching), as of 2026:
#: 4,096 for Opus 4.5, 4.6 and 4.7 and for Haiku 4.5; 1,024 for Opus 4.8, Opus 4.1, Opus 4,
#: Sonnet 4.6, 4.5, 4 and 3.7 (and the retired Sonnet 3.5 / Opus 3); 2,048 for Haiku 3.5 and 3.
#: A prefix below the minimum is processed without caching (no error, no write).
CACHE_MINIMUM_TOKENS: tuple[tuple[str, tuple[int, int], tuple[int, int], int], ...] = (
    ("opus", (3, 0), (4, 1), 1024),
    ("opus", (4, 5), (4, 7), 4096),
    ("opus", (4, 8), (4, 8), 1024),
    ("sonnet", (3, 0), (4, 6), 1024),
    ("haiku", (3, 0), (3, 5), 2048),
    ("haiku", (4, 5), (4, 5), 4096),
)
#: A Claude model the table does not list (a newer one): the largest documented minimum, so a
#: breakpoint is never spent on a prefix the API would not cache.
CACHE_MINIMUM_UNLISTED = 4096

#: litellm routes whose request builders turn OpenAI-format ``cache_control`` into the
#: provider's own (Anthropic blocks on anthropic/vertex_ai; Bedrock ``cachePoint``s).
CACHE_CONTROL_ROUTES = frozenset({"anthropic", "vertex_ai", "bedrock"})


def cache_minimum_tokens(model: str) -> int:
    """The minimum cacheable prefix, in tokens, for a Claude ``model`` (table above)."""
    version = claude_version(model)
    if version is None:
        return CACHE_MINIMUM_UNLISTED
    family, major, minor = version
    for name, low, high, tokens in CACHE_MINIMUM_TOKENS:
        if name == family and low <= (major, minor) <= high:
            return tokens
    return CACHE_MINIMUM_UNLISTED


def takes_cache_control(
    model: str, route_of: Callable[[str], str | None], supports_caching: Callable[[str], bool | None]
) -> bool:
    """Rule 9: whether ``model`` may be sent ``cache_control`` breakpoints.

    ``route_of(model)`` is litellm's provider route (``anthropic``, ``openai``, ...);
    ``supports_caching(model)`` litellm's ``supports_prompt_caching`` (None: unknown model).
    """
    if not is_claude(model):
        return False
    route = route_of(model)
    if route not in CACHE_CONTROL_ROUTES:
        return False
    supported = supports_caching(model)
    # Anthropic's API caches on every current Claude model; on Bedrock and Vertex it depends on
    # the model and region, so only litellm's explicit yes counts there.
    return supported is True or (supported is None and route == "anthropic")


def cache_breakpoint_minimum(
    models: list[str], route_of: Callable[[str], str | None], supports_caching: Callable[[str], bool | None]
) -> int | None:
    """The minimum prefix (tokens) to place breakpoints for a call that may reach any of ``models``.

    None when one of them must not get ``cache_control`` (rule 9: a Router group qualifies
    only when every deployment does).
    """
    if not models or not all(takes_cache_control(m, route_of, supports_caching) for m in models):
        return None
    return max(cache_minimum_tokens(m) for m in models)


__all__ = [
    "CACHE_MINIMUM_TOKENS",
    "MAX_CACHE_BREAKPOINTS",
    "cache_breakpoint_minimum",
    "cache_minimum_tokens",
    "claude_version",
    "is_bedrock",
    "is_claude",
    "is_gemini",
    "is_mistral",
    "response_format_for",
    "sampling_params",
    "send_reasoning_effort",
    "shape_conversation",
    "stream_whole",
    "takes_cache_control",
    "takes_one_sampling_param",
    "takes_system_at_top",
    "tools_for",
]
