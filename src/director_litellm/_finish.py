"""Finishing a call: its response from the outcome (parsed, priced, validated), and its one log line on failure.

Shared by the provider's four call methods. A failed call logs one WARNING line on the provider's
logger (``director_litellm.provider``: what a host filters on); a failed attempt's traceback goes
at DEBUG, with the scrubbed text in place of the original.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from director_litellm import _litellm, _pricing
from director_litellm._config import LiteLLMConfig, secrets
from director_litellm._errors import ErrorInfo, classify
from director_litellm._response import LLMResponse
from director_litellm._scrub import scrub

if TYPE_CHECKING:
    from director_litellm import _retry as retry
    from director_litellm._request import Call
    from director_litellm._stream import StreamAccumulator

logger = logging.getLogger("director_litellm.provider")


def logged(info: ErrorInfo) -> ErrorInfo:
    """The one WARNING line of a failed call: model, attempts, category, scrubbed cause with its real type."""
    cause = info.detail or info.message
    logger.warning(
        "LLM call to %s failed after %d attempt(s) [%s]: %s", info.model, info.attempts, info.category, cause
    )
    return info


def _log_traceback(exc: BaseException, info: ErrorInfo) -> None:
    """At DEBUG: the frames (safe) and the real exception type, with the scrubbed text in place of the original."""
    if logger.isEnabledFor(logging.DEBUG):
        frames, kind = "".join(traceback.format_tb(exc.__traceback__)), type(exc)
        logger.debug(
            "LLM call to %s, attempt %d failed:\nTraceback (most recent call last):\n%s%s.%s: %s",
            *(info.model, info.attempts, frames, kind.__module__, kind.__qualname__, info.detail or info.message),
        )


def failed(info: ErrorInfo) -> LLMResponse:
    """The ERROR response of a failed call, after its one WARNING line."""
    from director_litellm._parser import error_response

    return error_response(logged(info))


def completed(call: Call, config: LiteLLMConfig, outcome: retry.Success[Any] | ErrorInfo) -> LLMResponse:
    """A finished call's response: parsed, priced with its cache tokens, checked against its schema."""
    from director_litellm._context_call import reported
    from director_litellm._parser import parse_response

    if isinstance(outcome, ErrorInfo):
        return failed(outcome)
    result = reported(parse_response(outcome.response, model=outcome.model), call, outcome.model)
    if result.status and (result.cached_tokens or result.cache_write_tokens):
        result.cost = (
            _pricing.cache_cost(
                _litellm.prices,
                *(outcome.model, result.send_tokens, result.recv_tokens),
                *(result.cached_tokens, result.cache_write_tokens),
            )
            or result.cost
        )
    if result.status:
        result = validated(result, call, config)
    logger.debug(
        "LLM call to %s: %d attempt(s), %.0f ms, %d tokens",
        *(outcome.model, outcome.attempts, (time.monotonic() - outcome.started) * 1000, result.total_tokens),
    )
    return result


def validated(result: LLMResponse, call: Call, config: LiteLLMConfig) -> LLMResponse:
    """With a pydantic ``response_format``, attach the validated object or report the mismatch."""
    if call.schema_class is None or result.tool_calls:
        return result
    try:
        result.parsed = call.schema_class.model_validate_json(result.content)
    except Exception as exc:
        name = call.schema_class.__name__
        detail = scrub(exc, secrets(config))[:500]
        message = f"The model's answer did not match the requested {name} format."
        mismatch = failed(ErrorInfo("bad_response", message, model=result.model, detail=detail))
        mismatch.partial_content = result.content
        return mismatch
    return result


def stream_response(
    call: Call, config: LiteLLMConfig, acc: StreamAccumulator, outcome: retry.Success[Any], broke: Exception | None
) -> LLMResponse:
    """A stream's final response: what arrived, or an ERROR keeping the text so far if it broke."""
    if broke is not None and not acc.ended_without_finish_reason(broke):
        return acc.failed(logged(attempt_failed(config, broke, outcome.model, outcome.attempts, streamed=True)))
    from director_litellm._context_call import reported

    result = reported(acc.response(), call, outcome.model)
    result.model = result.model or outcome.model
    result.cost = _pricing.stream_cost(
        _litellm.prices,
        _litellm.token_cost,
        *(outcome.model, result.send_tokens, result.recv_tokens, result.cached_tokens, result.cache_write_tokens),
    )
    return validated(result, call, config)


def attempt_failed(
    config: LiteLLMConfig, exc: BaseException, model: str, attempts: int, streamed: bool = False
) -> ErrorInfo:
    """One failed attempt, classified; its traceback goes to the DEBUG log."""
    info = replace(classify(exc, model=model, secrets=secrets(config), streamed=streamed), attempts=attempts)
    _log_traceback(exc, info)
    return info


__all__ = ["attempt_failed", "completed", "failed", "logged", "stream_response", "validated"]
