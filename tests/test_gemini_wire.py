"""The package on the Gemini wire (Gemini API and Vertex AI fakes): what it sends, and what it makes of refusals.

Each expected value comes from Google's documented behaviour (the fakes' rules cite the pages), not from
running the code: a bad key is HTTP 400 ``API_KEY_INVALID``, a blocked prompt or answer says so in
``promptFeedback.blockReason`` / ``finishReason``, and a Vertex call needs google-auth before anything is sent.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from importlib.metadata import version
from typing import Any

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider, LLMResponse
from tests.director_loop import PATHS, ROOT, SUMMARY_PROMPT, TOOLS, complete
from tests.environment import OFFLINE_ENV
from tests.fakes import FakeGemini, FakeVertex, Reply, running
from tests.fakes.fake_gemini import blocked_body
from tests.helpers import KEY, pythonpath

LITELLM_160 = tuple(int(p) for p in version("litellm").split(".")[:2]) < (1, 61)
MODEL = "gemini-2.5-flash"


def vertex(fake: FakeVertex, **cfg: Any) -> LiteLLMProvider:
    cfg.setdefault("num_retries", 0)
    return LiteLLMProvider(LiteLLMConfig(chat_model=f"vertex_ai/{MODEL}", api_base=fake.model_url(MODEL), **cfg))


def declarations(body: dict) -> dict[str, dict]:
    tools = body.get("tools") or []
    return {d["name"]: d for t in tools for d in t.get("function_declarations") or t.get("functionDeclarations")}


class TestToolSchemas:
    def test_director_tools_reach_gemini_in_its_schema_subset(self, vertex_fake: FakeVertex) -> None:
        """Director's 25 schemas go out without if/then and without a string format Gemini refuses (both stacks)."""
        r = vertex(vertex_fake).chat_completions([{"role": "user", "content": "hi"}], tools=TOOLS)
        assert r.status, r.error
        assert vertex_fake.violations == []
        sent = declarations(vertex_fake.requests[0].body)
        assert len(sent) == len(TOOLS)
        image = sent["image_generation"]["parameters"]
        assert "if" not in image
        assert "then" not in image
        audio_url = sent["clone_voice"]["parameters"]["properties"]["audio_source"]["properties"]["audio_url"]
        assert "format" not in audio_url
        assert audio_url["type"].lower() == "string"
        # what Gemini takes is kept: enums, defaults, ranges
        engine = sent["audio_generation"]["parameters"]["properties"]["engine"]
        assert engine["enum"] == ["elevenlabs", "beatoven", "videodb"]


class TestFinalCut:
    def test_trailing_system_message_goes_as_the_last_user_turn(self, vertex_fake: FakeVertex) -> None:
        """Director's Final Cut (history ending in a system message, no tools) ends on a user turn Gemini accepts."""
        call = {"id": "c1", "tool": {"name": "search", "arguments": {"query": "cats"}}, "type": "function"}
        messages = [
            {"role": "system", "content": "You are Director."},
            {"role": "user", "content": "find cats"},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "c1", "content": "found 3"},
            {"role": "assistant", "content": "Found three videos."},
            {"role": "system", "content": SUMMARY_PROMPT},
        ]
        r = vertex(vertex_fake).chat_completions(messages)
        assert r.status, r.error
        assert vertex_fake.violations == []
        last = vertex_fake.requests[0].body["contents"][-1]
        assert last["role"] == "user"
        assert last["parts"][-1]["text"].endswith(SUMMARY_PROMPT)


