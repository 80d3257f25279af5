"""config: LiteLLMConfig from env and constructor; the table in docs/configuration.md is generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from director_litellm._config import ConfigError, LiteLLMConfig, configuration_table, load_config
from director_litellm._errors import ConfigProblem

CONFIGURATION_DOC = Path(__file__).parents[1] / "docs" / "configuration.md"


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
        assert c.api_key is None
        assert c.api_base is None

    def test_reads_prefixed_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """LITELLM_* variables fill the fields, JSON ones parsed, unknown ones ignored."""
        monkeypatch.setenv("LITELLM_CHAT_MODEL", "anthropic/claude-sonnet-4-5")
        monkeypatch.setenv("LITELLM_API_KEY", "sk-env-secret-123456")
        monkeypatch.setenv("LITELLM_EXTRA_HEADERS", '{"X-Team": "video"}')
        monkeypatch.setenv("LITELLM_FALLBACKS", '["openai/gpt-4o-mini"]')
        monkeypatch.setenv("LITELLM_SOMETHING_ELSE", "x")
        c = LiteLLMConfig()
        assert c.chat_model == "anthropic/claude-sonnet-4-5"
        assert c.api_key is not None
        assert c.api_key.get_secret_value() == "sk-env-secret-123456"
        assert c.extra_headers == {"X-Team": "video"}
        assert c.fallbacks == ["openai/gpt-4o-mini"]

    def test_explicit_fields_are_known(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """model_fields_set tells a value the user gave (env or constructor) from a default."""
        monkeypatch.setenv("LITELLM_TOP_P", "1")
        c = LiteLLMConfig(temperature=0.2)
        assert {"top_p", "temperature"} <= c.model_fields_set
        assert "max_tokens" not in c.model_fields_set

    def test_key_never_prints(self) -> None:
        """The key is masked in repr and str; URL credentials are scrubbed from repr."""
        c = LiteLLMConfig(api_key="sk-canary-abcdef123456", api_base="https://user:pw-canary@proxy.local/v1")
        for text in (repr(c), str(c)):
            assert "sk-canary" not in text
            assert "pw-canary" not in text

    def test_repr_reads_cleanly(self) -> None:
        """repr/str show a masked key as pydantic does, balanced, with URL and header credentials still scrubbed."""
        c = LiteLLMConfig(
            api_key="sk-canary-abcdef123456",
            api_base="https://user:pw-canary@proxy.local/v1",
            extra_headers={"Authorization": "Bearer tok-canary-0123456789"},
            fallbacks=[{"model": "anthropic/claude-sonnet-4-5", "api_key": "fb-canary-0123456789"}],
        )
        for text in (repr(c), str(c)):
            assert "canary" not in text
            assert "api_key=SecretStr('**********')" in text
            assert text.count("(") == text.count(")")
            assert text.count("'") % 2 == 0
        assert repr(c).startswith("LiteLLMConfig(llm_type='litellm', api_key=SecretStr('**********'), ")
        assert repr(c.fallbacks[0]) == (
            "FallbackModel(model='anthropic/claude-sonnet-4-5', api_base=None, "
            "api_key=SecretStr('**********'), api_version=None)"
        )
        assert str(c.fallbacks[0]) == (
            "model='anthropic/claude-sonnet-4-5' api_base=None api_key=SecretStr('**********') api_version=None"
        )

    @pytest.mark.parametrize(
        "kwargs, named, nearest",
        [
            ({"chat_modle": "openai/x"}, "chat_modle", "chat_model"),
            ({"apikey": "sk-x"}, "apikey", "api_key"),
            ({"num_retry": 1, "temperature": 0.1}, "num_retry", "num_retries"),
        ],
    )
    def test_unknown_keyword_is_refused_with_nearest_field(self, kwargs: dict, named: str, nearest: str) -> None:
        """A misspelled keyword raises (ConfigError and TypeError) naming it and the nearest real field."""
        with pytest.raises(ConfigError, match=rf"'{named}'.*did you mean '{nearest}'") as err:
            LiteLLMConfig(**kwargs)
        assert isinstance(err.value, TypeError)
        with pytest.raises(ConfigError, match=rf"'{named}'"):
            load_config(**kwargs)

    def test_unknown_keyword_without_near_match_lists_fields(self) -> None:
        """A keyword like no field names the keyword and where to find the real ones."""
        with pytest.raises(ConfigError, match=r"'frobnicate'.*chat_model"):
            LiteLLMConfig(frobnicate=True)

    def test_unknown_env_and_dotenv_entries_stay_ignored(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """Unknown LITELLM_* variables and .env entries are ignored; pydantic-settings options still work."""
        monkeypatch.setenv("LITELLM_CHAT_MODLE", "openai/typo")
        monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # litellm's own variable
        env_file = tmp_path / ".env"
        env_file.write_text("LITELLM_MAX_TOKENS=77\nLITELLM_NOT_A_FIELD=1\nOTHER=2\n", encoding="utf-8")
        assert LiteLLMConfig().chat_model == "gpt-4o-mini"
        c = LiteLLMConfig(_env_file=env_file, temperature=0.3)
        assert (c.max_tokens, c.temperature, c.chat_model) == (77, 0.3, "gpt-4o-mini")

    def test_empty_values_mean_unset(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An empty LITELLM_API_KEY or LITELLM_API_BASE means unset, not an empty string."""
        monkeypatch.setenv("LITELLM_API_KEY", "")
        monkeypatch.setenv("LITELLM_API_BASE", " ")
        c = LiteLLMConfig()
        assert c.api_key is None
        assert c.api_base is None

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


