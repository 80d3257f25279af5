"""The Azure OpenAI, Mistral, Ollama and Cohere v2 fakes: what each refuses, with its real status and body,
and what the adapter makes of their answers and errors."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from director_litellm._stream import TextDelta
from tests.conformance.known import OLD_STACK
from tests.fakes import FakeAzureOpenAI, FakeCohere, FakeMistral, FakeOllama, Reply
from tests.fakes.rules import azure
from tests.helpers import KEY, http_client

USER = [{"role": "user", "content": "hi"}]
AZURE_PATH = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"


def post(url: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    with http_client() as client:
        return client.post(url, json=body, headers=headers or {"authorization": f"Bearer {KEY}"}, timeout=5)


def azure_provider(fake: FakeAzureOpenAI) -> LiteLLMProvider:
    config = LiteLLMConfig(
        chat_model="azure/gpt-4o-mini", api_base=fake.url, api_key=KEY, api_version="2024-10-21", num_retries=0
    )
    return LiteLLMProvider(config)


class TestAzure:
    def test_answers_carry_azures_filter_results_and_headers(self, azure_fake: FakeAzureOpenAI) -> None:
        """A completion carries prompt_filter_results and per-choice content_filter_results, and Azure's headers."""
        got = post(azure_fake.url + AZURE_PATH, {"model": "gpt-4o-mini", "messages": USER}, {"api-key": KEY})
        body = got.json()
        assert got.status_code == 200
        assert body["prompt_filter_results"][0]["content_filter_results"]["jailbreak"] == {
            "filtered": False,
            "detected": False,
        }
        assert body["choices"][0]["content_filter_results"]["violence"] == {"filtered": False, "severity": "safe"}
        assert {"apim-request-id", "x-ms-region", "x-ratelimit-remaining-requests"} <= set(got.headers)

    def test_a_stream_opens_with_the_prompt_annotations(self, azure_fake: FakeAzureOpenAI) -> None:
        """The first SSE chunk has no choices, only prompt_filter_results; the adapter reads the rest as usual."""
        got = post(azure_fake.url + AZURE_PATH, {"model": "m", "messages": USER, "stream": True}, {"api-key": KEY})
        first = json.loads(got.text.split("\n\n")[0][6:])
        assert first["choices"] == []
        assert first["id"] == ""
        assert "prompt_filter_results" in first
        azure_fake.reply_stream(["Hel", "lo"])
        final = list(azure_provider(azure_fake).stream_chat_completions(USER))[-1].response
        assert final.status
        assert final.content == "Hello"

    def test_a_filtered_prompt_is_a_content_policy_error(self, azure_fake: FakeAzureOpenAI) -> None:
        """The 400 content-filter body (code content_filter, ResponsibleAIPolicyViolation) ends the turn as
        content_policy, with no retry."""
        azure_fake.blocked_terms = frozenset({"forbidden"})
        raw = post(
            azure_fake.url + AZURE_PATH,
            {"model": "m", "messages": [{"role": "user", "content": "forbidden"}]},
            {"api-key": KEY},
        )
        error = raw.json()["error"]
        assert raw.status_code == 400
        assert error["code"] == "content_filter"
        assert error["param"] == "prompt"
        assert error["innererror"]["code"] == "ResponsibleAIPolicyViolation"
        assert error["innererror"]["content_filter_result"]["violence"]["filtered"] is True
        r = azure_provider(azure_fake).chat_completions([{"role": "user", "content": "say forbidden things"}])
        assert not r.status
        assert r.error["category"] == "content_policy"
        assert r.error["status_code"] == 400
        assert len(azure_fake.requests) == 2

    def test_a_completion_stopped_by_the_output_filter(self, azure_fake: FakeAzureOpenAI) -> None:
        """finish_reason content_filter with the category that fired; the adapter keeps the text and the reason."""
        azure_fake.reply("The first part", finish_reason="content_filter")
        r = azure_provider(azure_fake).chat_completions(USER)
        assert r.finish_reason == "content_filter"
        assert r.content == "The first part"

    def test_429_asks_for_a_wait_in_milliseconds_and_seconds(self, azure_fake: FakeAzureOpenAI) -> None:
        """Azure's 429 carries retry-after-ms and retry-after; the adapter reports the wait after one request
        (litellm 1.60 alone would retry twice inside the openai client: azure_429_retry_160)."""
        azure_fake.retry_after_ms = 10
        azure_fake.default(Reply.error(429))
        r = azure_provider(azure_fake).chat_completions(USER)
        assert not r.status
        assert r.error["category"] == "rate_limit"
        assert r.error["retry_after"] == azure_fake.retry_after_ms / 1000
        assert len(azure_fake.requests) == 1
        r = asyncio.run(azure_provider(azure_fake).achat_completions(USER))
        assert r.error["category"] == "rate_limit"
        assert len(azure_fake.requests) == 2
        final = list(azure_provider(azure_fake).stream_chat_completions(USER))[-1].response
        assert final.error["category"] == "rate_limit"
        assert len(azure_fake.requests) == 3

    def test_an_unknown_deployment_is_azures_404(self, azure_fake: FakeAzureOpenAI) -> None:
        """A deployment the resource does not have: 404 DeploymentNotFound, reported as not_found."""
        azure_fake.deployments = frozenset({"gpt-4o"})
        got = post(azure_fake.url + AZURE_PATH, {"model": "m", "messages": USER}, {"api-key": KEY})
        assert got.status_code == 404
        assert got.json() == {"error": {"code": "DeploymentNotFound", "message": azure.DEPLOYMENT_NOT_FOUND}}
        r = azure_provider(azure_fake).chat_completions(USER)
        assert r.error["category"] == "not_found"


