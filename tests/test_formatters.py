"""formatters: Director messages and tools -> OpenAI format (pure, table-driven)."""

from __future__ import annotations

import json

import pytest

from director_litellm._errors import InvalidInputError
from director_litellm._formatters import convert_messages, convert_tools, format_response_format, format_stop

CIRCULAR: dict = {"q": "x"}
CIRCULAR["self"] = CIRCULAR
CALL = {"id": "call_1", "tool": {"name": "search", "arguments": {"q": "cats", "n": 2}}, "type": "function"}


class TestFormatMessages:
    def test_plain_roles_pass_through(self) -> None:
        """System, user and assistant text messages keep role and content."""
        msgs = [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "hello"},
        ]
        assert convert_messages(msgs).messages == msgs

    @pytest.mark.parametrize("kind", ["function", "tool_use"])
    def test_director_tool_call_becomes_openai_call(self, kind: str) -> None:
        """Internal tool calls (type function or tool_use) become OpenAI calls with JSON-string arguments."""
        msgs = [
            {"role": "user", "content": "find cats"},
            {"role": "assistant", "content": [], "tool_calls": [{**CALL, "type": kind}]},
            {"role": "tool", "content": "3 cats", "tool_call_id": "call_1"},
        ]
        out = convert_messages(msgs).messages
        assert out[1] == {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "search", "arguments": '{"q": "cats", "n": 2}'},
                }
            ],
        }
        assert out[2] == {"role": "tool", "content": "3 cats", "tool_call_id": "call_1"}

    def test_openai_shaped_call_passes_through(self) -> None:
        """A tool call already in OpenAI shape keeps its string arguments."""
        call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": '{"a":1}'}}
        out = convert_messages(
            [{"role": "user", "content": "x"}, {"role": "assistant", "content": "", "tool_calls": [call]}]
        ).messages
        assert out[1]["tool_calls"] == [call]

    @pytest.mark.parametrize(
        "arguments, sent", [(None, "{}"), ("", "{}"), ("  ", "{}"), ({}, "{}"), ('{"x":1}', '{"x":1}')]
    )
    def test_empty_arguments_are_sent_as_empty_object(self, arguments: object, sent: str) -> None:
        """Missing or blank arguments are sent as the JSON text {}."""
        msgs = [
            {"role": "user", "content": "x"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"id": "c", "tool": {"name": "f", "arguments": arguments}}],
            },
        ]
        assert convert_messages(msgs).messages[1]["tool_calls"][0]["function"]["arguments"] == sent

    def test_system_message_last_is_kept(self) -> None:
        """A trailing system message stays a system message (shaping is model_rules' job)."""
        msgs = [
            {"role": "user", "content": "x"},
            {"role": "assistant", "content": "y"},
            {"role": "system", "content": "z"},
        ]
        assert convert_messages(msgs).messages[-1] == {"role": "system", "content": "z"}

    def test_user_parts_and_director_image(self) -> None:
        """Text and image_url parts pass; Director's image part becomes image_url."""
        parts = [
            {"type": "text", "text": "look"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
            {"type": "image", "image": {"url": "https://example.com/a.png"}},
        ]
        out = convert_messages([{"role": "user", "content": parts}]).messages
        assert out[0]["content"] == [
            {"type": "text", "text": "look"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
        ]

    def test_tool_content_that_is_not_text_is_json(self) -> None:
        """A tool result given as an object is sent as JSON text."""
        msgs = [
            {"role": "user", "content": "x"},
            {"role": "assistant", "content": "", "tool_calls": [CALL]},
            {"role": "tool", "content": {"ok": True}, "tool_call_id": "call_1"},
        ]
        assert json.loads(convert_messages(msgs).messages[2]["content"]) == {"ok": True}

    def test_input_is_not_mutated(self) -> None:
        """The caller's messages are left untouched."""
        msgs = [{"role": "user", "content": "x"}, {"role": "assistant", "content": [], "tool_calls": [dict(CALL)]}]
        before = json.dumps(msgs, sort_keys=True)
        convert_messages(msgs)
        assert json.dumps(msgs, sort_keys=True) == before

    @pytest.mark.parametrize(
        "messages, problem",
        [
            ("hello", "must be a list"),
            ([], "empty"),
            ([None], "must be an object"),
            ([{"content": "x"}], "role must be one of"),
            ([{"role": "wizard", "content": "x"}], "role must be one of"),
            ([{"role": "user", "content": 5}], "content must be a string"),
            ([{"role": "user", "content": [{"type": "video"}]}], "unsupported content part"),
            ([{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}], "needs a url"),
            ([{"role": "user", "content": [7]}], "must be an object"),
            ([{"role": "assistant", "content": "", "tool_calls": "x"}], "tool_calls must be a list"),
            ([{"role": "assistant", "content": "", "tool_calls": [{"tool": {"name": "f"}}]}], "non-empty string id"),
            ([{"role": "assistant", "content": "", "tool_calls": [{"id": "c"}]}], "needs 'tool'"),
            (
                [{"role": "assistant", "content": "", "tool_calls": [{"id": "c", "tool": {"arguments": {}}}]}],
                "needs a name",
            ),
            (
                [
                    {
                        "role": "assistant",
                        "content": "",
                        "tool_calls": [{"id": "c", "tool": {"name": "f", "arguments": 3}}],
                    }
                ],
                "arguments must be",
            ),
            (
                [
                    {
                        "role": "assistant",
                        "content": "",
                        "tool_calls": [{"id": "c", "tool": {"name": "f", "arguments": {"x": object()}}}],
                    }
                ],
                "not JSON-serialisable",
            ),
            (
                [
                    {
                        "role": "assistant",
                        "content": "",
                        "tool_calls": [{"id": "c", "tool": {"name": "f", "arguments": CIRCULAR}}],
                    }
                ],
                "not JSON-serialisable",
            ),
            ([{"role": "tool", "content": "r"}], "needs a tool_call_id"),
            ([{"role": "tool", "content": "r", "tool_call_id": "nope"}], "answers no tool call"),
            (
                [
                    {"role": "user", "content": "x"},
                    {"role": "assistant", "content": "", "tool_calls": [CALL]},
                    {"role": "user", "content": "y"},
                    {"role": "tool", "content": "r", "tool_call_id": "call_1"},
                ],
                "answers no tool call",
            ),
        ],
    )
    def test_malformed_messages_are_refused(self, messages: object, problem: str) -> None:
        """Each malformed message shape raises InvalidInputError naming the problem."""
        with pytest.raises(InvalidInputError, match=problem):
            convert_messages(messages)


class TestFormatTools:
    def test_director_tool_becomes_openai_function(self) -> None:
        """A neutral tool is wrapped as an OpenAI function tool."""
        tool = {
            "name": "search",
            "description": "d",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
        }
        assert convert_tools([tool]).tools == [{"type": "function", "function": tool}]

    def test_openai_tool_passes_through(self) -> None:
        """A tool already in OpenAI shape is unchanged."""
        tool = {"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object"}}}
        assert convert_tools([tool]).tools == [tool]

    @pytest.mark.parametrize(
        "tool", [{"name": "f"}, {"name": "f", "parameters": None}, {"name": "f", "parameters": {}}]
    )
    def test_missing_parameters_get_empty_schema(self, tool: dict) -> None:
        """A tool without parameters (absent, null or {}) gets an empty object schema."""
        assert convert_tools([tool]).tools[0]["function"]["parameters"] == {"type": "object", "properties": {}}

    @pytest.mark.parametrize("tools", [None, []])
    def test_no_tools_is_none(self, tools: object) -> None:
        """None and [] both mean: send no tools."""
        assert convert_tools(tools).tools is None

    @pytest.mark.parametrize(
        "tools, problem",
        [
            ({"name": "f"}, "must be a list"),
            (["f"], "must be an object"),
            ([{"name": "bad name!"}], "tool name must match"),
            ([{"description": "no name"}], "tool name must match"),
            ([{"name": "f", "parameters": "x"}], "JSON Schema object"),
            ([{"name": "ok"}, {"name": "clip", "parameters": [{"name": "q"}]}], r"tools\[1\] \('clip'\).*got a list"),
            ([{"name": "clip", "parameters": {"type": "array", "items": {}}}], r"\('clip'\).*got type 'array'"),
            ([{"name": "clip", "parameters": {"properties": {"q": {}}}}], r"\('clip'\).*got no type"),
            (
                [{"type": "function", "function": {"name": "clip", "parameters": {"type": ["object", "null"]}}}],
                r"\('clip'\).*got type \['object', 'null'\]",
            ),
            ([{"name": "f", "description": 3}], "description must be a string"),
            ([{"name": "f"}, {"name": "f"}], "duplicate tool names f"),
            # the API's pattern is ^[a-zA-Z0-9_-]{1,64}$ over the whole name; Python's $ also matches
            # before a final newline, so "f\n" passed before the name was matched in full
            ([{"name": "f\n"}], "tool name must match"),
            ([{"type": "function", "function": {"name": "f\n"}}], "tool name must match"),
            ([{"name": "x" * 65}], "tool name must match"),
        ],
    )
    def test_malformed_tools_are_refused(self, tools: object, problem: str) -> None:
        """Each malformed tool list raises InvalidInputError naming the problem."""
        with pytest.raises(InvalidInputError, match=problem):
            convert_tools(tools)


