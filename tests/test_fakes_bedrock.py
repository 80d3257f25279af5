"""The Bedrock Converse fake is as strict as Bedrock: each rule answers with Bedrock's status, error type and body."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer

from tests.fakes import FakeBedrock, Reply, running
from tests.fakes.rules import bedrock as rules

CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0"
CLAUDE_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"
USER = {"role": "user", "content": [{"text": "Hello"}]}
TOOLS = {"tools": [{"toolSpec": {"name": "search", "inputSchema": {"json": {"type": "object"}}}}]}
THINKING = {"thinking": {"type": "enabled", "budget_tokens": 1024}}


def post(
    fake: FakeBedrock, body: Any, *, model: str = CLAUDE, op: str = "converse", sign: bool = True
) -> httpx.Response:
    """A request signed the way botocore signs it (the fake accepts any key)."""
    url = f"{fake.url}/model/{model.replace(':', '%3A')}/{op}"
    data = json.dumps(body).encode()
    request = AWSRequest(method="POST", url=url, data=data, headers={"content-type": "application/json"})
    if sign:
        SigV4Auth(Credentials("AKIAIOSFODNN7EXAMPLE", "secret"), "bedrock", "us-east-1").add_auth(request)
    return httpx.post(url, content=data, headers=dict(request.headers.items()))


def refused(response: httpx.Response, status: int, error_type: str) -> str:
    assert response.status_code == status
    assert response.headers["x-amzn-errortype"].split(":")[0] == error_type
    body = response.json()
    assert set(body) == {"message"}
    return str(body["message"])


class TestRequestRules:
    @pytest.mark.parametrize(
        ("messages", "message"),
        [
            ([{"role": "assistant", "content": [{"text": "Hi"}]}], rules.STARTS_WITH_USER),
            ([USER, USER], rules.ALTERNATE),
            ([{"role": "user", "content": [{"text": " "}]}], rules.BLANK_TEXT),
            ([{"role": "user", "content": []}], "is empty. Add a ContentBlock"),
            ([{"role": "system", "content": [{"text": "x"}]}], "Member must satisfy enum value set"),
        ],
    )
    def test_conversation_shape(self, bedrock_fake: FakeBedrock, messages: list, message: str) -> None:
        assert message in refused(post(bedrock_fake, {"messages": messages}), 400, "ValidationException")

    def test_tool_blocks_need_tool_config(self, bedrock_fake: FakeBedrock) -> None:
        use = {"toolUse": {"toolUseId": "tooluse_1", "name": "search", "input": {}}}
        result = {"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "3 videos"}]}}
        messages = [USER, {"role": "assistant", "content": [use]}, {"role": "user", "content": [result]}]
        assert refused(post(bedrock_fake, {"messages": messages}), 400, "ValidationException") == rules.NO_TOOL_CONFIG
        assert post(bedrock_fake, {"messages": messages, "toolConfig": TOOLS}).status_code == 200

    def test_tool_results_answer_the_previous_turn(self, bedrock_fake: FakeBedrock) -> None:
        use = {"toolUse": {"toolUseId": "tooluse_1", "name": "search", "input": {}}}
        stray = {"toolResult": {"toolUseId": "tooluse_9", "content": [{"text": "x"}]}}
        messages = [USER, {"role": "assistant", "content": [use]}, {"role": "user", "content": [stray]}]
        message = refused(post(bedrock_fake, {"messages": messages, "toolConfig": TOOLS}), 400, "ValidationException")
        assert "exceeds the number of toolUse blocks of previous turn" in message
        messages[2] = USER
        message = refused(post(bedrock_fake, {"messages": messages, "toolConfig": TOOLS}), 400, "ValidationException")
        assert message == "Expected toolResult blocks at messages.2.content for the following Ids: tooluse_1"

    def test_unknown_model_and_member(self, bedrock_fake: FakeBedrock) -> None:
        message = refused(post(bedrock_fake, {"messages": [USER]}, model="gpt-4o"), 400, "ValidationException")
        assert message == "The provided model identifier is invalid."
        assert "'stream'" in refused(
            post(bedrock_fake, {"messages": [USER], "stream": True}), 400, "ValidationException"
        )


class TestThinking:
    """Claude with thinking on: the answer starts with a signed reasoningContent block, checked when it comes back."""

    def _turn(self, fake: FakeBedrock) -> tuple[list[dict], dict]:
        fake.reply(None, tool_calls=[{"name": "search", "arguments": "{}"}])
        first = post(
            fake, {"messages": [USER], "toolConfig": TOOLS, "additionalModelRequestFields": THINKING}, model=CLAUDE_4
        )
        content = first.json()["output"]["message"]["content"]
        use = content[-1]["toolUse"]
        result = {"toolResult": {"toolUseId": use["toolUseId"], "content": [{"text": "3 videos"}]}}
        return content, result

    def test_thinking_kept_passes_and_dropped_is_refused(self, bedrock_fake: FakeBedrock) -> None:
        content, result = self._turn(bedrock_fake)
        reasoning = content[0]["reasoningContent"]["reasoningText"]
        assert reasoning["signature"] == rules.sign_thinking(reasoning["text"])
        body = {"toolConfig": TOOLS, "additionalModelRequestFields": THINKING}
        kept = [USER, {"role": "assistant", "content": content}, {"role": "user", "content": [result]}]
        assert post(bedrock_fake, {**body, "messages": kept}, model=CLAUDE_4).status_code == 200
        dropped = [USER, {"role": "assistant", "content": content[1:]}, {"role": "user", "content": [result]}]
        message = refused(post(bedrock_fake, {**body, "messages": dropped}, model=CLAUDE_4), 400, "ValidationException")
        assert "Expected `thinking` or `redacted_thinking`, but found `tool_use`" in message

    def test_edited_thinking_fails_its_signature(self, bedrock_fake: FakeBedrock) -> None:
        content, result = self._turn(bedrock_fake)
        content[0]["reasoningContent"]["reasoningText"]["text"] += " (edited)"
        body = {"toolConfig": TOOLS, "additionalModelRequestFields": THINKING}
        messages = [USER, {"role": "assistant", "content": content}, {"role": "user", "content": [result]}]
        message = refused(
            post(bedrock_fake, {**body, "messages": messages}, model=CLAUDE_4), 400, "ValidationException"
        )
        assert "Invalid `signature` in `thinking` block" in message

    def test_redacted_thinking_round_trips(self, bedrock_fake: FakeBedrock) -> None:
        bedrock_fake.redact_thinking = True
        content, result = self._turn(bedrock_fake)
        assert set(content[0]["reasoningContent"]) == {"redactedContent"}
        body = {"toolConfig": TOOLS, "additionalModelRequestFields": THINKING}
        messages = [USER, {"role": "assistant", "content": content}, {"role": "user", "content": [result]}]
        assert post(bedrock_fake, {**body, "messages": messages}, model=CLAUDE_4).status_code == 200


class TestSigV4:
    def test_unsigned_request(self, bedrock_fake: FakeBedrock) -> None:
        response = post(bedrock_fake, {"messages": [USER]}, sign=False)
        assert refused(response, 403, "MissingAuthenticationTokenException") == "Missing Authentication Token"

    def test_malformed_authorization(self, bedrock_fake: FakeBedrock) -> None:
        url = f"{bedrock_fake.url}/model/{CLAUDE}/converse"
        response = httpx.post(url, json={"messages": [USER]}, headers={"authorization": "AWS4-HMAC-SHA256 nonsense"})
        refused(response, 403, "IncompleteSignatureException")

    def test_an_unknown_key_id(self) -> None:
        with running(FakeBedrock, expected_key="AKIAOTHEROTHEROTHER0") as fake:
            message = refused(post(fake, {"messages": [USER]}), 403, "UnrecognizedClientException")
        assert message == "The security token included in the request is invalid."


class TestWire:
    def test_stream_is_valid_aws_event_stream(self, bedrock_fake: FakeBedrock) -> None:
        """botocore's own parser reads the fake's ConverseStream: Bedrock's events, in Bedrock's order."""
        bedrock_fake.reply("Hello there", tool_calls=[{"name": "search", "arguments": '{"query": "cats"}'}])
        response = post(bedrock_fake, {"messages": [USER], "toolConfig": TOOLS}, op="converse-stream")
        assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
        buffer = EventStreamBuffer()
        buffer.add_data(response.content)
        events = [(m.headers[":event-type"], json.loads(m.payload)) for m in buffer]
        names = [name for name, _ in events]
        assert names[0] == "messageStart"
        assert names[-2:] == ["messageStop", "metadata"]
        assert "contentBlockStart" in names
        assert events[-2][1]["stopReason"] == "tool_use"
        assert all("p" in payload for _, payload in events)

    def test_mid_stream_exception_message(self, bedrock_fake: FakeBedrock) -> None:
        bedrock_fake.enqueue(Reply.stream(["Hel", "lo"], error="boom", error_after=2))
        response = post(bedrock_fake, {"messages": [USER]}, op="converse-stream")
        buffer = EventStreamBuffer()
        buffer.add_data(response.content)
        last = list(buffer)[-1]
        assert last.headers[":message-type"] == "exception"
        assert json.loads(last.payload) == {"message": "boom"}

    def test_connections_are_kept_alive(self, bedrock_fake: FakeBedrock) -> None:
        with httpx.Client() as client:
            for _ in range(3):
                url = f"{bedrock_fake.url}/model/{CLAUDE}/converse"
                request = AWSRequest(method="POST", url=url, data=json.dumps({"messages": [USER]}).encode())
                SigV4Auth(Credentials("AKIAIOSFODNN7EXAMPLE", "s"), "bedrock", "us-east-1").add_auth(request)
                assert client.post(url, content=request.data, headers=dict(request.headers.items())).status_code == 200
        assert bedrock_fake.connections == 1
