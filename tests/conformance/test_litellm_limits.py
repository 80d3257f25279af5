"""Known litellm limitations, proved with plain ``litellm.completion`` against the replayed payload.

Each test asserts litellm's own behaviour on both stacks: the loss on the stacks listed in
``known.LIMITATIONS`` and the field intact on the others. When litellm changes, the test
says so, and the limitation (and the README's list) must be revisited. The expected values
are read from the payload.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conformance.expect import expected, sse_data
from tests.conformance.known import STACK, all_limitations
from tests.conformance.replay import ReplayServer, load_payloads
from tests.fakes import FakeAzureOpenAI, FakeCohere, FakeOllama, Reply, running

PAYLOADS = load_payloads()
MESSAGES = [{"role": "user", "content": "Hello"}]


@pytest.fixture(scope="module")
def litellm() -> Any:
    from director_litellm._litellm import _module as import_litellm

    return import_litellm()


def affected(name: str) -> bool:
    stacks = {lim.stacks for _, lim in all_limitations() if lim.key == name}
    assert len(stacks) == 1, f"unknown limitation {name}"
    return STACK in stacks.pop()


def call(litellm: Any, server: ReplayServer, key: str, model: str, **kwargs: Any) -> Any:
    kwargs.setdefault("api_base", server.base(key))
    return litellm.completion(model=model, api_key="sk-test", messages=MESSAGES, max_retries=0, **kwargs)


def test_anthropic_thinking_is_dropped_by_litellm_160(litellm: Any, server: ReplayServer) -> None:
    key = "anthropic/mirascope-thinking"
    thinking = expected(PAYLOADS[key]).reasoning
    assert thinking
    message = call(litellm, server, key, "anthropic/claude-sonnet-4-20250514").choices[0].message
    got = getattr(message, "reasoning_content", None)
    if affected("anthropic_thinking_160"):
        assert not got
        assert not getattr(message, "thinking_blocks", None)
    else:
        assert got == thinking

    key = "anthropic/mirascope-thinking-stream"
    chunks = list(call(litellm, server, key, "anthropic/claude-sonnet-4-20250514", stream=True))
    streamed = "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks if c.choices)
    assert streamed == ("" if affected("anthropic_thinking_160") else expected(PAYLOADS[key]).reasoning)


def test_openai_streamed_refusal_is_dropped_by_litellm(litellm: Any, server: ReplayServer) -> None:
    assert affected("openai_stream_refusal")  # both stacks
    key = "openai/sdk-refusal-stream"
    refusal = "".join(
        (e["choices"][0]["delta"].get("refusal") or "") for e in sse_data(PAYLOADS[key].body) if e["choices"]
    )
    assert refusal
    chunks = list(call(litellm, server, key, "openai/gpt-4o-mini", stream=True))
    seen = "".join((getattr(c.choices[0].delta, "refusal", None) or "") for c in chunks if c.choices)
    text = "".join((c.choices[0].delta.content or "") for c in chunks if c.choices)
    assert seen == ""
    assert text == ""
    # the non-streamed refusal survives on both stacks: the adapter can (and must) report it
    key = "openai/sdk-refusal"
    message = call(litellm, server, key, "openai/gpt-4o-mini").choices[0].message
    assert message.refusal == json.loads(PAYLOADS[key].body)["choices"][0]["message"]["refusal"]


def test_anthropic_refusal_explanation_is_dropped_by_litellm_160(litellm: Any, server: ReplayServer) -> None:
    key = "anthropic/vercel-refusal"
    explanation = json.loads(PAYLOADS[key].body)["stop_details"]["explanation"]
    assert explanation
    choice = call(litellm, server, key, "anthropic/claude-sonnet-4-20250514").choices[0]
    if affected("anthropic_refusal_explanation_160"):
        assert not choice.message.content
        assert not getattr(choice.message, "refusal", None)
        assert not (getattr(choice.message, "provider_specific_fields", None) or {}).get("stop_details")
    else:
        assert choice.message.refusal == explanation
    key = "anthropic/vercel-refusal-stream"
    explanation = next(
        e["delta"]["stop_details"]["explanation"] for e in sse_data(PAYLOADS[key].body) if e["type"] == "message_delta"
    )
    chunks = list(call(litellm, server, key, "anthropic/claude-sonnet-4-20250514", stream=True))
    streamed = "".join((getattr(c.choices[0].delta, "refusal", None) or "") for c in chunks if c.choices)
    assert streamed == ("" if affected("anthropic_refusal_explanation_160") else explanation)


def test_xai_completion_tokens_are_rewritten_by_latest_litellm(litellm: Any, server: ReplayServer) -> None:
    key = "xai/vercel-text"
    usage = json.loads(PAYLOADS[key].body)["usage"]
    reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning
    got = call(litellm, server, key, "xai/grok-3").usage.completion_tokens
    if affected("xai_usage_latest"):
        assert got == usage["completion_tokens"] + reasoning
    else:
        assert got == usage["completion_tokens"]


def test_mistral_content_parts_are_not_read_by_litellm_160(litellm: Any, server: ReplayServer) -> None:
    key = "mistral/vercel-reasoning"
    exp = expected(PAYLOADS[key])
    assert exp.content
    assert exp.reasoning
    if affected("mistral_parts_160"):
        with pytest.raises(Exception) as raised:  # litellm 1.60 raises from its response parsing
            call(litellm, server, key, "mistral/mistral-small-latest")
        assert type(raised.value).__module__.startswith("litellm")
    else:
        message = call(litellm, server, key, "mistral/mistral-small-latest").choices[0].message
        assert message.content == exp.content

    key = "mistral/vercel-reasoning-stream"
    chunks = list(call(litellm, server, key, "mistral/mistral-small-latest", stream=True))
    text = "".join((c.choices[0].delta.content or "") for c in chunks if c.choices)
    assert text == ("" if affected("mistral_parts_stream_160") else expected(PAYLOADS[key]).content)


def test_groq_stream_reasoning_is_dropped_by_litellm_160(litellm: Any, server: ReplayServer) -> None:
    key = "groq/vercel-reasoning-stream"
    exp = expected(PAYLOADS[key])
    assert exp.reasoning
    assert exp.content
    chunks = list(call(litellm, server, key, "groq/openai/gpt-oss-20b", stream=True))
    deltas = [c.choices[0].delta for c in chunks if c.choices]
    reasoning = "".join((getattr(d, "reasoning_content", None) or getattr(d, "reasoning", None) or "") for d in deltas)
    assert "".join(d.content or "" for d in deltas) == exp.content
    assert reasoning == ("" if affected("groq_stream_reasoning_160") else exp.reasoning)
    # the non-streamed answer keeps it on both stacks, as message.reasoning: the adapter must read it
    message = call(litellm, server, "groq/vercel-reasoning", "groq/openai/gpt-oss-20b").choices[0].message
    assert getattr(message, "reasoning", None) == expected(PAYLOADS["groq/vercel-reasoning"]).reasoning


def test_n_gt_1_stream_usage_is_recounted_by_litellm_160(litellm: Any, server: ReplayServer) -> None:
    key = "openai/sdk-n3-stream"
    exp = expected(PAYLOADS[key])
    chunks = list(call(litellm, server, key, "openai/gpt-4o-mini", stream=True, stream_options={"include_usage": True}))
    usage = [c.usage for c in chunks if getattr(c, "usage", None)][-1]
    # litellm keeps each chunk's choice index (so the adapter can use choice 0 only: defect 3 is ours)
    assert sorted({c.choices[0].index for c in chunks if c.choices}) == list(range(exp.choices))
    if affected("n3_stream_usage_160"):
        assert (usage.prompt_tokens, usage.completion_tokens) != (exp.send_tokens, exp.recv_tokens)
    else:
        assert (usage.prompt_tokens, usage.completion_tokens) == (exp.send_tokens, exp.recv_tokens)


def test_mid_stream_error_code_is_lost_by_litellm_160(litellm: Any, server: ReplayServer) -> None:
    key = "openrouter/pydantic-ai-length-then-error-stream"
    code = next(e["error"]["code"] for e in sse_data(PAYLOADS[key].body) if "error" in e)
    with pytest.raises(Exception) as raised:
        list(call(litellm, server, key, "openrouter/openai/gpt-4o", stream=True))
    status = getattr(raised.value, "status_code", None)
    if affected("midstream_error_code_160"):
        assert status != code
    else:
        assert status == code


GEMINI = "gemini/gemini-2.5-flash"


def test_gemini_thoughts_tokens_are_left_out_by_litellm_160(litellm: Any, server: ReplayServer) -> None:
    key = "gemini/vercel-text"
    usage = json.loads(PAYLOADS[key].body)["usageMetadata"]
    got = call(litellm, server, key, GEMINI).usage.completion_tokens
    if affected("gemini_thoughts_tokens_160"):
        assert got == usage["candidatesTokenCount"]
    else:
        assert got == usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]


def test_gemini_thought_parts_become_text_in_litellm_160(litellm: Any, server: ReplayServer) -> None:
    key = "gemini/pydantic-ai-thinking"
    parts = json.loads(PAYLOADS[key].body)["candidates"][0]["content"]["parts"]
    thought = "".join(p["text"] for p in parts if p.get("thought"))
    answer = "".join(p["text"] for p in parts if not p.get("thought"))
    message = call(litellm, server, key, GEMINI).choices[0].message
    if affected("gemini_thought_parts_160"):
        assert message.content == thought + answer
        assert not getattr(message, "reasoning_content", None)
    else:
        assert message.content == answer
        assert message.reasoning_content == thought


def test_gemini_contentless_candidate_has_no_choice_in_litellm_160(litellm: Any, server: ReplayServer) -> None:
    key = "gemini/pydantic-ai-model-armor-response"
    assert json.loads(PAYLOADS[key].body)["candidates"][0]["finishReason"] == "MODEL_ARMOR"
    response = call(litellm, server, key, GEMINI)
    if affected("gemini_contentless_candidate_160"):
        assert response.choices == []
    else:
        assert response.choices[0].provider_specific_fields["native_finish_reason"] == "MODEL_ARMOR"


# ---------------------------------------------------------------- Cohere v2 (recorded payloads and the fake)
COHERE = "cohere_chat/command-a-03-2025"


def test_cohere_v2_has_no_route_in_litellm_160(litellm: Any) -> None:
    """1.60 sends Cohere's v1 body to the v2 endpoint (the strict fake refuses it); latest sends v2."""
    with running(FakeCohere) as fake:
        fake.reply("Paris.")
        try:
            response = litellm.completion(
                model=COHERE, api_base=fake.chat_url, api_key="sk-test", messages=MESSAGES, max_retries=0
            )
        except Exception:
            response = None
        sent = fake.requests[0].body
    if affected("cohere_v2_route_160"):
        assert response is None
        assert "message" in sent
        assert "messages" not in sent
        assert any("message is not a valid field" in v for v in fake.violations)
    else:
        assert response.choices[0].message.content == "Paris."
        assert sent["messages"] == MESSAGES


