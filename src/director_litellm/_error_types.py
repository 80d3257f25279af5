"""The vocabulary of failures: the categories a failure is classified into. A leaf with no third-party
import (``discovery`` imports ``errors`` without site-packages): ``errors``, ``error_hints``, ``retry``
and the observers all name them."""

from __future__ import annotations

from typing import Literal

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


__all__ = ["RETRYABLE", "Category"]
