"""classify: the ordered rules, one row per rule and per ordering that matters."""

from __future__ import annotations

from typing import Any

import pytest

from director_litellm._errors import RETRYABLE, ConfigError, InvalidInputError, classify


def err(
    name: str,
    message: str = "",
    *,
    status: int | None = None,
    cause: BaseException | None = None,
    module: str = __name__,
    **attrs: Any,
) -> Exception:
    """An exception of a class called ``name`` (as litellm's, openai's or httpx's), with a status and a cause.

    A class from outside litellm with a status stands for an HTTP answer (httpx, the openai client);
    ``module=LITELLM`` makes one of litellm's own, whose status is only its label.
    """
    exc: Exception = type(name, (Exception,), {"__module__": module})(message)
    if status is not None:
        exc.status_code = status  # type: ignore[attr-defined]
    for key, value in attrs.items():
        setattr(exc, key, value)
    exc.__cause__ = cause
    return exc


LITELLM = "litellm.exceptions"
UNMAPPED = "litellm.BadRequestError: Unmapped reasoning effort: 'extreme'. Must be one of: 'low', 'high'."
UNSUPPORTED = (
    "litellm.UnsupportedParamsError: anthropic does not support parameters: ['frequency_penalty'], for "
    "model=claude-3-5-haiku. To drop these, set `litellm.drop_params=True` or for proxy:\n\n`litellm_settings:`"
)
ANSWERED_400 = err("HTTPStatusError", "Client error '400 Bad Request'", status=400)


class _Headers(dict):  # type: ignore[type-arg]
    pass


ROWS: list[tuple[str, BaseException, str, int | None]] = [
    # (id, exception, category, status_code reported)
    ("refused under a 500", err("InternalServerError", "x", status=500, cause=err("ConnectError")), "connection", None),
    ("read timeout in chain", err("APIConnectionError", "x", status=500, cause=err("ReadTimeout")), "timeout", 500),
    ("connection refused text", err("APIError", "Connection refused by peer", status=500), "connection", None),
    ("tenacity missing", err("APIError", "tenacity import failed: no module", status=500), "config", 500),
    ("JSONDecodeError in chain", err("APIError", "x", status=500, cause=err("JSONDecodeError")), "bad_response", 500),
    ("bad body text", err("APIError", "Expecting value: line 1 column 1", status=500), "bad_response", 500),
    ("KeyError reading the answer", err("APIConnectionError", "x", cause=KeyError("usage")), "bad_response", None),
    ("200 with an error body", err("BadRequestError", "x", status=400, cause=Exception()), "bad_response", 400),
    (
        "no key found",
        err("InternalServerError", "Missing credentials. Please pass an api_key", status=500),
        "auth",
        500,
    ),
    ("proxy without db", err("BadRequestError", "No connected db.", status=400), "auth", 400),
    (
        "router cooling down",
        err("RouterRateLimitError", "No deployments available for selected model"),
        "rate_limit",
        None,
    ),
    (
        "proxy unknown model",
        err("BadRequestError", "Invalid model name passed in model=x", status=400),
        "not_found",
        400,
    ),
    ("context window over a 400", err("ContextWindowExceededError", "too long", status=400), "context_window", 400),
    ("content policy over a 400", err("ContentPolicyViolationError", "no", status=400), "content_policy", 400),
    ("unsupported param over a 400", err("UnsupportedParamsError", "no", status=400), "unsupported_params", 400),
    ("specific class beats status", err("ContextWindowExceededError", "x", status=429), "context_window", 429),
    ("budget exceeded", err("BudgetExceededError", "over budget"), "rate_limit", None),
    ("403 as generic APIError", err("APIError", "forbidden", status=403), "permission", 403),
    ("true status in the text", err("BadRequestError", "Error code: 401 - invalid", status=400), "auth", 401),
    (
        "deepest status wins",
        err("APIError", "x", status=400, cause=err("HTTPStatusError", status=404)),
        "not_found",
        404,
    ),
    ("unknown 4xx", err("APIError", "teapot", status=418), "bad_request", 418),
    ("unknown 5xx", err("APIError", "x", status=599), "server", 599),
    ("529 overloaded", err("APIError", "x", status=529), "server", 529),
    ("408", err("APIError", "x", status=408), "timeout", 408),
    ("status beats general class", err("AuthenticationError", "x", status=429), "rate_limit", 429),
    ("class when status is 2xx", err("RateLimitError", "x", status=200), "rate_limit", 200),
    ("auth class, no status", err("AuthenticationError", "x"), "auth", None),
    ("timeout class, no status", err("Timeout", "x"), "timeout", None),
    ("mid-stream fallback", err("MidStreamFallbackError", "x"), "connection", None),
    ("overloaded text", err("APIError", "Overloaded"), "server", None),
    ("rate limit text", err("APIError", "rate limit exceeded"), "rate_limit", None),
    ("anything else", ValueError("boom"), "unknown", None),
    # litellm refused the request itself: no HTTP answer along the chain (issue 10, defect 10)
    ("refused by litellm", err("BadRequestError", UNMAPPED, status=400, module=LITELLM), "invalid_input", None),
    (
        "unsupported, by litellm",
        err("UnsupportedParamsError", UNSUPPORTED, status=400, module=LITELLM),
        "invalid_input",
        None,
    ),
    (
        "a message litellm cannot convert",
        err("BadRequestError", "Image url not in expected format", status=400, module=LITELLM, cause=IndexError()),
        "invalid_input",
        None,
    ),
    (
        "litellm's 400 over an HTTP answer",
        err("BadRequestError", "bad", status=400, module=LITELLM, cause=ANSWERED_400),
        "bad_request",
        400,
    ),
    (
        "litellm's unsupported over an HTTP answer",
        err("UnsupportedParamsError", "no", status=400, module=LITELLM, cause=ANSWERED_400),
        "unsupported_params",
        400,
    ),
    (
        "200 with an error body, litellm's class",
        err("BadRequestError", "x", status=400, module=LITELLM, cause=Exception()),
        "bad_response",
        400,
    ),
]


