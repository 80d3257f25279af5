"""Streaming, async, structured output, reasoning and images: the accumulator by table, the rest at the wire."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from pydantic import BaseModel

from director_litellm import LiteLLMProvider, LLMResponseStatus
from director_litellm._stream import Final, ReasoningDelta, StreamAccumulator, TextDelta
from tests.director_data import director_tools, history
from tests.fakes import FakeAnthropic, FakeOpenAI
from tests.helpers import provider_for


def tc(index: Any = None, id: Any = None, name: Any = None, args: Any = None) -> dict[str, Any]:
    call: dict[str, Any] = {"function": {}}
    if index is not None:
        call["index"] = index
    if id is not None:
        call["id"] = id
    if name is not None:
        call["function"]["name"] = name
    if args is not None:
        call["function"]["arguments"] = args
    return call


def chunk(content: Any = None, calls: Any = None, finish: Any = None, usage: Any = None) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    if content is not None:
        delta["content"] = content
    if calls is not None:
        delta["tool_calls"] = calls
    body: dict[str, Any] = {"model": "gpt-4o-mini", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    if usage is not None:
        body["usage"] = usage
    return body


def accumulate(chunks: list[dict[str, Any]]) -> Any:
    acc = StreamAccumulator()
    for c in chunks:
        acc.add(c)
    return acc.response()


def calls_of(response: Any) -> list[tuple]:
    return [(c["id"], c["tool"]["name"], c["tool"]["arguments"]) for c in response.tool_calls]


class TestAccumulator:
    def test_id_repeated_on_every_chunk(self) -> None:
        """A call whose id comes on every chunk is one call."""
        r = accumulate([chunk(calls=[tc(0, "a", "f", '{"x"')]), chunk(calls=[tc(0, "a", None, ": 1}")])])
        assert calls_of(r) == [("a", "f", {"x": 1})]

    def test_missing_index_continues_latest_call(self) -> None:
        """Chunks without index or id continue the latest call."""
        r = accumulate([chunk(calls=[tc(None, "a", "f", '{"x":')]), chunk(calls=[tc(None, None, None, " 2}")])])
        assert calls_of(r) == [("a", "f", {"x": 2})]

    def test_index_reused_with_new_id_is_a_new_call(self) -> None:
        """Index 0 reused with a new id starts a second call (as some providers send)."""
        r = accumulate([chunk(calls=[tc(0, "a", "f", "{}")]), chunk(calls=[tc(0, "b", "g", '{"y": 1}')])])
        assert calls_of(r) == [("a", "f", {}), ("b", "g", {"y": 1})]

    def test_duplicate_summary_chunk_is_ignored(self) -> None:
        """A final chunk repeating a call's whole arguments does not double them."""
        r = accumulate(
            [
                chunk(calls=[tc(0, "a", "f", '{"q": ')]),
                chunk(calls=[tc(0, None, None, '"v"}')]),
                chunk(calls=[tc(0, "a", "f", '{"q": "v"}')], finish="tool_calls"),
            ]
        )
        assert calls_of(r) == [("a", "f", {"q": "v"})]

    def test_parallel_calls_interleaved(self) -> None:
        """Two calls whose fragments interleave by index come out separate and whole."""
        r = accumulate(
            [
                chunk(calls=[tc(0, "a", "f", ""), tc(1, "b", "g", "")]),
                chunk(calls=[tc(1, None, None, '{"n":')]),
                chunk(calls=[tc(0, None, None, '{"m":')]),
                chunk(calls=[tc(0, None, None, "1}")]),
                chunk(calls=[tc(1, None, None, "2}")]),
            ]
        )
        assert calls_of(r) == [("a", "f", {"m": 1}), ("b", "g", {"n": 2})]

    def test_no_finish_reason(self) -> None:
        """Without any finish_reason: tool_calls when calls exist, else stop."""
        assert accumulate([chunk("hi")]).finish_reason == "stop"
        assert accumulate([chunk(calls=[tc(0, "a", "f", "{}")])]).finish_reason == "tool_calls"

    def test_truncated_arguments_are_kept(self) -> None:
        """Truncated streamed arguments become {} with the raw text kept."""
        r = accumulate([chunk(calls=[tc(0, "a", "f", '{"q": "unterminated')])])
        assert calls_of(r) == [("a", "f", {})]
        assert r.raw_tool_arguments == {"a": '{"q": "unterminated'}

    def test_only_choice_index_0_is_used(self) -> None:
        """Chunks of other choices (n>1) are ignored, text and tool calls alike; usage still counts."""

        def other(index: int, delta: dict[str, Any], finish: Any = None) -> dict[str, Any]:
            return {"model": "gpt-4o-mini", "choices": [{"index": index, "delta": delta, "finish_reason": finish}]}

        acc = StreamAccumulator()
        events = []
        for c in [
            chunk('{"'),
            other(1, {"content": '{"'}),
            other(2, {"tool_calls": [tc(0, "x", "g", "{}")]}),
            chunk("city"),
            other(1, {"content": "town"}),
            chunk('"}', finish="stop"),
            other(1, {"content": '"'}, finish="length"),
            {"choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 9}},
        ]:
            events += acc.add(c)
        r = acc.response()
        assert [e.text for e in events] == ['{"', "city", '"}']
        assert (r.content, r.tool_calls, r.finish_reason, r.total_tokens) == ('{"city"}', [], "stop", 13)

    def test_refusal_deltas_and_markers(self) -> None:
        """delta.refusal pieces join into the refusal; Anthropic's refusal marker (1.10x) makes the answer one."""
        r = accumulate([{"choices": [{"index": 0, "delta": {"refusal": p}}]} for p in ["I'm sorry", ", no."]])
        assert (r.status, r.content, r.refusal, r.finish_reason) == (
            False,
            "I'm sorry, no.",
            "I'm sorry, no.",
            "refusal",
        )
        marker = {
            "choices": [{"index": 0, "delta": {"content": "", "provider_specific_fields": {"stop_reason": "refusal"}}}]
        }
        r = accumulate([chunk("I can"), marker, chunk(finish="content_filter")])
        assert (r.status, r.content, r.refusal, r.finish_reason) == (False, "I can", "I can", "refusal")

    def test_text_usage_and_malformed_chunks(self) -> None:
        """Text deltas join, usage from the last usage chunk counts, malformed chunks are skipped."""
        acc = StreamAccumulator()
        events = []
        for c in [
            chunk("Hel"),
            "garbage",
            {"choices": "x"},
            chunk("lo", finish="stop"),
            {"choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2}},
        ]:
            events += acc.add(c)
        r = acc.response()
        assert [e.text for e in events] == ["Hel", "lo"]
        assert all(isinstance(e, TextDelta) for e in events)
        assert (r.content, r.send_tokens, r.recv_tokens, r.total_tokens) == ("Hello", 4, 2, 6)


def collect(provider: LiteLLMProvider, *args: Any, **kwargs: Any) -> list[Any]:
    return list(provider.stream_chat_completions(*args, **kwargs))


async def acollect(provider: LiteLLMProvider, *args: Any, **kwargs: Any) -> list[Any]:
    return [e async for e in provider.astream_chat_completions(*args, **kwargs)]


@pytest.fixture(params=["sync", "async"])
def streamer(request: pytest.FixtureRequest) -> Any:
    """Both stream paths behind one callable."""
    if request.param == "sync":
        return collect
    return lambda *a, **k: asyncio.run(acollect(*a, **k))


class TestStreamingAtTheWire:
    def test_text_stream(self, fake: Any, streamer: Any) -> None:
        """Text arrives as deltas in order, then one Final with the whole text and usage."""
        fake.reply_stream(["Hel", "lo ", "there"])
        events = streamer(provider_for(fake), [{"role": "user", "content": "hi"}])
        assert fake.violations == []
        texts = [e.text for e in events if isinstance(e, TextDelta)]
        assert "".join(texts) == "Hello there"
        assert len(texts) >= 2
        final = events[-1]
        assert isinstance(final, Final)
        assert sum(isinstance(e, Final) for e in events) == 1
        r = final.response
        assert r.status == LLMResponseStatus.SUCCESS
        assert r.content == "Hello there"
        assert r.finish_reason in ("stop", "end_turn")
        assert r.total_tokens > 0
        if isinstance(fake, FakeOpenAI):
            assert fake.requests[-1].body["stream_options"] == {"include_usage": True}

    def test_streamed_tool_calls(self, fake: Any, streamer: Any) -> None:
        """Streamed tool calls come out whole, in Director's shape, with finish_reason tool_calls."""
        fake.reply_stream(
            None,
            tool_calls=[
                {"id": "call_a", "name": "agent_01", "arguments": '{"mode": "search", "query": "cats"}'},
                {"id": "call_b", "name": "agent_02", "arguments": '{"mode": "edit", "query": "dogs"}'},
            ],
        )
        events = streamer(provider_for(fake), [*history(1), {"role": "user", "content": "go"}], tools=director_tools(3))
        r = events[-1].response
        assert fake.violations == []
        assert r.status
        assert r.finish_reason == "tool_calls"
        assert calls_of(r) == [
            ("call_a", "agent_01", {"mode": "search", "query": "cats"}),
            ("call_b", "agent_02", {"mode": "edit", "query": "dogs"}),
        ]

    def test_dropped_connection_keeps_partial_text(self, fake: Any, streamer: Any) -> None:
        """A stream cut mid-way ends with a Final ERROR that keeps the text received."""
        # cut after "one " and "two ": OpenAI's frames are role, then one per piece; Anthropic's start with
        # message_start, ping and content_block_start
        fake.reply_stream(["one ", "two ", "three"], drop_after=3 if isinstance(fake, FakeOpenAI) else 5)
        events = streamer(provider_for(fake), [{"role": "user", "content": "count"}])
        final = events[-1]
        assert isinstance(final, Final)
        assert not final.response.status
        assert final.response.partial_content == "one two "
        assert final.response.error["category"] == "connection", final.response.error

    def test_error_event_mid_stream(self, fake: Any, streamer: Any) -> None:
        """An error event inside the stream ends it with a Final ERROR, never an exception."""
        # the error event follows the "partial " frame on both wires (see the dropped-connection test)
        fake.reply_stream(
            ["partial ", "text"], error="Overloaded", error_after=2 if isinstance(fake, FakeOpenAI) else 4
        )
        events = streamer(provider_for(fake), [{"role": "user", "content": "x"}])
        final = events[-1]
        assert isinstance(final, Final)
        assert not final.response.status
        assert final.response.partial_content == "partial "
        assert final.response.error["category"] == "server", final.response.error

    def test_failure_before_first_chunk_is_retried(self, fake: Any, streamer: Any) -> None:
        """A 503 before the stream starts is retried like any call."""
        fake.reply_error(503, "busy")
        fake.reply_stream(["ok"])
        events = streamer(
            provider_for(fake, num_retries=1, retry_initial_delay=0.01), [{"role": "user", "content": "x"}]
        )
        assert events[-1].response.status
        assert events[-1].response.content == "ok"
        assert len(fake.requests) == 2

    def test_bad_input_is_one_final_error(self, fake: Any, streamer: Any) -> None:
        """Malformed input yields just a Final ERROR; nothing is sent."""
        events = streamer(provider_for(fake), [{"role": "nobody", "content": "x"}])
        assert len(events) == 1
        assert not events[0].response.status
        assert fake.requests == []

    def test_openai_quirks_raw(self, openai_fake: FakeOpenAI, streamer: Any) -> None:
        """Raw OpenAI chunks with repeated ids, a reused index and a summary chunk parse correctly at the wire."""
        env = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini"}

        def c(delta: dict[str, Any], finish: Any = None) -> dict[str, Any]:
            return {**env, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        events = [
            c({"role": "assistant", "content": None}),
            c(
                {
                    "tool_calls": [
                        {"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": '{"x": '}}
                    ]
                }
            ),
            c({"tool_calls": [{"index": 0, "id": "a", "type": "function", "function": {"arguments": "1}"}}]}),
            c(
                {
                    "tool_calls": [
                        {"index": 0, "id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}}
                    ]
                }
            ),
            c(
                {
                    "tool_calls": [
                        {"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
                    ]
                }
            ),
            c({}, None),
            "data: [DONE]\n\n",
        ]
        openai_fake.reply_stream(events=events)
        r = streamer(
            provider_for(openai_fake), [{"role": "user", "content": "x"}], tools=[{"name": "f"}, {"name": "g"}]
        )[-1].response
        assert r.status
        assert r.finish_reason == "tool_calls"
        assert sorted(calls_of(r)) == [("a", "f", {"x": 1}), ("b", "g", {})]

    def test_several_choices_are_never_merged(self, openai_fake: FakeOpenAI, streamer: Any) -> None:
        """A stream carrying three choices (what n=3 gets) yields choice 0 only, never a merge of all three."""
        env = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini"}

        def c(index: int, delta: dict[str, Any], finish: Any = None) -> dict[str, Any]:
            return {**env, "choices": [{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}]}

        pieces = ['{"', "city", '": "', "Paris", '"}']
        events = [c(i, {"role": "assistant", "content": ""}) for i in range(3)]
        for piece in pieces:
            events += [c(0, {"content": piece}), c(1, {"content": piece.upper()}), c(2, {"content": piece})]
        events += [c(0, {}, "stop"), c(1, {}, "length"), c(2, {}, "stop"), "data: [DONE]\n\n"]
        openai_fake.reply_stream(events=events)
        out = streamer(provider_for(openai_fake), [{"role": "user", "content": "city?"}])
        r = out[-1].response
        assert r.status
        assert r.content == '{"city": "Paris"}'
        assert r.finish_reason == "stop"
        assert "".join(e.text for e in out if isinstance(e, TextDelta)) == '{"city": "Paris"}'

    def test_several_choices_non_streamed_use_the_first(self, openai_fake: FakeOpenAI) -> None:
        """A non-streamed answer with two choices gives choice 0's text and finish_reason."""
        message = {"role": "assistant", "refusal": None}
        openai_fake.reply(
            raw_body={
                "id": "chatcmpl-n2",
                "object": "chat.completion",
                "created": 1,
                "model": "gpt-4o-mini",
                "choices": [
                    {"index": 0, "message": {**message, "content": "first"}, "logprobs": None, "finish_reason": "stop"},
                    {"index": 1, "message": {**message, "content": "sec"}, "logprobs": None, "finish_reason": "length"},
                ],
                "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
            }
        )
        r = provider_for(openai_fake).chat_completions([{"role": "user", "content": "x"}])
        assert r.status
        assert (r.content, r.finish_reason) == ("first", "stop")

    def test_tool_call_cut_off_by_max_tokens(self, fake: Any, streamer: Any) -> None:
        """A stream cut off at max_tokens inside a tool call's JSON: length, no callable call, raw text kept."""
        cut = '{"mode": "search", "query": "ca'
        if isinstance(fake, FakeOpenAI):
            fake.reply_stream(
                None, tool_calls=[{"id": "call_cut", "name": "agent_01", "arguments": cut}], finish_reason="length"
            )
        else:  # Anthropic streams the input as partial JSON, then stop_reason max_tokens
            head = {"id": "msg_cut", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6"}
            block = {"type": "tool_use", "id": "toolu_cut", "name": "agent_01", "input": {}}
            fake.reply_stream(
                events=[
                    {
                        "type": "message_start",
                        "message": {
                            **head,
                            "content": [],
                            "stop_reason": None,
                            "stop_sequence": None,
                            "usage": {"input_tokens": 20, "output_tokens": 1},
                        },
                    },
                    {"type": "content_block_start", "index": 0, "content_block": block},
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "input_json_delta", "partial_json": cut[:12]},
                    },
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "input_json_delta", "partial_json": cut[12:]},
                    },
                    {"type": "content_block_stop", "index": 0},
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": "max_tokens", "stop_sequence": None},
                        "usage": {"output_tokens": 16},
                    },
                    {"type": "message_stop"},
                ]
            )
        events = streamer(provider_for(fake), [{"role": "user", "content": "go"}], tools=director_tools(3))
        r = events[-1].response
        assert fake.violations == []
        assert r.status
        assert (r.finish_reason, r.tool_calls) == ("length", [])
        assert list(r.raw_tool_arguments.values()) == [cut]

    @pytest.mark.parametrize("pieces", [["I can't ", "help with that."], None])
    def test_anthropic_refusal_stream(self, anthropic_fake: FakeAnthropic, streamer: Any, pieces: Any) -> None:
        """A streamed Anthropic refusal ends in a Final ERROR with the text (or a safe sentence), finish refusal."""
        anthropic_fake.reply_stream(pieces, finish_reason="refusal")
        r = streamer(provider_for(anthropic_fake), [{"role": "user", "content": "x"}])[-1].response
        assert anthropic_fake.violations == []
        assert (r.status, r.finish_reason) == (False, "refusal")
        expected = "".join(pieces) if pieces else r.content
        assert r.content == expected
        assert r.refusal == expected
        assert r.error["category"] == "content_policy"
        if not pieces:
            assert "declined" in r.content

    def test_openai_streamed_refusal_is_dropped_by_litellm(self, openai_fake: FakeOpenAI) -> None:
        """Known litellm limitation (1.60 and 1.110): delta.refusal chunks never leave litellm's stream."""
        import litellm

        env = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o"}
        deltas = [({"role": "assistant", "content": None, "refusal": ""}, None), ({"refusal": "I'm sorry"}, None)]
        deltas += [({"refusal": ", I can't help."}, None), ({}, "stop")]
        events = [
            {**env, "choices": [{"index": 0, "delta": d, "logprobs": None, "finish_reason": f}]} for d, f in deltas
        ]
        openai_fake.reply_stream(events=[*events, "data: [DONE]\n\n"])
        chunks = list(
            litellm.completion(
                model="openai/gpt-4o",
                api_base=openai_fake.url,
                api_key="sk-test-0123456789abc",
                messages=[{"role": "user", "content": "x"}],
                stream=True,
            )
        )
        seen = "".join(getattr(c.choices[0].delta, "refusal", None) or "" for c in chunks if c.choices)
        assert seen == ""  # if this fails, litellm passes refusals now: drop the limitation from the README