def test_cohere_v2_stream_is_unreadable_by_latest_litellm(litellm: Any, server: ReplayServer) -> None:
    """Latest raises on the recorded SSE stream's first `event:` line; 1.60 (v1 parser) yields no text either."""
    key = "cohere/vercel-text-stream"
    text = expected(PAYLOADS[key]).content
    assert text
    got, raised = "", None
    try:
        for chunk in call(litellm, server, key, COHERE, stream=True, api_base=server.base(key) + "/v2/chat"):
            got += (chunk.choices[0].delta.content or "") if chunk.choices else ""
    except Exception as error:
        raised = error
    if affected("cohere_v2_stream"):
        assert raised is not None
        assert "Error parsing chunk" in str(raised)
    else:
        assert got != text  # 1.60: no v2 route at all (cohere_v2_route_160)


def test_cohere_v2_cached_tokens_thinking_and_tool_plan_are_dropped_by_latest_litellm(
    litellm: Any, server: ReplayServer
) -> None:
    """The recorded answers carry cached_tokens, thinking parts and a tool_plan; litellm's response has none."""
    if not affected("cohere_v2_drops_latest"):
        pytest.skip("litellm 1.60 has no Cohere v2 route (cohere_v2_route_160)")
    key = "cohere/vercel-reasoning"
    body = json.loads(PAYLOADS[key].body)
    thinking = body["message"]["content"][0]["thinking"]
    assert thinking
    assert body["usage"]["cached_tokens"] == 1344
    response = call(litellm, server, key, COHERE, api_base=server.base(key) + "/v2/chat")
    message = response.choices[0].message
    assert message.content == expected(PAYLOADS[key]).content  # the text arrives
    assert not getattr(message, "reasoning_content", None)
    assert thinking not in json.dumps(message.model_dump())
    details = getattr(response.usage, "prompt_tokens_details", None)
    assert not getattr(details, "cached_tokens", None)
    assert response.usage.prompt_tokens == body["usage"]["tokens"]["input_tokens"]

    key = "cohere/vercel-tool-call"
    plan = json.loads(PAYLOADS[key].body)["message"]["tool_plan"]
    response = call(litellm, server, key, COHERE, api_base=server.base(key) + "/v2/chat")
    message = response.choices[0].message
    assert [c.function.name for c in message.tool_calls] == ["weather", "cityAttractions"]
    assert plan not in json.dumps(response.model_dump(), default=str)