class TestStopAndResponseFormat:
    def test_stop_string_becomes_list(self) -> None:
        """A single stop string is sent as a one-element list."""
        assert format_stop("END") == ["END"]

    @pytest.mark.parametrize("stop", [5, [""], ["a", 1], ["a", "b", "c", "d", "e"]])
    def test_bad_stop_is_refused(self, stop: object) -> None:
        """Non-strings, empty strings and more than four sequences are refused."""
        with pytest.raises(InvalidInputError):
            format_stop(stop)

    @pytest.mark.parametrize(
        "rf",
        [
            {"type": "json_object"},
            {"type": "text"},
            {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}},
        ],
    )
    def test_valid_response_formats_pass(self, rf: dict) -> None:
        """The three documented response_format types pass unchanged."""
        assert format_response_format(rf) == rf

    @pytest.mark.parametrize(
        "rf",
        ["json", {"type": "yaml"}, {"type": "json_schema"}, {"type": "json_schema", "json_schema": {"schema": {}}}],
    )
    def test_bad_response_formats_are_refused(self, rf: object) -> None:
        """Unknown types and json_schema without name/schema are refused."""
        with pytest.raises(InvalidInputError):
            format_response_format(rf)


class TestToolSchemaAtTheWire:
    @pytest.mark.parametrize("parameters", [[{"name": "q", "type": "string"}], {"type": "array", "items": {}}])
    @pytest.mark.parametrize("protocol", ["openai", "anthropic"])
    def test_non_object_schema_is_refused_before_sending(
        self, request: pytest.FixtureRequest, protocol: str, parameters: object
    ) -> None:
        """A tool whose parameters are not an object schema: invalid_input naming the tool, nothing sent."""
        from director_litellm import LiteLLMConfig, LiteLLMProvider

        fake = request.getfixturevalue(f"{protocol}_fake")
        model = "openai/gpt-4o-mini" if protocol == "openai" else "anthropic/claude-sonnet-4-6"
        provider = LiteLLMProvider(LiteLLMConfig(chat_model=model, api_base=fake.url, api_key="sk-test-0123456789abc"))
        tools = [
            {"name": "search", "description": "find", "parameters": {"type": "object", "properties": {}}},
            {"name": "make_clip", "description": "cut", "parameters": parameters},
        ]
        r = provider.chat_completions([{"role": "user", "content": "cut"}], tools=tools)
        assert not r.status
        assert r.error["category"] == "invalid_input"
        assert "make_clip" in r.content
        assert "parameters" in r.content
        assert fake.requests == []


