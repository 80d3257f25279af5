"""What litellm itself does wrong on the Gemini wire, proved with plain ``litellm`` against the strict fakes.

Each test asserts litellm's behaviour on both stacks: the loss on the stack it affects and the working
behaviour on the other, so a litellm upgrade that changes it shows up here. docs/gemini-and-vertex.md
lists them (its "Known litellm limitations" table names each test).
"""

from __future__ import annotations

import asyncio
from importlib.metadata import version
from typing import Any

import pytest

from tests.fakes import FakeGemini, FakeVertex, Reply, running
from tests.fakes.fake_gemini import blocked_body

LITELLM_160 = tuple(int(p) for p in version("litellm").split(".")[:2]) < (1, 61)
MESSAGES = [{"role": "user", "content": "hi"}]
MODEL = "gemini-2.5-flash"


@pytest.fixture(scope="module")
def litellm() -> Any:
    from director_litellm._litellm import _module as import_litellm

    return import_litellm()


def test_gemini_bearer_160(litellm: Any) -> None:
    """gemini_bearer_160: with an api_base, litellm 1.60 sends the Gemini key as ``Authorization: Bearer``
    (meant for Cloudflare's gateway), which Google's API reads as an OAuth token and refuses with 401;
    latest sends ``x-goog-api-key``."""
    with running(FakeGemini, expected_key="k-1") as fake:
        base = fake.model_url(MODEL) if LITELLM_160 else fake.url  # 1.60 posts to {api_base}:generateContent
        try:
            litellm.completion(model=f"gemini/{MODEL}", messages=MESSAGES, api_base=base, api_key="k-1")
            refused = None
        except Exception as exc:
            refused = exc
        sent = fake.requests[0].headers
    if LITELLM_160:
        assert sent.get("authorization") == "Bearer k-1"
        assert "x-goog-api-key" not in sent
        assert refused is not None
        assert getattr(refused, "status_code", None) == 401
    else:
        assert sent.get("x-goog-api-key") == "k-1"
        assert "authorization" not in sent
        assert refused is None


def test_vertex_claude_needs_aiplatform_on_160(litellm: Any, vertex_fake: FakeVertex) -> None:
    """vertex_claude_160: litellm 1.60 imports google-cloud-aiplatform (``vertexai``) for Claude on Vertex and
    fails before sending without it; latest needs google-auth only."""
    model = "claude-sonnet-4-6"
    try:
        litellm.completion(
            model=f"vertex_ai/{model}",
            messages=MESSAGES,
            api_base=vertex_fake.model_url(model, "anthropic"),
            max_tokens=50,
        )
        failed = None
    except Exception as exc:
        failed = exc
    if LITELLM_160:
        assert failed is not None
        assert "vertexai" in str(failed)
        assert "google-cloud-aiplatform" in str(failed)
        assert vertex_fake.requests == []
    else:
        assert failed is None
        assert len(vertex_fake.requests) == 1


def test_vertex_async_stream_uses_a_process_wide_client_on_160(litellm: Any, vertex_fake: FakeVertex) -> None:
    """vertex_astream_160: litellm 1.60's stream wrapper posts through ``litellm.module_level_aclient`` whatever
    ``client=`` says: the client given per call is never used, so no per-call client can tie a stream to its
    own event loop (a second ``asyncio.run`` then reuses a connection of the first, closed loop)."""
    from litellm.llms.custom_httpx.http_handler import AsyncHTTPHandler

    class Counting(AsyncHTTPHandler):  # type: ignore[misc]
        posts = 0

        async def post(self, *args: Any, **kwargs: Any) -> Any:
            Counting.posts += 1
            return await super().post(*args, **kwargs)

    async def stream() -> str:
        response = await litellm.acompletion(
            model=f"vertex_ai/{MODEL}",
            messages=MESSAGES,
            api_base=vertex_fake.model_url(MODEL),
            stream=True,
            client=Counting(),
        )
        return "".join([c.choices[0].delta.content or "" async for c in response])

    try:
        answer = asyncio.run(stream())
    except Exception as exc:  # 1.60: the process-wide client may hold a connection of an earlier, closed loop
        answer = str(exc)
    if LITELLM_160:
        assert Counting.posts == 0
        assert answer == "ok" or "Event loop is closed" in answer
    else:
        assert answer == "ok"
        assert Counting.posts == 1


