"""litellm responses -> ``LLMResponse``. Pure, duck-typed, never raises.

Works on litellm's ``ModelResponse`` objects and on plain dicts of the same shape.

- ``content`` is always a ``str`` (``None`` -> ``""``; a list of text parts is joined).
- tool calls come out in Director's shape ``{"id", "tool": {"name", "arguments": dict},
  "type": "function"}``; ``arguments`` is always a dict: ``""``, ``None`` or
  whitespace -> ``{}``; text that is not a JSON object -> ``{}`` with the raw text
  kept in ``response.raw_tool_arguments[id]`` and a warning logged.
- ``finish_reason`` is ``"length"`` whenever the provider said the output was cut off
  at the token limit (OpenAI ``length``, Anthropic ``max_tokens``); otherwise
  ``"tool_calls"`` whenever tool calls are present, ``"stop"`` when the provider sent
  none, else the provider's value.
- output cut off inside a tool call: that call (the last one; output is written in order)
  is never returned as a tool call; its raw argument text is kept in
  ``raw_tool_arguments[id]`` and a warning logged. Complete calls before it are returned.
- usage is None-safe; ``send_tokens`` counts all input tokens, ``cached_tokens`` /
  ``cache_write_tokens`` the part read from / written to the prompt cache (both wires);
  ``cost`` is litellm's ``response_cost`` when it knows it.
- only choice 0 is read: with ``n`` > 1 the other choices are ignored, never merged.
- a refusal (OpenAI ``message.refusal``, Anthropic ``stop_reason: "refusal"``) is an ERROR
  response with ``finish_reason="refusal"`` and the refusal text (or ``DECLINED``) in both
  ``content`` and ``refusal``; see ``_refused`` for why it is not a SUCCESS.
- ``finish_reason: "content_filter"`` with no text and no tool calls is an ERROR
  (``content_policy``, ``FILTERED`` in ``content``); with text it stays a SUCCESS. Gemini's own
  block reasons count the same (``WITHHELD``): litellm 1.60 passes ``MODEL_ARMOR`` and the like
  through as the finish reason, 1.110 maps them to ``stop`` and keeps the raw one as the choice's
  ``provider_specific_fields.native_finish_reason``.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from director_litellm._errors import ErrorInfo
from director_litellm._fields import field
from director_litellm._reasoning_state import pack
from director_litellm._response import LLMResponse, LLMResponseStatus
from director_litellm._tokens import token_counts

logger = logging.getLogger(__name__)


def reasoning_text(message: Any) -> str | None:
    """The model's reasoning on a message or stream delta: litellm's ``reasoning_content``, else
    ``reasoning``, the name Groq (and OpenRouter) use, which litellm keeps as is for Groq."""
    for name in ("reasoning_content", "reasoning"):
        value = field(message, name)
        if isinstance(value, str) and value:
            return value
    return None


def parse_arguments(raw: Any) -> tuple[dict[str, Any], str | None]:
    """Tool-call arguments -> (dict, raw text if it could not be used)."""
    if raw is None:
        return {}, None
    if isinstance(raw, Mapping):
        return dict(raw), None
    if not isinstance(raw, str):
        return {}, repr(raw)
    if not raw.strip():
        return {}, None
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return {}, raw
    if isinstance(value, dict):
        return value, None
    if value is None:  # JSON null: no arguments
        return {}, None
    return {}, raw


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            else:
                text = field(part, "text")
                if isinstance(text, str):
                    parts.append(text)
        return "".join(parts)
    return str(content)


def director_tool_call(call_id: Any, name: Any, raw_arguments: Any, raw_store: dict[str, str]) -> dict[str, Any] | None:
    """One tool call in Director's shape, or None when it has no usable name."""
    if not isinstance(name, str) or not name:
        logger.warning("dropping a tool call without a name (id=%r)", call_id)
        return None
    if not isinstance(call_id, str) or not call_id:
        call_id = f"call_{uuid.uuid4().hex[:24]}"
    arguments, unusable = parse_arguments(raw_arguments)
    if unusable is not None:
        raw_store[call_id] = unusable
        logger.warning(
            "tool call %s (%s): arguments are not a JSON object; using {} (raw text kept on the response, %d chars)",
            call_id,
            name,
            len(unusable),
        )
    return {"id": call_id, "tool": {"name": name, "arguments": arguments}, "type": "function"}


# finish reasons meaning "the output hit the token limit" (OpenAI; Anthropic and Gemini raw values)
_CUT_OFF = frozenset({"length", "max_tokens", "max_output_tokens"})
# a provider's own words for a filtered answer that litellm 1.60 passes through as the finish reason
# (Bedrock's stopReason guardrail_intervened; 1.110 maps it to content_filter itself)
_FILTERED = frozenset({"guardrail_intervened", "content_filtered"})
# finish reasons meaning "a filter withheld the output": OpenAI's, and Gemini's FinishReason values for
# blocked output (https://ai.google.dev/api/generate-content#FinishReason; MODEL_ARMOR on Vertex AI)
WITHHELD = frozenset(
    {"content_filter", "safety", "model_armor", "prohibited_content", "blocklist", "spii", "image_safety", "recitation"}
)


