"""Errors: the package's own exception tree, and the classification of upstream failures.

The package's own exceptions::

    DirectorLiteLLMError                 root of everything this package raises
     ├── ConfigError (ValueError)        a bad setting; names the LITELLM_* variable
     ├── InvalidInputError (ValueError)  malformed messages / tools / response_format / stop;
     │    │                              detected before any request leaves the process
     │    └── ContextWindowError         the system messages and current run alone exceed the
     │                                   model's window (``context_fit``); nothing was sent
     └── ProviderLoadError               discovery: an entry point could not be used
          ├── ProviderNotFoundError (LookupError)      no such name; lists the available ones
          ├── DuplicateProviderError (LookupError)     two distributions declare the name
          ├── ProviderImportError (ImportError)        names the distribution, version, cause
          └── IncompatibleProviderError (TypeError)    not a provider, or wrong API major
          (defined in ``discovery``, which must stay importable without pydantic)

``chat_completions`` never raises: failures become an ERROR ``LLMResponse`` whose
``content`` is a short sentence safe to show an end user and whose ``error`` is
``ErrorInfo.as_dict()``. Upstream (litellm) failures are classified into the
categories below (``error_types.Category``) by what actually happened, by the ordered rules in ``_RULES`` (the
status codes, class names and texts they look for are in ``error_hints``)
(transport failures along the exception chain first, then known texts, then
litellm's most specific classes, then the true HTTP status, then the remaining
classes), because litellm's own mapping is lossy: a refused connection arrives as
a 500 ``InternalServerError``, a 403 as a generic ``APIError``, 408 and 504 as ``Timeout``.

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
    invalid_input       no         this package or litellm refused the input; nothing was sent
    config              no         bad configuration, or a package the route needs is not
                                   installed (the message names the install command); nothing was sent
    blocked_version     no         the installed litellm is known to be compromised
    unknown             no         anything else

No secret reaches a message: every text that leaves this module goes through ``scrub.scrub``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, NamedTuple, cast

from director_litellm import _error_hints as hints
from director_litellm._error_types import RETRYABLE, Category
from director_litellm._retry_after import retry_after_seconds
from director_litellm._scrub import scrub

if TYPE_CHECKING:
    from director_litellm._error_details import ErrorDetails


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


class ContextWindowError(InvalidInputError):
    """Even the system messages and the current run alone exceed the model's window; nothing was sent."""


@dataclass(frozen=True)
class ErrorInfo:
    """A classified failure; travels on the response as ``response.error``."""

    category: Category
    message: str  # short, safe, shown to end users
    retryable: bool = False
    status_code: int | None = None
    provider: str | None = None
    retry_after: float | None = None
    model: str | None = None
    detail: str | None = None  # scrubbed, truncated upstream text, for operators
    attempts: int = 1

    def as_dict(self) -> ErrorDetails:
        return cast("ErrorDetails", asdict(self))


def user_message(category: Category, detail: str = "") -> str:
    base = hints.USER_TEXT.get(category, hints.USER_TEXT["unknown"])
    return f"{base}: {detail}" if detail else base


# --- classification --------------------------------------------------------------------


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
    return any(isinstance(err, (KeyError, IndexError, AttributeError)) for err in chain[1:]) or _error_body(chain)


def _error_body(chain: list[BaseException]) -> bool:
    deepest = chain[-1]
    return len(chain) > 1 and type(deepest) is Exception and not str(deepest).strip()


def _answered(exc: BaseException) -> bool:
    """An HTTP answer is along the chain: an exception raised outside litellm (httpx, the openai
    client) that carries the status which came back. litellm's own exceptions always carry a
    status, real or not: when litellm refuses a request itself, it labels it 400."""
    return any(_status_of(err) is not None and not type(err).__module__.startswith("litellm") for err in _chain(exc))


def _refused_locally(e: _Evidence) -> bool:
    """litellm refused the request before sending it (a parameter the model does not take, a value
    it cannot map, a message it cannot convert): its 400 classes with no HTTP answer behind them."""
    if e.streamed or not e.names & hints.LOCAL_REFUSAL_CLASSES or e.names & hints.NOT_LOCAL_CLASSES:
        return False
    return not _answered(e.exc) and not _error_body(list(_chain(e.exc)))


# "litellm.BadRequestError: AnthropicException - ", possibly repeated
_LITELLM_PREFIX = re.compile(r"^(?:\s*(?:litellm\.\w+:|\w+Exception -))+\s*")
# litellm's advice names its process-wide settings, which this package never sets
_LITELLM_ADVICE = re.compile(
    r"[\s.]*(?:To drop (?:these|unsupported)|Either provide one, or set|If you want to use these|set [`']litellm\.).*",
    re.S,
)