def _stream_finish(litellm: Any, fake: FakeVertex, body: dict) -> tuple[Any, str]:
    fake.enqueue(Reply.stream(events=[body]))
    chunks = list(
        litellm.completion(model=f"vertex_ai/{MODEL}", messages=MESSAGES, api_base=fake.model_url(MODEL), stream=True)
    )
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return (finishes[-1] if finishes else None), text


def test_gemini_block_in_a_stream(litellm: Any, vertex_fake: FakeVertex) -> None:
    """gemini_block_stream: a blocked prompt (promptFeedback.blockReason) in a stream reaches litellm 1.60's caller
    as finish ``stop`` with no text; latest says ``content_filter``. A ``MODEL_ARMOR`` finish in a stream
    reaches latest's caller as ``stop`` (its JSON answer keeps it as native_finish_reason); 1.60 passes it on."""
    finish, text = _stream_finish(litellm, vertex_fake, blocked_body("MODEL_ARMOR", MODEL))
    assert text == ""
    assert finish == ("stop" if LITELLM_160 else "content_filter")
    armor = {
        "candidates": [{"content": {"role": "model"}, "finishReason": "MODEL_ARMOR", "index": 0}],
        "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
    }
    finish, text = _stream_finish(litellm, vertex_fake, armor)
    assert text == ""
    assert finish == ("MODEL_ARMOR" if LITELLM_160 else "stop")


@pytest.mark.parametrize("model", ["gemini-2.0-flash", "gemini-1.5-pro", "gemini-2.5-flash"])
def test_system_prompt_as_user_text(litellm: Any, vertex_fake: FakeVertex, model: str) -> None:
    """gemini_system_as_user: where litellm's model data says "no system message", the system prompt goes as
    the first user text, not as systemInstruction (Gemini 2.0 on both stacks; 1.5 on latest; 2.5 on 1.60).
    Google accepts both shapes, so the package leaves litellm's choice (docs/gemini-and-vertex.md)."""
    litellm.completion(
        model=f"vertex_ai/{model}",
        api_base=vertex_fake.model_url(model),
        messages=[{"role": "system", "content": "be brief"}, *MESSAGES],
    )
    body = vertex_fake.requests[0].body
    as_user = "system_instruction" not in body and "systemInstruction" not in body
    expected = {"gemini-2.0-flash": True, "gemini-1.5-pro": not LITELLM_160, "gemini-2.5-flash": LITELLM_160}
    assert as_user is expected[model]
    if as_user:
        assert body["contents"][0]["parts"][0]["text"] == "be brief"
    assert vertex_fake.violations == []


def test_gemini_stream_cached_tokens_160(litellm: Any, vertex_fake: FakeVertex) -> None:
    """gemini_stream_cached_160: litellm 1.60 drops ``cachedContentTokenCount`` from a stream's usage (its JSON
    answer keeps it as prompt_tokens_details.cached_tokens); latest keeps it in both."""
    usage = {"promptTokenCount": 100, "cachedContentTokenCount": 60, "candidatesTokenCount": 5, "totalTokenCount": 105}
    vertex_fake.enqueue(Reply.success("ok", usage=usage))
    chunks = list(
        litellm.completion(
            model=f"vertex_ai/{MODEL}",
            messages=MESSAGES,
            api_base=vertex_fake.model_url(MODEL),
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    final = [c.usage for c in chunks if getattr(c, "usage", None)][-1]
    details = final.prompt_tokens_details
    cached = getattr(details, "cached_tokens", None) if details is not None else None
    assert final.prompt_tokens == 100
    assert cached == (None if LITELLM_160 else 60)


def test_gemini_import_adds_cache_callback() -> None:
    """gemini_import_adds_cache_callback: importing litellm's Vertex AI context-caching module (its Gemini
    route does on the first call) builds a module-level ``Cache``, which appends "cache" to litellm's
    process-wide callback lists, on both stacks. After it, litellm 1.60's Router stopped failing over
    between deployments in this suite (tests/conftest.py restores the lists after every test)."""
    import subprocess
    import sys

    code = (
        "import litellm\n"
        "before = 'cache' in litellm.success_callback\n"
        "import litellm.llms.vertex_ai.context_caching.vertex_ai_context_caching\n"
        "print(before, 'cache' in litellm.success_callback, 'cache' in litellm.input_callback)\n"
    )
    env = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=True)
    assert out.stdout.split()[-3:] == ["False", "True", "True"]