def _withheld(choice: Any, finish: Any) -> bool:
    native = field(field(choice, "provider_specific_fields"), "native_finish_reason")
    return any(isinstance(reason, str) and reason.lower() in WITHHELD for reason in (finish, native))


def _tool_calls(raw_calls: Any, raw_store: dict[str, str], *, cut_off: bool) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    if not isinstance(raw_calls, (list, tuple)):
        return calls
    last = len(raw_calls) - 1
    for position, raw in enumerate(raw_calls):
        function = field(raw, "function")
        if cut_off and position == last:
            # output is written in order: the token limit struck inside the last call
            _keep_cut_off(field(raw, "id"), field(function, "name"), field(function, "arguments"), raw_store)
            continue
        call = director_tool_call(field(raw, "id"), field(function, "name"), field(function, "arguments"), raw_store)
        if call is not None:
            calls.append(call)
    return calls


def _keep_cut_off(call_id: Any, name: Any, raw_arguments: Any, raw_store: dict[str, str]) -> None:
    """Keep the text of a call cut off by the token limit; it is never returned as callable."""
    if not isinstance(call_id, str) or not call_id:
        call_id = f"call_{uuid.uuid4().hex[:24]}"
    if isinstance(raw_arguments, str):
        text = raw_arguments
    elif isinstance(raw_arguments, Mapping):
        text = json.dumps(raw_arguments, default=str)
    else:
        text = "" if raw_arguments is None else repr(raw_arguments)
    raw_store[call_id] = text
    logger.warning(
        "the answer was cut off at the token limit inside tool call %s (%r); it is not returned as a tool call "
        "(raw arguments kept on the response, %d chars); raise max_tokens if this recurs",
        call_id,
        name,
        len(text),
    )


def choice_zero(choices: Any) -> Any:
    """The choice with ``index`` 0 (a choice without an index counts as 0), or None.

    Director's contract is one answer: with ``n`` > 1 the other choices are ignored, never merged.
    """
    if not isinstance(choices, (list, tuple)):
        return None
    for choice in choices:
        index = field(choice, "index", 0)
        if index == 0 and not isinstance(index, bool):
            return choice
    return None


def _hidden(response: Any) -> Any:
    """litellm's ``_hidden_params`` (cost, Router deployment id), when present."""
    if isinstance(response, Mapping):
        return response.get("_hidden_params")
    private = getattr(response, "__pydantic_private__", None)  # litellm keeps it there (pydantic 2)
    if type(private) is dict and "_hidden_params" in private:
        return private["_hidden_params"]
    try:
        return getattr(response, "_hidden_params", None)
    except Exception:
        return None


def _cost(hidden: Any) -> float | None:
    cost = field(hidden, "response_cost")
    if isinstance(cost, (int, float)) and not isinstance(cost, bool) and cost >= 0:
        return float(cost)
    return None


# shown when the model declined without saying anything
DECLINED = "The model declined to answer this request."


def _refusal(message: Any, finish: Any) -> str | None:
    """The text to show when the model refused, else None.

    OpenAI puts the refusal in ``message.refusal``. Anthropic's ``stop_reason: "refusal"``
    arrives as ``finish_reason="refusal"`` through litellm 1.60, and as ``content_filter``
    with ``provider_specific_fields.stop_reason == "refusal"`` through litellm 1.10x.
    """
    text = field(message, "refusal")
    if isinstance(text, str) and text.strip():
        return text
    marker = field(field(message, "provider_specific_fields"), "stop_reason")
    if finish != "refusal" and marker != "refusal":
        return None
    content = _text(field(message, "content"))
    return content if content.strip() else DECLINED


def _refused(shown: str, answered_by: str | None, response: Any, cost: float | None) -> LLMResponse:
    """A refusal is an ERROR: Director ends its turn on it and shows ``content``.

    With ``status=SUCCESS`` and a finish_reason other than stop/end_turn, Director's reasoning
    loop would ask again, the same refused question, up to its iteration limit.
    """
    logger.warning("%s declined to answer (refusal, %d chars)", answered_by or "the model", len(shown))
    info = ErrorInfo("content_policy", shown, model=answered_by, detail="the model refused (finish_reason refusal)")
    return _stopped(info, "refusal", response, cost, refusal=shown)


# shown when the provider's content filter withheld the whole answer
FILTERED = "The LLM provider's content filter withheld the answer."


