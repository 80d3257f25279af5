"""Claude with thinking on the Bedrock Converse wire, in Director's loop: reasoningContent survives tool steps,
restarts, and switches with Claude on Anthropic's API.

Runs when the Bedrock fake (tests/fakes/fake_bedrock.py, branch ``bedrock``) is present: it signs the
reasoningContent blocks it sends and refuses a tool step whose assistant turn does not start with one.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from director_litellm._reasoning_state import unpack
from tests.director_loop import PATHS, Session, new_process, run_message, script_message
from tests.fakes import FakeAnthropic
from tests.helpers import provider_for

fake_bedrock = pytest.importorskip("tests.fakes.fake_bedrock", reason="the Bedrock fake (branch bedrock) is not merged")

LITELLM_160 = version("litellm").startswith("1.60.")
pytestmark = pytest.mark.skipif(
    LITELLM_160,
    reason="litellm 1.60 knows no Claude 4 on Bedrock, sends Claude 3.7 thinking requests Bedrock refuses "
    "(max_tokens_to_sample) and drops reasoningContent (test_bedrock.py TestLitellmOwnLosses)",
)
MODEL = "bedrock/converse/us.anthropic.claude-sonnet-4-20250514-v1:0"
TWO = [[("search", {"query": "cats", "video_id": "m-1"})], [("summarize_video", {"video_id": "m-1"})]]
THEN = [[("search", {"query": "dogs", "video_id": "m-1"})], [("summarize_video", {"video_id": "m-1"})]]


def on_bedrock(fake: Any, model: str = MODEL) -> LiteLLMProvider:
    return LiteLLMProvider(
        LiteLLMConfig(
            chat_model=model,
            api_base=fake.url,
            extra_params=fake_bedrock.bedrock_options(),
            thinking_budget=1024,
            max_tokens=4096,
            num_retries=0,
        )
    )


def _first_blocks(body: dict[str, Any]) -> list[str]:
    """The first block kind of each assistant turn with a toolUse, in a Converse request."""
    return [
        next(iter(m["content"][0]))
        for m in body["messages"]
        if m["role"] == "assistant" and any("toolUse" in b for b in m["content"])
    ]


@pytest.mark.parametrize("path", PATHS)
def test_two_tool_calls_in_a_row(bedrock_fake: Any, path: str) -> None:
    """Each tool step sends its own signed reasoningContent first; Bedrock accepts them."""
    script_message(bedrock_fake, TWO)
    turn = run_message(on_bedrock(bedrock_fake), Session(), "Find cats and summarise", path=path)
    assert turn.ok, turn.failed and turn.failed.content
    assert bedrock_fake.violations == []
    assert _first_blocks(bedrock_fake.requests[2].body) == ["reasoningContent", "reasoningContent"]
    state = unpack(turn.tool_calls[0]["id"])[1]
    assert state is not None
    assert state.model == MODEL
    assert state.blocks[0]["type"] == "thinking"


def test_persisted_and_continued_in_a_new_process(bedrock_fake: Any) -> None:
    """Director's database round trip and a restart configured by LITELLM_* and AWS_*."""
    script_message(bedrock_fake, TWO)
    session = Session()
    assert run_message(on_bedrock(bedrock_fake), session, "Find cats").ok
    script_message(bedrock_fake, THEN)
    options = fake_bedrock.bedrock_options()
    env = {
        "LITELLM_CHAT_MODEL": MODEL,
        "LITELLM_API_BASE": bedrock_fake.url,
        "LITELLM_THINKING_BUDGET": "1024",
        "LITELLM_NUM_RETRIES": "0",
        "AWS_ACCESS_KEY_ID": options["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": options["aws_secret_access_key"],
        "AWS_REGION_NAME": "us-east-1",
    }
    _, result = new_process(session.dumps(), "Now dogs", env=env, path="stream")
    assert result["ok"], result
    assert bedrock_fake.violations == []
    assert _first_blocks(bedrock_fake.requests[-2].body) == ["reasoningContent"] * 4


def test_claude_on_anthropic_and_on_bedrock_take_turns(bedrock_fake: Any, anthropic_fake: FakeAnthropic) -> None:
    """A session moves between Claude on Anthropic's API and Claude on Bedrock and back: no block crosses."""
    session = Session()
    anthropic = provider_for(anthropic_fake, "anthropic/claude-sonnet-4-5-20250929", thinking_budget=1024)
    for n, (provider, fake) in enumerate(
        [(anthropic, anthropic_fake), (on_bedrock(bedrock_fake), bedrock_fake), (anthropic, anthropic_fake)]
    ):
        script_message(fake, TWO if n != 1 else THEN)
        turn = run_message(provider, session, f"Message {n}")
        assert turn.ok, (n, turn.failed and turn.failed.content, fake.violations)
        session = Session.loads(session.dumps())
    assert anthropic_fake.violations == []
    assert bedrock_fake.violations == []
