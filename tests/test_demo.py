"""demo: the offline demo runs one Director turn through the real provider and litellm.

The loopback endpoint is checked against OpenAI's Chat Completions wire format
(https://platform.openai.com/docs/api-reference/chat) with a plain ``http.client``,
and the demo's output is checked step by step.
"""

from __future__ import annotations

import http.client
import json
import runpy
import socket
import sys

import pytest

from director_litellm.cli import _demo as demo
from director_litellm.cli._demo_server import DemoServer

KEY = "sk-test-demo"


def _post(conn: http.client.HTTPConnection, body: dict, key: str = KEY) -> tuple[http.client.HTTPResponse, bytes]:
    conn.request(
        "POST",
        "/v1/chat/completions",
        body=json.dumps(body),
        headers={"content-type": "application/json", "authorization": f"Bearer {key}"},
    )
    response = conn.getresponse()
    return response, response.read()


def _connect(server: DemoServer) -> http.client.HTTPConnection:
    host, port = server.url.removeprefix("http://").removesuffix("/v1").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=10)


TOOL = {"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {}}}}


class TestDemoServer:
    def test_tool_call_answer_has_openai_shape_and_headers(self) -> None:
        """A question with tools gets a chat.completion with one function call and OpenAI's headers."""
        with DemoServer(api_key=KEY) as server:
            conn = _connect(server)
            response, raw = _post(
                conn, {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "tools": [TOOL]}
            )
            conn.close()
        assert response.status == 200
        assert response.getheader("content-type") == "application/json"
        assert response.getheader("x-request-id", "").startswith("req_")
        assert int(response.getheader("openai-processing-ms", "x")) >= 1
        body = json.loads(raw)
        assert body["object"] == "chat.completion"
        assert body["id"].startswith("chatcmpl-")
        choice = body["choices"][0]
        assert choice["finish_reason"] == "tool_calls"
        assert choice["message"]["content"] is None
        call = choice["message"]["tool_calls"][0]
        assert call["type"] == "function"
        assert call["function"]["name"] == "search"
        assert json.loads(call["function"]["arguments"]) == {
            "video_id": "m-1234",
            "query": "pricing",
            "search_type": "semantic",
        }
        usage = body["usage"]
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0

    def test_keep_alive_serves_several_requests_on_one_connection(self) -> None:
        """HTTP/1.1: two requests travel over the same socket."""
        with DemoServer(api_key=KEY) as server:
            conn = _connect(server)
            first, _ = _post(conn, {"model": "m", "messages": [{"role": "user", "content": "a"}]})
            sock = conn.sock
            second, _ = _post(conn, {"model": "m", "messages": [{"role": "user", "content": "b"}]})
            assert conn.sock is sock
            assert first.status == second.status == 200
            assert first.getheader("x-request-id") != second.getheader("x-request-id")
            conn.close()

    @pytest.mark.parametrize("include_usage", [True, False])
    def test_stream_is_chunked_sse_with_usage_only_when_asked(self, include_usage: bool) -> None:
        """SSE over chunked transfer; usage arrives in a last chunk with no choices only with include_usage."""
        request = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}
        if include_usage:
            request["stream_options"] = {"include_usage": True}
        with DemoServer(api_key=KEY) as server:
            conn = _connect(server)
            response, raw = _post(conn, request)
            conn.close()
        assert response.getheader("content-type") == "text/event-stream; charset=utf-8"
        assert response.getheader("transfer-encoding") == "chunked"
        frames = [line.removeprefix("data: ") for line in raw.decode().split("\n\n") if line]
        assert frames[-1] == "[DONE]"
        chunks = [json.loads(f) for f in frames[:-1]]
        assert all(c["object"] == "chat.completion.chunk" for c in chunks)
        text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
        assert text == "Director can now use any model litellm supports."
        finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]]
        assert finishes[-1] == "stop"
        assert set(finishes[:-1]) == {None}
        if include_usage:
            assert chunks[-1]["choices"] == []
            assert chunks[-1]["usage"]["total_tokens"] > 0
            assert all(c["usage"] is None for c in chunks[:-1])
        else:
            assert all("usage" not in c for c in chunks)

    @pytest.mark.parametrize(
        "messages, fragment",
        [
            ([{"role": "tool", "tool_call_id": "call_x", "content": "{}"}], "must be a response to a preceeding"),
            ([{"role": "robot", "content": "hi"}], "Invalid value: 'robot'"),
            ([], "too short"),
        ],
    )
    def test_refuses_what_openai_refuses(self, messages: list, fragment: str) -> None:
        """An orphan tool result, an unknown role or no messages: 400 with OpenAI's error object."""
        with DemoServer(api_key=KEY) as server:
            conn = _connect(server)
            response, raw = _post(conn, {"model": "m", "messages": messages})
            conn.close()
        error = json.loads(raw)["error"]
        assert response.status == 400
        assert error["type"] == "invalid_request_error"
        assert fragment in error["message"]

    def test_wrong_key_is_401(self) -> None:
        """A request without the expected Bearer key gets OpenAI's 401 invalid_api_key."""
        with DemoServer(api_key=KEY) as server:
            conn = _connect(server)
            response, raw = _post(conn, {"model": "m", "messages": [{"role": "user", "content": "a"}]}, key="other")
            conn.close()
        assert response.status == 401
        assert json.loads(raw)["error"]["code"] == "invalid_api_key"

    def test_stops_and_closes_open_connections(self) -> None:
        """After the with block the port is closed, and a kept-alive connection is ended too."""
        with DemoServer(api_key=KEY) as server:
            conn = _connect(server)
            _post(conn, {"model": "m", "messages": [{"role": "user", "content": "a"}]})
            host, port = conn.host, conn.port
        with pytest.raises(OSError):
            socket.create_connection((host, port), timeout=2).close()
        conn.sock.settimeout(2)
        assert conn.sock.recv(1) == b""  # the server shut the idle connection down
        conn.close()