def _refusal_reason(exc: BaseException, names: frozenset[str]) -> str:
    """What litellm refused and what to change, from its own sentence: without its class-name
    prefixes and its advice to set litellm globals, and with the setting this package offers."""
    reason = _LITELLM_ADVICE.sub("", _LITELLM_PREFIX.sub("", str(exc)).strip())
    reason = " ".join(reason.split()).rstrip(" .,;:")
    if len(reason) > 240:
        reason = reason[:239] + "…"
    if "UnsupportedParamsError" in names:
        reason += "; remove it from the call, or set LITELLM_DROP_UNSUPPORTED_PARAMS=true to let litellm drop it"
    return reason or "litellm refused the request"


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
        seconds = retry_after_seconds(headers)
        if seconds is not None:
            return seconds
    return None


@dataclass(frozen=True)
class _Evidence:
    """What ``classify`` looks at: every class name and the text along the exception chain, the true status."""

    exc: BaseException
    names: frozenset[str]
    text: str  # lower-cased
    status: int | None
    streamed: bool = False  # raised while reading a stream: the request was sent

    def says(self, hints: Iterable[str]) -> bool:
        return any(hint in self.text for hint in hints)


#: one classification rule: the category it gives for the evidence, or None when it does not apply
_Rule = Callable[["_Evidence"], Category | None]


def _when(category: Category, test: Callable[[_Evidence], bool]) -> _Rule:
    return lambda e: category if test(e) else None


def _says(hint: str, category: Category) -> _Rule:
    return _when(category, lambda e: hint in e.text)


def _is(class_name: str, category: Category) -> _Rule:
    return _when(category, lambda e: class_name in e.names)


def _by_status(e: _Evidence) -> Category | None:
    if e.status is None:
        return None
    if e.status in hints.BY_STATUS:
        return hints.BY_STATUS[e.status]
    if e.status >= 500:
        return "server"
    return "bad_request" if 400 <= e.status < 500 else None


_MISSING_MODULE = re.compile(r"no module named '([\w.]+)'|missing (?:optional dependency )?'?([\w.-]+)'? to call")
_MISSING_DEPENDENCY = re.compile(r"missing optional dependency '([\w.-]+)'")


def missing_package(e: _Evidence) -> str | None:
    """``the <module> package is not installed; run: <command>`` when a package the provider's route
    needs could not be imported, else None: nothing was sent, and no retry can help.

    The evidence: an ImportError along the chain that says a package is missing (``vertex_ai/``
    without google-auth, Bedrock without boto3, Claude on Vertex without google-cloud-aiplatform on
    litellm 1.60), whatever litellm wrapped it in, or litellm's own sentence for it. The command
    comes from ``error_hints.INSTALL_COMMANDS`` (the package's extras), else from the error's own
    ``pip install …``, else ``pip install <module>``.
    """
    imports = [err for err in _chain(e.exc) if isinstance(err, ImportError)]
    if not any(h in str(err).lower() for err in imports for h in hints.MISSING_PACKAGE_HINTS) and not e.says(
        hints.MISSING_PACKAGE_SENTENCES
    ):
        return None
    module = next((err.name for err in imports if isinstance(err, ModuleNotFoundError) and err.name), None)
    if module is None:
        match = _MISSING_DEPENDENCY.search(e.text) or _MISSING_MODULE.search(e.text)
        module = next((g for g in match.groups() if g), None) if match else None
    if module is None and "google cloud sdk not found" in e.text:
        module = "google"
    top = (module or "").split(".")[0]
    command = dict(hints.INSTALL_COMMANDS).get(top)
    if command is None:
        quoted = re.search(r"pip install [^`'\n]+", " ".join(str(err) for err in imports))
        command = quoted.group(0).strip(" .'\"") if quoted else f"pip install {top}" if top else None
    what = f"the {top} package is not installed" if top else "a package this model's provider needs is not installed"
    return f"{what}; run: {command}" if command else what


def _missing_credentials(e: _Evidence) -> str | None:
    """What to set when a cloud route found no credentials at all (nothing was sent), or None."""
    return next((fix for name, text, fix in hints.MISSING_CREDENTIALS if name in e.names or text in e.text), None)


def _refused_credentials(e: _Evidence) -> str | None:
    """What to check when the cloud's token endpoint refused the credentials, or None."""
    return next((fix for name, text, fix in hints.REFUSED_CREDENTIALS if name in e.names and text in e.text), None)


