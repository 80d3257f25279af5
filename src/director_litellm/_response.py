"""The response type returned by every call, and Director's status convention.

When Director is importable these subclass Director's own ``LLMResponse`` and
reuse its ``LLMResponseStatus``, so ``isinstance`` checks in Director hold;
otherwise field-for-field equivalents are defined here. Director's convention:
``status`` is ``True`` on success, ``False`` on error, and defaults to error.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from director_litellm._context_fit import ContextFit
from director_litellm._director import director_base
from director_litellm._error_details import ErrorDetails

_base = director_base()

if _base is not None:
    LLMResponseStatus = _base.LLMResponseStatus
    _ResponseBase: type[BaseModel] = _base.LLMResponse
else:

    class LLMResponseStatus:  # type: ignore[no-redef]
        """Director's status values: a plain class of two booleans."""

        SUCCESS: bool = True
        ERROR: bool = False

    class _DirectorLLMResponse(BaseModel):
        """Field-for-field copy of ``director.llm.base.LLMResponse``."""

        content: str = ""
        tool_calls: list[dict[str, Any]] = []
        send_tokens: int = 0
        recv_tokens: int = 0
        total_tokens: int = 0
        finish_reason: str = ""
        status: int = LLMResponseStatus.ERROR

    _ResponseBase = _DirectorLLMResponse


class LLMResponse(_ResponseBase):  # type: ignore[valid-type,misc]
    """Director's seven fields plus what this adapter knows about the call.

    ``content`` is always a string and, on error, a short sentence that is safe to
    show an end user. ``error`` carries the classified failure (see ``errors``).
    ``model`` is the model that answered (after fallbacks); ``deployment`` the Router
    deployment id when a Router answered. ``raw_tool_arguments`` keeps, by tool-call id, argument text that was not valid
    JSON (the call's ``arguments`` is then ``{}``), and the text of a call cut off by the token limit
    (``finish_reason="length"``; that call is not in ``tool_calls``), so nothing is lost silently.
    ``partial_content`` is the text a stream delivered before it broke (ERROR only).
    ``refusal`` is set when the model declined to answer (OpenAI ``message.refusal``, Anthropic
    ``stop_reason: "refusal"``): the text shown in ``content`` (the model's, or a short safe
    sentence when it gave none); such a response has ``finish_reason="refusal"`` and
    ``status=ERROR`` (category ``content_policy``), so Director ends the turn and shows it.
    ``parsed`` is the validated object when ``response_format`` was a pydantic model.
    ``cached_tokens`` / ``cache_write_tokens``: input tokens read from / written to the provider's
    prompt cache (part of ``send_tokens``, which stays the total input).
    ``context_fit`` says how the conversation was fitted into the model's window (messages dropped,
    tool results shortened, tokens before and after); None when it was sent whole.
    """

    cost: float | None = None
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_content: str | None = None
    model: str | None = None
    deployment: str | None = None
    error: ErrorDetails | None = None
    raw_tool_arguments: dict[str, str] = {}
    partial_content: str | None = None
    refusal: str | None = None
    parsed: Any = None
    context_fit: ContextFit | None = None


__all__ = ["LLMResponse", "LLMResponseStatus"]
