"""The conformance suite's replay server (tests/conformance/replay.py) behaves like a real API at the HTTP level.

Moved here from tests/conformance/test_transport.py (issue 25): these test the fake alone, no package code.

- byte for byte: the body received is the recorded body, with the recorded status and headers;
- HTTP/1.1 keep-alive: two requests share one TCP connection;
- SSE goes out with ``Transfer-Encoding: chunked``, one chunk per event;
- bounded: the server refuses past ``max_requests`` and stops by itself after ``lifetime``;
- an unknown payload is a 404 with an error body.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator

import pytest

from tests.conformance.replay import ReplayServer, load_payloads, sse_events

PAYLOADS = load_payloads()


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayServer]:
    """Every recorded payload served on loopback; one server for the module."""
    with ReplayServer(PAYLOADS) as server:
        yield server


def _connection(server: ReplayServer) -> http.client.HTTPConnection:
    host, port = server.url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=5)


def test_json_payload_is_replayed_byte_for_byte_with_its_status_and_headers(replay: ReplayServer) -> None:
    payload = PAYLOADS["anthropic/mirascope-401"]
    conn = _connection(replay)
    conn.request("POST", f"/p/{payload.key}/v1/messages", body=b"{}", headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == payload.status == 401
    assert response.read() == payload.body
    assert response.getheader("request-id") == payload.header("request-id")
    assert response.getheader("Content-Length") == str(len(payload.body))
    assert response.getheader("Transfer-Encoding") is None
    conn.close()


def test_two_requests_share_one_tcp_connection(replay: ReplayServer) -> None:
    conn = _connection(replay)
    ports = []
    for key in ("openai/sdk-text", "openai/mirascope-404"):
        before = len(replay.seen)
        conn.request("POST", f"/p/{key}/chat/completions", body=b"{}", headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        assert response.read() == PAYLOADS[key].body
        assert response.getheader("Connection", "").lower() != "close"
        ports.append(replay.seen[before].client[1])
    assert ports[0] == ports[1], "the second request reused the first one's connection"
    assert conn.sock is not None, "the client kept the connection open"
    conn.close()


def test_sse_goes_out_chunked_one_event_per_chunk(replay: ReplayServer) -> None:
    payload = PAYLOADS["openai/sdk-parallel-tools-stream"]
    host, port = replay.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            f"POST /p/{payload.key}/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{{}}".encode()
        )
        raw = b""
        while not raw.endswith(b"0\r\n\r\n"):
            data = sock.recv(65536)
            assert data, "the server closed the connection before the last chunk"
            raw += data
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"transfer-encoding: chunked" in head.lower()
    assert b"content-length" not in head.lower()
    chunks = []
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        body = rest[size + 2 :]
    assert b"".join(chunks) == payload.body
    assert chunks == sse_events(payload.body)
    assert len(chunks) > 2


def test_server_is_bounded_and_stops_by_itself() -> None:
    with ReplayServer(PAYLOADS, max_requests=1, lifetime=1.0) as replay:
        conn = _connection(replay)
        for expected_status in (200, 503):
            conn.request("POST", "/p/openai/sdk-text/chat/completions", body=b"{}")
            response = conn.getresponse()
            response.read()
            assert response.status == expected_status
        conn.close()
        host, port = replay.url.removeprefix("http://").split(":")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection((host, int(port)), timeout=0.2).close()
            except OSError:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the server still accepts connections after its lifetime")


def test_unknown_payload_is_a_404(replay: ReplayServer) -> None:
    conn = _connection(replay)
    conn.request("POST", "/p/openai/no-such-payload/chat/completions", body=b"{}")
    response = conn.getresponse()
    assert response.status == 404
    assert json.loads(response.read())["error"]
    conn.close()