@pytest.mark.parametrize("exc, category, status", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_classification_table(exc: BaseException, category: str, status: int | None) -> None:
    """Each rule gives its category, in order; retryable follows the category."""
    info = classify(exc, model="m")
    assert (info.category, info.status_code) == (category, status)
    assert info.retryable == (category in RETRYABLE)
    assert info.model == "m"


def test_subclass_names_count() -> None:
    """A subclass of a known litellm class is classified like it (names are read along the MRO)."""
    base = type("AuthenticationError", (Exception,), {})
    sub = type("ProxyAuthError", (base,), {})
    assert classify(sub("x")).category == "auth"


def test_our_own_refusals() -> None:
    """InvalidInputError and ConfigError keep their message; nothing was sent, so no status."""
    bad = classify(InvalidInputError("tools[0] needs a name"))
    assert bad.category == "invalid_input"
    assert "tools[0] needs a name" in bad.message
    assert bad.status_code is None
    assert classify(ConfigError("LITELLM_TIMEOUT=-1: bad")).category == "config"


def test_a_litellm_refusal_names_what_to_change() -> None:
    """litellm's sentence without its class prefixes or advice to set its globals, plus the setting we offer."""
    info = classify(err("UnsupportedParamsError", UNSUPPORTED, status=400, module=LITELLM))
    assert info.message == (
        "The request to the LLM was malformed and was not sent: anthropic does not support parameters: "
        "['frequency_penalty'], for model=claude-3-5-haiku; remove it from the call, or set "
        "LITELLM_DROP_UNSUPPORTED_PARAMS=true to let litellm drop it"
    )
    nested = "litellm.BadRequestError: AnthropicException - litellm.BadRequestError: Invalid Message passed in x"
    assert classify(err("BadRequestError", nested, status=400, module=LITELLM)).message.endswith(
        "not sent: Invalid Message passed in x"
    )
    assert classify(err("BadRequestError", UNMAPPED, status=400, module=LITELLM)).message.endswith(
        "not sent: Unmapped reasoning effort: 'extreme'. Must be one of: 'low', 'high'"
    )


def test_an_error_inside_a_stream_was_sent() -> None:
    """An error event in a stream arrives as litellm's own 400 with no HTTP error behind it: still the provider's."""
    mid_stream = err("BadRequestError", "OpenrouterException - Token limit reached", status=400, module=LITELLM)
    assert classify(mid_stream).category == "invalid_input"
    info = classify(mid_stream, streamed=True)
    assert (info.category, info.status_code) == ("bad_request", 400)


def test_retry_after_detail_and_provider() -> None:
    """Retry-After comes from the response headers; detail names the real type and is scrubbed."""
    response = type("Response", (), {"status_code": 429, "headers": _Headers({"retry-after": "2.5"})})()
    exc = err("RateLimitError", "slow down, key sk-abcdefghijklmnop1234", response=response, llm_provider="openai")
    info = classify(exc, secrets=["nothing-like-it"])
    assert info.category == "rate_limit"
    assert info.retry_after == 2.5
    assert info.provider == "openai"
    assert info.detail is not None
    assert info.detail.startswith("RateLimitError: ")
    assert "sk-abcdefghijklmnop1234" not in info.detail
    assert "***" in info.detail
    assert "slow down" not in info.message  # the user's text never carries upstream text


def test_every_category_has_its_user_text_and_no_other() -> None:
    """The ``Category`` vocabulary is the table in ``_errors``' docstring, and each has the sentence users see."""
    from typing import get_args

    from director_litellm._error_hints import USER_TEXT
    from director_litellm._error_types import RETRYABLE, Category

    documented = {
        *(["auth", "permission", "not_found", "bad_request", "context_window", "content_policy", "unsupported_params"]),
        *(
            [
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
        ),
    }
    assert set(get_args(Category)) == documented
    assert set(USER_TEXT) == documented
    assert {"rate_limit", "timeout", "connection", "server"} == RETRYABLE
