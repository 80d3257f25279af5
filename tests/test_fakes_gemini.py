"""The Gemini and Vertex AI fakes are as strict as the real APIs (their rules cite Google's pages)."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.fakes import FakeGemini, FakeVertex, Reply, running
from tests.helpers import http_client

MODEL = "gemini-2.5-flash"
USER = {"role": "user", "parts": [{"text": "hi"}]}


def post(
    fake: FakeGemini, body: Any, *, model: str = MODEL, stream: bool = False, key: str | None = "k", **kw: Any
) -> httpx.Response:
    method = "streamGenerateContent" if stream else "generateContent"
    headers = {"x-goog-api-key": key} if key else {}
    with http_client() as client:
        return client.post(
            f"{fake.url}/models/{model}:{method}",
            json=body,
            headers=headers,
            params={"alt": "sse"} if stream else None,
            **kw,
        )


def call_turn(name: str = "search", signature: str | None = None) -> dict:
    part: dict = {"functionCall": {"name": name, "args": {"q": "x"}}}
    if signature:
        part["thoughtSignature"] = signature
    return {"role": "model", "parts": [part]}


def answer(name: str = "search") -> dict:
    return {"role": "user", "parts": [{"functionResponse": {"name": name, "response": {"ok": True}}}]}


class TestGeminiFake:
    def test_answer_shape(self, gemini_fake: FakeGemini) -> None:
        """candidates/content/parts, finishReason STOP, usageMetadata; keep-alive across requests."""
        for _ in range(2):
            r = post(gemini_fake, {"contents": [USER]})
            assert r.status_code == 200
            body = r.json()
            assert body["candidates"][0]["content"] == {"parts": [{"text": "ok"}], "role": "model"}
            assert body["candidates"][0]["finishReason"] == "STOP"
            assert body["usageMetadata"] == {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15}

    def test_stream_is_sse_with_the_finish_on_the_last_chunk(self, gemini_fake: FakeGemini) -> None:
        gemini_fake.enqueue(Reply.success("hello", finish_reason="length"))
        r = post(gemini_fake, {"contents": [USER]}, stream=True)
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers.get("transfer-encoding") == "chunked"
        events = [json.loads(b[6:]) for b in r.text.split("\r\n\r\n") if b.startswith("data: ")]
        assert events[-1]["candidates"][0]["finishReason"] == "MAX_TOKENS"

    @pytest.mark.parametrize(
        ("headers", "params", "status"),
        [
            ({"x-goog-api-key": "right"}, None, 200),
            (None, {"key": "right"}, 200),
            ({"x-goog-api-key": "wrong"}, None, 400),
            (None, None, 403),
            ({"authorization": "Bearer right"}, None, 401),
        ],
    )
    def test_key(self, headers: Any, params: Any, status: int) -> None:
        """GEMINI_KEYS: header or ?key=; a wrong key is 400 API_KEY_INVALID; an API key as Bearer is 401."""
        with running(FakeGemini, expected_key="right") as fake, http_client() as client:
            r = client.post(
                f"{fake.url}/models/{MODEL}:generateContent", json={"contents": [USER]}, headers=headers, params=params
            )
        assert r.status_code == status
        if status == 400:
            error = r.json()["error"]
            assert error["message"] == "API key not valid. Please pass a valid API key."
            assert error["status"] == "INVALID_ARGUMENT"
            assert error["details"][0]["reason"] == "API_KEY_INVALID"

    @pytest.mark.parametrize(
        ("contents", "message"),
        [
            ([], "contents is not specified"),
            ([{"role": "assistant", "parts": [{"text": "x"}]}], "Please use a valid role: user, model."),
            ([USER, {"role": "model", "parts": [{"text": "x"}]}], "end with a user role or a function response"),
            ([USER, {"role": "model", "parts": []}], "contents.parts must not be empty"),
            ([USER, answer()], "function response turn comes immediately after a function call turn"),
            ([USER, call_turn("a"), answer("b")], "each function response answers a function call"),
        ],
    )
    def test_refused_contents(self, gemini_fake: FakeGemini, contents: list, message: str) -> None:
        r = post(gemini_fake, {"contents": contents})
        assert r.status_code == 400
        assert message in r.json()["error"]["message"]

    def test_schema_subset(self, gemini_fake: FakeGemini) -> None:
        """GEMINI_SCHEMA: unknown keys and a string format other than enum/date-time are refused."""
        params = {"type": "object", "properties": {"u": {"type": "string", "format": "uri"}}, "if": {}, "then": {}}
        tools = [{"functionDeclarations": [{"name": "f", "parameters": params}]}]
        message = post(gemini_fake, {"contents": [USER], "tools": tools}).json()["error"]["message"]
        assert 'Unknown name "if"' in message
        assert 'Unknown name "then"' in message
        assert "only 'date-time' and 'enum' are supported for STRING type" in message

    def test_snake_case_fields_are_read(self, gemini_fake: FakeGemini) -> None:
        """GEMINI_PROTO_JSON: proto field names are accepted as well as JSON names."""
        body = {
            "contents": [USER],
            "system_instruction": {"parts": [{"text": "s"}]},
            "generation_config": {"max_output_tokens": 5},
        }
        assert post(gemini_fake, body).status_code == 200


class TestThoughtSignatures:
    def test_gemini_3_refuses_a_current_call_without_signature(self, gemini_fake: FakeGemini) -> None:
        r = post(gemini_fake, {"contents": [USER, call_turn(), answer()]}, model="gemini-3-pro-preview")
        assert r.status_code == 400
        assert r.json()["error"]["message"].startswith(
            "Function call is missing a thought_signature in functionCall parts"
        )

    @pytest.mark.parametrize(
        "placeholder", ["skip_thought_signature_validator", "context_engineering_is_the_way_to_go"]
    )
    def test_documented_placeholders_are_accepted(self, gemini_fake: FakeGemini, placeholder: str) -> None:
        for sig in (placeholder, base64.b64encode(placeholder.encode()).decode()):
            r = post(
                gemini_fake, {"contents": [USER, call_turn(signature=sig), answer()]}, model="gemini-3-pro-preview"
            )
            assert r.status_code == 200, r.text

    def test_issued_signature_is_accepted_and_a_made_up_one_is_not(self, gemini_fake: FakeGemini) -> None:
        gemini_fake.enqueue(Reply.success(None, tool_calls=[{"name": "search", "arguments": '{"q": "x"}'}]))
        first = post(gemini_fake, {"contents": [USER]}, model="gemini-3-pro-preview").json()
        part = first["candidates"][0]["content"]["parts"][0]
        assert part["thoughtSignature"] in gemini_fake.signatures
        ok = post(
            gemini_fake,
            {"contents": [USER, {"role": "model", "parts": [part]}, answer()]},
            model="gemini-3-pro-preview",
        )
        assert ok.status_code == 200
        bad = call_turn(signature=base64.b64encode(b"made up").decode())
        r = post(gemini_fake, {"contents": [USER, bad, answer()]}, model="gemini-3-pro-preview")
        assert r.status_code == 400
        assert r.json()["error"]["message"] == "Corrupted thought signature."

    def test_earlier_turns_are_not_validated(self, gemini_fake: FakeGemini) -> None:
        """GEMINI_SIGNATURES: only the current turn (from the last user text on) is checked."""
        contents = [USER, call_turn(), answer(), {"role": "model", "parts": [{"text": "done"}]}, USER]
        assert post(gemini_fake, {"contents": contents}, model="gemini-3-pro-preview").status_code == 200


class TestVertexFake:
    def test_needs_a_token_from_its_endpoint(self, vertex_fake: FakeVertex) -> None:
        with http_client() as client:
            r = client.post(
                f"{vertex_fake.model_url(MODEL)}:generateContent",
                json={"contents": [USER]},
                headers={"authorization": "Bearer not-issued"},
            )
        assert r.status_code == 401
        assert r.json()["error"]["status"] == "UNAUTHENTICATED"

    def test_claude_body_rules(self, vertex_fake: FakeVertex) -> None:
        """VERTEX_CLAUDE: anthropic_version vertex-2023-10-16 in the body, no model in the body."""
        FakeVertex.tokens.add("tok")
        url = f"{vertex_fake.model_url('claude-sonnet-4-6', 'anthropic')}:rawPredict"
        good = {
            "anthropic_version": "vertex-2023-10-16",
            "max_tokens": 10,
            "messages": [{"role": "user", "content": "hi"}],
        }
        with http_client() as client:
            ok = client.post(url, json=good, headers={"authorization": "Bearer tok"})
            bad = client.post(
                url,
                json={**good, "model": "x", "anthropic_version": "2023-06-01"},
                headers={"authorization": "Bearer tok"},
            )
        assert ok.status_code == 200
        assert ok.json()["type"] == "message"
        assert bad.status_code == 400
        assert bad.json()["type"] == "error"
        assert "vertex-2023-10-16" in bad.json()["error"]["message"]
        assert "model" in bad.json()["error"]["message"]
