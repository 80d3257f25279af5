"""One call's request: override validation, what reaches the wire, and what the caller cannot replace."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from director_litellm._config import ConfigError, UnknownSettingError
from tests.fakes import FakeAnthropic, FakeAzureOpenAI, FakeOpenAI, Reply, running

MODEL = "openai/gpt-4o-mini"
KEY = "sk-test-key-0123456789abcdef"
USER = [{"role": "user", "content": "hi"}]


def provider(fake: Any, **overrides: Any) -> LiteLLMProvider:
    cfg = LiteLLMConfig(chat_model=MODEL, api_base=fake.url, api_key=KEY, num_retries=0)
    return LiteLLMProvider(cfg, **overrides)


class TestOverrideValidation:
    @pytest.mark.parametrize(
        "key, value",
        [
            ("temperature", "hot"),
            ("temperature", 3),
            ("top_p", 1.5),
            ("max_tokens", -5),
            ("timeout", 0),
            ("num_retries", 99),
            ("model", "  "),
            ("fallbacks", [{"model": "x", "api_bass": "y"}]),
        ],
    )
    def test_bad_per_call_value_is_invalid_input(self, openai_fake: FakeOpenAI, key: str, value: Any) -> None:
        """A per-call value the config would refuse: invalid_input naming the key, zero attempts, nothing sent."""
        r = provider(openai_fake).chat_completions(USER, **{key: value})
        assert not r.status and r.error["category"] == "invalid_input", r.error
        assert key in r.content
        assert r.error["attempts"] == 0
        assert openai_fake.requests == []

    @pytest.mark.parametrize("key, value", [("max_tokens", -5), ("temperature", "hot"), ("top_p", 2)])
    def test_bad_constructor_override_is_invalid_input(self, openai_fake: FakeOpenAI, key: str, value: Any) -> None:
        """LiteLLMProvider(cfg, max_tokens=-5): every call is refused as invalid_input naming the key."""
        p = provider(openai_fake, **{key: value})
        for r in (p.chat_completions(USER), p.chat_completions(USER)):
            assert not r.status and r.error["category"] == "invalid_input", r.error
            assert key in r.content
        assert openai_fake.requests == []

    @pytest.mark.parametrize("with_config", [True, False], ids=["LiteLLMProvider(cfg, ...)", "LiteLLMProvider(...)"])
    def test_unknown_constructor_keyword_raises_at_construction(
        self, openai_fake: FakeOpenAI, with_config: bool
    ) -> None:
        """A misspelt keyword is a programming error, refused at once like LiteLLMConfig's: UnknownSettingError
        (a ConfigError and a TypeError) naming it and the field it was probably meant to be."""
        with pytest.raises(UnknownSettingError, match=r"'maxtokens' \(did you mean 'max_tokens'\?\)") as raised:
            provider(openai_fake, maxtokens=5) if with_config else LiteLLMProvider(maxtokens=5)
        assert isinstance(raised.value, TypeError)
        assert isinstance(raised.value, ConfigError)
        assert openai_fake.requests == []

    def test_good_constructor_overrides_apply(self, openai_fake: FakeOpenAI) -> None:
        """Valid overrides are applied as the config's own values (strings coerced like the config does)."""
        openai_fake.reply("fine")
        r = provider(openai_fake, max_tokens="77", temperature=0.25).chat_completions(USER)
        assert r.status, r.error
        body = openai_fake.requests[-1].body
        assert body["max_tokens"] == 77
        assert body["temperature"] == 0.25

    def test_unknown_per_call_keyword_passes_through(self, openai_fake: FakeOpenAI) -> None:
        """Keywords that are not call options go to litellm as they are (documented behaviour)."""
        openai_fake.reply("fine")
        r = provider(openai_fake).chat_completions(USER, seed=7, user="u-1", temperature="0.5")
        assert r.status, r.error
        body = openai_fake.requests[-1].body
        assert body["seed"] == 7
        assert body["user"] == "u-1"
        assert body["temperature"] == 0.5


