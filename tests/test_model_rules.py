"""model_rules: the per-model decisions, as tables (the wire tests check them end to end)."""

from __future__ import annotations

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from director_litellm import _model_rules as model_rules
from director_litellm._errors import InvalidInputError
from director_litellm._model_rules import (
    claude_version,
    sampling_params,
    shape_conversation,
    stream_whole,
    takes_one_sampling_param,
)
from tests.fakes import FakeAnthropic

TOOL_CALL = {"id": "c1", "type": "function", "function": {"name": "search", "arguments": '{"q": "x"}'}}


class TestClaudeVersion:
    @pytest.mark.parametrize(
        "model, version, one_param",
        [
            ("anthropic/claude-sonnet-4-5-20250929", ("sonnet", 4, 5), True),
            ("claude-haiku-4-5", ("haiku", 4, 5), True),
            ("anthropic/claude-opus-4-1-20250805", ("opus", 4, 1), True),
            ("claude-opus-4-20250514", ("opus", 4, 0), False),
            ("anthropic/claude-sonnet-4-20250514", ("sonnet", 4, 0), False),
            ("claude-3-7-sonnet-20250219", ("sonnet", 3, 7), False),
            ("anthropic/claude-3-5-sonnet-20241022", ("sonnet", 3, 5), False),
            ("bedrock/anthropic.claude-sonnet-4-6-v1:0", ("sonnet", 4, 6), True),
            ("vertex_ai/claude-opus-5", ("opus", 5, 0), True),
            ("openai/gpt-4o", None, False),
        ],
    )
    def test_versions(self, model: str, version: object, one_param: bool) -> None:
        """Family and version are read from every naming scheme; the one-parameter rule follows."""
        assert claude_version(model) == version
        assert takes_one_sampling_param(model) is one_param


class TestSamplingParams:
    @pytest.mark.parametrize(
        "model, t_set, p_set, sent",
        [
            ("openai/gpt-4o", False, False, {"temperature": 0.9}),
            ("openai/gpt-4o", False, True, {"temperature": 0.9, "top_p": 0.5}),
            ("openai/gpt-4o", True, True, {"temperature": 0.9, "top_p": 0.5}),
            ("anthropic/claude-3-5-sonnet-20241022", False, True, {"temperature": 0.9, "top_p": 0.5}),
            ("anthropic/claude-sonnet-4-5", False, False, {"temperature": 0.9}),
            ("anthropic/claude-sonnet-4-5", True, False, {"temperature": 0.9}),
            ("anthropic/claude-sonnet-4-5", False, True, {"top_p": 0.5}),
        ],
    )
    def test_what_is_sent(self, model: str, t_set: bool, p_set: bool, sent: dict) -> None:
        """temperature always; top_p only when set; one of them for one-parameter Claude models."""
        assert sampling_params(model, 0.9, 0.5, temperature_set=t_set, top_p_set=p_set) == sent

    def test_both_set_on_one_parameter_model_is_refused(self) -> None:
        """Both explicitly set on Sonnet 4.5 is refused with the variables to unset."""
        with pytest.raises(InvalidInputError, match="LITELLM_TOP_P"):
            sampling_params("anthropic/claude-sonnet-4-5", 0.2, 0.5, temperature_set=True, top_p_set=True)


