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
from tests.conformance.known import LIMITATIONS, STACK
from tests.conformance.replay import ReplayServer, load_payloads

PAYLOADS = load_payloads()
MESSAGES = [{"role": "user", "content": "Hello"}]


@pytest.fixture(scope="module")
def litellm() -> Any:
    from director_litellm._litellm import import_litellm

    return import_litellm()


def affected(name: str) -> bool:
    stacks = {lim.stacks for lim in LIMITATIONS.values() if lim.key == name}
    assert len(stacks) == 1, f"unknown limitation {name}"
    return STACK in stacks.pop()


def call(litellm: Any, server: ReplayServer, key: str, model: str, **kwargs: Any) -> Any:
    return litellm.completion(
        model=model, api_base=server.base(key), api_key="sk-test", messages=MESSAGES, max_retries=0, **kwargs
    )


def test_anthropic_thinking_is_dropped_by_litellm_160(litellm: Any, server: ReplayServer) -> None:
    key = "anthropic/mirascope-thinking"
    thinking = expected(PAYLOADS[key]).reasoning
    assert thinking
    message = call(litellm, server, key, "anthropic/claude-sonnet-4-20250514").choices[0].message
    got = getattr(message, "reasoning_content", None)
    if affected("anthropic_thinking_160"):
        assert not got and not getattr(message, "thinking_blocks", None)
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
    assert seen == "" and text == ""
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
        assert not choice.message.content and not getattr(choice.message, "refusal", None)
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
    assert exp.content and exp.reasoning
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
    assert exp.reasoning and exp.content
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
        assert message.content == thought + answer and not getattr(message, "reasoning_content", None)
    else:
        assert message.content == answer and message.reasoning_content == thought


def test_gemini_contentless_candidate_has_no_choice_in_litellm_160(litellm: Any, server: ReplayServer) -> None:
    key = "gemini/pydantic-ai-model-armor-response"
    assert json.loads(PAYLOADS[key].body)["candidates"][0]["finishReason"] == "MODEL_ARMOR"
    response = call(litellm, server, key, GEMINI)
    if affected("gemini_contentless_candidate_160"):
        assert response.choices == []
    else:
        assert response.choices[0].provider_specific_fields["native_finish_reason"] == "MODEL_ARMOR"