class TestErrors:
    @pytest.mark.skipif(LITELLM_160, reason="litellm 1.60 sends the key as a Bearer token (gemini_bearer_160)")
    def test_bad_gemini_key_is_auth(self) -> None:
        """HTTP 400 API_KEY_INVALID is an auth failure telling to check the key, not a bad request."""
        with running(FakeGemini, expected_key="the-right-key") as fake:
            provider = LiteLLMProvider(
                LiteLLMConfig(chat_model=f"gemini/{MODEL}", api_base=fake.url, api_key=KEY, num_retries=2)
            )
            r = provider.chat_completions([{"role": "user", "content": "hi"}])
        assert not r.status
        assert r.error["category"] == "auth"
        assert r.error["status_code"] == 400
        assert "check the key" in r.content.lower()
        assert len(fake.requests) == 1  # not retried
        assert KEY not in str(r.error)

    def test_vertex_without_google_auth_is_config(self, vertex_fake: FakeVertex) -> None:
        """No google-auth (a fresh process, as a new install has it): ``config`` on every path, naming the
        install command, never retried, nothing sent."""
        proc = subprocess.run(
            [sys.executable, "-c", NO_GOOGLE_AUTH, f"vertex_ai/{MODEL}", vertex_fake.model_url(MODEL)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **OFFLINE_ENV, "PYTHONPATH": pythonpath(ROOT)},
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        results = json.loads(proc.stdout.strip().splitlines()[-1])
        assert set(results) == set(PATHS)
        for path, (status, content, error) in results.items():
            assert not status, path
            assert error["category"] == "config" and error["retryable"] is False, (path, error)
            assert 'pip install "director-litellm[vertex]"' in content, (path, content)
            assert error["attempts"] == 1, path
        assert vertex_fake.requests == []

    def test_vertex_without_credentials_is_config(self, vertex_fake: FakeVertex, tmp_path: Any) -> None:
        """No credentials file, no gcloud login (a fresh process): ``config`` naming the variable to set,
        never retried, nothing sent (litellm reported google-auth's DefaultCredentialsError as a 500)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "VERTEX", "CLOUDSDK_"))}
        # no home gcloud login; the GCE metadata server is a closed loopback port (no network), asked once:
        # google-auth's default is three tries with 1 s and 2 s backoff sleeps between them
        env.update(
            OFFLINE_ENV,
            HOME=str(tmp_path),
            CLOUDSDK_CONFIG=str(tmp_path / "gcloud"),
            GCE_METADATA_HOST="127.0.0.1:9",
            GCE_METADATA_IP="127.0.0.1:9",
            GCE_METADATA_DETECT_RETRIES="1",
            PYTHONPATH=pythonpath(ROOT),
        )
        status, content, error = _vertex_call_in_a_new_process(vertex_fake, env)
        assert not status and error["category"] == "config" and error["retryable"] is False, error
        assert "GOOGLE_APPLICATION_CREDENTIALS" in content
        assert error["attempts"] == 1
        assert vertex_fake.requests == []

    def test_revoked_service_account_key_is_auth(self, vertex_fake: FakeVertex, tmp_path: Any) -> None:
        """Google's token endpoint refuses the key (400 invalid_grant): ``auth``, not a retried 500 (a fresh
        process: litellm keeps a token it once got for the life of the process)."""
        vertex_fake.revoked = True
        env = {**os.environ, **OFFLINE_ENV, "PYTHONPATH": pythonpath(ROOT)}
        env["GOOGLE_APPLICATION_CREDENTIALS"] = vertex_fake.service_account_file(tmp_path)
        status, content, error = _vertex_call_in_a_new_process(vertex_fake, env)
        assert not status and error["category"] == "auth" and error["retryable"] is False, error
        assert "credentials" in content.lower()
        assert error["attempts"] == 1
        assert vertex_fake.token_requests == 1
        assert vertex_fake.requests == []


NO_CREDENTIALS = """
import json, sys
from director_litellm import LiteLLMConfig, LiteLLMProvider
provider = LiteLLMProvider(LiteLLMConfig(chat_model=sys.argv[1], api_base=sys.argv[2], num_retries=3))
r = provider.chat_completions([{"role": "user", "content": "hi"}])
print(json.dumps([bool(r.status), r.content, r.error]))
"""


def _vertex_call_in_a_new_process(vertex_fake: FakeVertex, env: dict[str, str]) -> tuple[Any, str, dict]:
    """(status, content, error) of one ``vertex_ai/`` call made by ``NO_CREDENTIALS`` in a fresh process."""
    proc = subprocess.run(
        [sys.executable, "-c", NO_CREDENTIALS, f"vertex_ai/{MODEL}", vertex_fake.model_url(MODEL)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    status, content, error = json.loads(proc.stdout.strip().splitlines()[-1])
    return status, content, error


# a new process in which google-auth cannot be imported; prints {path: [status, content, error]}
NO_GOOGLE_AUTH = """
import json, sys

