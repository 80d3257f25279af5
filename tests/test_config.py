"""config: LiteLLMConfig from env and constructor; the README table is generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from director_litellm.config import ConfigError, LiteLLMConfig, configuration_table, load_config
from director_litellm.errors import ConfigProblem

README = Path(__file__).parents[1] / "README.md"


class TestLiteLLMConfig:
    def test_director_defaults(self) -> None:
        """Defaults match Director's BaseLLMConfig."""
        c = LiteLLMConfig()
        assert (c.llm_type, c.temperature, c.top_p, c.max_tokens, c.timeout, c.enable_langfuse) == (
            "litellm",
            0.9,
            1.0,
            4096,
            120,
            False,
        )
        assert c.api_key is None and c.api_base is None

    def test_reads_prefixed_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """LITELLM_* variables fill the fields, JSON ones parsed, unknown ones ignored."""
        monkeypatch.setenv("LITELLM_CHAT_MODEL", "anthropic/claude-sonnet-4-5")
        monkeypatch.setenv("LITELLM_API_KEY", "sk-env-secret-123456")
        monkeypatch.setenv("LITELLM_EXTRA_HEADERS", '{"X-Team": "video"}')
        monkeypatch.setenv("LITELLM_FALLBACKS", '["openai/gpt-4o-mini"]')
        monkeypatch.setenv("LITELLM_SOMETHING_ELSE", "x")
        c = LiteLLMConfig()
        assert c.chat_model == "anthropic/claude-sonnet-4-5"
        assert c.api_key is not None and c.api_key.get_secret_value() == "sk-env-secret-123456"
        assert c.extra_headers == {"X-Team": "video"} and c.fallbacks == ["openai/gpt-4o-mini"]

    def test_explicit_fields_are_known(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """is_set tells a value the user gave (env or constructor) from a default."""
        monkeypatch.setenv("LITELLM_TOP_P", "1")
        c = LiteLLMConfig(temperature=0.2)
        assert c.is_set("top_p") and c.is_set("temperature") and not c.is_set("max_tokens")

    def test_key_never_prints(self) -> None:
        """The key is masked in repr and str; URL credentials are scrubbed from repr."""
        c = LiteLLMConfig(api_key="sk-canary-abcdef123456", api_base="https://user:pw-canary@proxy.local/v1")
        for text in (repr(c), str(c)):
            assert "sk-canary" not in text and "pw-canary" not in text

    def test_empty_values_mean_unset(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An empty LITELLM_API_KEY or LITELLM_API_BASE means unset, not an empty string."""
        monkeypatch.setenv("LITELLM_API_KEY", "")
        monkeypatch.setenv("LITELLM_API_BASE", " ")
        c = LiteLLMConfig()
        assert c.api_key is None and c.api_base is None

    @pytest.mark.parametrize(
        "var, value",
        [
            ("LITELLM_TEMPERATURE", "hot"),
            ("LITELLM_MAX_TOKENS", "-1"),
            ("LITELLM_TOP_P", "3"),
            ("LITELLM_CHAT_MODEL", " "),
        ],
    )
    def test_bad_env_value_names_the_variable(self, monkeypatch: pytest.MonkeyPatch, var: str, value: str) -> None:
        """A bad value raises ConfigError naming the LITELLM_ variable."""
        monkeypatch.setenv(var, value)
        with pytest.raises(ConfigError, match=var):
            load_config()

    def test_bad_key_value_is_not_echoed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Even a config error never echoes the key."""
        with pytest.raises(ConfigError) as err:
            load_config(api_key=12345678901234)
        assert "12345678901234" not in str(err.value)
        assert [(p.field, p.value) for p in err.value.problems] == [("api_key", "<hidden>")]

    def test_error_carries_each_problem(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """ConfigError.problems: field, variable, value as shown and pydantic's message, one per bad setting."""
        monkeypatch.setenv("LITELLM_TEMPERATURE", "hot")
        with pytest.raises(ConfigError) as err:
            load_config(max_tokens=0)
        assert err.value.problems == (
            ConfigProblem(
                "temperature",
                "LITELLM_TEMPERATURE",
                '"hot"',
                "Input should be a valid number, unable to parse string as a number",
            ),
            ConfigProblem("max_tokens", "LITELLM_MAX_TOKENS", "0", "Input should be greater than 0"),
        )
        # the message names an override by its keyword, a variable by its name
        assert str(err.value) == (
            'invalid director-litellm configuration: LITELLM_TEMPERATURE "hot": Input should be a valid number, '
            "unable to parse string as a number; max_tokens= 0: Input should be greater than 0"
        )


class TestLoadConfig:
    def test_env_result_is_reused_but_not_shared(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The same environment gives equal, separate configs that remember which fields were set."""
        monkeypatch.setenv("LITELLM_TOP_P", "0.5")
        first, second = load_config(), load_config()
        assert first == second and first is not second
        assert second.is_set("top_p") and not second.is_set("temperature")
        second.extra_headers["x"] = "y"
        assert load_config().extra_headers == {}

    def test_env_change_is_seen(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Changing a LITELLM_ variable gives a config with the new value."""
        monkeypatch.setenv("LITELLM_MAX_TOKENS", "100")
        assert load_config().max_tokens == 100
        monkeypatch.setenv("LITELLM_MAX_TOKENS", "200")
        assert load_config().max_tokens == 200


class TestConfigurationTable:
    def test_every_field_has_a_row(self) -> None:
        """The generated table lists every field with its variable name."""
        table = configuration_table()
        for name in LiteLLMConfig.model_fields:
            assert f"`LITELLM_{name.upper()}`" in table

    def test_readme_table_matches_the_class(self) -> None:
        """The README's configuration table is exactly the generated one."""
        text = README.read_text(encoding="utf-8")
        match = re.search(r"<!-- config-table:start -->\n(.*?)\n<!-- config-table:end -->", text, re.S)
        assert match, "README lacks the config-table markers"
        assert match.group(1).strip() == configuration_table().strip(), (
            "README configuration table is stale: run `python -m director_litellm.config` and paste it"
        )
