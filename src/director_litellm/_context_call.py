"""One call's conversation fitted into each model's window: the lookups ``context_fit`` is given.

``request`` asks three things here: the messages to send to one model (``fitted``: the window from
``LITELLM_CONTEXT_WINDOW`` or litellm's model data, litellm's token counter, memoized), whether
the context fallback goes first (``context_first``), and what to send once more after the provider
answered ``context_window`` (``refit``). What fitting did is kept on the call per model
(``call.fits``), for the response.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from director_litellm import _context_fit as context_fit
from director_litellm import _litellm
from director_litellm import _token_counts as token_counts
from director_litellm._errors import ContextWindowError
from director_litellm._target import Target

if TYPE_CHECKING:
    from director_litellm._context_fit import ContextFit
    from director_litellm._response import LLMResponse

logger = logging.getLogger(__name__)

#: after the provider refused a fitted request: fit into this share of what was sent
SQUEEZE = 0.7


@dataclass(frozen=True)
class Context:
    """``LITELLM_CONTEXT_*`` for one call: the window override (chat model and ``fallbacks``) and the
    context fallback, whose window always comes from litellm's model data."""

    window: int | None
    fallback: Target | None


class Call(Protocol):
    """What fitting reads and keeps of one call (``_request.Call``)."""

    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None
    targets: list[Target]
    requests: dict[str, dict[str, Any]]
    context: Context | None
    fits: dict[str, ContextFit | None]

    @property
    def rules_model(self) -> Callable[[str], str]: ...

    def request_for(self, target: Target) -> dict[str, Any]: ...


C = TypeVar("C", bound=Call)


def fitted(call: Call, model: str, rules: str, max_tokens: int, squeeze: int | None = None) -> list[dict[str, Any]]:
    """The call's messages fitted into ``model``'s window (``rules``: the model litellm's data is read
    for); ``squeeze``: into that many tokens of conversation at most (the provider refused more)."""
    assert call.context is not None
    fallback = call.context.fallback
    window = None if fallback is not None and model == fallback.model else call.context.window
    window = window or _litellm.context_window(rules)
    if window is None:  # a model litellm does not know, and no LITELLM_CONTEXT_WINDOW: sent whole
        call.fits[model] = None
        return call.messages
    tools_tokens = token_counts.tools_tokens(rules, call.tools, _litellm.count_tokens)
    if squeeze is not None:
        window = min(window, max_tokens + tools_tokens + squeeze)
    messages, call.fits[model] = context_fit.fit(
        call.messages,
        window=window,
        max_tokens=max_tokens,
        tools_tokens=tools_tokens,
        count=lambda message: token_counts.message_tokens(rules, message, _litellm.count_tokens),
    )
    return messages


def context_first(call: C, request_for: Callable[[C, Target], dict[str, Any]]) -> None:
    """The context fallback goes first when the chat model would have to be trimmed and it holds the whole."""
    fallback = call.context.fallback if call.context is not None else None
    if fallback is None or fallback.model == call.targets[0].model:
        return
    primary = call.targets[0]
    try:
        request_for(call, primary)
        if call.fits.get(primary.model) is None:
            return
    except ContextWindowError:
        pass
    try:
        request_for(call, fallback)
    except ContextWindowError:
        return
    if call.fits.get(fallback.model) is None:
        logger.info(
            "LLM call to %s: the conversation does not fit its window; sending it whole to %s (context fallback)",
            *(primary.model, fallback.model),
        )
        call.targets = [fallback, *(t for t in call.targets if t.model != fallback.model)]


def refit(call: Call, target: Target, build: Callable[[int], dict[str, Any]]) -> tuple[Target, dict[str, Any]] | None:
    """After the provider answered ``context_window``: the request to send once more, or None.

    The context fallback with the whole conversation, if the chat model got it whole and the
    fallback was not tried yet (litellm's ``context_window_fallbacks``); else the same model's
    conversation fitted tighter (``build(squeeze)``): into ``SQUEEZE`` of what was sent.
    """
    if call.context is None:
        return None
    fallback = call.context.fallback
    before = call.fits.get(target.model)
    untried = fallback is not None and fallback.model not in call.requests
    if fallback is not None and untried and target.model != fallback.model and before is None:
        try:
            return fallback, call.request_for(fallback)
        except ContextWindowError:
            pass
    rules = call.rules_model(target.model)
    if before is not None:
        sent = before.tokens_after - token_counts.tools_tokens(rules, call.tools, _litellm.count_tokens)
    else:
        sent = sum(token_counts.message_tokens(rules, m, _litellm.count_tokens) for m in call.messages)
    request = call.requests.pop(target.model, None)
    try:
        tighter = build(int(SQUEEZE * sent))
        after = call.fits.get(target.model)
        if after is not None and (before is None or after.tokens_after < before.tokens_after):
            return target, tighter
    except ContextWindowError:
        pass
    call.fits[target.model] = before  # nothing more could go: the provider's answer stands
    if request is not None:
        call.requests[target.model] = request
    return None


def reported(result: LLMResponse, call: Call, model: str) -> LLMResponse:
    """``result`` with what fitting did for ``model`` (``context_fit``), said once more in one INFO line."""
    fit = call.fits.get(model)
    if fit is not None:
        result.context_fit = fit
        logger.info(
            "LLM call to %s: conversation fitted into the context window: %d message(s) dropped, "
            "%d tool result(s) shortened, %d -> %d tokens",
            *(model, fit.messages_dropped, fit.tool_results_shortened, fit.tokens_before, fit.tokens_after),
        )
    return result


__all__ = ["SQUEEZE", "Context", "context_first", "fitted", "refit", "reported"]
