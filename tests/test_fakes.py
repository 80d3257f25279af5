"""The wire fakes themselves: strict refusals, scripted replies, SSE framing, faults; then real litellm."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.fakes import FakeAnthropic, FakeAzureOpenAI, FakeOpenAI, Reply, running
from tests.fakes.rules import claude_exclusive_sampling, claude_family, claude_max_output, claude_refuses_prefill
from tests.helpers import http_client

AN_HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
OA_HEADERS = {"authorization": "Bearer sk-test"}
USER = {"role": "user", "content": "hi"}
OA_TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
OA_CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
AN_TOOL = {"name": "f", "input_schema": {"type": "object"}}
AN_USE = {"role": "assistant", "content": [{"type": "tool_use", "id": "tu_1", "name": "f", "input": {}}]}
AN_RESULT = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "tu_1", "content": "r"}]}


def post(
    fake: Any,
    body: Any,
    headers: dict | None = None,
    path: str | None = None,
    timeout: float = 5,
    client: httpx.Client | None = None,
) -> httpx.Response:
    if path is None:
        path = "/chat/completions" if isinstance(fake, FakeOpenAI) else "/v1/messages"
    hdrs = headers if headers is not None else OA_HEADERS if isinstance(fake, FakeOpenAI) else AN_HEADERS
    kw = {"content": body} if isinstance(body, (bytes, str)) else {"json": body}
    if client is not None:
        return client.post(fake.url + path, headers=hdrs, timeout=timeout, **kw)
    with http_client() as own:  # a fresh connection, like httpx.post
        return own.post(fake.url + path, headers=hdrs, timeout=timeout, **kw)


def oa(**kw: Any) -> dict:
    return {"model": "gpt-4o-mini", "messages": [USER], **kw}


def an(**kw: Any) -> dict:
    return {"model": "claude-3-5-sonnet-20241022", "max_tokens": 100, "messages": [USER], **kw}


OPENAI_BAD = {
    "unknown key": (oa(foo=1), "Unrecognized request argument supplied: foo"),
    "no model": ({"messages": [USER]}, "model"),
    "empty messages": (oa(messages=[]), "non-empty"),
    "bad role": (oa(messages=[{"role": "bot", "content": "x"}]), "role"),
    "bad part": (oa(messages=[{"role": "user", "content": [{"type": "image", "url": "u"}]}]), "type"),
    "orphan tool": (oa(messages=[USER, {"role": "tool", "tool_call_id": "x", "content": "r"}]), "preceding"),
    "dict arguments": (
        oa(
            messages=[
                USER,
                {"role": "assistant", "tool_calls": [{**OA_CALL, "function": {"name": "f", "arguments": {}}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "r"},
            ],
            tools=[OA_TOOL],
        ),
        "string",
    ),
    "unanswered call": (oa(messages=[USER, {"role": "assistant", "tool_calls": [OA_CALL]}, USER]), "did not have"),
    "empty tool_calls": (oa(messages=[USER, {"role": "assistant", "content": "", "tool_calls": []}, USER]), "empty"),
    "null content": (oa(messages=[USER, {"role": "assistant", "content": None}, USER]), "null"),
    "tool_choice alone": (oa(tool_choice="auto"), "only allowed when 'tools'"),
    "empty tools": (oa(tools=[]), "empty array"),
    "bad tool name": (oa(tools=[{"type": "function", "function": {"name": "a b"}}]), "name"),
    "temperature": (oa(temperature=2.5), "temperature"),
    "top_p": (oa(top_p=1.5), "top_p"),
    "five stops": (oa(stop=list("abcde")), "stop"),
    "schema no name": (oa(response_format={"type": "json_schema", "json_schema": {"schema": {}}}), "json_schema"),
    "format type": (oa(response_format={"type": "xml"}), "response_format"),
    "stream_options": (oa(stream_options={"include_usage": True}), "stream"),
    "gpt-5 temperature": ({**oa(temperature=0.9), "model": "gpt-5"}, "Only the default (1)"),
    "o3 max_tokens": ({**oa(max_tokens=10), "model": "o3"}, "max_completion_tokens"),
}

ANTHROPIC_BAD = {
    "no max_tokens": ({"model": "claude-3-5-sonnet-20241022", "messages": [USER]}, "max_tokens"),
    "over max output": (an(max_tokens=128000), "maximum allowed number of output tokens"),
    "unknown key": (an(reasoning_effort="low"), "reasoning_effort: Extra inputs are not permitted"),
    "system role": (an(messages=[{"role": "system", "content": "s"}, USER]), "role"),
    "first assistant": (an(messages=[{"role": "assistant", "content": "a"}, USER]), "first message"),
    "empty text": (an(messages=[{"role": "user", "content": [{"type": "text", "text": ""}]}]), "non-empty"),
    "empty content": (an(messages=[{"role": "user", "content": []}]), "non-empty content"),
    "orphan result": (
        an(messages=[USER, {"role": "assistant", "content": "a"}, AN_RESULT], tools=[AN_TOOL]),
        "tool_use_id",
    ),
    "unanswered use": (an(messages=[USER, AN_USE, USER], tools=[AN_TOOL]), "without `tool_result`"),
    "result not first": (
        an(
            messages=[
                USER,
                AN_USE,
                {"role": "user", "content": [{"type": "text", "text": "x"}, AN_RESULT["content"][0]]},
            ],
            tools=[AN_TOOL],
        ),
        "come first",
    ),
    "tools missing": (an(messages=[USER, AN_USE, AN_RESULT]), "must define tools"),
    "bad tool name": (an(tools=[{"name": "a.b", "input_schema": {"type": "object"}}]), "pattern"),
    "no schema": (an(tools=[{"name": "f"}]), "input_schema"),
    "system dict": (an(system={"text": "s"}), "system"),
    "temperature": (an(temperature=1.5), "temperature"),
    "both sampling": ({**an(temperature=0.5, top_p=1), "model": "claude-sonnet-4-5-20250929"}, "cannot both"),
    "prefill 4.6": (
        {**an(messages=[USER, {"role": "assistant", "content": "a"}]), "model": "claude-opus-4-6"},
        "prefill",
    ),
    "tool_choice alone": (an(tool_choice={"type": "auto"}), "tool_choice"),
    "output_format w/o beta": (an(output_format={"type": "json_schema", "schema": {}}), "Extra inputs"),
    "thinking budget": (an(thinking={"type": "enabled", "budget_tokens": 500}), "budget_tokens"),
}


@pytest.mark.parametrize("body,needle", OPENAI_BAD.values(), ids=OPENAI_BAD.keys())
def test_openai_refuses(openai_fake: FakeOpenAI, body: dict, needle: str) -> None:
    openai_fake.reply(text="must not be consumed")
    r = post(openai_fake, body)
    assert r.status_code == 400
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"}
    assert err["type"] == "invalid_request_error"
    assert needle in err["message"]
    assert any(needle in v for v in openai_fake.violations)
    assert openai_fake.requests[0].body == body
    good = post(openai_fake, oa())
    assert good.json()["choices"][0]["message"]["content"] == "must not be consumed"


@pytest.mark.parametrize("body,needle", ANTHROPIC_BAD.values(), ids=ANTHROPIC_BAD.keys())
def test_anthropic_refuses(anthropic_fake: FakeAnthropic, body: dict, needle: str) -> None:
    anthropic_fake.reply(text="must not be consumed")
    r = post(anthropic_fake, body)
    assert r.status_code == 400
    data = r.json()
    assert data["type"] == "error"
    assert data["error"]["type"] == "invalid_request_error"
    assert needle in data["error"]["message"]
    assert any(needle in v for v in anthropic_fake.violations)
    assert post(anthropic_fake, an()).json()["content"] == [{"type": "text", "text": "must not be consumed"}]


def test_good_requests_pass(openai_fake: FakeOpenAI, anthropic_fake: FakeAnthropic) -> None:
    history = [
        USER,
        {"role": "assistant", "content": None, "tool_calls": [OA_CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "r"},
        {"role": "system", "content": "s"},
    ]
    body = oa(
        messages=history,
        tools=[OA_TOOL],
        tool_choice="auto",
        temperature=0.9,
        top_p=1,
        stop=["x"],
        response_format={"type": "json_object"},
    )
    assert post(openai_fake, body).status_code == 200
    assert post(openai_fake, {**oa(), "model": "o3", "max_completion_tokens": 5, "temperature": 1}).status_code == 200
    for body in (
        an(messages=[USER, AN_USE, AN_RESULT], tools=[AN_TOOL], system=[{"type": "text", "text": "s"}]),
        an(temperature=0.5, top_p=1),  # fine before Sonnet 4.5
        {**an(messages=[USER, {"role": "assistant", "content": "pre"}]), "model": "claude-sonnet-4-5"},
    ):
        assert post(anthropic_fake, body).status_code == 200, anthropic_fake.violations
    assert openai_fake.violations == []
    assert anthropic_fake.violations == []


@pytest.mark.parametrize(
    "model,family,exclusive,no_prefill,cap",
    [
        ("claude-3-5-sonnet-20241022", ("sonnet", 3, 5), False, False, 8192),
        ("anthropic/claude-3-opus-20240229", ("opus", 3, 0), False, False, 4096),
        ("claude-sonnet-4-20250514", ("sonnet", 4, 0), False, False, 64000),
        ("claude-opus-4-1-20250805", ("opus", 4, 1), True, False, 32000),
        ("us.anthropic.claude-haiku-4-5", ("haiku", 4, 5), True, False, 64000),
        ("claude-opus-4-6", ("opus", 4, 6), True, True, None),
        ("claude-sonnet-5", ("sonnet", 5, 0), True, True, None),
        ("gpt-4o", None, False, False, None),
    ],
)
def test_claude_family(model: str, family: Any, exclusive: bool, no_prefill: bool, cap: Any) -> None:
    assert claude_family(model) == family
    assert (claude_exclusive_sampling(model), claude_refuses_prefill(model)) == (exclusive, no_prefill)
    assert claude_max_output(model) == cap


def test_auth_version_path_and_json(openai_fake: FakeOpenAI, anthropic_fake: FakeAnthropic) -> None:
    openai_fake.expected_key = anthropic_fake.expected_key = "right-key-123456"
    r = post(openai_fake, oa(), headers={"authorization": "Bearer wrong-key-1234567"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_api_key"
    assert "wrong-ke" in r.json()["error"]["message"]
    assert "wrong-key-1234567" not in r.json()["error"]["message"]
    assert post(openai_fake, oa(), headers={}).status_code == 401
    r = post(anthropic_fake, an(), headers={"x-api-key": "nope", "anthropic-version": "2023-06-01"})
    assert r.status_code == 401
    assert r.json()["error"]["type"] == "authentication_error"
    r = post(anthropic_fake, an(), headers={"x-api-key": "right-key-123456"})
    assert r.status_code == 400
    assert "anthropic-version" in r.json()["error"]["message"]
    assert post(anthropic_fake, an(), path="/v1/v1/messages").json()["error"]["type"] == "not_found_error"
    assert post(openai_fake, b"{not json", headers={"authorization": "Bearer right-key-123456"}).status_code == 400
    assert len(openai_fake.requests) == 3
    assert len(anthropic_fake.requests) == 3
    assert openai_fake.requests[0].headers["authorization"] == "Bearer wrong-key-1234567"


def test_azure_needs_its_path_api_version_and_api_key_header() -> None:
    """Azure's deployment path with a known ?api-version= and a key (api-key header, or an Entra ID Bearer
    token) is answered; each part is required."""
    path = "/openai/deployments/dep/chat/completions"
    with running(FakeAzureOpenAI, expected_key="right-key-123456") as azure:
        good = {"api-key": "right-key-123456"}
        assert post(azure, oa(), headers=good, path=f"{path}?api-version=2024-06-01").status_code == 200
        assert post(azure, oa(), headers=good, path=path).status_code == 404
        assert post(azure, oa(), headers=good, path="/v1/chat/completions?api-version=2024-06-01").status_code == 404
        bearer = {"authorization": "Bearer right-key-123456"}
        assert post(azure, oa(), headers=bearer, path=f"{path}?api-version=2024-06-01").status_code == 200
        wrong = {"authorization": "Bearer wrong-key-1234567"}
        assert post(azure, oa(), headers=wrong, path=f"{path}?api-version=2024-06-01").status_code == 401
        assert post(azure, oa(), headers=good, path=f"{path}?api-version=2019-01-01").status_code == 404
        assert [r.query.get("api-version") for r in azure.requests] == [
            "2024-06-01",
            None,
            "2024-06-01",
            "2024-06-01",
            "2024-06-01",
            "2019-01-01",
        ]
        assert len(azure.violations) == 4


def test_openai_scripted_replies(openai_fake: FakeOpenAI) -> None:
    openai_fake.reply(text="first", usage=(7, 3), model="gpt-4o-mini-2024-07-18")
    openai_fake.reply(text=None, tool_calls=[{"id": "c9", "name": "f", "arguments": '{"a": 1}'}])
    openai_fake.default(text="fallback")
    one, two, three = (post(openai_fake, oa()).json() for _ in range(3))
    assert one["choices"][0]["message"]["content"] == "first"
    assert one["model"] == "gpt-4o-mini-2024-07-18"
    assert one["usage"] == {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    assert two["choices"][0]["finish_reason"] == "tool_calls"
    assert two["choices"][0]["message"]["content"] is None
    assert two["choices"][0]["message"]["tool_calls"] == [
        {"id": "c9", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
    ]
    assert three["choices"][0]["message"]["content"] == "fallback"
    assert three["model"] == "gpt-4o-mini"
    openai_fake.reply(usage=None)
    assert "usage" not in post(openai_fake, oa()).json()


def test_anthropic_scripted_replies(anthropic_fake: FakeAnthropic) -> None:
    anthropic_fake.reply(text="x", tool_calls=[{"name": "f", "arguments": '{"a": 1}'}], usage=(4, 2))
    body = post(anthropic_fake, an()).json()
    assert [b["type"] for b in body["content"]] == ["text", "tool_use"]
    assert body["content"][1]["input"] == {"a": 1}
    assert body["stop_reason"] == "tool_use"
    assert body["usage"] == {"input_tokens": 4, "output_tokens": 2}
    anthropic_fake.reply(finish_reason="length")
    assert post(anthropic_fake, an()).json()["stop_reason"] == "max_tokens"


def test_errors_and_raw_bodies(fake: Any) -> None:
    body = oa() if isinstance(fake, FakeOpenAI) else an()
    fake.reply_error(429, "slow down", headers={"retry-after": "1"})
    fake.reply(raw_body="<html>Bad Gateway</html>", status=502, headers={"content-type": "text/html"})
    fake.reply(raw_body={"error": {"message": "boom"}})
    r = post(fake, body)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"
    data = r.json()
    if isinstance(fake, FakeOpenAI):
        assert data["error"]["message"] == "slow down"
        assert data["error"]["code"] == "rate_limit_exceeded"
    else:
        assert data["error"] == {"type": "rate_limit_error", "message": "slow down"}
    r = post(fake, body)
    assert (r.status_code, r.text, r.headers["content-type"]) == (502, "<html>Bad Gateway</html>", "text/html")
    assert post(fake, body).json() == {"error": {"message": "boom"}}


def test_handler_and_concurrency(fake: Any) -> None:
    fake.default(handler=lambda rec: f"echo {rec.body['messages'][0]['content']}")
    base = oa() if isinstance(fake, FakeOpenAI) else an()

    def call(i: int) -> str:
        r = post(fake, {**base, "messages": [{"role": "user", "content": f"tag{i}"}]}, client=client)
        data = r.json()
        return data["choices"][0]["message"]["content"] if isinstance(fake, FakeOpenAI) else data["content"][0]["text"]

    with http_client() as client, ThreadPoolExecutor(32) as pool:
        assert list(pool.map(call, range(64))) == [f"echo tag{i}" for i in range(64)]
    assert len(fake.requests) == 64
    assert fake.violations == []


def sse(text: str) -> list[tuple[str | None, str]]:
    """(event, data) per SSE frame; frames are separated by a blank line."""
    out = []
    for frame in filter(None, text.split("\n\n")):
        fields = dict(line.split(": ", 1) for line in frame.split("\n"))
        out.append((fields.get("event"), fields["data"]))
    return out


def oa_chunks(r: httpx.Response) -> list[dict]:
    return [json.loads(data) for _, data in sse(r.text)[:-1]]


def test_openai_stream_framing(openai_fake: FakeOpenAI) -> None:
    openai_fake.reply_stream(["Hel", "lo"], tool_calls=[{"id": "c1", "name": "f", "arguments": '{"a": 1}'}])
    openai_fake.reply_stream("x", usage=(3, 1))
    r = post(openai_fake, oa(stream=True))
    assert r.headers["content-type"].startswith("text/event-stream")
    assert sse(r.text)[-1] == (None, "[DONE]")
    chunks = oa_chunks(r)
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == "Hello"
    args = "".join(t["function"]["arguments"] for c in chunks for t in c["choices"][0]["delta"].get("tool_calls", []))
    assert args == '{"a": 1}'
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    chunks = oa_chunks(post(openai_fake, oa(stream=True, stream_options={"include_usage": True})))
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["total_tokens"] == 4
    assert all("usage" not in c for c in oa_chunks(post(openai_fake, oa(stream=True))))


def test_anthropic_stream_framing(anthropic_fake: FakeAnthropic) -> None:
    anthropic_fake.reply_stream(["Hel", "lo"], tool_calls=[{"id": "tu", "name": "f", "arguments": '{"a": 1}'}])
    frames = sse(post(anthropic_fake, an(stream=True)).text)
    assert all(event == json.loads(data)["type"] for event, data in frames)
    events = [json.loads(d) for _, d in frames]
    assert [e["type"] for e in events] == [
        "message_start",
        "ping",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    deltas = [e["delta"] for e in events if e["type"] == "content_block_delta"]
    assert "".join(d.get("text", "") for d in deltas) == "Hello"
    assert json.loads("".join(d.get("partial_json", "") for d in deltas)) == {"a": 1}
    assert events[-2]["delta"]["stop_reason"] == "tool_use"
    assert events[-2]["usage"] == {"output_tokens": 5}


def test_stream_faults(fake: Any) -> None:
    body = {**(oa() if isinstance(fake, FakeOpenAI) else an()), "stream": True}
    fake.reply_stream(["a", "b", "c"], drop_after=2)
    fake.reply_stream("a", error="overloaded", error_after=1)
    fake.reply_stream(events=[{"type": "custom"}, "data: verbatim\n\n"])
    with pytest.raises(httpx.RemoteProtocolError):
        post(fake, body)
    frames = sse(post(fake, body).text)
    assert len(frames) == 2
    assert "overloaded" in frames[-1][1]
    assert "error" in json.loads(frames[-1][1])
    assert [d for _, d in sse(post(fake, body).text)] == ['{"type": "custom"}', "verbatim"]


def test_disconnect_and_delay_are_bounded(fake: Any) -> None:
    body = oa() if isinstance(fake, FakeOpenAI) else an()
    fake.reply_disconnect()
    fake.reply_delay(0.3, then=Reply.success("late"))
    start = time.monotonic()
    with pytest.raises(httpx.RemoteProtocolError):
        post(fake, body)
    r = post(fake, body)
    assert "late" in r.text
    assert 0.3 <= time.monotonic() - start < 3
    fake.reply_delay(20)
    with pytest.raises(httpx.ReadTimeout):
        post(fake, body, timeout=0.3)
    assert len(fake.requests) == 3


def test_close_is_bounded_while_a_handler_sleeps() -> None:
    with running(FakeOpenAI) as fake:
        fake.reply_delay(25)
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(post, fake, oa(), None, None, 30)
            while not fake.requests:
                time.sleep(0.01)
            start = time.monotonic()
            fake.close()
            assert time.monotonic() - start < 3
            with pytest.raises(httpx.HTTPError):
                pending.result(timeout=5)


# ------------------------------------------------------------------------- transport: keep-alive like the real APIs
def test_connections_are_kept_alive_with_real_headers(fake: Any) -> None:
    body = oa() if isinstance(fake, FakeOpenAI) else an()
    with http_client() as client:  # the default reply; a streaming request gets it as SSE
        plain = post(fake, body, client=client)
        streamed = post(fake, {**body, "stream": True}, client=client)
        again = post(fake, body, client=client)
    assert [r.status_code for r in (plain, streamed, again)] == [200, 200, 200]
    assert fake.connections == 1  # three requests, one TCP connection
    assert all(r.http_version == "HTTP/1.1" and r.headers["connection"] == "keep-alive" for r in (plain, streamed))
    assert plain.headers["content-type"] == "application/json"
    assert int(plain.headers["content-length"]) > 0
    # SSE as the APIs send it: chunked, no length
    assert streamed.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert streamed.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in streamed.headers
    if isinstance(fake, FakeOpenAI):
        assert plain.headers["x-request-id"].startswith("req_")
        assert plain.headers["openai-version"] == "2020-10-01"
        assert plain.headers["openai-processing-ms"].isdigit()
        assert "x-ratelimit-remaining-requests" in plain.headers
    else:
        assert plain.headers["request-id"].startswith("req_")
        assert "anthropic-ratelimit-requests-remaining" in plain.headers
        assert plain.headers["anthropic-ratelimit-input-tokens-reset"].endswith("Z")
    assert plain.headers["x-request-id" if isinstance(fake, FakeOpenAI) else "request-id"] != again.headers.get(
        "x-request-id" if isinstance(fake, FakeOpenAI) else "request-id"
    )


def test_close_mode_closes_each_connection() -> None:
    with running(FakeOpenAI, keep_alive=False) as fake, http_client() as client:
        fake.reply_stream("x")
        first = post(fake, oa(), client=client)
        streamed = post(fake, oa(stream=True), client=client)
        post(fake, oa(), client=client)
        assert first.headers["connection"] == "close"
        assert streamed.headers["connection"] == "close"
        assert "x" in streamed.text
        assert fake.connections == 3


def test_close_is_bounded_with_idle_keep_alive_connections() -> None:
    clients = [http_client() for _ in range(8)]
    try:
        with running(FakeAnthropic) as fake:
            for client in clients:
                assert post(fake, an(), client=client).status_code == 200
            assert fake.connections == 8  # idle, kept alive
            assert fake.server.open_connections() == 8
            start = time.monotonic()
            fake.close()
            assert time.monotonic() - start < 2
            assert fake.server.open_connections() == 0
            with pytest.raises(httpx.TransportError):  # the server really is gone
                post(fake, an(), client=clients[0], timeout=2)
    finally:
        for client in clients:
            client.close()


# ------------------------------------------------------------------------- through real litellm
# litellm's own pydantic models warn: on import (1.60) and on first use (1.110). Not ours to fix.
LITELLM_WARNINGS = pytest.mark.filterwarnings(
    "ignore:Valid config keys have changed in V2:UserWarning",
    "ignore:.*using the `ReadOnly` qualifier:UserWarning",
)


@pytest.fixture
def litellm() -> Any:
    """litellm itself (conftest keeps it offline: bundled price map and beta-header table)."""
    import litellm

    return litellm


@LITELLM_WARNINGS
def test_litellm_openai(litellm: Any, openai_fake: FakeOpenAI) -> None:
    openai_fake.reply(text="scripted")
    openai_fake.reply_stream(["str", "eamed"])
    kw = dict(model="openai/gpt-4o-mini", api_base=openai_fake.url, api_key="sk-test", messages=[USER])
    assert litellm.completion(**kw).choices[0].message.content == "scripted"
    chunks = list(litellm.completion(**kw, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "streamed"
    assert [r.path for r in openai_fake.requests] == ["/v1/chat/completions"] * 2
    assert openai_fake.violations == []


@LITELLM_WARNINGS
def test_litellm_anthropic(litellm: Any, anthropic_fake: FakeAnthropic) -> None:
    anthropic_fake.reply(text="scripted")
    anthropic_fake.reply_stream(["str", "eamed"])
    kw = dict(api_base=anthropic_fake.url, api_key="k", messages=[USER])
    r = litellm.completion(model="anthropic/claude-3-5-sonnet-20241022", max_tokens=256, **kw)
    assert r.choices[0].message.content == "scripted"
    chunks = list(litellm.completion(model="anthropic/claude-sonnet-4-5-20250929", stream=True, **kw))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "streamed"
    assert [r.path for r in anthropic_fake.requests] == ["/v1/messages"] * 2
    assert anthropic_fake.violations == []


@LITELLM_WARNINGS
@pytest.mark.parametrize("keep_alive", [True, False], ids=["keep-alive", "close"])
def test_litellm_reuses_the_connection(litellm: Any, keep_alive: bool) -> None:
    """litellm pools connections: against a keep-alive server two calls share one TCP connection; the
    opt-in close mode forces one connection per call. (OpenAI wire: litellm 1.60 builds a new client for
    each plain Anthropic call, and does not release a streamed one, so only httpx proves it there.)"""
    with running(FakeOpenAI, keep_alive=keep_alive) as fake:
        for _ in range(2):
            litellm.completion(
                model="openai/gpt-4o-mini", api_base=fake.url, api_key="sk-test", messages=[USER], max_retries=0
            )
        assert len(fake.requests) == 2
        assert fake.violations == []
        assert fake.connections == (1 if keep_alive else 2)


@LITELLM_WARNINGS
def test_litellm_sees_refusals_and_faults(litellm: Any, openai_fake: FakeOpenAI, anthropic_fake: FakeAnthropic) -> None:
    openai_fake.expected_key = "sk-right"
    with pytest.raises(litellm.AuthenticationError):
        litellm.completion(
            model="openai/gpt-4o-mini", api_base=openai_fake.url, api_key="sk-wrong", messages=[USER], max_retries=0
        )
    anthropic_fake.reply_disconnect()
    with pytest.raises((litellm.APIConnectionError, litellm.InternalServerError)):  # 1.60 / 1.110
        litellm.completion(
            model="anthropic/claude-3-5-sonnet-20241022",
            api_base=anthropic_fake.url,
            api_key="k",
            messages=[USER],
            max_tokens=10,
            max_retries=0,
        )
    bad = [USER, {"role": "assistant", "content": "a"}]
    with pytest.raises(litellm.BadRequestError, match="prefill"):
        litellm.completion(
            model="anthropic/claude-opus-4-6",
            api_base=anthropic_fake.url,
            api_key="k",
            messages=bad,
            max_tokens=10,
            max_retries=0,
        )
    assert len(openai_fake.requests) == 1
    assert len(anthropic_fake.requests) == 2
