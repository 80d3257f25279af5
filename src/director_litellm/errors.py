"""Errors: the package's own exception tree, litellm error classification, scrubbing.

The package's own exceptions::

    DirectorLiteLLMError                 root of everything this package raises
     ├── ConfigError (ValueError)        a bad setting; names the LITELLM_* variable
     ├── InvalidInputError (ValueError)  malformed messages / tools / response_format / stop;
     │                                   detected before any request leaves the process
     └── ProviderLoadError               discovery: an entry point could not be used
          ├── ProviderNotFoundError (LookupError)      no such name; lists the available ones
          ├── DuplicateProviderError (LookupError)     two distributions declare the name
          ├── ProviderImportError (ImportError)        names the distribution, version, cause
          └── IncompatibleProviderError (TypeError)    not a provider, or wrong API major
          (defined in ``discovery``, which must stay importable without pydantic)

``chat_completions`` never raises: failures become an ERROR ``LLMResponse`` whose
``content`` is a short sentence safe to show an end user and whose ``error`` is
``ErrorInfo.as_dict()``. Upstream (litellm) failures are classified into the
categories below by what actually happened (status code first, then the
exception chain for transport failures, then litellm's class name), because
litellm's own mapping is lossy: a refused connection arrives as a 500
``InternalServerError``, a 403 as a generic ``APIError``, 408 and 504 as ``Timeout``.

    category            retryable  typical cause
    auth                no         401, bad or missing key
    permission          no         403
    not_found           no         404, unknown model or wrong api_base
    bad_request         no         400 / 422, the provider refused the request
    context_window      no         prompt longer than the model's window
    content_policy      no         refused by the provider's safety system
    unsupported_params  no         a parameter the model does not take
    rate_limit          yes        429 (``retry_after`` when the provider sent one)
    timeout             yes        408, 504, read timeout
    connection          yes        refused, reset or dropped connection
    server              yes        500, 502, 503, 529 (overloaded)
    bad_response        no         the provider answered 200 with no usable answer
    invalid_input       no         this package refused the input; nothing was sent
    config              no         bad configuration; nothing was sent
    blocked_version     no         the installed litellm is known to be compromised
    unknown             no         anything else

No secret reaches a message: every text that leaves this module goes through
``scrub``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple


class DirectorLiteLLMError(Exception):
    """Root of every exception this package raises."""


class ConfigProblem(NamedTuple):
    """One invalid setting: the field, its ``LITELLM_*`` variable, the value as shown, what is wrong."""

    field: str
    variable: str
    value: str
    message: str


class ConfigError(DirectorLiteLLMError, ValueError):
    """A configuration value is invalid; the message names the variable.

    ``problems`` lists each invalid setting (empty when the error is not about one field), so a
    caller can name a setting its own way (the command line names its flags) without parsing text.
    """

    def __init__(self, message: str, *, problems: Iterable[ConfigProblem] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[ConfigProblem, ...] = tuple(problems)


class InvalidInputError(DirectorLiteLLMError, ValueError):
    """Messages, tools or options are malformed; nothing was sent."""


RETRYABLE = frozenset({"rate_limit", "timeout", "connection", "server"})

# what an end user is told; never upstream text
_USER_TEXT = {
    "auth": "The LLM provider rejected the API key. Check the key configured for this model.",
    "permission": "The API key is not allowed to use this model or endpoint.",
    "not_found": "The model or endpoint was not found. Check the model name and API base URL.",
    "bad_request": "The LLM provider refused the request as invalid.",
    "context_window": "The conversation is too long for this model's context window.",
    "content_policy": "The LLM provider refused the request under its content policy.",
    "unsupported_params": "The model does not support a parameter in this request.",
    "rate_limit": "The LLM provider is rate limiting requests. Please try again shortly.",
    "timeout": "The LLM provider did not answer in time.",
    "connection": "Could not connect to the LLM provider.",
    "server": "The LLM provider had an internal error or is overloaded. Please try again.",
    "bad_response": "The LLM provider returned a response that could not be used.",
    "invalid_input": "The request to the LLM was malformed and was not sent",
    "config": "director-litellm is misconfigured",
    "blocked_version": "The installed litellm release is blocked",
    "unknown": "The LLM call failed unexpectedly.",
}


@dataclass(frozen=True)
class ErrorInfo:
    """A classified failure; travels on the response as ``response.error``."""

    category: str
    message: str  # short, safe, shown to end users
    retryable: bool = False
    status_code: int | None = None
    provider: str | None = None
    retry_after: float | None = None
    model: str | None = None
    detail: str | None = None  # scrubbed, truncated upstream text, for operators
    attempts: int = 1

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def user_message(category: str, detail: str = "") -> str:
    base = _USER_TEXT.get(category, _USER_TEXT["unknown"])
    return f"{base}: {detail}" if detail else base


# --- scrubbing ----------------------------------------------------------------------

_MASK = "***"
_PATTERNS = [
    # Authorization: Bearer <token>, also in repr'd header dicts
    (re.compile(r"(?i)(bearer\s+)[^\s'\",}]+"), r"\1" + _MASK),
    # x-api-key / api-key / x-goog-api-key headers, in any quoting
    (re.compile(r"(?i)((?:x-)?(?:goog-)?api[-_]?key['\"]?\s*[:=]\s*['\"]?)[^\s'\",}&]+"), r"\1" + _MASK),
    # ?key=..., &key=..., ?api_key=..., &access_token=...
    (re.compile(r"(?i)([?&](?:key|api[-_]?key|access[-_]?token|token|sig|signature)=)[^&\s'\"#]+"), r"\1" + _MASK),
    # credentials in URLs: scheme://user:pass@host
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s:@'\"]+:[^/\s@'\"]*@"), r"\1" + _MASK + "@"),
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
_log_secrets: set = set()
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


# --- classification --------------------------------------------------------------------

_BY_STATUS = {
    400: "bad_request",
    401: "auth",
    402: "permission",
    403: "permission",
    404: "not_found",
    408: "timeout",
    409: "server",
    413: "context_window",
    422: "bad_request",
    429: "rate_limit",
    500: "server",
    502: "server",
    503: "server",
    504: "timeout",
    529: "server",
}

# litellm class names whose meaning is more specific than their status code
_BY_CLASS = {
    "ContextWindowExceededError": "context_window",
    "ContentPolicyViolationError": "content_policy",
    "UnsupportedParamsError": "unsupported_params",
    "BudgetExceededError": "rate_limit",
    "AuthenticationError": "auth",
    "PermissionDeniedError": "permission",
    "NotFoundError": "not_found",
    "RateLimitError": "rate_limit",
    "Timeout": "timeout",
    "APITimeoutError": "timeout",
    "BadRequestError": "bad_request",
    "UnprocessableEntityError": "bad_request",
    "ServiceUnavailableError": "server",
    "BadGatewayError": "server",
    "InternalServerError": "server",
    "MidStreamFallbackError": "connection",
}

_TRANSPORT_TIMEOUT = {
    "ReadTimeout",
    "WriteTimeout",
    "ConnectTimeout",
    "PoolTimeout",
    "TimeoutException",
    "TimeoutError",
    "APITimeoutError",
    "ServerTimeoutError",
}
_TRANSPORT_CONNECTION = {
    "ConnectError",
    "ConnectionRefusedError",
    "RemoteProtocolError",
    "ReadError",
    "ConnectionResetError",
    "ConnectionError",
    "ClientConnectorError",
    "ServerDisconnectedError",
    "ClientOSError",
    "IncompleteRead",
    "ClientPayloadError",
}
_CONNECTION_HINTS = (
    "connection refused",
    "connect call failed",
    "connection reset",
    "server disconnected",
    "peer closed connection",
    "connection error",
    "incomplete chunked read",
    "remoteprotocolerror",
    "all connection attempts failed",
    "name or service not known",
    "nodename nor servname",
)

_BAD_BODY_HINTS = (
    "expecting value: line",
    "expecting property name",
    "unterminated string",
    "expecting ',' delimiter",
    "invalid control character",
    "extra data: line",
)
_AUTH_HINTS = (
    "missing credentials",
    "api_key client option must be set",
    "no api key provided",
    "api key not found",
    "invalid x-api-key",
    "incorrect api key",
)
# LiteLLM Proxy / Router answers whose status code says less than their text (seen at the wire)
_GATEWAY_HINTS = (
    # a proxy without a database answers any key but its master key with 400 "No connected db."
    ("no connected db", "auth"),
    # the Router: every deployment cooling down, over its budget or rpm (litellm 1.60: no status)
    ("no deployments available", "rate_limit"),
    # the proxy: a model name its config does not have (400)
    ("invalid model name passed in", "not_found"),
)


def _chain(exc: BaseException) -> Iterable[BaseException]:
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _status_of(exc: BaseException) -> int | None:
    for candidate in (getattr(exc, "status_code", None), getattr(getattr(exc, "response", None), "status_code", None)):
        if isinstance(candidate, int) and 100 <= candidate < 600:
            return candidate
    return None


_ERROR_CODE = re.compile(r"error code: (\d{3})\b")


def _unreadable_answer(exc: BaseException) -> bool:
    """litellm failed while reading an answer, not while getting one.

    Two shapes seen at the wire: a parsing slip (``KeyError('usage')`` for an Anthropic
    reply without usage, reported as an APIConnectionError), and a 200 whose body is an
    ``{"error": ...}`` object (a bare, empty ``Exception`` under a BadRequestError).
    """
    chain = list(_chain(exc))
    if any(isinstance(err, (KeyError, IndexError, AttributeError)) for err in chain[1:]):
        return True
    deepest = chain[-1]
    return len(chain) > 1 and type(deepest) is Exception and not str(deepest).strip()


def _true_status(exc: BaseException, lowered_text: str) -> int | None:
    """The HTTP status that actually came back; litellm 1.60 reports some 401/404s as 400."""
    match = _ERROR_CODE.search(lowered_text)
    if match:
        return int(match.group(1))
    statuses = [s for s in (_status_of(err) for err in _chain(exc)) if s is not None]
    # the deepest exception is the HTTP client's own, closest to what happened
    return statuses[-1] if statuses else None


def _retry_after(exc: BaseException) -> float | None:
    for err in _chain(exc):
        response = getattr(err, "response", None)
        headers = getattr(response, "headers", None) or getattr(err, "headers", None)
        if not headers:
            continue
        try:
            value = headers.get("retry-after") or headers.get("Retry-After")
        except Exception:
            continue
        if value is None:
            continue
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue
        if seconds >= 0:
            return seconds
    return None


def classify(exc: BaseException, *, model: str | None = None, secrets: Iterable[str | None] = ()) -> ErrorInfo:
    """Classify any exception raised by a litellm call into an ``ErrorInfo``."""
    secrets = list(secrets)
    if isinstance(exc, InvalidInputError):
        return ErrorInfo("invalid_input", user_message("invalid_input", scrub(exc, secrets)), model=model)
    if isinstance(exc, ConfigError):
        return ErrorInfo("config", user_message("config", scrub(exc, secrets)), model=model)

    names = {cls.__name__ for err in _chain(exc) for cls in type(err).__mro__}
    text = " ".join(str(err) for err in _chain(exc)).lower()
    status = _true_status(exc, text)
    category: str | None = None

    # transport failures first: litellm reports a refused connection as a 500
    if names & _TRANSPORT_TIMEOUT:
        category = "timeout"
    elif names & _TRANSPORT_CONNECTION or any(hint in text for hint in _CONNECTION_HINTS):
        category = "connection"
    elif "tenacity" in text and "import" in text:
        category = "config"
    elif "JSONDecodeError" in names or any(hint in text for hint in _BAD_BODY_HINTS):
        # the provider answered, but not with JSON we can read (litellm reports a 500)
        category = "bad_response"
    elif _unreadable_answer(exc):
        category = "bad_response"
    elif any(hint in text for hint in _AUTH_HINTS):
        # the openai client raises before sending when no key is found; litellm maps that to a 500
        category = "auth"
    elif any(hint in text for hint, _ in _GATEWAY_HINTS):
        category = next(cat for hint, cat in _GATEWAY_HINTS if hint in text)
    else:
        specific = [
            _BY_CLASS[n]
            for n in (
                "ContextWindowExceededError",
                "ContentPolicyViolationError",
                "UnsupportedParamsError",
                "BudgetExceededError",
            )
            if n in names
        ]
        if specific:
            category = specific[0]
        elif status is not None and status in _BY_STATUS:
            category = _BY_STATUS[status]
        elif status is not None and status >= 500:
            category = "server"
        elif status is not None and 400 <= status < 500:
            category = "bad_request"
        else:
            for name in _BY_CLASS:
                if name in names:
                    category = _BY_CLASS[name]
                    break
    if category is None:
        if "overloaded" in text:
            category = "server"
        elif "rate limit" in text:
            category = "rate_limit"
        else:
            category = "unknown"

    if category == "connection":
        status = None  # no HTTP answer came back; litellm's 500 is its own label
    provider = getattr(exc, "llm_provider", None)
    detail = scrub(getattr(exc, "message", None) or exc, secrets)
    return ErrorInfo(
        category=category,
        message=user_message(category),
        retryable=category in RETRYABLE,
        status_code=status,
        provider=provider if isinstance(provider, str) and provider else None,
        retry_after=_retry_after(exc),
        model=model,
        detail=f"{type(exc).__name__}: {detail}"[:500],
    )


__all__ = [
    "RETRYABLE",
    "ConfigError",
    "ConfigProblem",
    "DirectorLiteLLMError",
    "ErrorInfo",
    "InvalidInputError",
    "classify",
    "protect_logs",
    "scrub",
    "user_message",
]
