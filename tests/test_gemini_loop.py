"""Director's whole loop on the Gemini wire: the Gemini API, Gemini on Vertex AI and Claude on Vertex AI.

Director's real 25 tool schemas, tool call -> tool result -> answer -> the Final Cut (trailing system
message, no tools), on the four call paths, against the strict fakes (tests/fakes/fake_gemini.py).
Where litellm 1.60 has no working route, tests/conformance/test_litellm_limits.py proves it with plain
litellm and the case is not run here on that stack.
"""

from __future__ import annotations

import os
from importlib.metadata import version

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from tests.director_loop import PATHS, Session, new_process, run_message, script_message
from tests.fakes import FakeGemini, FakeVertex
from tests.helpers import KEY

LITELLM_160 = tuple(int(p) for p in version("litellm").split(".")[:2]) < (1, 61)
STEPS = [[("search", {"query": "cats", "search_type": "semantic", "index_type": "spoken_word"})]]


def gemini_provider(fake: FakeGemini, model: str = "gemini-2.5-flash") -> LiteLLMProvider:
    return LiteLLMProvider(LiteLLMConfig(chat_model=f"gemini/{model}", api_base=fake.url, api_key=KEY, num_retries=0))


def vertex_provider(fake: FakeVertex, model: str, publisher: str = "google") -> LiteLLMProvider:
    return LiteLLMProvider(
        LiteLLMConfig(chat_model=f"vertex_ai/{model}", api_base=fake.model_url(model, publisher), num_retries=0)
    )


def assert_turn(turn, fake) -> None:  # type: ignore[no-untyped-def]
    assert fake.violations == []
    assert turn.ok, turn.failed and (turn.failed.content, turn.failed.error)
    assert [c["tool"]["name"] for c in turn.tool_calls] == ["search"]
    assert turn.tool_calls[0]["tool"]["arguments"]["query"] == "cats"
    assert turn.summary is not None
    assert turn.summary.content == "Here is what I did."
    assert len(fake.requests) == 3


@pytest.mark.skipif(LITELLM_160, reason="litellm 1.60 sends a Gemini key as a Bearer token (gemini_bearer_160)")
@pytest.mark.parametrize("path", PATHS)
def test_director_turn_on_the_gemini_api(gemini_fake: FakeGemini, path: str) -> None:
    """A whole Director turn on the Gemini API, the Final Cut included, and a second one on the stored session."""
    provider = gemini_provider(gemini_fake)
    session = Session()
    for n in (1, 2):
        script_message(gemini_fake, STEPS)
        assert_turn(run_message(provider, session, f"find cats {n}", path=path), gemini_fake)
        session = Session.loads(session.dumps())
        gemini_fake._requests.clear()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-2.0-flash"])
def test_director_turn_on_vertex_gemini(vertex_fake: FakeVertex, path: str, model: str) -> None:
    """A whole Director turn on Gemini on Vertex AI through a service-account file (loopback token endpoint)."""
    if LITELLM_160 and path == "astream":
        pytest.skip("litellm 1.60 streams Gemini through its process-wide async client (vertex_astream_160)")
    provider = vertex_provider(vertex_fake, model)
    script_message(vertex_fake, STEPS)
    assert_turn(run_message(provider, Session(), "find cats", path=path), vertex_fake)
    assert {r.headers["authorization"].removeprefix("Bearer ") for r in vertex_fake.requests} <= FakeVertex.tokens


@pytest.mark.skipif(LITELLM_160, reason="litellm 1.60 needs google-cloud-aiplatform for Claude on Vertex")
@pytest.mark.parametrize("path", PATHS)
def test_director_turn_on_vertex_claude(vertex_fake: FakeVertex, path: str) -> None:
    """A whole Director turn on Claude on Vertex AI (rawPredict / streamRawPredict)."""
    provider = vertex_provider(vertex_fake, "claude-sonnet-4-6", "anthropic")
    script_message(vertex_fake, STEPS)
    assert_turn(run_message(provider, Session(), "find cats", path=path), vertex_fake)


@pytest.mark.skipif(LITELLM_160, reason="litellm 1.60 drops thought signatures (issue 20: the reasoning-state codec)")
@pytest.mark.parametrize("path", PATHS)
def test_director_turn_on_gemini_3_keeps_thought_signatures(gemini_fake: FakeGemini, path: str) -> None:
    """Gemini 3 refuses a current-turn call without its signature; through Director's stored tool-call ids
    (litellm 1.110 carries the signature in the id) the whole turn and the next one pass."""
    provider = gemini_provider(gemini_fake, "gemini-3-pro-preview")
    session = Session()
    for n in (1, 2):
        script_message(gemini_fake, [STEPS[0], [("summarize_video", {"video_id": "m-1"})]])
        turn = run_message(provider, session, f"find cats {n}", path=path)
        assert gemini_fake.violations == [] and turn.ok, turn.failed and turn.failed.content
        session = Session.loads(session.dumps())
    signed = [
        p
        for r in gemini_fake.requests
        for c in r.body["contents"]
        for p in c["parts"]
        if "thoughtSignature" in p or "thought_signature" in p
    ]
    assert signed, "the signatures the fake issued went back"


def test_stored_session_continues_after_a_restart_on_vertex(vertex_fake: FakeVertex) -> None:
    """Director restarted: the stored session goes on in a new process configured by LITELLM_* alone."""
    model = "gemini-2.5-flash"
    session = Session()
    script_message(vertex_fake, STEPS)
    assert run_message(vertex_provider(vertex_fake, model), session, "find cats").ok
    script_message(vertex_fake, STEPS)
    env = {
        "LITELLM_CHAT_MODEL": f"vertex_ai/{model}",
        "LITELLM_API_BASE": vertex_fake.model_url(model),
        "LITELLM_NUM_RETRIES": "0",
        **{k: os.environ[k] for k in ("GOOGLE_APPLICATION_CREDENTIALS", "VERTEXAI_PROJECT", "VERTEXAI_LOCATION")},
    }
    stored, result = new_process(session.dumps(), "and now dogs", env=env)
    assert result["ok"], result
    assert result["summary"] == "Here is what I did."
    assert vertex_fake.violations == []
    assert len(stored.reasoning_context) > len(session.reasoning_context)