class NotInstalled:  # what Python raises for a package that is not installed
    def find_spec(self, name, path=None, target=None):
        if name == "google" or name.startswith("google."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NotInstalled())
from director_litellm import LiteLLMConfig, LiteLLMProvider
from tests.director_loop import PATHS, complete
provider = LiteLLMProvider(LiteLLMConfig(chat_model=sys.argv[1], api_base=sys.argv[2], num_retries=3))
out = {}
for path in PATHS:
    r = complete(provider, [{"role": "user", "content": "hi"}], path=path)
    out[path] = [bool(r.status), r.content, r.error]
print(json.dumps(out))
"""


# litellm 1.60 streams lose a prompt block (finish "stop", nothing else); litellm 1.110 streams lose a
# MODEL_ARMOR finish (mapped to "stop"): both proved in tests/conformance/test_litellm_limits.py
BLOCKS = {
    "prompt-model-armor": (blocked_body("MODEL_ARMOR", MODEL), "1.60-stream"),
    "prompt-safety": (blocked_body("SAFETY", MODEL), "1.60-stream"),
    "finish-model-armor": (
        {
            "candidates": [{"content": {"role": "model"}, "finishReason": "MODEL_ARMOR", "index": 0}],
            "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
            "modelVersion": MODEL,
        },
        "latest-stream",
    ),
    "finish-safety": (
        {
            "candidates": [{"content": {"role": "model"}, "finishReason": "SAFETY", "index": 0}],
            "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
            "modelVersion": MODEL,
        },
        None,
    ),
}


class TestBlocks:
    @pytest.mark.parametrize("path", ["sync", "async", "stream", "astream"])
    @pytest.mark.parametrize("case", sorted(BLOCKS))
    def test_blocked_answer_is_content_policy(self, vertex_fake: FakeVertex, case: str, path: str) -> None:
        """A prompt or answer Gemini blocked (promptFeedback.blockReason, finishReason SAFETY/MODEL_ARMOR) is a
        content_policy ERROR, not an empty answer Director would show."""
        body, lost = BLOCKS[case]
        streamed = path in ("stream", "astream")
        stack = "1.60" if LITELLM_160 else "latest"
        if streamed and lost == f"{stack}-stream":
            pytest.skip(f"litellm {stack} drops this block in a stream (gemini_block_stream)")
        if LITELLM_160 and path == "astream":
            pytest.skip("litellm 1.60 streams Gemini through its process-wide async client (vertex_astream_160)")
        vertex_fake.enqueue(Reply.stream(events=[body]) if streamed else Reply.raw(body))
        r: LLMResponse = complete(vertex(vertex_fake), [{"role": "user", "content": "hi"}], path=path)
        assert not r.status
        assert r.error["category"] == "content_policy"
        assert r.finish_reason == "content_filter"
        assert r.send_tokens == 5 or case.startswith("prompt")


def test_async_calls_on_new_event_loops(vertex_fake: FakeVertex) -> None:
    """Each asyncio.run gets a client of its own loop (litellm 1.60 kept one bound to the first, closed loop)."""
    provider = vertex(vertex_fake)
    for _ in range(3):
        r = asyncio.run(provider.achat_completions([{"role": "user", "content": "hi"}]))
        assert r.status, r.error


@pytest.mark.parametrize("path", ["sync", "stream"])
def test_usage_with_cached_and_thinking_tokens(vertex_fake: FakeVertex, path: str) -> None:
    """usageMetadata's cachedContentTokenCount is the cached part of the prompt; thinking tokens are output
    (litellm 1.60 leaves them out: gemini_thoughts_tokens_160, and drops the cached count in streams:
    gemini_stream_cached_160)."""
    usage = {
        "promptTokenCount": 100,
        "cachedContentTokenCount": 60,
        "candidatesTokenCount": 5,
        "thoughtsTokenCount": 7,
        "totalTokenCount": 112,
    }
    vertex_fake.enqueue(Reply.success("ok", usage=usage))
    r = complete(vertex(vertex_fake), [{"role": "user", "content": "hi"}], path=path)
    assert r.status, r.error
    assert r.send_tokens == 100
    assert r.cached_tokens == (0 if LITELLM_160 and path == "stream" else 60)
    assert r.recv_tokens == (5 if LITELLM_160 else 12)