def _filtered(partial: str, answered_by: str | None, response: Any, cost: float | None) -> LLMResponse:
    """``finish_reason: content_filter`` with no answer is an ERROR, not an empty SUCCESS (same reason as
    a refusal); with text, the answer is kept as SUCCESS and the caller sees finish_reason content_filter."""
    logger.warning("%s: the provider's content filter withheld the answer", answered_by or "the model")
    info = ErrorInfo("content_policy", FILTERED, model=answered_by, detail="finish_reason content_filter, no content")
    return _stopped(info, "content_filter", response, cost, partial_content=partial or None)


def _stopped(info: ErrorInfo, finish_reason: str, response: Any, cost: float | None, **extra: Any) -> LLMResponse:
    """The ERROR response for an answer the model or provider stopped; the call was billed all the same."""
    tokens = token_counts(field(response, "usage"))
    return LLMResponse(
        content=info.message,
        finish_reason=finish_reason,
        status=LLMResponseStatus.ERROR,
        error=info.as_dict(),
        send_tokens=tokens.send,
        recv_tokens=tokens.recv,
        total_tokens=tokens.total,
        cost=cost if cost is not None else _cost(_hidden(response)),
        model=info.model,
        **extra,
    )


def error_response(info: ErrorInfo) -> LLMResponse:
    """The ERROR response for a classified failure."""
    return LLMResponse(content=info.message, status=LLMResponseStatus.ERROR, error=info.as_dict(), model=info.model)


def parse_response(response: Any, *, model: str | None = None, cost: float | None = None) -> LLMResponse:
    """Build an ``LLMResponse`` from a litellm (or litellm-shaped) response; never raises."""
    try:
        return _parse(response, model=model, cost=cost)
    except Exception as exc:  # the contract is "never raises"; log and report
        logger.exception("could not read the LLM response")
        return error_response(
            ErrorInfo(
                "bad_response",
                "The LLM provider returned a response that could not be read.",
                model=model,
                detail=type(exc).__name__,
            )
        )


def _parse(response: Any, *, model: str | None, cost: float | None) -> LLMResponse:
    answered_by = field(response, "model") or model
    answered_by = answered_by if isinstance(answered_by, str) else model
    choices = field(response, "choices")
    if not isinstance(choices, (list, tuple)) or not choices:
        return error_response(
            ErrorInfo(
                "bad_response",
                "The LLM provider returned no answer.",
                model=answered_by,
                detail="response has no choices",
            )
        )
    choice = choice_zero(choices)
    if choice is None:  # no choice says it is index 0: take the first one listed
        choice = choices[0]
    message = field(choice, "message") or field(choice, "delta")
    if message is None or isinstance(message, (str, int, float, list)):
        return error_response(
            ErrorInfo(
                "bad_response",
                "The LLM provider returned no answer.",
                model=answered_by,
                detail="first choice has no message",
            )
        )
    finish = field(choice, "finish_reason")
    if finish in _FILTERED:
        finish = "content_filter"
    refused = _refusal(message, finish)
    if refused is not None:
        return _refused(refused, answered_by, response, cost)
    raw_store: dict[str, str] = {}
    cut_off = isinstance(finish, str) and finish.lower() in _CUT_OFF
    calls = _tool_calls(field(message, "tool_calls"), raw_store, cut_off=cut_off)
    content = _text(field(message, "content"))
    withheld = _withheld(choice, finish)
    if withheld and not calls and not content.strip():
        return _filtered(content, answered_by, response, cost)
    if cut_off:
        finish_reason = "length"
    elif withheld and not calls:
        finish_reason = "content_filter"
    elif calls:
        finish_reason = "tool_calls"
    elif isinstance(finish, str) and finish:
        finish_reason = "stop" if finish == "tool_calls" else finish
    else:
        finish_reason = "stop"
    reasoning = reasoning_text(message)
    calls = pack(calls, message, model or answered_by, reasoning)  # the turn's reasoning state rides in its ids
    send, recv, total, cached, written = token_counts(field(response, "usage"))
    hidden = _hidden(response)
    # a Router sets model_id; through a LiteLLM Proxy the deployment comes back as a response header
    deployment = field(hidden, "model_id") or field(
        field(hidden, "additional_headers"), "llm_provider-x-litellm-model-id"
    )
    return LLMResponse(
        content=content,
        tool_calls=calls,
        send_tokens=send,
        recv_tokens=recv,
        total_tokens=total,
        cached_tokens=cached,
        cache_write_tokens=written,
        finish_reason=finish_reason,
        status=LLMResponseStatus.SUCCESS,
        cost=cost if cost is not None else _cost(hidden),
        reasoning_content=reasoning,
        model=answered_by,
        deployment=deployment if isinstance(deployment, str) and deployment else None,
        raw_tool_arguments=raw_store,
    )


__all__ = [
    "choice_zero",
    "director_tool_call",
    "error_response",
    "field",
    "parse_arguments",
    "parse_response",
    "reasoning_text",
]
