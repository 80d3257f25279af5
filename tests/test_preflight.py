"""preflight: a model litellm cannot route and a missing key, found before litellm is asked, in this package's words."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider, _litellm
from director_litellm import _credentials as credentials
from director_litellm import _preflight as preflight
from tests.environment import OFFLINE_ENV
from tests.fakes import FakeOpenAI

KEY = "sk-test-key-0123456789abcdef"
USER = [{"role": "user", "content": "hi"}]
# litellm's own sentence for a model it cannot route (both stacks), which must never reach content
LITELLM_TEXT = "LLM Provider NOT provided"


def config(**values: object) -> LiteLLMConfig:
    return LiteLLMConfig.from_values(**values)


class TestUnroutableModel:
    @pytest.mark.parametrize("with_base", [False, True], ids=["no api_base", "api_base"])
    def test_a_name_without_provider_is_refused_in_our_words(self, openai_fake: FakeOpenAI, with_base: bool) -> None:
        """`gpt4o`: a config error naming the fix and the nearest known name; litellm's text nowhere; nothing sent."""
        base = {"api_base": openai_fake.url} if with_base else {}
        r = LiteLLMProvider(config(chat_model="gpt4o", api_key=KEY, num_retries=0, **base)).chat_completions(USER)
        assert not r.status and r.error["category"] == "config", r.error
        assert "cannot tell which provider serves 'gpt4o': put the provider in front of the name" in r.content
        assert "did you mean 'gpt-4o'?" in r.content
        assert LITELLM_TEXT not in r.content
        assert "http" not in r.content
        assert LITELLM_TEXT not in str(r.error)
        assert openai_fake.requests == []

    def test_a_fallback_without_provider_is_refused_too(self, openai_fake: FakeOpenAI) -> None:
        """Every model a call may try is checked before the first is sent."""
        cfg = config(chat_model="openai/gpt-4o-mini", api_base=openai_fake.url, api_key=KEY, fallbacks=["llama3"])
        r = LiteLLMProvider(cfg).chat_completions(USER)
        assert r.error["category"] == "config"
        assert "serves 'llama3'" in r.content
        assert openai_fake.requests == []

    @pytest.mark.parametrize("model", ["gpt4o", "llama3", "gpt-4o-mini", "o1", "ft:gpt-4o-mini-2024-07-18:org::abc"])
    def test_routable_agrees_with_litellm(self, model: str) -> None:
        """_litellm.routable is False exactly when litellm's get_llm_provider refuses the name for want of a provider."""
        litellm = _litellm._module()
        try:
            litellm.get_llm_provider(model=model)
            expected = True
        except Exception as exc:
            assert LITELLM_TEXT in str(exc)
            expected = False
        assert _litellm.routable(model) is expected


class TestBeforeImport:
    @pytest.mark.parametrize(
        "values, environ, expected",
        [
            ({"chat_model": "gpt4o"}, {}, "cannot tell which provider serves 'gpt4o'"),
            ({"chat_model": "gpt-4o-mini"}, {}, "no API key for gpt-4o-mini: set OPENAI_API_KEY (or LITELLM_API_KEY)"),
            ({"chat_model": "anthropic/claude-sonnet-4-5"}, {}, "set ANTHROPIC_API_KEY (or LITELLM_API_KEY)"),
            (
                {"chat_model": "openai/x", "api_base": "http://127.0.0.1:9/v1"},
                {},
                "no API key for openai/x: set OPENAI_API_KEY (or LITELLM_API_KEY) (a local server that takes no key "
                "accepts any value: LITELLM_API_KEY=none)",
            ),
            ({"chat_model": "gpt-4o-mini"}, {"OPENAI_API_KEY": KEY}, None),
            ({"chat_model": "gpt-4o-mini", "api_key": KEY}, {}, None),
            ({"chat_model": "gpt-4o-mini", "extra_headers": {"Authorization": "Bearer x"}}, {}, None),
            ({"chat_model": "gpt4o", "api_base": "http://127.0.0.1:9/v1"}, {}, None),  # an api_base can route it
            ({"chat_model": "ft:gpt-4o-mini-2024-07-18:org::abc"}, {"OPENAI_API_KEY": KEY}, None),
            ({"chat_model": "gpt4o"}, {"LITELLM_LOCAL_MODEL_COST_MAP": "False"}, None),  # litellm fetches its own map
            ({"chat_model": "cohere/command-r"}, {}, None),  # a provider whose variable differs by litellm version
            ({"chat_model": "gpt-4o-mini", "fallbacks": ["openai/gpt-4o"]}, {}, None),  # the call decides
        ],
    )
    def test_verdicts(self, values: dict, environ: dict, expected: str | None) -> None:
        """What is certainly wrong, from the environment and the bundled model map; None when it cannot tell."""
        found = preflight.before_import(config(**values), environ)
        if expected is None:
            assert found is None
        else:
            assert found is not None
            assert expected in found

    def test_litellm_is_not_imported(self) -> None:
        """The check reads litellm's bundled map without importing litellm (its import takes seconds)."""
        probe = (
            "import sys; from director_litellm import _preflight as preflight; from director_litellm._config import LiteLLMConfig; "
            "print(preflight.before_import(LiteLLMConfig.from_values(chat_model='gpt4o'), {})); "
            "print('litellm' in sys.modules)"
        )
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
        verdict, imported = out.stdout.strip().splitlines()
        assert "cannot tell which provider serves 'gpt4o'" in verdict
        assert imported == "False"


class TestProviderKeys:
    @pytest.mark.parametrize("provider", sorted(preflight.PROVIDER_KEYS))
    def test_the_table_is_what_litellm_asks_for(self, provider: str, monkeypatch: pytest.MonkeyPatch) -> None:
        """With no variable set, litellm's validate_environment names exactly the table's key variable."""
        litellm = _litellm._module()
        for name in list(os.environ):
            if name not in OFFLINE_ENV:
                monkeypatch.delenv(name)
        missing = litellm.validate_environment(model=f"{provider}/some-model").get("missing_keys") or []
        assert [n for n in missing if credentials.is_key_variable(n)] == [preflight.PROVIDER_KEYS[provider]]
