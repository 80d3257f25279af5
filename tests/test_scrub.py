"""scrub: every credential shape it masks, what it must leave alone, and the log filter."""

from __future__ import annotations

import logging

import pytest

from director_litellm._scrub import GUARDED_LOGGERS, SecretScrubbingFilter, protect_logs, scrub

# (text, what must disappear, what must remain) — one or more rows per pattern in scrub._PATTERNS
MASKED = [
    # Authorization: Bearer <token>, also in repr'd header dicts
    ("Authorization: Bearer abc.def-ghi", "abc.def-ghi", "Authorization: Bearer ***"),
    ("{'Authorization': 'Bearer tok123456'}", "tok123456", "'Bearer ***'"),
    # x-api-key / api-key / x-goog-api-key headers, in any quoting
    ("x-api-key: plainvalue42", "plainvalue42", "x-api-key: ***"),
    ("{'api-key': 'azurekey987'}", "azurekey987", "'api-key': '***'"),
    ('"x-goog-api-key": "googvalue1"', "googvalue1", '"x-goog-api-key": "***"'),
    ("api_key=rawsecret&x=1", "rawsecret", "api_key=***&x=1"),
    ("api_key=nonesuch-secret", "nonesuch-secret", "api_key=***"),  # only the whole word is a placeholder
    # ?key=..., &api_key=..., &access_token=..., sig / signature
    ("https://h/v1/models?key=qsecret1#frag", "qsecret1", "?key=***#frag"),
    ("GET /x?a=1&access_token=tok-abc&b=2", "tok-abc", "&access_token=***&b=2"),
    ("https://blob/x?sv=1&sig=sigvalue%2F", "sigvalue%2F", "&sig=***"),
    ("https://h/?token=t0k", "t0k", "?token=***"),
    # credentials in URLs: scheme://user:pass@host
    ("http://user:pa55@proxy.local:4000/v1", "pa55", "http://***@proxy.local:4000/v1"),
    ("redis://:onlypass@cache:6379", "onlypass", "redis://***@cache:6379"),
    # well-known key shapes
    ("key sk-proj-ABCDEFGHIJKLmnop was refused", "sk-proj-ABCDEFGHIJKLmnop", "key *** was refused"),
    ("sk-ant-api03-abcdefghijklmnop", "sk-ant-api03-abcdefghijklmnop", "***"),
    ("rk-live-0123456789abcdef", "rk-live-0123456789abcdef", "***"),
    ("AIzaSyA1234567890abcdefghijklmnop", "AIzaSyA1234567890abcdefghijklmnop", "***"),
]

UNTOUCHED = [
    "The model gpt-4o-mini answered in 120 ms",
    "http://proxy.local:4000/v1/chat/completions",  # no credentials in the URL
    "task-0123456789abcdef",  # not a key prefix
    "sk-short",  # too short to be a key
    "?keyboard=1",  # a parameter that only starts like key
    # documented placeholder values: hints that tell the user what to type, never a secret
    "a local server that takes no key accepts any value: LITELLM_API_KEY=none)",
    "api_key=none",
    "OPENAI_API_KEY=null, then retry",
]


@pytest.mark.parametrize("text, secret, expected", MASKED, ids=[row[1] for row in MASKED])
def test_credential_shapes_are_masked(text: str, secret: str, expected: str) -> None:
    """Each credential shape is replaced by *** and the text around it is kept."""
    out = scrub(text)
    assert secret not in out
    assert expected in out


@pytest.mark.parametrize("text", UNTOUCHED)
def test_ordinary_text_is_left_alone(text: str) -> None:
    """Text with no credential in it comes back unchanged."""
    assert scrub(text) == text


def test_given_secrets_are_masked_anywhere() -> None:
    """A configured secret of any shape is masked; secrets shorter than 4 characters are ignored."""
    assert scrub("custom secret hunter2 in text", ["hunter2", None, "abc"]) == "custom secret *** in text"
    assert scrub("abc stays", ["abc"]) == "abc stays"


def test_non_strings_are_scrubbed_as_text() -> None:
    """An exception or any object is scrubbed through str()."""
    assert scrub(ValueError("Bearer xyz987")) == "Bearer ***"


class TestLogFilter:
    def test_filter_masks_message_and_traceback(self) -> None:
        """The filter rewrites a record's message and traceback text, and never drops the record."""
        protect_logs(["registered-secret-1"])
        try:
            raise RuntimeError("failed with registered-secret-1")
        except RuntimeError:
            import sys

            record = logging.LogRecord(
                "LiteLLM", logging.DEBUG, __file__, 1, "key=%s", ("registered-secret-1",), sys.exc_info()
            )
        assert SecretScrubbingFilter().filter(record) is True
        assert "registered-secret-1" not in record.getMessage()
        assert record.exc_info is None
        assert record.exc_text
        assert "registered-secret-1" not in record.exc_text

    def test_protect_logs_guards_the_libraries_loggers_only(self) -> None:
        """protect_logs adds the filter to litellm's and the HTTP stack's loggers and changes no level."""
        levels = {name: logging.getLogger(name).level for name in GUARDED_LOGGERS}
        protect_logs(["another-secret-2"])
        protect_logs(["another-secret-2"])  # idempotent
        for name in GUARDED_LOGGERS:
            filters = [f for f in logging.getLogger(name).filters if isinstance(f, SecretScrubbingFilter)]
            assert len(filters) == 1
            assert logging.getLogger(name).level == levels[name]
        assert not any(isinstance(f, SecretScrubbingFilter) for f in logging.getLogger("director_litellm").filters)