def _run() -> tuple[int, list[str]]:
    lines: list[str] = []
    return demo.run(write=lines.append), lines


def _field(lines: list[str], name: str, after: str) -> str:
    """The value printed for ``name`` in the section starting with ``after``, wrapped lines joined."""
    start = next(i for i, line in enumerate(lines) if line.startswith(after))
    at = next(i for i in range(start, len(lines)) if lines[i].startswith(f"  {name} "))
    value = [lines[at].removeprefix(f"  {name}").strip()]
    for line in lines[at + 1 :]:
        if not line.startswith(" " * 12):
            break
        value.append(line.strip())
    return " ".join(value)


class TestDemoRun:
    def test_prints_a_complete_turn_and_exits_0(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The four steps in order, the tool call in Director's shape, answers, usage; nothing else printed."""
        code, lines = _run()
        assert code == 0, "\n".join(lines)
        headings = [line for line in lines if line.startswith("[")]
        assert [h[:5] for h in headings] == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
        call = json.loads(_field(lines, "tool call", "[1/4]"))
        assert set(call) == {"id", "tool", "type"}
        assert call["type"] == "function"
        assert isinstance(call["id"], str)
        assert call["id"]
        assert call["tool"] == {
            "name": "search",
            "arguments": {"video_id": "m-1234", "query": "pricing", "search_type": "semantic"},
        }
        sent = _field(lines, "sent", "[3/4]")
        assert "4 messages (system, user, assistant+1 tool call, tool)" in sent
        assert '"our pricing starts at ten dollars"' in _field(lines, "answer", "[3/4]")
        assert _field(lines, "stream", "[4/4]").startswith("6 text events")
        assert _field(lines, "answer", "[4/4]") == "Director can now use any model litellm supports."
        assert "stream_options" in _field(lines, "sent", "[4/4]")
        for step in ("[1/4]", "[3/4]", "[4/4]"):
            assert " tokens in, " in _field(lines, "usage", step)
            assert " ms " in _field(lines, "usage", step)
        assert lines[-3].startswith("Demo passed: 3 calls, 3 requests")
        assert capsys.readouterr() == ("", "")

    def test_ignores_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """LITELLM_* settings, a provider key and an HTTP proxy in the environment change nothing."""
        monkeypatch.setenv("LITELLM_CHAT_MODEL", "anthropic/claude-sonnet-4-5")
        monkeypatch.setenv("LITELLM_API_BASE", "http://127.0.0.1:9")
        monkeypatch.setenv("LITELLM_TEMPERATURE", "hot")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, "http://127.0.0.1:9")
        code, lines = _run()
        assert code == 0, "\n".join(lines)
        assert "model gpt-4o-mini" in _field(lines, "sent", "[1/4]")

    def test_a_failed_step_exits_1_with_the_reason(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An endpoint that refuses the key: exit 1, one line naming the step and the category."""
        monkeypatch.setattr(demo, "DemoServer", lambda api_key: DemoServer(api_key="sk-another-key"))
        code, lines = _run()
        assert code == 1
        assert lines[-1].startswith("demo failed at step 1 (tool call): ")
        assert "[auth]" in lines[-1]
        assert "sk-another-key" not in lines[-1]
        assert capsys.readouterr() == ("", "")


def test_python_m_runs_the_demo(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m director_litellm.cli._demo` runs the demo and exits with its code (0).

    In this process; the console script's test runs the same demo in a fresh process, where litellm
    is first imported and its import-time warnings would show.
    """
    monkeypatch.setattr(sys, "argv", ["python -m director_litellm.cli._demo"])
    monkeypatch.delitem(sys.modules, "director_litellm.cli._demo")  # runpy warns when re-running a loaded module
    with pytest.raises(SystemExit) as done:
        runpy.run_module("director_litellm.cli._demo", run_name="__main__")
    out, err = capsys.readouterr()
    assert done.value.code == 0, out + err
    assert err == ""
    assert out.startswith("director-litellm demo:")
    assert "\nDemo passed: 3 calls" in out
