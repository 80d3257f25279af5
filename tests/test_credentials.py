"""No key from any source: a configuration error naming the variable to set, and nothing sent.

issue 10, defect 7: with no key at all the call used to go out (or die in the openai client) and
come back as "The LLM provider rejected the API key [auth, HTTP 500]".
"""

from __future__ import annotations

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider, LLMResponseStatus
from tests.fakes import FakeAnthropic, FakeOpenAI

USER = [{"role": "user", "content": "hi"}]
KEY = "sk-test-key-0123456789abcdef"


def _no_key(fake: FakeOpenAI | FakeAnthropic, model: str, **cfg: object) -> LiteLLMProvider:
    return LiteLLMProvider(LiteLLMConfig(chat_model=model, api_base=fake.url, num_retries=0, **cfg))


@pytest.mark.parametrize(
    ("model", "variable"),
    [("openai/gpt-4o-mini", "OPENAI_API_KEY"), ("anthropic/claude-3-5-haiku-latest", "ANTHROPIC_API_KEY")],
)
def test_no_key_anywhere_is_a_config_error_and_sends_nothing(
    openai_fake: FakeOpenAI, anthropic_fake: FakeAnthropic, model: str, variable: str
) -> None:
    fake = openai_fake if model.startswith("openai/") else anthropic_fake
    r = _no_key(fake, model).chat_completions(USER)
    assert r.status == LLMResponseStatus.ERROR
    assert r.error["category"] == "config" and r.error["attempts"] == 0
    assert variable in r.content and "LITELLM_API_KEY" in r.content
    assert "rejected the API key" not in r.content
    assert len(fake.requests) == 0


def test_no_key_on_the_stream_and_async_paths(openai_fake: FakeOpenAI) -> None:
    import asyncio

    provider = _no_key(openai_fake, "openai/gpt-4o-mini")
    finals = [e for e in provider.stream_chat_completions(USER) if hasattr(e, "response")]
    assert finals and finals[-1].response.error["category"] == "config"
    r = asyncio.run(provider.achat_completions(USER))
    assert r.error["category"] == "config"
    assert len(openai_fake.requests) == 0


def test_a_fallback_without_a_key_is_named(openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    """The primary has its key (OPENAI_API_KEY); the Anthropic fallback has none: refused before sending."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    r = _no_key(openai_fake, "openai/gpt-4o-mini", fallbacks=["anthropic/claude-3-5-haiku-latest"]).chat_completions(
        USER
    )
    assert r.error["category"] == "config" and "ANTHROPIC_API_KEY" in r.content
    assert len(openai_fake.requests) == 0


@pytest.mark.parametrize("source", ["config", "LITELLM_API_KEY", "provider variable"])
def test_a_key_from_any_source_is_enough(openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    cfg: dict[str, object] = {}
    if source == "config":
        cfg["api_key"] = KEY
    else:
        monkeypatch.setenv("LITELLM_API_KEY" if source == "LITELLM_API_KEY" else "OPENAI_API_KEY", KEY)
    r = _no_key(openai_fake, "openai/gpt-4o-mini", **cfg).chat_completions(USER)
    assert r.status == LLMResponseStatus.SUCCESS, r.error
    assert len(openai_fake.requests) == 1
    assert openai_fake.requests[0].headers.get("authorization") == f"Bearer {KEY}"


def test_providers_that_need_no_key_are_not_refused(openai_fake: FakeOpenAI) -> None:
    """hosted_vllm (an OpenAI-compatible server) takes no key: the call goes out."""
    r = _no_key(openai_fake, "hosted_vllm/gpt-4o-mini").chat_completions(USER)
    assert r.error is None or r.error["category"] != "config", r.error
    assert len(openai_fake.requests) == 1
