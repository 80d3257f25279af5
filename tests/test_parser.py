"""parser: litellm responses -> LLMResponse (pure, duck-typed, never raises)."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from director_litellm._parser import parse_arguments, parse_response
from director_litellm._response import LLMResponse, LLMResponseStatus


def completion(content: Any = "hi", tool_calls: Any = None, finish: Any = "stop", usage: Any = "default") -> dict:
    message = {"role": "assistant", "content": content}
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    body = {"model": "m", "choices": [{"index": 0, "message": message, "finish_reason": finish}]}
    if usage == "default":
        body["usage"] = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    elif usage is not None:
        body["usage"] = usage
    return body


def call(arguments: Any, name: str = "f", id: Any = "c1") -> dict:
    return {"id": id, "type": "function", "function": {"name": name, "arguments": arguments}}


class TestParseArguments:
    @pytest.mark.parametrize(
        "raw, parsed, kept",
        [
            ('{"a": 1}', {"a": 1}, None),
            ({"a": 1}, {"a": 1}, None),
            ("", {}, None),
            (None, {}, None),
            ("   \n", {}, None),
            ("{}", {}, None),
            ('{"a": 1', {}, '{"a": 1'),  # truncated
            ("not json", {}, "not json"),
            ("[1, 2]", {}, "[1, 2]"),  # JSON, but not an object
            ('"text"', {}, '"text"'),
            ("null", {}, None),
            (42, {}, "42"),
        ],
    )
    def test_table(self, raw: Any, parsed: dict, kept: Any) -> None:
        """Arguments always come out a dict; unusable text is returned for keeping."""
        assert parse_arguments(raw) == (parsed, kept)


class TestParseResponse:
    def test_text_answer(self) -> None:
        """A text completion fills content, usage, finish_reason and SUCCESS."""
        r = parse_response(completion())
        assert (r.content, r.send_tokens, r.recv_tokens, r.total_tokens, r.finish_reason, r.status) == (
            "hi",
            3,
            2,
            5,
            "stop",
            LLMResponseStatus.SUCCESS,
        )
        assert r.model == "m"
        assert r.tool_calls == []

    def test_tool_calls_in_director_shape(self) -> None:
        """Tool calls come out as {id, tool{name, arguments: dict}, type} with finish_reason tool_calls."""
        r = parse_response(completion(content=None, tool_calls=[call('{"q": "x"}')], finish="stop"))
        assert r.tool_calls == [{"id": "c1", "tool": {"name": "f", "arguments": {"q": "x"}}, "type": "function"}]
        assert r.finish_reason == "tool_calls"
        assert r.content == ""

    @pytest.mark.parametrize("raw", ['{"q": "x"', "oops", "[1]"])
    def test_malformed_arguments_are_kept_and_logged(self, raw: str, caplog: pytest.LogCaptureFixture) -> None:
        """Unusable arguments become {} with the raw text on the response and a warning."""
        with caplog.at_level(logging.WARNING, logger="director_litellm._parser"):
            r = parse_response(completion(tool_calls=[call(raw)]))
        assert r.tool_calls[0]["tool"]["arguments"] == {}
        assert r.raw_tool_arguments == {"c1": raw}
        assert any("not a JSON object" in rec.getMessage() for rec in caplog.records)

    @pytest.mark.parametrize("raw", ["", None, "  "])
    def test_blank_arguments_are_empty_without_warning(self, raw: Any, caplog: pytest.LogCaptureFixture) -> None:
        """Blank or missing arguments are {} and nothing is kept."""
        r = parse_response(completion(tool_calls=[call(raw)]))
        assert r.tool_calls[0]["tool"]["arguments"] == {}
        assert r.raw_tool_arguments == {}
        assert not caplog.records

    def test_missing_id_gets_one_and_nameless_call_is_dropped(self) -> None:
        """A call without id gets a generated one; a call without name is dropped."""
        r = parse_response(completion(tool_calls=[call("{}", id=None), call("{}", name="")]))
        assert len(r.tool_calls) == 1
        assert r.tool_calls[0]["id"].startswith("call_")

    @pytest.mark.parametrize(
        "usage, counts",
        [
            (None, (0, 0, 0)),
            ({}, (0, 0, 0)),
            ({"prompt_tokens": None, "completion_tokens": None, "total_tokens": None}, (0, 0, 0)),
            ({"prompt_tokens": 4, "completion_tokens": 6}, (4, 6, 10)),
            # a reported total is taken as reported, not recomputed from the parts
            ({"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 12}, (7, 2, 12)),
        ],
    )
    def test_usage_is_none_safe(self, usage: Any, counts: tuple[int, int, int]) -> None:
        """Usage is read into send/recv/total; missing parts are 0 and total is derived when absent."""
        r = parse_response(completion(usage=usage))
        assert (r.send_tokens, r.recv_tokens, r.total_tokens) == counts

    @pytest.mark.parametrize(
        "finish, expected",
        [(None, "stop"), ("length", "length"), ("end_turn", "end_turn"), ("tool_calls", "stop"), ("weird", "weird")],
    )
    def test_finish_reason_without_tool_calls(self, finish: Any, expected: str) -> None:
        """finish_reason is the provider's, 'stop' when missing, never tool_calls without calls."""
        assert parse_response(completion(finish=finish)).finish_reason == expected

    def test_choice_index_0_is_used_wherever_it_is(self) -> None:
        """With several choices (n>1) the answer is choice 0's, even when it is not listed first."""
        body = completion(content="first", finish="stop")
        second = {"index": 1, "message": {"role": "assistant", "content": "second"}, "finish_reason": "length"}
        body["choices"] = [second, *body["choices"]]
        r = parse_response(body)
        assert (r.content, r.finish_reason) == ("first", "stop")

    @pytest.mark.parametrize("finish", ["length", "max_tokens", "MAX_TOKENS"])
    def test_cut_off_tool_call_is_not_callable(self, finish: str, caplog: pytest.LogCaptureFixture) -> None:
        """Output cut off inside a tool call: finish_reason length, the call not returned, its raw text kept."""
        with caplog.at_level(logging.WARNING, logger="director_litellm._parser"):
            r = parse_response(completion(content="Let me search.", tool_calls=[call('{"q": "ca')], finish=finish))
        assert (r.status, r.finish_reason, r.tool_calls, r.content) == (True, "length", [], "Let me search.")
        assert r.raw_tool_arguments == {"c1": '{"q": "ca'}
        assert any("cut off" in rec.getMessage() for rec in caplog.records)

    def test_cut_off_keeps_the_complete_calls_before_it(self) -> None:
        """Only the last call can be the cut-off one; complete calls before it are returned."""
        calls = [call('{"q": "cats"}', id="a"), call("{}", name="g", id="b")]  # Anthropic sends {} for a cut input
        r = parse_response(completion(content=None, tool_calls=calls, finish="length"))
        assert r.tool_calls == [{"id": "a", "tool": {"name": "f", "arguments": {"q": "cats"}}, "type": "function"}]
        assert r.finish_reason == "length"
        assert r.raw_tool_arguments == {"b": "{}"}

    def test_cut_off_text_is_length(self) -> None:
        """A text answer cut off (Anthropic's raw max_tokens too) reports length."""
        assert parse_response(completion(finish="max_tokens")).finish_reason == "length"

    @pytest.mark.parametrize(
        "message, finish, shown",
        [
            # OpenAI: message.refusal, content null, finish_reason stop
            (
                {"content": None, "refusal": "I'm sorry, I can't help with that."},
                "stop",
                "I'm sorry, I can't help with that.",
            ),
            # Anthropic via litellm 1.60: stop_reason "refusal" passed through, partial text kept
            ({"content": "I can't"}, "refusal", "I can't"),
            # Anthropic via litellm 1.10x: content_filter, the raw stop_reason in provider_specific_fields
            ({"content": None, "provider_specific_fields": {"stop_reason": "refusal"}}, "content_filter", None),
        ],
    )
    def test_refusal_reaches_the_caller(self, message: dict, finish: str, shown: str | None) -> None:
        """A refusal: its text (or a short safe sentence) in content and refusal, finish_reason refusal, ERROR."""
        body = completion(finish=finish)
        body["choices"][0]["message"] = {"role": "assistant", **message}
        r = parse_response(body)
        assert r.status == LLMResponseStatus.ERROR
        assert r.finish_reason == "refusal"
        if shown is None:
            assert "declined" in r.content
        else:
            assert r.content == shown
        assert r.refusal == r.content
        assert r.tool_calls == []
        assert r.error is not None
        assert r.error["category"] == "content_policy"
        assert r.error["message"] == r.content
        assert (r.send_tokens, r.recv_tokens, r.model) == (3, 2, "m")  # the refused call was still billed

    def test_content_filter_with_text_keeps_the_text(self) -> None:
        """A content_filter finish with text (not a refusal) is a SUCCESS that says content_filter."""
        r = parse_response(completion(content="partial", finish="content_filter"))
        assert (r.status, r.finish_reason, r.refusal) == (LLMResponseStatus.SUCCESS, "content_filter", None)
        assert r.content == "partial"

    @pytest.mark.parametrize("content", [None, "", "  \n"])
    def test_content_filter_with_nothing_is_an_error(self, content: Any) -> None:
        """The filter withheld the whole answer: ERROR (content_policy) with a sentence, not an empty SUCCESS."""
        r = parse_response(completion(content=content, finish="content_filter"))
        assert r.status == LLMResponseStatus.ERROR
        assert r.finish_reason == "content_filter"
        assert r.error is not None
        assert r.error["category"] == "content_policy"
        assert not r.error["retryable"]
        assert r.content == r.error["message"]
        assert "content filter" in r.content
        assert r.partial_content == (content or None)
        assert r.refusal is None
        assert (r.send_tokens, r.recv_tokens, r.model) == (3, 2, "m")  # billed all the same

    def test_content_filter_with_tool_calls_keeps_them(self) -> None:
        """Tool calls that arrived are an answer: SUCCESS, finish_reason tool_calls."""
        r = parse_response(completion(content=None, tool_calls=[call('{"q": 1}')], finish="content_filter"))
        assert r.status == LLMResponseStatus.SUCCESS
        assert r.finish_reason == "tool_calls"
        assert len(r.tool_calls) == 1

    def test_content_parts_are_joined(self) -> None:
        """A list of text parts becomes one string."""
        assert parse_response(completion(content=[{"type": "text", "text": "a"}, {"text": "b"}])).content == "ab"

    def test_attribute_objects_and_cost(self) -> None:
        """Objects with attributes work like dicts; litellm's response_cost becomes cost."""
        msg = SimpleNamespace(content="x", tool_calls=None, reasoning_content="because")
        resp = SimpleNamespace(
            model="m2",
            choices=[SimpleNamespace(message=msg, finish_reason="stop")],
            usage=SimpleNamespace(prompt_tokens=1, completion_tokens=1, total_tokens=2),
            _hidden_params={"response_cost": 0.25},
        )
        r = parse_response(resp)
        assert (r.content, r.cost, r.reasoning_content, r.model) == ("x", 0.25, "because", "m2")

    @pytest.mark.parametrize("body", [{}, {"choices": []}, {"choices": None}, None, "text", {"choices": [None]}])
    def test_no_answer_is_an_error_response(self, body: Any) -> None:
        """A response with no usable choice is an ERROR response, not an exception."""
        r = parse_response(body)
        assert r.status == LLMResponseStatus.ERROR
        assert r.error is not None
        assert r.content


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
json_like = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "choices",
                    "message",
                    "content",
                    "tool_calls",
                    "function",
                    "name",
                    "arguments",
                    "id",
                    "usage",
                    "prompt_tokens",
                    "completion_tokens",
                    "total_tokens",
                    "finish_reason",
                    "model",
                    "reasoning_content",
                    "_hidden_params",
                    "response_cost",
                    "delta",
                    "text",
                    "refusal",
                    "provider_specific_fields",
                    "stop_reason",
                ]
            ),
            inner,
            max_size=6,
        ),
    ),
    max_leaves=30,
)