class TestMistral:
    CALL = {"id": "call_abc", "type": "function", "function": {"name": "search", "arguments": "{}"}}

    def history(self, call_id: str) -> list[dict[str, Any]]:
        call = {**self.CALL, "id": call_id}
        return [
            *USER,
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": call_id, "content": "found"},
        ]

    def test_tool_call_ids_must_be_nine_alphanumerics(self, mistral_fake: FakeMistral) -> None:
        """An OpenAI-style id is refused with Mistral's recorded 400 body; a 9-character id is accepted."""
        got = post(
            mistral_fake.url + "/chat/completions",
            {"model": "mistral-small-latest", "messages": self.history("call_abc")},
        )
        assert got.status_code == 400
        assert got.json() == {
            "object": "error",
            "message": "Tool call id was call_abc but must be a-z, A-Z, 0-9, with a length of 9.",
            "type": "invalid_function_call",
            "param": None,
            "code": "3280",
        }
        ok = post(
            mistral_fake.url + "/chat/completions",
            {"model": "mistral-small-latest", "messages": self.history("abcDEF123")},
        )
        assert ok.status_code == 200

    def test_an_unknown_field_is_422_with_its_location(self, mistral_fake: FakeMistral) -> None:
        """Mistral's request validation: 422, a detail list naming the field (as recorded)."""
        got = post(
            mistral_fake.url + "/chat/completions",
            {"model": "mistral-small-latest", "messages": USER, "max_completion_tokens": 5},
        )
        assert got.status_code == 422
        assert got.json()["message"] == {
            "detail": [
                {
                    "type": "extra_forbidden",
                    "loc": ["body", "max_completion_tokens"],
                    "msg": "Extra inputs are not permitted",
                    "input": 5,
                }
            ]
        }

    def test_answers_have_mistral_ids_and_usage_in_the_last_chunk(self, mistral_fake: FakeMistral) -> None:
        """32-hex response ids, 9-character tool-call ids, usage in the last chunk without stream_options."""
        mistral_fake.reply(None, tool_calls=[{"name": "search", "arguments": "{}"}])
        body = post(mistral_fake.url + "/chat/completions", {"model": "m", "messages": USER}).json()
        assert re.fullmatch(r"[0-9a-f]{32}", body["id"])
        assert re.fullmatch(r"[a-zA-Z0-9]{9}", body["choices"][0]["message"]["tool_calls"][0]["id"])
        text = post(mistral_fake.url + "/chat/completions", {"model": "m", "messages": USER, "stream": True}).text
        chunks = [json.loads(c[6:]) for c in text.split("\n\n") if c.startswith("data: {")]
        assert "usage" in chunks[-1]
        assert all("usage" not in c for c in chunks[:-1])

    def test_the_adapter_sends_back_mistrals_own_ids(self, mistral_fake: FakeMistral) -> None:
        """A call and its result sent back with the id Mistral issued pass the id rule through litellm."""
        provider = LiteLLMProvider(
            LiteLLMConfig(
                chat_model="mistral/mistral-small-latest", api_base=mistral_fake.url, api_key=KEY, num_retries=0
            )
        )
        mistral_fake.reply(None, tool_calls=[{"name": "search", "arguments": '{"query": "cats"}'}])
        first = provider.chat_completions(USER, tools=[{"name": "search", "parameters": {"type": "object"}}])
        call = first.tool_calls[0]
        second = provider.chat_completions(
            [
                *USER,
                {"role": "assistant", "content": "", "tool_calls": [call]},
                {"role": "tool", "tool_call_id": call["id"], "content": "found"},
            ],
            tools=[{"name": "search", "parameters": {"type": "object"}}],
        )
        assert second.status, second.error
        assert mistral_fake.violations == []


