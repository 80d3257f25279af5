"""Loopback fakes of the OpenAI Chat Completions and Anthropic Messages wire protocols.

Served by ``transport.LoopbackServer``: HTTP/1.1 with persistent connections, like the real APIs (pass
``keep_alive=False`` to ``running`` for the opt-in extra that closes each connection), and the providers'
response headers (``response_headers``). Every request is recorded, then checked
against ``rules.py``; a refused request gets the real API's status and error shape, is listed in
``violations`` and does not consume a scripted reply. Otherwise the next queued ``Reply`` (FIFO) answers,
or the default one (a plain "ok" completion).

``api_base`` for litellm: ``FakeOpenAI.url`` is ``http://127.0.0.1:PORT/v1`` (litellm posts to
``<api_base>/chat/completions``; ``/chat/completions`` without ``/v1`` is accepted too, like a base URL
without ``/v1``). ``FakeAnthropic.url`` is ``http://127.0.0.1:PORT`` with NO ``/v1``: litellm 1.60 and 1.110
both append ``/v1/messages`` (an api_base ending in ``/v1`` yields ``/v1/v1/messages``, refused with 404;
one ending in ``/v1/messages`` is used as is).

The shared machinery is in ``base.py``, one module per protocol (``fake_openai.py``,
``fake_anthropic.py``); this module starts them (``running``) and keeps the names importable from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .base import AUTO, BaseFake, Recorded, Reply
from .fake_anthropic import FakeAnthropic
from .fake_azure import FakeAzureOpenAI
from .fake_bedrock import FakeBedrock
from .fake_cohere import FakeCohere
from .fake_gemini import FakeGemini, FakeVertex
from .fake_mistral import FakeMistral
from .fake_ollama import FakeOllama
from .fake_openai import FakeOpenAI
from .fake_openai_variants import FakeDeepSeek, FakeMistralIds
from .transport import LoopbackServer


@contextmanager
def running(cls: type[BaseFake], expected_key: str | None = None, *, keep_alive: bool = True) -> Iterator[Any]:
    """Start ``cls`` on its own server at 127.0.0.1:<free port>; always stop it afterwards.

    ``keep_alive=False``: the opt-in extra that closes every connection after its response."""
    server = LoopbackServer("127.0.0.1", 0, keep_alive=keep_alive)
    fake = cls(server, expected_key=expected_key)
    server.start()
    try:
        yield fake
    finally:
        fake.close()


__all__ = [
    "AUTO",
    "FakeAnthropic",
    "FakeAzureOpenAI",
    "FakeBedrock",
    "FakeCohere",
    "FakeDeepSeek",
    "FakeGemini",
    "FakeMistral",
    "FakeMistralIds",
    "FakeOllama",
    "FakeOpenAI",
    "FakeVertex",
    "Recorded",
    "Reply",
    "running",
]