class TestBuildRequest:
    def test_build_request_is_what_gets_sent(self, openai_fake: FakeOpenAI) -> None:
        """build_request returns the keyword arguments for litellm: model, messages, sampling, no retries hidden."""
        cfg = LiteLLMConfig(chat_model=MODEL, api_base=openai_fake.url, api_key=KEY, max_tokens=321)
        request = LiteLLMProvider(cfg).build_request(USER, stop="END", temperature=0.3)
        assert request["model"] == MODEL
        assert request["messages"] == USER
        assert request["max_tokens"] == 321
        assert request["temperature"] == 0.3
        assert request["stop"] == ["END"]
        assert request["api_base"] == openai_fake.url
        assert request["api_key"] == KEY
        assert request["num_retries"] == 0
        assert request["max_retries"] == 0
        assert openai_fake.requests == []

    def test_owned_keys_cannot_be_replaced(self, openai_fake: FakeOpenAI) -> None:
        """extra_params and per-call keywords cannot replace model/messages/tools/tool_choice/stream/key/retries."""
        owned = {
            "messages": [{"role": "user", "content": "injected"}],
            "tools": [{"type": "function", "function": {"name": "evil", "parameters": {"type": "object"}}}],
            "tool_choice": "required",
            "stream": True,
            "api_key": "sk-injected-0123456789abcdef",
            "num_retries": 5,
            "max_retries": 7,
        }
        cfg = LiteLLMConfig(
            chat_model=MODEL,
            api_base=openai_fake.url,
            api_key=KEY,
            num_retries=0,
            extra_params={**owned, "model": "openai/injected"},
        )
        openai_fake.reply("fine")
        per_call = {k: v for k, v in owned.items() if k not in ("messages", "tools", "num_retries")}
        r = LiteLLMProvider(cfg).chat_completions(USER, **per_call)
        assert r.status, r.error
        sent = openai_fake.requests
        assert len(sent) == 1
        body, headers = sent[0].body, sent[0].headers
        assert body["model"] == "gpt-4o-mini"
        assert body["messages"] == USER
        assert "tools" not in body
        assert "tool_choice" not in body
        assert not body.get("stream")
        assert headers["authorization"] == f"Bearer {KEY}"

    def test_owned_key_cannot_replace_the_environment_key(
        self, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With no api_key configured, an api_key in extra_params or per call still does not replace the
        provider's own variable (the case where nothing the adapter sets would overwrite it later)."""
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        injected = "sk-injected-0123456789abcdef"
        cfg = LiteLLMConfig(
            chat_model=MODEL, api_base=openai_fake.url, num_retries=0, extra_params={"api_key": injected}
        )
        openai_fake.reply("fine")
        openai_fake.reply("fine")
        provider = LiteLLMProvider(cfg)
        assert provider.chat_completions(USER).status
        assert provider.chat_completions(USER, api_key=injected).status
        assert [r.headers["authorization"] for r in openai_fake.requests] == [f"Bearer {KEY}"] * 2

    def test_api_version_reaches_the_wire(self) -> None:
        """An Azure deployment gets the configured api_version as the api-version query parameter."""
        with running(FakeAzureOpenAI, expected_key=KEY) as azure:
            cfg = LiteLLMConfig(
                chat_model="azure/my-deployment",
                api_base=azure.url,
                api_key=KEY,
                api_version="2024-06-01",
                num_retries=0,
            )
            r = LiteLLMProvider(cfg).chat_completions(USER)
        assert r.status, r.error
        assert azure.violations == []
        assert len(azure.requests) == 1
        sent = azure.requests[0]
        assert sent.path == "/openai/deployments/my-deployment/chat/completions"
        assert sent.query["api-version"] == "2024-06-01"


def _bundled_prices() -> dict[str, Any]:
    """litellm's bundled model_prices_and_context_window_backup.json, found without importing litellm."""
    spec = importlib.util.find_spec("litellm")
    assert spec is not None
    assert spec.origin is not None
    return json.loads((Path(spec.origin).parent / "model_prices_and_context_window_backup.json").read_text())


class TestStreamCost:
    def test_stream_cost_comes_from_the_usage(self, openai_fake: FakeOpenAI) -> None:
        """A stream's cost is the model's per-token prices times the final chunk's usage.

        The prices are read from the price file litellm ships, not through litellm or this package.
        """
        openai_fake.reply_stream(["Hel", "lo"], usage=(1000, 500))
        events = list(provider(openai_fake).stream_chat_completions(USER))
        final = events[-1].response
        assert final.status
        assert final.send_tokens == 1000
        assert final.recv_tokens == 500
        prices = _bundled_prices()["gpt-4o-mini"]
        expected = 1000 * prices["input_cost_per_token"] + 500 * prices["output_cost_per_token"]
        assert expected > 0
        assert final.cost == pytest.approx(expected)

    def test_stream_cost_is_none_for_unknown_price(self, anthropic_fake: FakeAnthropic) -> None:
        """No price data for the model: cost is None, not zero and not an error."""
        cfg = LiteLLMConfig(
            chat_model="anthropic/claude-no-such-model", api_base=anthropic_fake.url, api_key=KEY, num_retries=0
        )
        anthropic_fake.reply_stream("hi")
        final = list(LiteLLMProvider(cfg).stream_chat_completions(USER))[-1].response
        assert final.status, final.error
        assert final.cost is None


class TestConfigChangesReachTheNextCall:
    """A call with no per-call options reuses what it takes from the config alone (request.new_call's
    memo); a change to the config, reassigned or in place, must reach the very next call."""

    def test_reassigned_fields(self, openai_fake: FakeOpenAI) -> None:
        from pydantic import SecretStr

        p = provider(openai_fake, temperature=0.2, max_tokens=50)
        for _ in range(3):
            openai_fake.reply("fine")
        assert p.chat_completions(USER).status
        p.config.temperature, p.config.max_tokens = 0.7, 60
        p.config.api_key = SecretStr("sk-other-key-0123456789abcdef")
        assert p.chat_completions(USER).status
        first, second = (r.body for r in openai_fake.requests)
        assert (first["temperature"], first["max_tokens"]) == (0.2, 50)
        assert (second["temperature"], second["max_tokens"]) == (0.7, 60)
        assert openai_fake.requests[1].headers["authorization"] == "Bearer sk-other-key-0123456789abcdef"

    def test_extra_params_changed_in_place(self, openai_fake: FakeOpenAI) -> None:
        p = provider(openai_fake, extra_params={"seed": 1})
        for _ in range(3):
            openai_fake.reply("fine")
        p.chat_completions(USER)
        p.config.extra_params["seed"] = 2
        p.config.extra_params["user"] = "u-2"
        p.chat_completions(USER)
        del p.config.extra_params["seed"]
        p.chat_completions(USER)
        bodies = [r.body for r in openai_fake.requests]
        assert bodies[0]["seed"] == 1
        assert "user" not in bodies[0]
        assert bodies[1]["seed"] == 2
        assert bodies[1]["user"] == "u-2"
        assert "seed" not in bodies[2]
        assert bodies[2]["user"] == "u-2"

    def test_a_fallback_changed_in_place(self, openai_fake: FakeOpenAI, anthropic_fake: FakeAnthropic) -> None:
        """The fallback's endpoint is read from the model object in the list: changed there, the next call uses it."""
        openai_fake.default(Reply.error(503, "down"))
        p = provider(
            openai_fake,
            fallbacks=[{"model": "anthropic/claude-sonnet-4-5", "api_base": "http://127.0.0.1:9", "api_key": KEY}],
        )
        assert not p.chat_completions(USER).status  # nothing listens on port 9
        p.config.fallbacks[0].api_base = anthropic_fake.url
        anthropic_fake.reply("from claude")
        r = p.chat_completions(USER)
        assert r.status and r.content == "from claude", r.error

    def test_per_call_options_do_not_stay(self, openai_fake: FakeOpenAI) -> None:
        p = provider(openai_fake, temperature=0.2)
        for _ in range(3):
            openai_fake.reply("fine")
        p.chat_completions(USER)
        p.chat_completions(USER, temperature=0.9, stop="END")
        p.chat_completions(USER)
        temperatures = [r.body["temperature"] for r in openai_fake.requests]
        assert temperatures == [0.2, 0.9, 0.2]
        assert "stop" not in openai_fake.requests[2].body

    def test_messages_and_tools_are_never_reused(self, openai_fake: FakeOpenAI) -> None:
        tool = {"name": "search", "parameters": {"type": "object", "properties": {}}}
        p = provider(openai_fake)
        for _ in range(2):
            openai_fake.reply("fine")
        p.chat_completions(USER, tools=[tool])
        p.chat_completions([{"role": "user", "content": "again"}])
        first, second = (r.body for r in openai_fake.requests)
        assert first["tools"][0]["function"]["name"] == "search"
        assert first["tool_choice"] == "auto"
        assert "tools" not in second
        assert "tool_choice" not in second
        assert second["messages"] == [{"role": "user", "content": "again"}]
