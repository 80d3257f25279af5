"""The shape of ``LLMResponse.error``: a classified failure as a plain dict (``ErrorInfo.as_dict()``).

Apart from ``_error_types`` because pydantic takes a TypedDict field only from ``typing_extensions``
before Python 3.12, and ``errors`` (imported by ``discovery`` without site-packages) names it only
for type checking.
"""

from __future__ import annotations

from typing_extensions import TypedDict

from director_litellm._error_types import Category


class ErrorDetails(TypedDict):
    """``LLMResponse.error``: the fields of ``errors.ErrorInfo``."""

    category: Category
    message: str  # short, safe, shown to end users
    retryable: bool
    status_code: int | None
    provider: str | None
    retry_after: float | None
    model: str | None
    detail: str | None  # scrubbed, truncated upstream text, for operators
    attempts: int


__all__ = ["ErrorDetails"]
