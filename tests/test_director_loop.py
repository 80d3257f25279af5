"""The Director-loop harness itself, on the OpenAI and Anthropic fakes: what other tests rely on it for."""

from __future__ import annotations

from typing import Any

import pytest

from tests.director_loop import PATHS, TOOLS, Session, current_run, new_process, run_message, script_message
from tests.helpers import KEY, provider_for

TWO_STEPS = [[("search", {"query": "cats", "video_id": "m-1"})], [("summarize_video", {"video_id": "m-1"})]]


class TestTheHarness:
    def test_tools_are_directors_real_set(self) -> None:
        """TOOLS is Director's 25 agent schemas, the ones its reasoning engine sends."""
        assert len(TOOLS) == 25
        assert {"search", "summarize_video", "upload", "image_generation"} <= {t["name"] for t in TOOLS}

    @pytest.mark.parametrize("path", PATHS)
    def test_a_two_step_turn_reaches_the_final_cut(self, fake: Any, path: str) -> None:
        """Two tool-call steps, the answer, then the Final Cut: four requests, each as Director builds it."""
        script_message(fake, TWO_STEPS, answer="Found and summarised.", summary="I searched and summarised.")
        session = Session()
        turn = run_message(provider_for(fake), session, "Find cats and summarise", path=path)
        assert turn.failed is None, turn.failed and turn.failed.content
        assert turn.summary is not None
        assert turn.summary.content == "I searched and summarised."
        assert [c["tool"]["name"] for c in turn.tool_calls] == ["search", "summarize_video"]
        assert len(fake.requests) == 4
        assert fake.violations == []
        roles = [m["role"] for m in session.messages()]
        assert roles == ["system", "user", "assistant", "tool", "assistant", "tool", "assistant"]

    def test_final_cut_sends_the_current_run_and_a_trailing_system_message_without_tools(
        self, openai_fake: Any
    ) -> None:
        """The Final Cut is the current run plus Director's summary prompt, no tools (OpenAI wire shows it as sent)."""
        script_message(openai_fake, TWO_STEPS[:1])
        session = Session()
        run_message(provider_for(openai_fake), session, "Find cats")
        body = openai_fake.requests[-1].body
        assert "tools" not in body
        assert body["messages"][0]["role"] == "user"
        assert body["messages"][-1]["role"] == "system"
        assert len(body["messages"]) == len(current_run(session.reasoning_context)) + 1

    def test_a_stored_session_continues_in_a_new_process(self, openai_fake: Any) -> None:
        """Director's database round trip, then a restarted Director answering the next message."""
        script_message(openai_fake, TWO_STEPS[:1])
        session = Session()
        assert run_message(provider_for(openai_fake), session, "Find cats").ok
        stored = session.dumps()
        script_message(openai_fake, TWO_STEPS[1:], summary="Second summary.")
        env = {"LITELLM_CHAT_MODEL": "openai/gpt-4o-mini", "LITELLM_API_BASE": openai_fake.url, "LITELLM_API_KEY": KEY}
        reloaded, result = new_process(stored, "Now summarise it", env=env)
        assert result["ok"], result
        assert result["summary"] == "Second summary."
        assert len(reloaded.reasoning_context) == len(session.reasoning_context) + 4  # user, call, result, answer
        assert openai_fake.violations == []