class TestMarkedFlag:
    """convert_messages / convert_tools say False only when no cache_control mark came through: the
    request then skips looking for marks to strip (models that take none must never receive one)."""

    MARK = {"type": "ephemeral"}

    @pytest.mark.parametrize(
        "messages",
        [
            [{"role": "user", "content": "hi", "cache_control": MARK}],
            [{"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": MARK}]}],
            [{"role": "system", "content": [{"type": "text", "text": "be brief", "cache_control": MARK}]}],
            [{"role": "system", "content": "be brief", "cache_control": MARK}, {"role": "user", "content": "hi"}],
            [{"role": "user", "content": "x"}, {"role": "assistant", "content": "ok", "cache_control": MARK}],
        ],
    )
    def test_a_mark_anywhere_is_reported(self, messages: list) -> None:
        from director_litellm._formatters import convert_messages

        out, marked = convert_messages(messages)
        assert "cache_control" in json.dumps(out)
        assert marked

    @pytest.mark.parametrize(
        "tools",
        [
            [{"name": "f", "cache_control": MARK}],
            [{"type": "function", "function": {"name": "f", "cache_control": MARK}}],
            [{"type": "function", "function": {"name": "f"}, "cache_control": MARK}],
        ],
    )
    def test_a_marked_tool_is_reported(self, tools: list) -> None:
        from director_litellm._formatters import convert_tools

        out, marked = convert_tools(tools)
        assert "cache_control" in json.dumps(out)
        assert marked

    def test_directors_request_carries_none(self) -> None:
        from director_litellm._formatters import convert_messages, convert_tools
        from tests.director_data import director_tools, history

        (messages, marked_messages), (tools, marked_tools) = (
            convert_messages(history(5)),
            convert_tools(director_tools()),
        )
        assert not marked_messages
        assert not marked_tools
        assert "cache_control" not in json.dumps([messages, tools])