class TestAsync:
    def test_repeated_asyncio_run(self, openai_fake: FakeOpenAI, anthropic_fake: FakeAnthropic) -> None:
        """achat_completions works across repeated asyncio.run calls, one request per call."""
        for fake in (openai_fake, anthropic_fake):
            provider = provider_for(fake)
            for i in range(4):
                fake.reply(f"answer {i}")
                r = asyncio.run(provider.achat_completions([{"role": "user", "content": f"q{i}"}]))
                assert r.status
                assert r.content == f"answer {i}"
            assert len(fake.requests) == 4
            assert fake.violations == []

    def test_repeated_asyncio_run_streaming(self, openai_fake: FakeOpenAI) -> None:
        """Async streaming under repeated asyncio.run sends exactly one request per call."""
        provider = provider_for(openai_fake)
        for i in range(3):
            openai_fake.reply_stream([f"s{i}"])
            events = asyncio.run(acollect(provider, [{"role": "user", "content": "x"}]))
            assert events[-1].response.content == f"s{i}"
        assert len(openai_fake.requests) == 3

    def test_event_loops_in_several_threads(self, openai_fake: FakeOpenAI) -> None:
        """One provider used from four threads, each with its own event loop, gives every answer right."""
        openai_fake.default(handler=lambda rec: "echo:" + rec.body["messages"][-1]["content"])
        provider = provider_for(openai_fake)
        results: dict[str, str] = {}
        errors: list[BaseException] = []

        def worker(t: int) -> None:
            async def many() -> None:
                rs = await asyncio.gather(
                    *(provider.achat_completions([{"role": "user", "content": f"t{t}-{i}"}]) for i in range(5))
                )
                for i, r in enumerate(rs):
                    results[f"t{t}-{i}"] = r.content

            try:
                for _ in range(2):
                    asyncio.run(many())
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=60)
        assert not errors
        assert len(results) == 20
        assert all(v == f"echo:{k}" for k, v in results.items())
        assert len(openai_fake.requests) == 40