class TestExplicitValuesAndEnvironment:
    def test_constructor_arguments_win_and_unset_fields_come_from_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """LiteLLMConfig(...): a given field beats its variable; a field not given is read from LITELLM_*."""
        monkeypatch.setenv("LITELLM_CHAT_MODEL", "anthropic/claude-sonnet-4-5")
        monkeypatch.setenv("LITELLM_MAX_TOKENS", "77")
        c = LiteLLMConfig(chat_model="openai/gpt-4o-mini")
        assert c.chat_model == "openai/gpt-4o-mini"
        assert c.max_tokens == 77

    def test_from_values_ignores_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """from_values: the given values and the defaults only; no LITELLM_* variable is read."""
        monkeypatch.setenv("LITELLM_MAX_TOKENS", "77")
        monkeypatch.setenv("LITELLM_API_KEY", "sk-from-env-123456")
        monkeypatch.setenv("LITELLM_FALLBACKS", '["openai/gpt-4o"]')
        monkeypatch.setenv("LITELLM_TEMPERATURE", "hot")  # would fail validation if read
        c = LiteLLMConfig.from_values(chat_model="openai/gpt-4o-mini", api_key="sk-given")
        assert c.max_tokens == 4096
        assert c.fallbacks == []
        assert c.temperature == 0.9
        assert c.api_key is not None
        assert c.api_key.get_secret_value() == "sk-given"
        assert {"chat_model", "api_key"} <= c.model_fields_set
        assert "max_tokens" not in c.model_fields_set
        assert type(c) is LiteLLMConfig

    def test_from_values_leaves_later_configs_reading_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The switch is per build: the next LiteLLMConfig() and load_config() read the environment again."""
        monkeypatch.setenv("LITELLM_MAX_TOKENS", "77")
        LiteLLMConfig.from_values()
        assert LiteLLMConfig().max_tokens == 77
        assert load_config().max_tokens == 77

    def test_from_values_validates_like_the_constructor(self) -> None:
        """A bad value is refused with pydantic's ValidationError naming the field."""
        with pytest.raises(ValidationError, match="temperature"):
            LiteLLMConfig.from_values(temperature="hot")


class TestLoadConfig:
    def test_env_result_is_reused_but_not_shared(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The same environment gives equal, separate configs that remember which fields were set."""
        monkeypatch.setenv("LITELLM_TOP_P", "0.5")
        first, second = load_config(), load_config()
        assert first == second
        assert first is not second
        assert "top_p" in second.model_fields_set
        assert "temperature" not in second.model_fields_set
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

    def test_documented_table_matches_the_class(self) -> None:
        """The table in docs/configuration.md is exactly the generated one."""
        text = CONFIGURATION_DOC.read_text(encoding="utf-8")
        match = re.search(r"<!-- config-table:start -->\n(.*?)\n<!-- config-table:end -->", text, re.S)
        assert match, "docs/configuration.md lacks the config-table markers"
        assert match.group(1).strip() == configuration_table().strip(), (
            "docs/configuration.md table is stale: run `python -m director_litellm._config` and paste it"
        )