class TestParserProperties:
    @settings(max_examples=400, deadline=None)
    @given(json_like)
    def test_arbitrary_input_never_raises(self, body: Any) -> None:
        """Any response-like value yields a valid LLMResponse with str content and dict arguments."""
        r = parse_response(body)
        assert isinstance(r, LLMResponse)
        assert isinstance(r.content, str)
        assert r.status in (LLMResponseStatus.SUCCESS, LLMResponseStatus.ERROR)
        for c in r.tool_calls:
            assert isinstance(c["tool"]["arguments"], dict)
            assert isinstance(c["id"], str)
            assert c["type"] == "function"
        if r.tool_calls:
            assert r.finish_reason in ("tool_calls", "length")
        assert min(r.send_tokens, r.recv_tokens, r.total_tokens) >= 0

    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=40))
    def test_arbitrary_argument_text_never_raises(self, raw: str) -> None:
        """Any argument text yields a dict, and unusable text is kept verbatim."""
        parsed, kept = parse_arguments(raw)
        assert isinstance(parsed, dict)
        assert kept is None or kept == raw


class TestCutOffAtTheWire:
    @pytest.mark.parametrize("protocol", ["openai", "anthropic"])
    def test_tool_call_cut_off_by_max_tokens(self, request: pytest.FixtureRequest, protocol: str) -> None:
        """The provider stops at the token limit inside a tool call: finish_reason length and no callable call."""
        from tests.helpers import provider_for

        fake = request.getfixturevalue(f"{protocol}_fake")
        # OpenAI: finish_reason "length" with the arguments as cut; Anthropic: stop_reason "max_tokens",
        # the tool_use input as far as it could be parsed (an object)
        arguments = '{"mode": "search", "query": "ca' if protocol == "openai" else '{"mode": "search"}'
        fake.reply(
            "Searching.",
            tool_calls=[{"id": "call_cut", "name": "agent_01", "arguments": arguments}],
            finish_reason="length",
        )
        r = provider_for(fake).chat_completions([{"role": "user", "content": "go"}], tools=[{"name": "agent_01"}])
        assert fake.violations == []
        assert r.status
        assert (r.finish_reason, r.tool_calls, r.content) == ("length", [], "Searching.")
        (kept,) = r.raw_tool_arguments.values()
        assert kept.replace(" ", "") == arguments.replace(" ", "")


