"""Secret scrubbing: masks keys and credential shapes in any text, and in the logs of the libraries underneath.

``scrub(text, secrets)`` replaces each given secret, then every credential shape in ``_PATTERNS``
(bearer tokens, api-key headers, key query parameters, ``user:pass@`` in URLs, well-known key
prefixes). ``protect_logs`` puts a ``SecretScrubbingFilter`` on litellm's and the HTTP stack's
loggers: a filter only, no level, handler or litellm setting is changed.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

_MASK = "***"
_PATTERNS = [
    # Authorization: Bearer <token>, also in repr'd header dicts
    (re.compile(r"(?i)(bearer\s+)[^\s'\",}]+"), r"\1" + _MASK),
    # x-api-key / api-key / x-goog-api-key headers, in any quoting; not the documented placeholder
    # values (``LITELLM_API_KEY=none`` for a local server), which are hints to the reader, not keys
    (
        re.compile(
            r"(?i)((?:x-)?(?:goog-)?api[-_]?key['\"]?\s*[:=]\s*['\"]?)(?!(?:none|null)(?:[\s'\",}&);.]|$))[^\s'\",}&]+"
        ),
        r"\1" + _MASK,
    ),
    # ?key=..., &key=..., ?api_key=..., &access_token=...
    (re.compile(r"(?i)([?&](?:key|api[-_]?key|access[-_]?token|token|sig|signature)=)[^&\s'\"#]+"), r"\1" + _MASK),
    # credentials in URLs: scheme://user:pass@host, also with an empty user (scheme://:pass@host)
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s:@'\"]*:[^/\s@'\"]*@"), r"\1" + _MASK + "@"),
    # well-known key shapes
    (re.compile(r"\b(sk|rk|pk)-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_\-]{12,}"), _MASK),
    (re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"), _MASK),
]


def scrub(text: Any, secrets: Iterable[str | None] = ()) -> str:
    """Return ``text`` with known secrets and credential shapes masked."""
    out = str(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            out = out.replace(secret, _MASK)
    for pattern, repl in _PATTERNS:
        out = pattern.sub(repl, out)
    return out


# --- logs written by the libraries underneath ----------------------------------------

# Loggers of litellm and its HTTP stack that can carry a key or a credentialed URL: litellm
# 1.60 logs whole calls (api_key included) at DEBUG; httpx logs request URLs at INFO.
GUARDED_LOGGERS = (
    "LiteLLM",
    "LiteLLM Router",
    "LiteLLM Proxy",
    "httpx",
    "httpcore.http11",
    "httpcore.connection",
    "openai._base_client",
    "anthropic._base_client",
)
_log_secrets: set[str] = set()
_log_lock = threading.Lock()


class SecretScrubbingFilter(logging.Filter):
    """Masks secrets in a record's message and traceback; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = tuple(_log_secrets)
        try:
            message = record.getMessage()
        except Exception:
            return True
        clean = scrub(message, secrets)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = scrub(text, secrets), None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text, secrets)
        return True


_FILTER = SecretScrubbingFilter()


_guarded: list[logging.Logger] = []


def protect_logs(secrets: Iterable[str | None]) -> None:
    """Register ``secrets`` for masking and put the filter on the guarded loggers (idempotent).

    This adds a logging filter only: no level, handler or litellm setting is changed.
    Called on every request: the usual case (nothing new, filters in place) takes no lock
    and no ``logging.getLogger`` call.
    """
    new = [s for s in secrets if s and len(s) >= 4 and s not in _log_secrets]
    if not new and _guarded and all(_FILTER in logger.filters for logger in _guarded):
        return
    with _log_lock:
        _log_secrets.update(new)
        if not _guarded:
            _guarded.extend(logging.getLogger(name) for name in GUARDED_LOGGERS)
        for logger in _guarded:
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)


__all__ = ["GUARDED_LOGGERS", "SecretScrubbingFilter", "protect_logs", "scrub"]