# The classification rules, in order: the first that gives a category wins; none gives "unknown".
_RULES: tuple[_Rule, ...] = (
    # a package the route needs is missing (litellm 1.60 says so in an APIConnectionError, 1.110
    # raises ModuleNotFoundError): nothing was sent and no retry can help
    _when("config", lambda e: missing_package(e) is not None),
    _when("config", lambda e: _missing_credentials(e) is not None),
    _when("auth", lambda e: _refused_credentials(e) is not None),
    # transport failures first: litellm reports a refused connection as a 500
    _when("timeout", lambda e: bool(e.names & hints.TRANSPORT_TIMEOUT)),
    _when("connection", lambda e: bool(e.names & hints.TRANSPORT_CONNECTION) or e.says(hints.CONNECTION_HINTS)),
    # litellm's per-call num_retries needs tenacity, which litellm does not install
    _when("config", lambda e: "tenacity" in e.text and "import" in e.text),
    # the provider answered, but not with JSON we can read (litellm reports a 500)
    _when("bad_response", lambda e: "JSONDecodeError" in e.names or e.says(hints.BAD_BODY_HINTS)),
    # the openai client raises before sending when no key is found; litellm maps that to a 500
    _when("auth", lambda e: e.says(hints.AUTH_HINTS)),
    *(_says(hint, category) for hint, category in hints.GATEWAY_HINTS),
    # litellm refused the request itself: ours to fix, not the provider's (before "unreadable
    # answer": a message litellm cannot convert fails with an IndexError or ValueError inside)
    _when("invalid_input", _refused_locally),
    _when("bad_response", lambda e: _unreadable_answer(e.exc)),
    *(_is(name, category) for name, category in hints.SPECIFIC_CLASSES),
    _by_status,
    *(_is(name, category) for name, category in hints.GENERAL_CLASSES),
    _when("server", lambda e: "overloaded" in e.text),
    _when("rate_limit", lambda e: "rate limit" in e.text),
)


def _category(evidence: _Evidence) -> Category:
    for rule in _RULES:
        category = rule(evidence)
        if category is not None:
            return category
    return "unknown"


def classify(
    exc: BaseException, *, model: str | None = None, secrets: Iterable[str | None] = (), streamed: bool = False
) -> ErrorInfo:
    """Classify any exception raised by a litellm call into an ``ErrorInfo`` (rules: ``_RULES``, in order).

    ``streamed``: it was raised while reading a stream, so the request was sent, whatever the
    exception looks like (an error event inside a stream comes as litellm's own 400 with no HTTP
    error behind it, like a request litellm refused itself).
    """
    secrets = list(secrets)
    if isinstance(exc, ContextWindowError):
        message = f"{hints.USER_TEXT['context_window'].rstrip('.')}: {scrub(exc, secrets)}"
        return ErrorInfo("context_window", message, model=model)
    if isinstance(exc, InvalidInputError):
        return ErrorInfo("invalid_input", user_message("invalid_input", scrub(exc, secrets)), model=model)
    if isinstance(exc, ConfigError):
        return ErrorInfo("config", user_message("config", scrub(exc, secrets)), model=model)

    chain = list(_chain(exc))
    text = " ".join(str(err) for err in chain).lower()
    names = frozenset(cls.__name__ for err in chain for cls in type(err).__mro__)
    status = _true_status(exc, text)
    evidence = _Evidence(exc, names, text, status, streamed)
    category = _category(evidence)
    message = user_message(category)
    missing = missing_package(evidence) if category == "config" else None
    if missing:
        status = None  # nothing was sent: litellm's 500 is its own label
        message = user_message(category, missing)
    if category in ("connection", "invalid_input"):
        status = None  # no HTTP answer came back; litellm's 500 or 400 is its own label
    if category == "invalid_input":
        message = user_message(category, scrub(_refusal_reason(exc, names), secrets))
    if category in ("config", "auth") and not missing:
        evidence = _Evidence(exc, names, text, status, streamed)
        fix = _missing_credentials(evidence) if category == "config" else _refused_credentials(evidence)
        message = f"{fix}." if category == "auth" and fix else user_message(category, fix or "")
    provider = getattr(exc, "llm_provider", None)
    detail = scrub(getattr(exc, "message", None) or exc, secrets)
    return ErrorInfo(
        category=category,
        message=message,
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
    "ContextWindowError",
    "DirectorLiteLLMError",
    "ErrorInfo",
    "InvalidInputError",
    "classify",
    "user_message",
]
