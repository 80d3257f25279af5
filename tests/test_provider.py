"""LiteLLMProvider through real litellm against the strict loopback fakes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider, LLMResponseStatus
from tests.director_data import director_tools, history
from tests.fakes import FakeAnthropic, FakeOpenAI, Recorded
from tests.helpers import CLAUDE_MODEL, KEY, OPENAI_MODEL, provider_for


def sent_messages(fake: Any) -> list[dict[str, Any]]:
    return fake.requests[-1].body["messages"]


class TestDirectorCallShapes:
    def test_reasoning_call_with_history_and_tools(self, fake: Any) -> None:
        """(1) Full history + all tools: tools sent as functions, the answer's tool call in Director's shape."""
        fake.reply(
            None, tool_calls=[{"id": "call_new", "name": "agent_03", "arguments": '{"mode": "edit", "query": "cut"}'}]
        )
        r = provider_for(fake).chat_completions(
            [*history(), {"role": "user", "content": "Cut it."}], tools=director_tools()
        )
        assert fake.violations == []
        assert r.status == LLMResponseStatus.SUCCESS
        assert r.finish_reason == "tool_calls"
        assert r.tool_calls == [
            {
                "id": "call_new",
                "type": "function",
                "tool": {"name": "agent_03", "arguments": {"mode": "edit", "query": "cut"}},
            }
        ]
        body = fake.requests[-1].body
        names = [t["function"]["name"] if "function" in t else t["name"] for t in body["tools"]]
        assert names == [f"agent_{i:02d}" for i in range(25)]
        assert r.send_tokens > 0
        assert r.total_tokens == r.send_tokens + r.recv_tokens

    @pytest.mark.parametrize("response_format", [{"type": "json_object"}, {"type": "text"}])
    def test_agent_call_with_response_format(self, fake: Any, response_format: dict) -> None:
        """(2) One user message with response_format: accepted by the API, JSON text returned."""
        fake.reply('{"summary": "three cats"}')
        r = provider_for(fake).chat_completions(
            [{"role": "user", "content": "Summarise as JSON"}], response_format=response_format
        )
        assert fake.violations == []
        assert r.status
        assert json.loads(r.content) == {"summary": "three cats"}
        assert r.finish_reason in ("stop", "end_turn")
        if isinstance(fake, FakeOpenAI):
            assert fake.requests[-1].body["response_format"] == response_format

    def test_final_cut_without_tools_ending_in_system(self, fake: Any) -> None:
        """(3) Tool history, no tools, trailing system message: accepted by both APIs."""
        messages = [*history(2), {"role": "system", "content": "Now write the final summary."}]
        fake.reply("Final summary.")
        r = provider_for(fake).chat_completions(messages)
        assert fake.violations == []
        assert r.status
        assert r.content == "Final summary."
        body = fake.requests[-1].body
        assert "tools" not in body
        if isinstance(fake, FakeAnthropic):
            last = body["messages"][-1]
            assert last["role"] == "user"
            text = last["content"] if isinstance(last["content"], str) else last["content"][-1]["text"]
            assert text == "Now write the final summary."
        else:
            assert body["messages"][-1] == {"role": "system", "content": "Now write the final summary."}
            assert any(m.get("tool_calls") for m in body["messages"])

    def test_one_provider_from_a_thread_pool(self, fake: Any) -> None:
        """(4) One provider object used from a ThreadPoolExecutor: every answer matches its question."""

        def echo(rec: Recorded) -> str:
            msgs = rec.body["messages"]
            text = msgs[-1]["content"]
            text = text if isinstance(text, str) else text[0]["text"]
            return f"echo:{text}"

        fake.default(handler=echo)
        provider = provider_for(fake)
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(
                pool.map(lambda i: provider.chat_completions([{"role": "user", "content": f"q{i}"}]), range(40))
            )
        assert [r.content for r in results] == [f"echo:q{i}" for i in range(40)]
        assert fake.violations == []
        assert len(fake.requests) == 40

    def test_construction_is_offline_and_keyless(self, fake: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """(5) Building many providers pointed at the fake sends nothing and needs no key; a call then reaches it."""
        model = OPENAI_MODEL if isinstance(fake, FakeOpenAI) else CLAUDE_MODEL
        monkeypatch.setenv("LITELLM_API_BASE", fake.url)
        monkeypatch.setenv("LITELLM_CHAT_MODEL", model)
        providers = [LiteLLMProvider() for _ in range(11)]
        assert all(p.config.api_key is None and p.config.api_base == fake.url for p in providers)
        assert len(fake.requests) == 0
        # they do point at the fake: with the provider's own key variable set, one call is one request there
        monkeypatch.setenv("OPENAI_API_KEY" if isinstance(fake, FakeOpenAI) else "ANTHROPIC_API_KEY", KEY)
        fake.reply("ok")
        r = providers[0].chat_completions([{"role": "user", "content": "hi"}])
        assert len(fake.requests) == 1, r.content


class TestWhatIsSent:
    def test_openai_parameters(self, openai_fake: FakeOpenAI) -> None:
        """temperature, max_tokens, stop, tool_choice and the key header reach the OpenAI wire; top_p does not by default."""
        provider_for(openai_fake, max_tokens=77).chat_completions(
            [{"role": "user", "content": "x"}], tools=[{"name": "f", "parameters": {"type": "object"}}], stop="END"
        )
        rec = openai_fake.requests[-1]
        assert rec.headers["authorization"] == f"Bearer {KEY}"
        body = rec.body
        assert (body["temperature"], body["max_tokens"], body["stop"], body["tool_choice"]) == (
            0.9,
            77,
            ["END"],
            "auto",
        )
        assert "top_p" not in body
        assert body["tools"] == [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]

    def test_top_p_sent_when_set(self, openai_fake: FakeOpenAI) -> None:
        """An explicitly configured top_p is sent beside temperature."""
        provider_for(openai_fake, top_p=0.5).chat_completions([{"role": "user", "content": "x"}])
        assert (openai_fake.requests[-1].body["top_p"], openai_fake.requests[-1].body["temperature"]) == (0.5, 0.9)

    def test_anthropic_parameters_and_key(self, anthropic_fake: FakeAnthropic) -> None:
        """Anthropic gets x-api-key, max_tokens, system hoisted, stop_sequences."""
        provider_for(anthropic_fake, max_tokens=55).chat_completions(
            [{"role": "system", "content": "sys"}, {"role": "user", "content": "x"}], stop=["END"]
        )
        rec = anthropic_fake.requests[-1]
        assert anthropic_fake.violations == []
        assert rec.headers["x-api-key"] == KEY
        assert rec.body["max_tokens"] == 55
        assert rec.body["stop_sequences"] == ["END"]
        assert "sys" in json.dumps(rec.body["system"])

    def test_one_parameter_claude_gets_only_top_p_when_only_top_p_set(self, anthropic_fake: FakeAnthropic) -> None:
        """On Claude 4.6 with only top_p set, top_p is sent and temperature is not."""
        r = provider_for(anthropic_fake, top_p=0.7).chat_completions([{"role": "user", "content": "x"}])
        body = anthropic_fake.requests[-1].body
        assert r.status
        assert anthropic_fake.violations == []
        assert body["top_p"] == 0.7
        assert "temperature" not in body

    def test_one_parameter_claude_default_sends_temperature_only(self, anthropic_fake: FakeAnthropic) -> None:
        """Director's defaults on Claude 4.6 send temperature only, and the API accepts it."""
        r = provider_for(anthropic_fake).chat_completions([{"role": "user", "content": "x"}])
        body = anthropic_fake.requests[-1].body
        assert r.status
        assert body["temperature"] == 0.9
        assert "top_p" not in body

    def test_one_parameter_claude_both_set_is_refused_locally(self, anthropic_fake: FakeAnthropic) -> None:
        """Both temperature and top_p set on Claude 4.6: ERROR naming the variables, nothing sent."""
        r = provider_for(anthropic_fake, temperature=0.3, top_p=0.7).chat_completions(
            [{"role": "user", "content": "x"}]
        )
        assert not r.status
        assert "LITELLM_TOP_P" in r.content
        assert anthropic_fake.requests == []

    def test_older_claude_takes_both(self, anthropic_fake: FakeAnthropic) -> None:
        """Claude 3.5 Sonnet gets temperature and top_p when both are set."""
        provider_for(anthropic_fake, "anthropic/claude-3-5-sonnet-20241022", top_p=0.7).chat_completions(
            [{"role": "user", "content": "x"}]
        )
        body = anthropic_fake.requests[-1].body
        assert anthropic_fake.violations == []
        assert (body["temperature"], body["top_p"]) == (0.9, 0.7)

    def test_key_from_provider_env_when_unset(self, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without LITELLM_API_KEY, litellm's own OPENAI_API_KEY is used and no api_key is forced."""
        monkeypatch.setenv("OPENAI_API_KEY", "sk-from-openai-env-1234")
        LiteLLMProvider(
            LiteLLMConfig(chat_model=OPENAI_MODEL, api_base=openai_fake.url, num_retries=0)
        ).chat_completions([{"role": "user", "content": "x"}])
        assert openai_fake.requests[-1].headers["authorization"] == "Bearer sk-from-openai-env-1234"

    def test_env_configuration(self, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
        """LiteLLMProvider() with LITELLM_* variables only reaches the configured endpoint with the configured options."""
        monkeypatch.setenv("LITELLM_CHAT_MODEL", OPENAI_MODEL)
        monkeypatch.setenv("LITELLM_API_BASE", openai_fake.url)
        monkeypatch.setenv("LITELLM_API_KEY", KEY)
        monkeypatch.setenv("LITELLM_EXTRA_HEADERS", '{"X-Team": "video"}')
        monkeypatch.setenv("LITELLM_EXTRA_PARAMS", '{"seed": 7}')
        r = LiteLLMProvider().chat_completions([{"role": "user", "content": "x"}])
        rec = openai_fake.requests[-1]
        assert r.status
        assert rec.headers["x-team"] == "video"
        assert rec.body["seed"] == 7

    def test_per_call_overrides(self, openai_fake: FakeOpenAI) -> None:
        """Per-call model/temperature/max_tokens apply to that call only."""
        provider = provider_for(openai_fake)
        provider.chat_completions(
            [{"role": "user", "content": "x"}], model="openai/gpt-4o", temperature=0.1, max_tokens=9
        )
        provider.chat_completions([{"role": "user", "content": "x"}])
        first, second = (rec.body for rec in openai_fake.requests)
        assert (first["model"], first["temperature"], first["max_tokens"]) == ("gpt-4o", 0.1, 9)
        assert (second["model"], second["temperature"], second["max_tokens"]) == ("gpt-4o-mini", 0.9, 4096)


class TestNeverRaises:
    @pytest.mark.parametrize(
        "messages, tools",
        [
            ([], None),
            ("hi", None),
            ([{"role": "robot", "content": "x"}], None),
            ([{"role": "user", "content": "x"}], [{"name": "bad name"}]),
            ([{"role": "tool", "content": "r", "tool_call_id": "ghost"}], None),
        ],
    )
    def test_bad_input_is_refused_before_sending(self, fake: Any, messages: Any, tools: Any) -> None:
        """Malformed input returns ERROR naming the problem, and the server sees nothing."""
        r = provider_for(fake).chat_completions(messages, tools=tools)
        assert not r.status
        assert r.error["category"] == "invalid_input"
        assert fake.requests == []

    def test_bad_env_value_is_an_error_response(self, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
        """LITELLM_TEMPERATURE=hot: construction succeeds, calls return ERROR naming the variable."""
        monkeypatch.setenv("LITELLM_TEMPERATURE", "hot")
        monkeypatch.setenv("LITELLM_API_BASE", openai_fake.url)
        r = LiteLLMProvider().chat_completions([{"role": "user", "content": "x"}])
        assert not r.status
        assert "LITELLM_TEMPERATURE" in r.content
        assert openai_fake.requests == []

    @pytest.mark.parametrize(
        "status, category", [(400, "bad_request"), (401, "auth"), (404, "not_found"), (429, "rate_limit")]
    )
    def test_upstream_errors_become_error_responses(self, fake: Any, status: int, category: str) -> None:
        """An upstream error is an ERROR response with a safe message and its category; no upstream text leaks."""
        fake.reply_error(status, "upstream secret detail sk-leak-0123456789abcdef")
        r = provider_for(fake).chat_completions([{"role": "user", "content": "x"}])
        assert not r.status
        assert r.error["category"] == category
        assert "upstream" not in r.content
        assert "sk-leak" not in r.content
        assert "sk-leak-0123456789abcdef" not in json.dumps(r.error)
        assert len(fake.requests) == 1  # num_retries=0 means one request, none hidden underneath


class TestNoGlobals:
    def test_litellm_globals_unchanged(self, openai_fake: FakeOpenAI, anthropic_fake: FakeAnthropic) -> None:
        """Calls through both protocols leave litellm's process-wide settings as they were.

        Taken after the first import: ``import_litellm`` sets ``suppress_debug_info`` once, there
        (the documented opt-out default); a call changes nothing.
        """
        from director_litellm._litellm import _module as import_litellm

        litellm = import_litellm()

        names = [
            "drop_params",
            "modify_params",
            "callbacks",
            "success_callback",
            "failure_callback",
            "suppress_debug_info",
            "num_retries",
            "request_timeout",
            "api_key",
            "api_base",
            "set_verbose",
        ]
        before = {n: repr(getattr(litellm, n, None)) for n in names}
        provider_for(openai_fake).chat_completions(history(1), tools=director_tools(2))
        provider_for(anthropic_fake).chat_completions([*history(1), {"role": "system", "content": "s"}])
        assert {n: repr(getattr(litellm, n, None)) for n in names} == before


class TestConstructionCost:
    def test_building_a_provider_leaves_the_call_path_unimported(self) -> None:
        """`LiteLLMProvider()` from LITELLM_* in a fresh process imports neither litellm nor the modules a call needs.

        Director imports the provider and builds it at start-up (figure 3); the call path is the
        first call's (or ``warm_up()``'s) to import.
        """
        import director_litellm

        src = str(Path(director_litellm.__file__).resolve().parents[1])
        call_path = [f"director_litellm.{m}" for m in ("request", "retry", "stream", "parser", "_loop_clients")]
        code = (
            f"import sys; sys.path.insert(0, {src!r}); "
            "from director_litellm import LiteLLMProvider; LiteLLMProvider(); "
            f"print([m for m in ['litellm', *{call_path!r}] if m in sys.modules])"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("LITELLM_")}
        env.update(LITELLM_CHAT_MODEL="anthropic/claude-sonnet-4-5", LITELLM_API_KEY="sk-test")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        assert result.stdout.strip() == "[]"