class TestOllama:
    def test_a_stream_is_ndjson_ending_with_done(self, ollama_fake: FakeOllama) -> None:
        """Ollama streams unless told not to: one JSON object per line, the last with done, done_reason, counts."""
        ollama_fake.reply_stream(["Hel", "lo"])
        got = post(ollama_fake.url + "/api/chat", {"model": "llama3.1", "messages": USER})
        lines = [json.loads(line) for line in got.text.splitlines()]
        assert got.headers["content-type"] == "application/x-ndjson"
        assert [line["message"]["content"] for line in lines[:-1]] == ["Hel", "lo"]
        assert lines[-1]["done"] is True
        assert lines[-1]["done_reason"] == "stop"
        assert {"prompt_eval_count", "eval_count"} <= set(lines[-1])

    def test_tool_calls_carry_object_arguments_and_string_ones_are_refused(self, ollama_fake: FakeOllama) -> None:
        """Answers give arguments as an object; a history with a JSON-string argument gets Go's decode error."""
        ollama_fake.reply(None, tool_calls=[{"name": "search", "arguments": '{"q": "cats"}'}])
        body = post(ollama_fake.url + "/api/chat", {"model": "llama3.1", "messages": USER, "stream": False}).json()
        assert body["message"]["tool_calls"] == [{"function": {"name": "search", "arguments": {"q": "cats"}}}]
        bad = [
            *USER,
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"function": {"name": "search", "arguments": '{"q": "cats"}'}}],
            },
        ]
        got = post(ollama_fake.url + "/api/chat", {"model": "llama3.1", "messages": bad, "stream": False})
        assert got.status_code == 400
        assert got.json() == {
            "error": "json: cannot unmarshal string into Go struct field ChatRequest.messages.tool_calls.function.arguments of type api.ToolCallFunctionArguments"
        }

    def test_content_parts_and_unknown_models_are_refused(self, ollama_fake: FakeOllama) -> None:
        """An OpenAI parts array is a 400; a model not pulled is a 404 {"error"} the adapter reports as not_found."""
        parts = [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
        got = post(ollama_fake.url + "/api/chat", {"model": "llama3.1", "messages": parts})
        assert got.status_code == 400
        assert "cannot unmarshal array" in got.json()["error"]
        provider = LiteLLMProvider(
            LiteLLMConfig(chat_model="ollama_chat/phi4", api_base=ollama_fake.url, num_retries=0)
        )
        r = provider.chat_completions(USER)
        assert not r.status
        assert r.error["status_code"] == 404
        assert ollama_fake.violations[-1] == 'model "phi4" not found, try pulling it first'

    def test_done_reason_length_reaches_director_as_length(self, ollama_fake: FakeOllama) -> None:
        """done_reason length is Director's length (litellm 1.60 loses it: ollama_done_reason_160)."""
        ollama_fake.reply("cut sh", finish_reason="length")
        provider = LiteLLMProvider(
            LiteLLMConfig(chat_model="ollama_chat/llama3.1", api_base=ollama_fake.url, num_retries=0)
        )
        r = provider.chat_completions(USER)
        assert r.content == "cut sh"
        assert r.finish_reason == ("stop" if OLD_STACK else "length")


class TestCohere:
    def test_errors_are_id_and_message(self, cohere_fake: FakeCohere) -> None:
        """401 'invalid api token'; a tool result for no call is a 400 'invalid request'; both {id, message}."""
        got = post(cohere_fake.chat_url, {"model": "command-a-03-2025", "messages": USER}, {"accept": "*/*"})
        assert got.status_code == 401
        assert set(got.json()) == {"id", "message"}
        assert got.json()["message"] == "invalid api token"
        orphan = [*USER, {"role": "tool", "tool_call_id": "search_x", "content": "r"}]
        got = post(cohere_fake.chat_url, {"model": "command-a-03-2025", "messages": orphan})
        assert got.status_code == 400
        assert got.json()["message"].startswith("invalid request: ")

    def test_the_stream_is_typed_events(self, cohere_fake: FakeCohere) -> None:
        """message-start, tool-plan-delta, tool-call-start/delta/end, message-end: each an SSE event of its type."""
        cohere_fake.tool_plan = "I will search."
        cohere_fake.reply_stream(None, tool_calls=[{"name": "search", "arguments": '{"q": "cats"}'}])
        text = post(cohere_fake.chat_url, {"model": "command-a-03-2025", "messages": USER, "stream": True}).text
        events = [block.split("\n") for block in text.strip().split("\n\n")]
        kinds = [lines[0].removeprefix("event: ") for lines in events]
        assert all(json.loads(lines[1][6:])["type"] == kind for lines, kind in zip(events, kinds, strict=True))
        assert kinds[0] == "message-start"
        assert kinds[-1] == "message-end"
        assert kinds[1:4] == ["tool-plan-delta"] * 3
        assert kinds[4:] == ["tool-call-start", "tool-call-delta", "tool-call-delta", "tool-call-end", "message-end"]
        usage = json.loads(events[-1][1][6:])["delta"]["usage"]
        assert set(usage) == {"billed_units", "tokens", "cached_tokens"}

    def test_a_stream_call_asks_for_the_whole_answer(self, cohere_fake: FakeCohere) -> None:
        """litellm cannot read Cohere's SSE (cohere_v2_stream): the adapter's stream call asks for the whole answer
        and Director still gets text deltas, the tool call and the usage (model_rules rule 8)."""
        if OLD_STACK:
            pytest.skip("litellm 1.60 has no Cohere v2 route (cohere_v2_route_160)")
        provider = LiteLLMProvider(
            LiteLLMConfig(
                chat_model="cohere_chat/command-a-03-2025", api_base=cohere_fake.chat_url, api_key=KEY, num_retries=0
            )
        )
        cohere_fake.reply("Paris is the capital.")
        events = list(provider.stream_chat_completions(USER))
        assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Paris is the capital."
        final = events[-1].response
        assert final.status
        assert final.content == "Paris is the capital."
        assert final.finish_reason == "stop"
        assert final.send_tokens > 0
        assert final.recv_tokens > 0
        assert "stream" not in cohere_fake.requests[-1].body
        assert cohere_fake.violations == []
