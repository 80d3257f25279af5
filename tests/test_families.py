"""Director's whole loop on Azure OpenAI, Mistral, Ollama (native) and Cohere v2, over each one's strict fake.

Each family: a tool call, its result, the answer and the Final Cut (a trailing system message, no tools),
with Director's real 25 tools, on all four call paths and both stacks. What litellm itself cannot do on a
stack is marked here and proved with plain litellm in tests/conformance/test_litellm_limits.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conformance.known import OLD_STACK
from tests.director_loop import PATHS, Session, run_message, script_message
from tests.helpers import FAMILY_MODELS, family_provider

STEPS = [[("search", {"query": "cats", "video_id": "m-1"})], [("summarize_video", {"video_id": "m-1"})]]
MODELS = FAMILY_MODELS


def _limitation(family: str, path: str) -> str | None:
    """Why litellm cannot carry Director's loop for ``family`` on ``path`` on this stack, or None."""
    if family == "cohere" and OLD_STACK:
        return "litellm 1.60 has no Cohere v2 route (known.py: cohere_v2_route_160)"
    if family == "ollama" and OLD_STACK and path in ("stream", "astream"):
        return "litellm 1.60 drops Ollama's streamed tool calls (known.py: ollama_stream_tools_160)"
    if family == "ollama" and OLD_STACK:
        return "litellm 1.60 raises on any ollama_chat history with a tool call (known.py: ollama_tool_history_160)"
    return None


def _cases() -> list[Any]:
    cases = []
    for family in MODELS:
        for path in PATHS:
            why = _limitation(family, path)
            marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
            cases.append(pytest.param(family, path, id=f"{family}-{path}", marks=marks))
    return cases


@pytest.mark.parametrize(("family", "path"), _cases())
def test_directors_loop(
    family: str, path: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two tool-call steps, the answer and the Final Cut pass the family's strict fake on this path."""
    fake = request.getfixturevalue(f"{family}_fake")
    script_message(fake, STEPS, answer="Found and summarised.", summary="I searched and summarised.")
    session = Session()
    turn = run_message(family_provider(family, fake, monkeypatch), session, "Find cats and summarise", path=path)
    assert fake.violations == []
    assert turn.failed is None, turn.failed and (turn.failed.content, turn.failed.error)
    assert turn.summary is not None
    assert turn.summary.content == "I searched and summarised."
    assert [c["tool"]["name"] for c in turn.tool_calls] == ["search", "summarize_video"]
    assert [c["tool"]["arguments"] for c in turn.tool_calls] == [STEPS[0][0][1], STEPS[1][0][1]]
    assert len(fake.requests) == 4
    roles = [m["role"] for m in session.messages()]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "tool", "assistant"]
    final_cut = fake.requests[-1].body
    assert "tools" not in final_cut


def _session_cases() -> list[Any]:
    cases = []
    for family in MODELS:
        why = _limitation(family, "sync")
        cases.append(pytest.param(family, id=family, marks=[pytest.mark.xfail(strict=True, reason=why)] if why else []))
    return cases


@pytest.mark.parametrize("family", _session_cases())
def test_a_stored_session_takes_the_next_message(
    family: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Director's database round trip (only what to_llm_msg keeps), a new provider, the next message: the whole
    history, the first message's tool call and result included, passes the family's fake again."""
    fake = request.getfixturevalue(f"{family}_fake")
    script_message(fake, STEPS[:1])
    first = Session()
    assert run_message(family_provider(family, fake, monkeypatch), first, "Find cats").ok
    script_message(fake, STEPS[1:], summary="Second summary.")
    session = Session.loads(first.dumps())
    turn = run_message(family_provider(family, fake, monkeypatch), session, "Now summarise it")
    assert fake.violations == []
    assert turn.ok
    assert turn.summary is not None
    assert turn.summary.content == "Second summary."
    assert len(session.reasoning_context) == len(first.reasoning_context) + 4  # user, call, result, answer
    resent = fake.requests[-3].body  # the second message's first reasoning step: the stored history, whole
    assert len(resent["messages"]) == len(first.reasoning_context) + 1