OPENAI_REFUSAL = "I'm sorry, I can't assist with that request."


class TestRefusalAtTheWire:
    def test_openai_refusal(self, openai_fake: Any) -> None:
        """OpenAI's message.refusal (content null) reaches the caller: content, refusal, finish_reason, ERROR."""
        from tests.helpers import provider_for

        openai_fake.reply(
            raw_body={
                "id": "chatcmpl-refused",
                "object": "chat.completion",
                "created": 1,
                "model": "gpt-4o-2024-08-06",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": None, "refusal": OPENAI_REFUSAL},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 17, "completion_tokens": 10, "total_tokens": 27},
            }
        )
        r = provider_for(openai_fake).chat_completions([{"role": "user", "content": "x"}])
        assert (r.status, r.content, r.refusal, r.finish_reason) == (False, OPENAI_REFUSAL, OPENAI_REFUSAL, "refusal")
        assert r.error["category"] == "content_policy"
        assert r.total_tokens == 27

    @pytest.mark.parametrize("text", ["I can't help with that.", None])
    def test_anthropic_refusal(self, anthropic_fake: Any, text: str | None) -> None:
        """Anthropic's stop_reason refusal: its text if any, else a short safe sentence; finish_reason refusal."""
        from tests.helpers import provider_for

        content = [{"type": "text", "text": text}] if text else []
        anthropic_fake.reply(content=content, finish_reason="refusal", usage=(12, 3))
        r = provider_for(anthropic_fake).chat_completions([{"role": "user", "content": "x"}])
        assert anthropic_fake.violations == []
        assert (r.status, r.finish_reason, r.tool_calls) == (False, "refusal", [])
        assert r.content == (text or r.content)
        assert r.refusal == r.content
        assert r.content
        if text is None:
            assert "declined" in r.content
        assert r.error["category"] == "content_policy"
        assert (r.send_tokens, r.recv_tokens) == (12, 3)


