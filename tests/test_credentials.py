"""No key from any source: a configuration error naming the variable to set, and nothing sent.

issue 10, defect 7: with no key at all the call used to go out (or die in the openai client) and
come back as "The LLM provider rejected the API key [auth, HTTP 500]".
"""

from __future__ import annotations

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider, LLMResponseStatus, _litellm
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
    assert r.error["category"] == "config"
    assert r.error["attempts"] == 0
    assert variable in r.content
    assert "LITELLM_API_KEY" in r.content
    assert "rejected the API key" not in r.content
    assert len(fake.requests) == 0


def test_no_key_on_the_stream_and_async_paths(openai_fake: FakeOpenAI) -> None:
    import asyncio

    provider = _no_key(openai_fake, "openai/gpt-4o-mini")
    finals = [e for e in provider.stream_chat_completions(USER) if hasattr(e, "response")]
    assert finals
    assert finals[-1].response.error["category"] == "config"
    r = asyncio.run(provider.achat_completions(USER))
    assert r.error["category"] == "config"
    assert len(openai_fake.requests) == 0


def test_a_fallback_without_a_key_is_named(openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    """The primary has its key (OPENAI_API_KEY); the Anthropic fallback has none: refused before sending."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    r = _no_key(openai_fake, "openai/gpt-4o-mini", fallbacks=["anthropic/claude-3-5-haiku-latest"]).chat_completions(
        USER
    )
    assert r.error["category"] == "config"
    assert "ANTHROPIC_API_KEY" in r.content
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


@pytest.mark.parametrize("model", ["ollama/llama3", "ollama_chat/llama3", "hosted_vllm/x", "lm_studio/x"])
def test_local_providers_are_never_refused(model: str) -> None:
    """Providers litellm sends without a key need none from any source."""
    assert _litellm.missing_key_variables(model, "http://127.0.0.1:9/v1") == []
    assert _litellm.missing_key_variables(model) == []


def test_a_litellm_proxy_with_litellm_api_key(openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    """A LiteLLM Proxy as Director users set it up: ``openai/`` + LITELLM_API_BASE + LITELLM_API_KEY, from the env."""
    for name, value in {"CHAT_MODEL": "openai/gpt-4o-mini", "API_BASE": openai_fake.url, "API_KEY": KEY}.items():
        monkeypatch.setenv(f"LITELLM_{name}", value)
    r = LiteLLMProvider(num_retries=0).chat_completions(USER)
    assert r.status == LLMResponseStatus.SUCCESS, r.error
    assert openai_fake.requests[0].headers.get("authorization") == f"Bearer {KEY}"


def test_directors_setup_with_openai_api_key(openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    """LITELLM_CHAT_MODEL=openai/... with the key in OPENAI_API_KEY (Director's own variable) goes out."""
    monkeypatch.setenv("LITELLM_CHAT_MODEL", "openai/gpt-4o-mini")
    monkeypatch.setenv("LITELLM_API_BASE", openai_fake.url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    provider = LiteLLMProvider(num_retries=0)
    assert all(provider.chat_completions(USER).status == LLMResponseStatus.SUCCESS for _ in range(3))
    assert [r.headers.get("authorization") for r in openai_fake.requests] == [f"Bearer {KEY}"] * 3


def test_a_key_set_after_a_refusal_is_used(openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    """The verdict is not kept across a change: refused, key set, sent; key removed, refused again."""
    provider = _no_key(openai_fake, "openai/gpt-4o-mini")
    assert provider.chat_completions(USER).error["category"] == "config"
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert provider.chat_completions(USER).status == LLMResponseStatus.SUCCESS
    monkeypatch.delenv("OPENAI_API_KEY")
    assert provider.chat_completions(USER).error["category"] == "config"
    assert len(openai_fake.requests) == 1


def test_azure_with_its_key_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """litellm names Azure's base, version and key together when any is absent; only an absent key counts."""
    assert _litellm.missing_key_variables("azure/gpt-4o", "https://x.openai.azure.com") == ["AZURE_API_KEY"]
    monkeypatch.setenv("AZURE_API_KEY", KEY)
    assert _litellm.missing_key_variables("azure/gpt-4o", "https://x.openai.azure.com") == []


def test_a_key_the_host_gave_litellm_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """A host that set ``litellm.api_key`` or ``litellm.anthropic_key`` is not refused."""
    litellm = _litellm._module()
    assert _litellm.missing_key_variables("anthropic/claude-3-5-haiku-latest") == ["ANTHROPIC_API_KEY"]
    monkeypatch.setattr(litellm, "anthropic_key", KEY)
    assert _litellm.missing_key_variables("anthropic/claude-3-5-haiku-latest") == []
    monkeypatch.setattr(litellm, "anthropic_key", None)
    monkeypatch.setattr(litellm, "api_key", KEY)
    assert _litellm.missing_key_variables("anthropic/claude-3-5-haiku-latest") == []


class TestDoctorAndTheCallAgree:
    """Doctor (``cli/_model_checks``) and a call decide credentials with the same function (issue 25): an Azure AD
    token stands in for ``AZURE_API_KEY`` in both, and without it both refuse."""

    BASE = "http://127.0.0.1:9"  # nothing listens: a call past the key check fails in litellm, never sent

    def verdicts(self, monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[str | None, list[str]]:
        import io

        from director_litellm.cli import _settings as settings
        from director_litellm.cli._console import Console
        from director_litellm.cli._doctor import Setup
        from director_litellm.cli._model_checks import check_credentials

        monkeypatch.delenv("AZURE_API_KEY", raising=False)
        monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
        for name in ("LITELLM_CHAT_MODEL", "LITELLM_API_BASE", "AZURE_API_VERSION", *env):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("LITELLM_CHAT_MODEL", "azure/gpt-4o")
        monkeypatch.setenv("LITELLM_API_BASE", self.BASE)
        monkeypatch.setenv("AZURE_API_VERSION", "2024-06-01")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        error = LiteLLMProvider(num_retries=0, timeout=5).chat_completions(USER).error
        call = None if error is None else error["category"]
        section = check_credentials(
            Setup(settings.resolve({}, {}), True, Console(out=io.StringIO(), err=io.StringIO()))
        )
        assert section is not None
        return call, [f.text for f in section.findings if f.level == "problem"]

    def test_an_azure_ad_token_is_enough_for_both(self, monkeypatch: pytest.MonkeyPatch) -> None:
        call, problems = self.verdicts(monkeypatch, AZURE_AD_TOKEN="eyJ0eXAiOiJKV1QiLCJhbGciOi.test")
        assert call != "config"  # past the key check: litellm decides (no ConfigError of ours)
        assert problems == []

    def test_without_it_both_refuse(self, monkeypatch: pytest.MonkeyPatch) -> None:
        call, problems = self.verdicts(monkeypatch)
        assert call == "config"
        assert [p for p in problems if "AZURE_API_KEY" in p] != []