class TestShapeConversation:
    FINAL_CUT = [
        {"role": "system", "content": "You are Director."},
        {"role": "user", "content": "make a cut"},
        {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
        {"role": "tool", "tool_call_id": "c1", "content": "found 3 clips"},
        {"role": "assistant", "content": "Here is the cut."},
        {"role": "system", "content": "Summarise the session."},
    ]

    def test_other_models_are_untouched(self) -> None:
        """Non-Claude models get the messages object itself back."""
        assert shape_conversation("openai/gpt-4o", self.FINAL_CUT, False) is self.FINAL_CUT

    def test_final_cut_on_claude(self) -> None:
        """No tools: tool history becomes text, the trailing system message becomes a user turn."""
        out = shape_conversation("anthropic/claude-sonnet-4-6", self.FINAL_CUT, False)
        assert [m["role"] for m in out] == ["system", "user", "assistant", "user", "assistant", "user"]
        assert "search" in out[2]["content"]
        assert '{"q": "x"}' in out[2]["content"]
        assert out[3]["content"].endswith("found 3 clips")
        assert out[-1] == {"role": "user", "content": "Summarise the session."}
        assert not any("tool_calls" in m or m["role"] == "tool" for m in out)

    def test_tool_history_kept_when_tools_are_sent(self) -> None:
        """With tools in the call, tool calls and results stay structured."""
        out = shape_conversation("anthropic/claude-sonnet-4-6", self.FINAL_CUT[:4], True)
        assert out == self.FINAL_CUT[:4]

    def test_system_after_user_is_left_for_litellm(self) -> None:
        """A trailing system message after a user turn stays (litellm hoists it; the conversation ends on user)."""
        msgs = [{"role": "user", "content": "hi"}, {"role": "system", "content": "s"}]
        assert shape_conversation("anthropic/claude-sonnet-4-6", msgs, False) == msgs

    def test_several_trailing_system_messages_merge(self) -> None:
        """Several trailing system messages become one user turn."""
        msgs = [
            {"role": "user", "content": "u"},
            {"role": "assistant", "content": "a"},
            {"role": "system", "content": "s1"},
            {"role": "system", "content": "s2"},
        ]
        out = shape_conversation("claude-opus-4-1", msgs, False)
        assert out[-1] == {"role": "user", "content": "s1\n\ns2"}
        assert len(out) == 3

    @pytest.mark.parametrize("roles", [["system"], ["system", "system"], ["developer", "system"]])
    def test_system_only_conversation_becomes_one_user_turn(self, roles: list[str]) -> None:
        """Only system messages: their text goes as one user turn (Anthropic needs a non-system message)."""
        msgs = [{"role": role, "content": f"s{i}"} for i, role in enumerate(roles)]
        out = shape_conversation("anthropic/claude-sonnet-4-6", msgs, False)
        assert out == [{"role": "user", "content": "\n\n".join(f"s{i}" for i in range(len(roles)))}]
        assert shape_conversation("openai/gpt-4o", msgs, False) is msgs


class TestMistralOrder:
    """Rule 2, Mistral: its validator allows a system message only first or after a user turn."""

    FINAL_CUT = TestShapeConversation.FINAL_CUT

    @pytest.mark.parametrize(
        "model",
        [
            "mistral/mistral-small-latest",
            "codestral/codestral-latest",
            "azure_ai/mistral-large-2411",
            "openai/magistral-medium-2509",
            "mistral/devstral-small-2507",
        ],
    )
    def test_final_cut_system_after_the_answer_goes_as_user(self, model: str) -> None:
        """The Final Cut's trailing system message follows the assistant's answer: sent as a user turn."""
        out = shape_conversation(model, self.FINAL_CUT, False)
        assert [m["role"] for m in out] == ["system", "user", "assistant", "tool", "assistant", "user"]
        assert out[-1] == {"role": "user", "content": "Summarise the session."}
        assert out[:5] == self.FINAL_CUT[:5]  # tool calls and results stay structured

    def test_other_orders_are_untouched(self) -> None:
        """A leading system message, or one after a user turn, is what Mistral accepts: the same list back."""
        msgs = [*self.FINAL_CUT[:2], {"role": "system", "content": "more"}, self.FINAL_CUT[2], self.FINAL_CUT[3]]
        assert shape_conversation("mistral/mistral-small-latest", msgs, True) is msgs

    @pytest.mark.parametrize("model", ["ollama_chat/llama3.1", "openai/gpt-4o", "cohere_chat/command-a-03-2025"])
    def test_other_families_keep_the_trailing_system_message(self, model: str) -> None:
        """Only Mistral's order rule applies here: other non-Claude models get the list itself back."""
        assert shape_conversation(model, self.FINAL_CUT, False) is self.FINAL_CUT


class TestStreamWhole:
    def test_only_models_on_cohere_v2_are_asked_whole(self) -> None:
        """Rule 8 follows litellm's route data: Cohere v2 chat yes, anything else no."""
        on_v2 = {"cohere_chat/command-a-03-2025"}.__contains__
        assert stream_whole("cohere_chat/command-a-03-2025", on_v2)
        assert not stream_whole("cohere_chat/v1/command-r", on_v2)
        assert not stream_whole("openai/gpt-4o", on_v2)


class TestShapeAtTheWire:
    @pytest.mark.parametrize("model", ["anthropic/claude-sonnet-4-6", "anthropic/claude-3-5-sonnet-20241022"])
    def test_system_only_conversation_reaches_claude(self, anthropic_fake: FakeAnthropic, model: str) -> None:
        """A system-only conversation is sent (not refused locally by litellm) with its text as the user turn."""
        anthropic_fake.reply("Here is the summary.")
        provider = LiteLLMProvider(
            LiteLLMConfig(chat_model=model, api_base=anthropic_fake.url, api_key="sk-test-0123456789abc", num_retries=0)
        )
        r = provider.chat_completions(
            [{"role": "system", "content": "You are Director."}, {"role": "system", "content": "Summarise."}]
        )
        assert r.status, r.error
        assert r.content == "Here is the summary."
        assert anthropic_fake.violations == []
        (sent,) = anthropic_fake.requests
        # Anthropic Messages: a user turn whose content is the text (a string or one text block)
        assert "system" not in sent.body
        (turn,) = sent.body["messages"]
        assert turn["role"] == "user"
        text = turn["content"] if isinstance(turn["content"], str) else "".join(b["text"] for b in turn["content"])
        assert text == "You are Director.\n\nSummarise."


class TestGeminiRules:
    @pytest.mark.parametrize(
        ("model", "gemini"),
        [
            ("gemini/gemini-2.5-flash", True),
            ("vertex_ai/gemini-2.0-flash", True),
            ("gemini-2.5-pro", True),
            ("openrouter/google/gemini-2.5-flash", False),
            ("vertex_ai/claude-sonnet-4-6", False),
            ("openai/gpt-4o", False),
        ],
    )
    def test_is_gemini(self, model: str, gemini: bool) -> None:
        """Gemini on its own wire only: behind an OpenAI-compatible route the rules do not apply."""
        assert model_rules.is_gemini(model) is gemini

    def test_trailing_system_becomes_user_for_gemini(self) -> None:
        """Rule 2 for Gemini: the Final Cut's trailing system message goes as the last user turn."""
        messages = [
            {"role": "system", "content": "s"},
            {"role": "user", "content": "u"},
            {"role": "assistant", "content": "a"},
            {"role": "system", "content": "summarise"},
        ]
        shaped = model_rules.shape_conversation("gemini/gemini-2.5-flash", messages, False)
        assert shaped[-1] == {"role": "user", "content": "summarise"}
        assert shaped[:3] == messages[:3]

    def test_gemini_keeps_tool_history_without_tools(self) -> None:
        """Unlike Claude, Gemini takes function calls in the history of a call without tools: not flattened."""
        call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        messages = [
            {"role": "user", "content": "u"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "c", "content": "r"},
        ]
        assert model_rules.shape_conversation("vertex_ai/gemini-2.5-flash", messages, False) is messages

    def test_schema_subset(self) -> None:
        """Rule 11: keys outside Schema and formats the type does not take are left out, nested too."""
        params = {
            "type": "object",
            "properties": {
                "url": {"type": "string", "format": "uri", "description": "d"},
                "when": {"type": "string", "format": "date-time"},
                "n": {"type": "integer", "format": "int64", "minimum": 1, "default": 2},
                "list": {"type": "array", "items": {"type": "object", "additionalProperties": False, "properties": {}}},
            },
            "if": {"properties": {"x": {"const": 1}}},
            "then": {"required": ["url"]},
            "additionalProperties": False,
        }
        tools = [{"type": "function", "function": {"name": "t", "description": "d", "parameters": params}}]
        sent = model_rules.tools_for("gemini/gemini-2.5-flash", tools)
        assert sent is not None
        cut = sent[0]["function"]["parameters"]
        assert set(cut) == {"type", "properties"}
        assert cut["properties"]["url"] == {"type": "string", "description": "d"}
        assert cut["properties"]["when"]["format"] == "date-time"
        assert cut["properties"]["n"] == {"type": "integer", "format": "int64", "minimum": 1, "default": 2}
        assert cut["properties"]["list"]["items"] == {"type": "object", "properties": {}}
        assert "if" in params  # the caller's schema is left as it was
        assert model_rules.tools_for("openai/gpt-4o", tools) is tools