class TestFieldOnModels:
    """``field`` reads pydantic models (litellm's response types) without ``getattr`` for stored values;
    what a class computes (a property) must still be computed, and extra fields still found."""

    def test_stored_extra_computed_and_absent(self) -> None:
        from pydantic import BaseModel, ConfigDict

        from director_litellm._fields import field

        class Message(BaseModel):
            model_config = ConfigDict(extra="allow")
            content: str | None = None

            @property
            def reasoning(self) -> str:
                return "computed"

        message = Message(content="stored", refusal="extra")
        assert field(message, "content") == "stored"
        assert field(message, "refusal") == "extra"  # pydantic keeps it in __pydantic_extra__
        assert field(message, "reasoning") == "computed"
        assert field(message, "missing", "fallback") == "fallback"
        assert field(Message(), "content", "fallback") == "fallback"  # None counts as absent

    def test_a_model_with_its_own_getattr_is_asked(self) -> None:
        from pydantic import BaseModel

        from director_litellm._fields import field

        class Lazy(BaseModel):
            def __getattr__(self, name: str) -> Any:
                if name == "usage":
                    return {"prompt_tokens": 3}
                return super().__getattr__(name)  # type: ignore[misc]

        assert field(Lazy(), "usage") == {"prompt_tokens": 3}
