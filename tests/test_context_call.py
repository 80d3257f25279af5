"""One call's fitting: the settings, the window and token lookups, what the response and the command show."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider, _litellm, cli
from director_litellm import _token_counts as token_counts
from director_litellm._config import ConfigError, load_config
from director_litellm._context_fit import ContextFit
from tests.fakes import FakeAnthropic, FakeOpenAI

KEY = "sk-test-key-0123456789abcdef"


def long_session(turns: int = 6, size: int = 8000) -> list[dict[str, Any]]:
    """Director's shapes: system, then per turn user, assistant tool call, tool result, answer; then a new question."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": "You are Director."}]
    for t in range(turns):
        call = {
            "id": f"call_{t}",
            "tool": {"name": "transcript", "arguments": {"video_id": f"v{t}"}},
            "type": "function",
        }
        messages += [
            {"role": "user", "content": f"What happens in video v{t}?"},
            {"role": "assistant", "content": [], "tool_calls": [call]},
            {
                "role": "tool",
                "content": f"[{t}] " + "the camera pans over the bridge. " * (size // 33),
                "tool_call_id": call["id"],
            },
            {"role": "assistant", "content": f"In v{t} the camera pans over the bridge."},
        ]
    return [*messages, {"role": "user", "content": "And now?"}]


def provider(fake: Any, model: str = "openai/gpt-4o-mini", **cfg: Any) -> LiteLLMProvider:
    values = {"chat_model": model, "api_base": fake.url, "api_key": KEY, "num_retries": 0, **cfg}
    return LiteLLMProvider(LiteLLMConfig.from_values(**values))


class TestSettings:
    def test_defaults(self) -> None:
        """Fitting is on by default, with litellm's window and no context fallback."""
        cfg = LiteLLMConfig.from_values()
        assert (cfg.context_fit, cfg.context_window, cfg.context_fallback) == ("auto", None, None)

    def test_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """LITELLM_CONTEXT_FIT (any case), LITELLM_CONTEXT_WINDOW and LITELLM_CONTEXT_FALLBACK are read; empty is unset."""
        monkeypatch.setenv("LITELLM_CONTEXT_FIT", " OFF ")
        monkeypatch.setenv("LITELLM_CONTEXT_WINDOW", "32000")
        monkeypatch.setenv("LITELLM_CONTEXT_FALLBACK", "openai/gpt-4.1")
        cfg = load_config()
        assert (cfg.context_fit, cfg.context_window, cfg.context_fallback) == ("off", 32000, "openai/gpt-4.1")
        monkeypatch.setenv("LITELLM_CONTEXT_WINDOW", "")
        monkeypatch.setenv("LITELLM_CONTEXT_FALLBACK", " ")
        assert (load_config().context_window, load_config().context_fallback) == (None, None)

    @pytest.mark.parametrize(("variable", "value"), [("LITELLM_CONTEXT_FIT", "trim"), ("LITELLM_CONTEXT_WINDOW", "0")])
    def test_bad_values_name_the_variable(self, monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
        """A value that is not a choice or not a positive window is refused, naming the variable."""
        monkeypatch.setenv(variable, value)
        with pytest.raises(ConfigError, match=variable):
            load_config()


def _bundled_window(model: str) -> int:
    """``max_input_tokens`` in litellm's bundled model data file, read without litellm."""
    spec = importlib.util.find_spec("litellm")
    assert spec is not None
    assert spec.origin is not None
    data = json.loads((Path(spec.origin).parent / "model_prices_and_context_window_backup.json").read_text())
    return int(data[model]["max_input_tokens"])


class _Spy:
    """litellm with its token counter counted (a narrow edge: the memo is what is tested)."""

    def __init__(self, litellm: Any) -> None:
        self.litellm, self.calls = litellm, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.litellm, name)

    def token_counter(self, **kwargs: Any) -> Any:
        self.calls += 1
        return self.litellm.token_counter(**kwargs)


class TestLookups:
    def test_the_window_comes_from_litellms_data(self) -> None:
        """gpt-4o-mini's window is litellm's ``max_input_tokens``; an unknown model has none."""
        assert _litellm.context_window("gpt-4o-mini") == _bundled_window("gpt-4o-mini")
        assert _litellm.context_window("openai/no-such-model-anywhere") is None

    def test_each_message_is_counted_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The same message (an equal copy too) is counted by litellm once per model; a changed one again."""
        spy = _Spy(_litellm._module())
        monkeypatch.setattr(_litellm, "_module", lambda: spy)
        message = {"role": "tool", "content": "memo check " * 300, "tool_call_id": "call_memo_1"}
        first = token_counts.message_tokens("gpt-4o-mini", message, _litellm.count_tokens)
        assert first == spy.litellm.token_counter(model="gpt-4o-mini", messages=[message])
        assert token_counts.message_tokens("gpt-4o-mini", dict(message), _litellm.count_tokens) == first
        assert spy.calls == 1
        token_counts.message_tokens(
            "gpt-4o-mini", {**message, "content": message["content"] + "!"}, _litellm.count_tokens
        )
        token_counts.message_tokens("claude-3-5-haiku-20241022", message, _litellm.count_tokens)
        assert spy.calls == 3

    def test_tool_schemas_are_counted_once_per_set(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The same schema objects are counted once; new tools again."""
        spy = _Spy(_litellm._module())
        monkeypatch.setattr(_litellm, "_module", lambda: spy)
        parameters = {"type": "object", "properties": {"q": {"type": "string", "description": "what"}}}
        tools = [{"type": "function", "function": {"name": "memo_tool", "description": "d", "parameters": parameters}}]
        again = [{"type": "function", "function": {"name": "memo_tool", "description": "d", "parameters": parameters}}]
        assert (
            token_counts.tools_tokens("gpt-4o-mini", tools, _litellm.count_tokens)
            == token_counts.tools_tokens("gpt-4o-mini", again, _litellm.count_tokens)
            > 0
        )
        assert spy.calls == 1
        assert token_counts.tools_tokens("gpt-4o-mini", None, _litellm.count_tokens) == 0


class TestResponse:
    def test_nothing_done_is_none_and_silent(self, openai_fake: FakeOpenAI, caplog: pytest.LogCaptureFixture) -> None:
        """A conversation inside the window: context_fit None and no log line about fitting."""
        caplog.set_level(logging.INFO, logger="director_litellm")
        response = provider(openai_fake).chat_completions(long_session())
        assert response.status
        assert response.context_fit is None
        assert "fitted" not in caplog.text

    def test_one_info_line_says_what_was_done(self, openai_fake: FakeOpenAI, caplog: pytest.LogCaptureFixture) -> None:
        """Fitted: the response carries it, and exactly one INFO line says the same numbers."""
        caplog.set_level(logging.INFO, logger="director_litellm")
        response = provider(openai_fake, context_window=6000, max_tokens=500).chat_completions(long_session())
        fit = response.context_fit
        assert isinstance(fit, ContextFit)
        assert fit.tokens_after < fit.tokens_before
        lines = [r for r in caplog.records if "fitted" in r.getMessage()]
        assert len(lines) == 1
        assert lines[0].levelno == logging.INFO
        assert (
            f"{fit.messages_dropped} message(s) dropped, {fit.tool_results_shortened} tool result(s) shortened, "
            f"{fit.tokens_before} -> {fit.tokens_after} tokens" in lines[0].getMessage()
        )

    def test_streams_and_async_carry_it_too(self, anthropic_fake: FakeAnthropic) -> None:
        """The four call paths fit alike: the stream's final response and the async one say the same."""
        p = provider(anthropic_fake, "anthropic/claude-sonnet-4-5", context_window=6000, max_tokens=500)
        plain = p.chat_completions(long_session()).context_fit
        streamed = list(p.stream_chat_completions(long_session()))[-1].response.context_fit
        awaited = asyncio.run(p.achat_completions(long_session())).context_fit
        assert plain is not None
        assert plain == streamed == awaited
        bodies = [r.body["messages"] for r in anthropic_fake.requests]
        assert bodies[0] == bodies[1] == bodies[2]  # the same history gives the same fitted request
        assert anthropic_fake.violations == []


class TestCommand:
    def test_chat_json_shows_the_fit(
        self,
        openai_fake: FakeOpenAI,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        """``chat --history FILE --json``: a stored session too long for the window comes back with context_fit."""
        for name, value in {
            "LITELLM_CHAT_MODEL": "openai/gpt-4o-mini",
            "LITELLM_API_BASE": openai_fake.url,
            "LITELLM_API_KEY": KEY,
            "LITELLM_NUM_RETRIES": "0",
            "LITELLM_CONTEXT_WINDOW": "6000",
            "LITELLM_MAX_TOKENS": "500",
        }.items():
            monkeypatch.setenv(name, value)
        history = tmp_path / "session.json"
        history.write_text(json.dumps(long_session()[:-1]))
        assert cli.main(["chat", "And now?", "--history", str(history), "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        fit = data["context_fit"]
        assert set(fit) == {"messages_dropped", "tool_results_shortened", "tokens_before", "tokens_after"}
        assert fit["messages_dropped"] + fit["tool_results_shortened"] > 0
        assert openai_fake.requests[-1].body["messages"][-1] == {"role": "user", "content": "And now?"}
        assert cli.main(["chat", "And now?", "--history", str(history)]) == 0
        assert f"fitted: {fit['messages_dropped']} dropped" in capsys.readouterr().err

    def test_a_bad_history_file_is_named(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """--history that is not a JSON list: one line naming the flag, exit 1, nothing sent."""
        history = tmp_path / "session.json"
        history.write_text('{"role": "user"}')
        assert cli.main(["chat", "hi", "--history", str(history)]) == 1
        assert "--history" in capsys.readouterr().err


class TestRefitDeadline:
    """The refit after a provider's ``context_window`` happens within the model's deadline (retry.plan)."""

    def plan(self, now: list[float]) -> tuple[Any, Any]:
        from director_litellm import _retry as retry
        from director_litellm._errors import classify
        from director_litellm._request import new_call

        cfg = LiteLLMConfig.from_values(
            chat_model="openai/gpt-4o-mini", api_key=KEY, num_retries=0, timeout=10, max_tokens=500
        )
        call = new_call(cfg, long_session(), None, None, None, {}, stream=False)
        call.policy.clock = lambda: now[0]
        steps = retry.plan(call, lambda exc, model, attempts: classify(exc, model=model))
        return call, steps

    @staticmethod
    def refused() -> Exception:
        litellm = _litellm._module()
        return litellm.ContextWindowExceededError(
            message="This model's maximum context length is 8000 tokens.", model="gpt-4o-mini", llm_provider="openai"
        )

    def test_with_time_left_the_attempt_goes_once_more_fitted_tighter(self) -> None:
        """Refused with 9 of 10 seconds left: a second Send, with fewer tokens; refused again: it stands."""
        from director_litellm._retry import Send

        now = [0.0]
        call, steps = self.plan(now)
        first = next(steps)
        assert isinstance(first, Send)  # sent whole
        assert call.fits["openai/gpt-4o-mini"] is None
        now[0] = 1.0
        again = steps.send(self.refused())
        size = lambda send: sum(len(str(m.get("content"))) for m in send.request["messages"])  # noqa: E731
        assert isinstance(again, Send)
        assert size(again) < 0.7 * size(first)
        assert again.request["timeout"] <= 9.0
        with pytest.raises(StopIteration) as done:
            steps.send(self.refused())
        assert done.value.value.category == "context_window"

    def test_without_time_left_the_refusal_stands(self) -> None:
        """Refused with half a second left of a 10-second deadline (under the 1 s an attempt needs): no refit."""
        now = [0.0]
        _, steps = self.plan(now)
        next(steps)
        now[0] = 9.5
        with pytest.raises(StopIteration) as done:
            steps.send(self.refused())
        assert done.value.value.category == "context_window"
        assert done.value.value.attempts == 1