class Clip(BaseModel):
    title: str
    start: float
    end: float


class TestStructuredOutput:
    def test_pydantic_model_is_validated(self, openai_fake: FakeOpenAI) -> None:
        """A pydantic class as response_format is sent as json_schema and parsed into the class."""
        openai_fake.reply('{"title": "Cats", "start": 1.5, "end": 4}')
        r = provider_for(openai_fake).chat_completions([{"role": "user", "content": "x"}], response_format=Clip)
        sent = openai_fake.requests[-1].body["response_format"]
        assert sent["type"] == "json_schema"
        assert sent["json_schema"]["name"] == "Clip"
        assert r.status
        assert r.parsed == Clip(title="Cats", start=1.5, end=4)

    def test_invalid_json_for_model_is_an_error(self, openai_fake: FakeOpenAI) -> None:
        """An answer that does not validate is a clear ERROR keeping the text."""
        openai_fake.reply('{"title": "Cats"}')
        r = provider_for(openai_fake).chat_completions([{"role": "user", "content": "x"}], response_format=Clip)
        assert not r.status
        assert "Clip" in r.content
        assert r.partial_content == '{"title": "Cats"}'

    def test_unsupported_model_degrades_to_json_object(
        self, openai_fake: FakeOpenAI, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A model without schema support gets json_object plus the schema as an instruction, and it is logged."""
        openai_fake.reply('{"title": "Dogs", "start": 0, "end": 2}')
        with caplog.at_level("INFO", logger="director_litellm._model_rules"):
            r = provider_for(openai_fake, "openai/unknown-model-x").chat_completions(
                [{"role": "user", "content": "x"}], response_format=Clip
            )
        body = openai_fake.requests[-1].body
        assert openai_fake.violations == []
        assert r.status
        assert r.parsed == Clip(title="Dogs", start=0, end=2)
        assert body["response_format"] == {"type": "json_object"}
        assert body["messages"][-1]["role"] == "system"
        assert '"title"' in body["messages"][-1]["content"]
        assert any("json_object" in rec.getMessage() for rec in caplog.records)


class TestReasoningAndImages:
    def test_anthropic_thinking_becomes_reasoning_content(self, anthropic_fake: FakeAnthropic) -> None:
        """Anthropic thinking blocks arrive as reasoning_content (litellm 1.60 drops them: documented)."""
        from importlib.metadata import version

        anthropic_fake.reply(
            content=[
                {"type": "thinking", "thinking": "Let me think.", "signature": "sig"},
                {"type": "text", "text": "42"},
            ]
        )
        r = provider_for(anthropic_fake).chat_completions([{"role": "user", "content": "x"}])
        assert r.status
        assert r.content == "42"
        expected = None if version("litellm").startswith("1.60.") else "Let me think."
        assert r.reasoning_content == expected

    def test_reasoning_effort_only_where_the_model_takes_it(
        self, openai_fake: FakeOpenAI, anthropic_fake: FakeAnthropic
    ) -> None:
        """reasoning_effort reaches models litellm says take it, and is never sent where it would be refused."""
        openai_fake.reply("ok")
        provider_for(openai_fake, "openai/o3-mini", reasoning_effort="low").chat_completions(
            [{"role": "user", "content": "x"}], temperature=1
        )
        from importlib.metadata import version

        # litellm 1.60 predates o3-mini's reasoning_effort in its parameter data, so it is not sent there
        expected = None if version("litellm").startswith("1.60.") else "low"
        assert openai_fake.requests[-1].body.get("reasoning_effort") == expected
        r = provider_for(anthropic_fake, reasoning_effort="low").chat_completions([{"role": "user", "content": "x"}])
        assert r.status
        assert anthropic_fake.violations == []
        assert "reasoning_effort" not in anthropic_fake.requests[-1].body

    def test_openai_reasoning_stream_events(self, openai_fake: FakeOpenAI) -> None:
        """reasoning_content deltas become ReasoningDelta events and the final reasoning_content."""
        env = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "deepseek-r1"}
        chunks = [
            {**env, "choices": [{"index": 0, "delta": d, "finish_reason": f}]}
            for d, f in [
                ({"role": "assistant", "reasoning_content": "hmm "}, None),
                ({"reasoning_content": "ok"}, None),
                ({"content": "done"}, "stop"),
            ]
        ]
        openai_fake.reply_stream(events=[*chunks, "data: [DONE]\n\n"])
        events = collect(provider_for(openai_fake), [{"role": "user", "content": "x"}])
        assert [e.text for e in events if isinstance(e, ReasoningDelta)] == ["hmm ", "ok"]
        assert events[-1].response.reasoning_content == "hmm ok"
        assert events[-1].response.content == "done"

    def test_director_image_part_reaches_the_wire(self, fake: Any) -> None:
        """Director's image part is sent as an image (OpenAI image_url / Anthropic image block)."""
        data_uri = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
        parts = [{"type": "text", "text": "what is this"}, {"type": "image", "image": {"url": data_uri}}]
        r = provider_for(fake).chat_completions([{"role": "user", "content": parts}])
        assert r.status
        assert fake.violations == []
        content = fake.requests[-1].body["messages"][-1]["content"]
        kinds = [p["type"] for p in content]
        assert ("image_url" in kinds) if isinstance(fake, FakeOpenAI) else ("image" in kinds)