# ---------------------------------------------------------------- Ollama's native chat (the strict fake)
OLLAMA = "ollama_chat/llama3.1"
TOOL = {"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {}}}}
CALL = {"id": "call_1", "type": "function", "function": {"name": "search", "arguments": '{"q": "cats"}'}}


def test_ollama_tools_need_ollama_api_base_on_litellm_160(litellm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """1.60 asks OLLAMA_API_BASE (not the call's api_base) /api/show; unset, tools go into the prompt and a
    process-wide litellm setting flips. Latest sends tools natively and asks nothing."""
    monkeypatch.setenv("OLLAMA_API_BASE", "http://127.0.0.1:9")  # anything but the call's api_base: closed
    monkeypatch.setattr(litellm, "add_function_to_prompt", False)  # restored after the test
    with running(FakeOllama) as fake:
        fake.reply('{"name": "search", "arguments": {}}')
        litellm.completion(model=OLLAMA, api_base=fake.url, messages=MESSAGES, tools=[TOOL], stream=False)
        sent = fake.requests[0].body
        probes = [p.path for p in fake.probes]
    if affected("ollama_show_160"):
        assert "tools" not in sent
        assert sent.get("format") == "json"
        assert "search" in json.dumps(sent["messages"])  # the tool list, pasted into the prompt
        assert litellm.add_function_to_prompt is True  # litellm set it for the whole process
        assert probes == []  # it asked OLLAMA_API_BASE, not this api_base
    else:
        assert sent["tools"] == [TOOL]
        assert "format" not in sent
        assert litellm.add_function_to_prompt is False


def test_ollama_tool_history_raises_in_litellm_160(litellm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A history with a tool call: Ollama answers, then 1.60's token counter raises on the object arguments."""
    with running(FakeOllama) as fake:
        monkeypatch.setenv("OLLAMA_API_BASE", fake.url)
        fake.reply("Found 3 cats.")
        history = [
            *MESSAGES,
            {"role": "assistant", "content": None, "tool_calls": [CALL]},
            {"role": "tool", "tool_call_id": "call_1", "content": "3 cats"},
        ]
        try:
            answer = litellm.completion(model=OLLAMA, api_base=fake.url, messages=history, tools=[TOOL])
        except Exception as error:
            answer = error
        assert len(fake.requests) == 1  # the request was fine and answered
        assert fake.violations == []
    if affected("ollama_tool_history_160"):
        assert isinstance(answer, Exception)
        assert "concatenate str" in str(answer)
    else:
        assert answer.choices[0].message.content == "Found 3 cats."


def test_ollama_streamed_tool_calls_are_dropped_by_litellm_160(litellm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The NDJSON stream carries one tool call; 1.60's chunks have none, latest's have it."""
    with running(FakeOllama) as fake:
        monkeypatch.setenv("OLLAMA_API_BASE", fake.url)
        fake.reply_stream(None, tool_calls=[{"name": "search", "arguments": '{"q": "cats"}'}])
        chunks = list(litellm.completion(model=OLLAMA, api_base=fake.url, messages=MESSAGES, tools=[TOOL], stream=True))
    calls = [tc for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    if affected("ollama_stream_tools_160"):
        assert calls == []
    else:
        assert [c.function.name for c in calls] == ["search"]


def test_ollama_done_reason_length_is_lost_by_litellm_160(litellm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ollama says done_reason length; 1.60 reports stop, latest length."""
    with running(FakeOllama) as fake:
        monkeypatch.setenv("OLLAMA_API_BASE", fake.url)
        fake.reply("cut sh", finish_reason="length")
        choice = litellm.completion(model=OLLAMA, api_base=fake.url, messages=MESSAGES).choices[0]
    assert choice.message.content == "cut sh"
    assert choice.finish_reason == ("stop" if affected("ollama_done_reason_160") else "length")


def test_azure_429_is_retried_inside_litellm_160(litellm: Any) -> None:
    """Every answer a 429 (retry-after-ms 10): with max_retries=0, 1.60 still sends 3 requests, latest 1."""
    with running(FakeAzureOpenAI) as fake:
        fake.retry_after_ms = 10
        fake.default(Reply.error(429))
        with pytest.raises(Exception) as raised:
            litellm.completion(
                model="azure/gpt-4o-mini",
                api_base=fake.url,
                api_key="sk-test",
                api_version="2024-10-21",
                messages=MESSAGES,
                max_retries=0,
                num_retries=0,
            )
        sent = len(fake.requests)
    assert getattr(raised.value, "status_code", None) == 429
    assert sent == (3 if affected("azure_429_retry_160") else 1)


def test_ollama_content_parts_are_sent_as_is_by_litellm_160(litellm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user message of text and image parts: 1.60 sends the array (Ollama's 400), latest text plus images."""
    image = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    parts = [
        {"type": "text", "text": "What is in it?"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{image}"}},
    ]
    with running(FakeOllama) as fake:
        monkeypatch.setenv("OLLAMA_API_BASE", fake.url)
        fake.reply("A pixel.")
        try:
            answer = litellm.completion(model=OLLAMA, api_base=fake.url, messages=[{"role": "user", "content": parts}])
        except Exception as error:
            answer = error
        sent = fake.requests[0].body["messages"][0]
    if affected("ollama_parts_160"):
        assert sent["content"] == parts
        assert isinstance(answer, Exception)
        assert fake.violations == [
            "json: cannot unmarshal array into Go struct field ChatRequest.messages.content of type string"
        ]
    else:
        assert sent["content"] == "What is in it?"
        assert sent["images"] == [image]
        assert answer.choices[0].message.content == "A pixel."
