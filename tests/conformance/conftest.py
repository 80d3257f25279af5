"""The conformance suite never leaves the machine: name lookups of anything but loopback fail at once.

litellm reaches for the network on its own in places (latest litellm fetches a Hugging Face
tokenizer for Llama model names while streaming); offline, that stalls until a timeout. Here it
fails fast instead, and the payloads are all the traffic there is.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance.replay import ReplayServer, load_payloads

_LOOPBACK = {"127.0.0.1", "localhost", "::1", None}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    attempts: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOOPBACK:
            attempts.append(str(name))
            raise socket.gaierror(socket.EAI_NONAME, f"conformance suite is loopback-only ({name})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    """Every recorded payload served on loopback; one server per test module."""
    with ReplayServer(load_payloads()) as replay:
        yield replay
