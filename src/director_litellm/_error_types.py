"""The vocabulary of failures: the categories a failure is classified into, and the shape of
``LLMResponse.error``. A leaf: ``errors``, ``error_hints``, ``retry``, the response and the observers
all name them."""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict  # pydantic reads a TypedDict field only from here before Python 3.12

#: what happened, whatever the provider or litellm called it (the table in ``errors``' docstring)
Category = Literal[
    "auth",
    "permission",
    "not_found",
    "bad_request",
    "context_window",
    "content_policy",
    "unsupported_params",
    "rate_limit",
    "timeout",
    "connection",
    "server",
    "bad_response",
    "invalid_input",
    "config",
    "blocked_version",
    "unknown",
]

#: the categories a retry can help
RETRYABLE: frozenset[Category] = frozenset({"rate_limit", "timeout", "connection", "server"})


class ErrorDetails(TypedDict):
    """``LLMResponse.error``: a classified failure as a plain dict (``ErrorInfo.as_dict()``)."""

    category: Category
    message: str  # short, safe, shown to end users
    retryable: bool
    status_code: int | None
    provider: str | None
    retry_after: float | None
    model: str | None
    detail: str | None  # scrubbed, truncated upstream text, for operators
    attempts: int


__all__ = ["RETRYABLE", "Category", "ErrorDetails"]
