"""Recorded Bedrock Converse traffic (``bedrock/``) replayed through the public API on all four call paths.

JSON payloads go through ``chat_completions`` and ``achat_completions``; event streams through
``stream_chat_completions`` and ``astream_chat_completions``, sent one event-stream message per HTTP
chunk. What each call must return is read from the payload's own bytes (``expected``). Sources and
what litellm itself loses: ``bedrock/README.md``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from director_litellm._reasoning_state import unpack
from director_litellm._stream import TextDelta
from tests.conformance.replay import Payload, ReplayServer
from tests.fakes import eventstream
from tests.fakes.fake_bedrock import bedrock_options
from tests.helpers import on_path

HERE = Path(__file__).parent / "bedrock"
LITELLM_160 = tuple(int(p) for p in version("litellm").split(".")[:2]) < (1, 61)
MESSAGES = [{"role": "user", "content": "Hello"}]
# the litellm model each recorded family is reached through (the replay answers whatever is asked)
MODELS = {
    "nova": "bedrock/converse/us.amazon.nova-micro-v1:0",
    "claude": "bedrock/converse/us.anthropic.claude-sonnet-4-20250514-v1:0",
    "gpt-oss": "bedrock/converse/openai.gpt-oss-120b-1:0",
    "error": "bedrock/converse/us.amazon.nova-micro-v1:0",
}
FINISH = {"end_turn": "stop", "tool_use": "tool_calls", "max_tokens": "length"}
# litellm's own losses (README): the payloads whose reasoning litellm 1.60 drops
REASONING_LOST_ON_160 = {"claude-thinking-tool-call", "claude-redacted-thinking", "claude-thinking-stream"}
REASONING_LOST_ON_160 |= {"claude-redacted-thinking-stream", "gpt-oss-reasoning"}
CATEGORY = {400: "bad_request", 429: "rate_limit"}


def load() -> dict[str, Payload]:
    found = {}
    for meta in sorted(HERE.glob("*.meta.json")):
        name = meta.name.removesuffix(".meta.json")
        found[f"bedrock/{name}"] = Payload(
            "bedrock", name, (HERE / f"{name}.body").read_bytes(), json.loads(meta.read_text())
        )
    return found


PAYLOADS = load()


@dataclass
class Expected:
    text: str = ""
    reasoning: str = ""
    tool_calls: list[tuple[str, str, dict]] = field(default_factory=list)
    finish: str | None = None
    usage: tuple[int, int] | None = None


def expected(payload: Payload) -> Expected:
    """What the recorded response says, read from its bytes (Converse JSON or the event stream)."""
    exp = Expected()
    if payload.format == "json":
        body = json.loads(payload.body)
        for block in body["output"]["message"]["content"]:
            exp.text += block.get("text", "")
            reasoning = block.get("reasoningContent", {}).get("reasoningText", {})
            exp.reasoning += reasoning.get("text", "")
            if "toolUse" in block:
                use = block["toolUse"]
                exp.tool_calls.append((use["toolUseId"], use["name"], use["input"]))
        exp.finish = FINISH[body["stopReason"]]
        exp.usage = (body["usage"]["inputTokens"], body["usage"]["outputTokens"])
        return exp
    tools: dict[int, list[Any]] = {}
    for message in eventstream.decode(payload.body):
        event, data = message.header(":event-type"), json.loads(message.payload)
        if event == "contentBlockStart" and "toolUse" in data["start"]:
            tools[data["contentBlockIndex"]] = [
                data["start"]["toolUse"]["toolUseId"],
                data["start"]["toolUse"]["name"],
                "",
            ]
        elif event == "contentBlockDelta":
            delta = data["delta"]
            exp.text += delta.get("text", "")
            exp.reasoning += delta.get("reasoningContent", {}).get("text", "")
            if "toolUse" in delta:
                tools[data["contentBlockIndex"]][2] += delta["toolUse"]["input"]
        elif event == "messageStop":
            exp.finish = FINISH[data["stopReason"]]
        elif event == "metadata":
            exp.usage = (data["usage"]["inputTokens"], data["usage"]["outputTokens"])
    exp.tool_calls = [(i, n, json.loads(a or "{}")) for i, n, a in tools.values()]
    return exp


def _cases() -> list[Any]:
    cases = []
    for key, payload in PAYLOADS.items():
        for path in ("stream", "astream") if payload.meta["path"] == "converse-stream" else ("sync", "async"):
            cases.append(pytest.param(key, path, id=f"{key}-{path}"))
    return cases


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    with ReplayServer(PAYLOADS) as replay:
        yield replay


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.mark.parametrize(("key", "path"), _cases())
def test_payload(key: str, path: str, server: ReplayServer, loop: asyncio.AbstractEventLoop) -> None:
    payload = PAYLOADS[key]
    family = payload.name.split("-")[0] if not payload.name.startswith("gpt-oss") else "gpt-oss"
    config = LiteLLMConfig(
        chat_model=MODELS[family], api_base=server.base(payload), extra_params=bedrock_options(), num_retries=0
    )
    response, events = on_path(LiteLLMProvider(config), path, MESSAGES, loop)
    if payload.status != 200:
        assert not response.status
        assert response.error["category"] == CATEGORY[payload.status]
        assert response.error["status_code"] == payload.status
        assert json.loads(payload.body)["message"] not in response.content, "the provider's text stays in detail"
        return
    exp = expected(payload)
    if not LITELLM_160 and not events and "<thinking>" in exp.text:
        # litellm 1.110 moves Nova's <thinking>...</thinking> text into reasoning_content, in JSON answers
        # only (1.60 keeps it as text, and so does 1.110 in streams: README)
        before, _, rest = exp.text.partition("<thinking>")
        thought, _, after = rest.partition("</thinking>")
        exp.text, exp.reasoning = before + after, exp.reasoning + thought
    assert response.status, response.error
    assert response.content == exp.text
    # the provider's own id (a reasoning model's state rides after it: director_litellm._reasoning_state)
    calls = [(unpack(c["id"])[0], c["tool"]["name"], c["tool"]["arguments"]) for c in response.tool_calls]
    assert calls == exp.tool_calls
    assert response.finish_reason == exp.finish
    if not (LITELLM_160 and events):  # litellm 1.60 counts a Bedrock stream's tokens itself (README)
        assert exp.usage is not None
        assert (response.send_tokens, response.recv_tokens) == exp.usage
    if LITELLM_160 and payload.name in REASONING_LOST_ON_160:
        assert not response.reasoning_content, "litellm 1.60 drops Bedrock reasoning (README); a change here is news"
    else:
        assert (response.reasoning_content or "") == exp.reasoning
    if events:
        assert "".join(e.text for e in events if isinstance(e, TextDelta)) == exp.text


class TestFraming:
    EVENT_STREAMS = [p for p in PAYLOADS.values() if p.format == "eventstream"]

    @pytest.mark.parametrize("payload", EVENT_STREAMS, ids=lambda p: p.name)
    def test_the_fakes_codec_rebuilds_recorded_streams_byte_for_byte(self, payload: Payload) -> None:
        """decode then encode gives the recorded bytes back: the fake frames exactly as Bedrock does."""
        messages = eventstream.decode(payload.body)
        assert b"".join(eventstream.encode(m.headers, m.payload) for m in messages) == payload.body
        assert {m.header(":message-type") for m in messages} == {"event"}

    @pytest.mark.parametrize("payload", EVENT_STREAMS, ids=lambda p: p.name)
    def test_replayed_byte_for_byte_one_message_per_chunk(self, payload: Payload, server: ReplayServer) -> None:
        with httpx.Client() as client, client.stream("POST", f"{server.base(payload)}/model/m/converse-stream") as r:
            chunks = list(r.iter_raw())
        assert b"".join(chunks) == payload.body
        assert r.headers["content-type"] == "application/vnd.amazon.eventstream"
        assert r.headers["transfer-encoding"] == "chunked"

    def test_a_flipped_byte_fails_the_crc(self) -> None:
        body = bytearray(self.EVENT_STREAMS[0].body)
        body[40] ^= 0x01
        with pytest.raises(ValueError, match="CRC"):
            eventstream.decode(bytes(body))

    def test_every_payload_names_its_recording(self) -> None:
        for payload in PAYLOADS.values():
            source = payload.meta["source"]
            assert source["repository"]
            assert source["path"]
            assert len(source["commit"]) == 40
        assert len(PAYLOADS) >= 12
