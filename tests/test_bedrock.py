"""AWS Bedrock Converse through the package, at the wire: Director's loop, its rules, its failures."""

from __future__ import annotations

import asyncio
import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from tests.director_loop import PATHS, TOOLS, Session, complete, new_process, run_message, script_message
from tests.fakes import FakeBedrock, Reply
from tests.fakes.fake_bedrock import CLAUDE_ON_BEDROCK, NOVA, bedrock_options
from tests.fakes.rules import bedrock as rules

MODELS = [CLAUDE_ON_BEDROCK, NOVA]
CLAUDE_4 = "bedrock/converse/us.anthropic.claude-sonnet-4-20250514-v1:0"
LITELLM_160 = tuple(int(p) for p in version("litellm").split(".")[:2]) < (1, 61)
TWO_STEPS = [[("search", {"query": "cats"})], [("summarize_video", {"video_id": "m-1", "collection_id": "c-1"})]]


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS variable and no ~/.aws files: the machine has no AWS setup at all."""
    import os

    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr("director_litellm._aws_credentials._EC2_MARKERS", ())


def on(fake: FakeBedrock, model: str = NOVA, **cfg: Any) -> LiteLLMProvider:
    extra = cfg.pop("extra_params", bedrock_options())
    cfg.setdefault("num_retries", 0)
    return LiteLLMProvider(LiteLLMConfig(chat_model=model, api_base=fake.url, extra_params=extra, **cfg))


def texts(body: dict) -> list[str]:
    return [b["text"] for m in body["messages"] for b in m["content"] if "text" in b]


class TestDirectorsLoop:
    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize("model", MODELS)
    def test_two_messages_with_tool_calls_and_the_final_cut(
        self, bedrock_fake: FakeBedrock, model: str, path: str
    ) -> None:
        """Director's turn on Claude and Nova: tool calls, results, answer, Final Cut; then the next message."""
        provider = on(bedrock_fake, model)
        session = Session()
        script_message(bedrock_fake, TWO_STEPS, answer="Found and summarised.", summary="I searched and summarised.")
        first = run_message(provider, session, "Find cats and summarise", path=path)
        assert first.ok, first.failed and first.failed.error
        assert [c["tool"]["name"] for c in first.tool_calls] == ["search", "summarize_video"]
        assert all(c["id"].startswith("tooluse_") for c in first.tool_calls)
        assert first.summary is not None
        assert first.summary.content == "I searched and summarised."
        script_message(bedrock_fake, TWO_STEPS[:1], summary="Second summary.")
        second = run_message(provider, Session.loads(session.dumps()), "Now dogs", path=path)
        assert second.ok, second.failed and second.failed.error
        assert bedrock_fake.violations == []
        requests = bedrock_fake.requests
        assert len(requests) == 7
        suffix = "/converse-stream" if "stream" in path else "/converse"
        assert all(r.path.endswith(suffix) for r in requests)
        reasoning = requests[1].body
        assert len(reasoning["toolConfig"]["tools"]) == len(TOOLS)
        assert any("toolResult" in b for m in reasoning["messages"] for b in m["content"])
        final_cut = requests[3].body
        assert "toolConfig" not in final_cut, "the Final Cut has no tools"
        assert not any(set(b) & {"toolUse", "toolResult"} for m in final_cut["messages"] for b in m["content"])
        assert "[called tool search" in "\n".join(texts(final_cut))

    @pytest.mark.parametrize("model", MODELS)
    def test_a_stored_session_continues_in_a_restarted_director(self, bedrock_fake: FakeBedrock, model: str) -> None:
        """Director's database round trip, then a new process configured as Director is: LITELLM_* and AWS_*."""
        script_message(bedrock_fake, TWO_STEPS[:1])
        session = Session()
        assert run_message(on(bedrock_fake, model), session, "Find cats").ok
        script_message(bedrock_fake, TWO_STEPS[1:], summary="Second summary.")
        env = {
            "LITELLM_CHAT_MODEL": model,
            "LITELLM_API_BASE": bedrock_fake.url,
            "AWS_ACCESS_KEY_ID": bedrock_options()["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": bedrock_options()["aws_secret_access_key"],
            "AWS_REGION_NAME": "us-east-1",
        }
        reloaded, result = new_process(session.dumps(), "Now summarise it", env=env, path="stream")
        assert result["ok"], result
        assert result["summary"] == "Second summary."
        assert len(reloaded.reasoning_context) == len(session.reasoning_context) + 4
        assert bedrock_fake.violations == []

    def test_usage_reaches_directors_response(self, bedrock_fake: FakeBedrock) -> None:
        """Converse's inputTokens / outputTokens become send_tokens / recv_tokens."""
        bedrock_fake.reply("Hi.", usage=(321, 12))
        response = on(bedrock_fake).chat_completions([{"role": "user", "content": "Hello"}])
        assert (response.content, response.send_tokens, response.recv_tokens) == ("Hi.", 321, 12)
        assert response.finish_reason == "stop"


class TestBedrockRules:
    """model_rules rule 10, at the wire: what Bedrock refuses is never sent (both stacks)."""

    CALL = [{"id": "tooluse_abc", "tool": {"name": "search", "arguments": {"query": "x"}}, "type": "function"}]
    CASES = {
        "empty stored answer": [{"role": "assistant", "content": ""}, {"role": "user", "content": "again"}],
        "blank stored answer": [{"role": "assistant", "content": "  "}, {"role": "user", "content": "again"}],
        "empty agent result": [
            {"role": "assistant", "content": "", "tool_calls": CALL},
            {"role": "tool", "content": "", "tool_call_id": "tooluse_abc"},
        ],
        "tool call turn with []": [
            {"role": "assistant", "content": [], "tool_calls": CALL},
            {"role": "tool", "content": "found", "tool_call_id": "tooluse_abc"},
        ],
    }

    @pytest.mark.parametrize("tools", [True, False], ids=["tools", "no-tools"])
    @pytest.mark.parametrize("case", list(CASES))
    def test_no_blank_text_block_is_sent(self, bedrock_fake: FakeBedrock, case: str, tools: bool) -> None:
        """Director's empty strings: the request is accepted and carries no blank text."""
        messages = [{"role": "system", "content": "sys"}, {"role": "user", "content": "hi"}, *self.CASES[case]]
        response = on(bedrock_fake).chat_completions(messages, tools=TOOLS if tools else None)
        assert response.status, response.error
        assert bedrock_fake.violations == []
        assert all(t.strip() for t in texts(bedrock_fake.requests[-1].body))

    @pytest.mark.parametrize("model", [NOVA, "bedrock/converse/us.meta.llama3-3-70b-instruct-v1:0"])
    def test_final_cut_of_a_non_claude_model_sends_tool_history_as_text(
        self, bedrock_fake: FakeBedrock, model: str
    ) -> None:
        """No tools but a history with tool calls: sent as text, no toolConfig needed (litellm 1.60 refused)."""
        messages = [
            {"role": "user", "content": "Find cats"},
            {"role": "assistant", "content": "", "tool_calls": self.CALL},
            {"role": "tool", "content": "3 videos", "tool_call_id": "tooluse_abc"},
            {"role": "assistant", "content": "Found 3."},
            {"role": "system", "content": "Summarise."},
        ]
        response = on(bedrock_fake, model).chat_completions(messages)
        assert response.status, response.error
        body = bedrock_fake.requests[-1].body
        assert "toolConfig" not in body
        assert "[result of tool search]\n3 videos" in texts(body)


class TestSetup:
    def test_missing_credentials_is_config_naming_the_variables(self, bedrock_fake: FakeBedrock, no_aws: None) -> None:
        """No AWS credentials from any source: config, the variables named, nothing sent."""
        response = on(bedrock_fake, extra_params={"aws_region_name": "us-east-1"}).chat_completions(
            [{"role": "user", "content": "Hello"}]
        )
        assert not response.status
        assert response.error["category"] == "config"
        assert not response.error["retryable"]
        assert "AWS_ACCESS_KEY_ID" in response.content
        assert "AWS_SECRET_ACCESS_KEY" in response.content
        assert "region" not in response.content
        assert bedrock_fake.requests == []

    def test_missing_region_is_config_naming_the_variable(self, bedrock_fake: FakeBedrock, no_aws: None) -> None:
        """Credentials but no region: config naming AWS_REGION_NAME (litellm would sign for us-west-2)."""
        options = {k: v for k, v in bedrock_options().items() if k != "aws_region_name"}
        response = on(bedrock_fake, extra_params=options).chat_completions([{"role": "user", "content": "Hello"}])
        assert response.error["category"] == "config"
        assert "AWS_REGION_NAME" in response.content
        assert "AWS_ACCESS_KEY_ID" not in response.content
        assert bedrock_fake.requests == []

    def test_credentials_and_region_from_the_environment(
        self, bedrock_fake: FakeBedrock, no_aws: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """AWS's own variables are enough; litellm signs with them."""
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
        monkeypatch.setenv("AWS_REGION_NAME", "eu-west-1")
        response = on(bedrock_fake, extra_params={}).chat_completions([{"role": "user", "content": "Hello"}])
        assert response.status, response.error
        assert "/eu-west-1/bedrock/aws4_request" in bedrock_fake.requests[0].headers["authorization"]

    @pytest.mark.parametrize("source", ["AWS_DEFAULT_REGION", "config file"])
    def test_botocores_own_region_sources_are_used_on_both_stacks(
        self, bedrock_fake: FakeBedrock, no_aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, source: str
    ) -> None:
        """A region only botocore reads (litellm 1.60 would sign for us-west-2) is the one the call is signed for."""
        if source == "AWS_DEFAULT_REGION":
            monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
        else:
            (tmp_path / ".aws").mkdir()
            (tmp_path / ".aws" / "config").write_text("[default]\nregion = eu-west-3\n")
        options = {k: v for k, v in bedrock_options().items() if k != "aws_region_name"}
        response = on(bedrock_fake, extra_params=options).chat_completions([{"role": "user", "content": "Hello"}])
        assert response.status, response.error
        assert "/eu-west-3/bedrock/aws4_request" in bedrock_fake.requests[0].headers["authorization"]

    def test_missing_sdk_is_config_naming_the_extra(
        self, bedrock_fake: FakeBedrock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without boto3/botocore litellm cannot sign: config with the install command, never retried."""
        for name in [m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore")] + ["boto3", "botocore"]:
            monkeypatch.setitem(sys.modules, name, None)
        response = on(bedrock_fake, num_retries=3, retry_initial_delay=0.01).chat_completions(
            [{"role": "user", "content": "Hello"}]
        )
        assert not response.status
        assert response.error["category"] == "config"
        assert not response.error["retryable"]
        assert 'pip install "director-litellm[bedrock]"' in response.content
        assert response.error["attempts"] == 1
        assert bedrock_fake.requests == []


class TestFailures:
    @pytest.mark.parametrize(
        ("status", "kind", "category"),
        [
            (429, "ThrottlingException", "rate_limit"),
            (403, "AccessDeniedException", "permission"),
            (400, "ValidationException", "bad_request"),
            (503, "ServiceUnavailableException", "server"),
        ],
    )
    def test_refusals_keep_their_category(
        self, bedrock_fake: FakeBedrock, status: int, kind: str, category: str
    ) -> None:
        """Bedrock's error bodies and x-amzn-errortype map to the package's categories."""
        bedrock_fake.reply_error(status, "Rate exceeded" if status == 429 else "refused", type=kind)
        response = on(bedrock_fake).chat_completions([{"role": "user", "content": "Hello"}])
        assert response.error["category"] == category
        assert response.error["status_code"] == status

    @pytest.mark.parametrize("path", ["sync", "stream"])
    @pytest.mark.parametrize("stop", ["guardrail_intervened", "content_filtered"])
    def test_a_guardrail_or_filter_stop_is_content_filter(
        self, bedrock_fake: FakeBedrock, stop: str, path: str
    ) -> None:
        """Bedrock's own stopReasons (litellm 1.60 passes them through raw, and Director would ask again
        forever): content_filter, the guardrail's text kept; without text a content_policy ERROR."""
        provider, hello = on(bedrock_fake), [{"role": "user", "content": "Hello"}]
        bedrock_fake.enqueue(Reply.success("Sorry, the model cannot answer this question.", finish_reason=stop))
        response = complete(provider, hello, path=path)
        assert (response.status, response.finish_reason) == (True, "content_filter")
        assert response.content == "Sorry, the model cannot answer this question."
        bedrock_fake.enqueue(Reply.success(None, finish_reason=stop))
        response = complete(provider, hello, path=path)
        assert not response.status
        assert response.error["category"] == "content_policy"

    def test_a_bad_key_is_auth(self) -> None:
        """UnrecognizedClientException (403, a key AWS does not know) says: check the key."""
        from tests.fakes import running

        with running(FakeBedrock, expected_key="AKIAOTHEROTHEROTHER0") as fake:
            response = on(fake).chat_completions([{"role": "user", "content": "Hello"}])
            assert fake.violations == ["The security token included in the request is invalid."]
        assert response.error["category"] == "auth"
        assert "AKIAIOSFODNN7EXAMPLE" not in json.dumps(response.error)

    def test_async_calls_across_event_loops(self, bedrock_fake: FakeBedrock) -> None:
        """Each asyncio.run gets a client of its own loop (litellm 1.60: 'Event loop is closed' otherwise)."""
        provider = on(bedrock_fake)
        for _ in range(3):
            response = asyncio.run(provider.achat_completions([{"role": "user", "content": "Hello"}]))
            assert response.status, response.error
        assert len(bedrock_fake.requests) == 3

    def test_mid_stream_exception_is_an_error(self, bedrock_fake: FakeBedrock) -> None:
        """An event-stream exception message after some text ends the stream as an ERROR."""
        bedrock_fake.enqueue(Reply.stream(["Hel", "lo"], error="Model stream error", error_after=2))
        response = complete(on(bedrock_fake), [{"role": "user", "content": "Hello"}], path="stream")
        assert not response.status


@pytest.mark.skipif(LITELLM_160, reason="litellm 1.60 knows no Claude 4 on Bedrock (TestLitellmOwnLosses)")
def test_thinking_blocks_survive_directors_loop_on_bedrock(bedrock_fake: FakeBedrock) -> None:
    """Claude with thinking on: Director keeps no thinking block of its own, yet its second step starts
    with the first step's signed reasoningContent (carried in the tool-call id), so Bedrock accepts it."""
    thinking = {"thinking": {"type": "enabled", "budget_tokens": 1024}}
    model = CLAUDE_4
    provider = on(bedrock_fake, model, extra_params={**bedrock_options(), **thinking}, temperature=1)
    script_message(bedrock_fake, TWO_STEPS)
    turn = run_message(provider, Session(), "Find cats")
    first, second = bedrock_fake.requests[:2]
    assert first.body["additionalModelRequestFields"]["thinking"]["type"] == "enabled"
    assert bedrock_fake.violations == []
    assert turn.failed is None
    assistant = [m for m in second.body["messages"] if m["role"] == "assistant"][-1]
    assert "reasoningContent" in assistant["content"][0]


class TestLitellmOwnLosses:
    """What litellm itself does on the Bedrock wire, proved with plain ``litellm.completion`` (README rows)."""

    MESSAGES = [{"role": "user", "content": "Hello"}]
    SEARCH = [{"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {}}}}]

    def test_claude_4_is_unknown_to_160(self, bedrock_fake: FakeBedrock) -> None:
        """litellm 1.60 knows no Claude 4 on Bedrock: under ``bedrock/`` it refuses before sending; under
        ``bedrock/converse/`` it sends no toolConfig (the tools are lost); 1.110 sends both with tools."""
        import litellm

        call = dict(messages=self.MESSAGES, tools=self.SEARCH, api_base=bedrock_fake.url, **bedrock_options())
        if LITELLM_160:
            with pytest.raises(litellm.NotFoundError, match="Unknown provider"):
                litellm.completion(model="bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0", **call)
            assert bedrock_fake.requests == []
            litellm.completion(model=CLAUDE_4, **call)
            assert "toolConfig" not in bedrock_fake.requests[-1].body
        else:
            litellm.completion(model="bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0", **call)
            litellm.completion(model=CLAUDE_4, **call)
            assert [r.path.endswith("/converse") for r in bedrock_fake.requests] == [True, True]
            assert all("toolConfig" in r.body for r in bedrock_fake.requests)

    def test_thinking_is_dropped_by_160(self, bedrock_fake: FakeBedrock) -> None:
        """The reasoningContent block Claude sends: litellm 1.60 drops it; 1.110 returns it with its signature."""
        import litellm

        response = litellm.completion(
            model=CLAUDE_4,
            messages=self.MESSAGES,
            api_base=bedrock_fake.url,
            thinking={"type": "enabled", "budget_tokens": 1024},
            **bedrock_options(),
        )
        message = response.choices[0].message
        assert bedrock_fake.requests[-1].body["additionalModelRequestFields"]["thinking"]["type"] == "enabled"
        if LITELLM_160:
            assert getattr(message, "reasoning_content", None) is None
        else:
            assert message.reasoning_content == bedrock_fake.thinking_text
            assert message.thinking_blocks[0]["signature"] == rules.sign_thinking(bedrock_fake.thinking_text)

    def test_streamed_thinking_and_signature_reach_litellm_110(self, bedrock_fake: FakeBedrock) -> None:
        """The fake's streamed reasoningContent deltas (text, then signature): 1.110 rebuilds the signed block."""
        import litellm

        chunks = list(
            litellm.completion(
                model=CLAUDE_4,
                messages=self.MESSAGES,
                stream=True,
                api_base=bedrock_fake.url,
                thinking={"type": "enabled", "budget_tokens": 1024},
                **bedrock_options(),
            )
        )
        message = litellm.stream_chunk_builder(chunks).choices[0].message
        if LITELLM_160:
            assert not getattr(message, "reasoning_content", None)
        else:
            assert message.reasoning_content == bedrock_fake.thinking_text
            assert message.thinking_blocks[0]["signature"] == rules.sign_thinking(bedrock_fake.thinking_text)

    def test_stream_usage_is_recounted_by_160(self, bedrock_fake: FakeBedrock) -> None:
        """Bedrock's metadata usage at the end of a stream: litellm 1.60 reports its own token count instead."""
        import litellm

        bedrock_fake.reply("Hi there.", usage=(321, 12))
        chunks = list(
            litellm.completion(
                model=NOVA,
                messages=self.MESSAGES,
                stream=True,
                stream_options={"include_usage": True},
                api_base=bedrock_fake.url,
                **bedrock_options(),
            )
        )
        usage = litellm.stream_chunk_builder(chunks).usage
        assert bedrock_fake.requests[-1].path.endswith("/converse-stream")
        if LITELLM_160:
            assert (usage.prompt_tokens, usage.completion_tokens) != (321, 12)
        else:
            assert (usage.prompt_tokens, usage.completion_tokens) == (321, 12)

    def test_prompt_cache_tokens_are_dropped_by_160(self, bedrock_fake: FakeBedrock) -> None:
        """Converse's cacheReadInputTokens / cacheWriteInputTokens: litellm 1.60 drops them; 1.110 reports them."""
        import litellm

        usage = {"inputTokens": 100, "outputTokens": 5, "totalTokens": 1105}
        bedrock_fake.reply("ok", usage={**usage, "cacheReadInputTokens": 800, "cacheWriteInputTokens": 200})
        response = litellm.completion(
            model=NOVA, messages=self.MESSAGES, api_base=bedrock_fake.url, **bedrock_options()
        )
        details = getattr(response.usage, "prompt_tokens_details", None)
        cached = getattr(details, "cached_tokens", None) or 0
        if LITELLM_160:
            assert (response.usage.prompt_tokens, cached) == (100, 0)
        else:
            assert (response.usage.prompt_tokens, cached) == (1100, 800)

    def test_llama_3_3_tools_are_refused_by_160(self, bedrock_fake: FakeBedrock) -> None:
        """litellm 1.60's model data has no tool calling for Llama 3.3 on Bedrock: it refuses tools before sending."""
        import litellm

        call = dict(messages=self.MESSAGES, tools=self.SEARCH, api_base=bedrock_fake.url, **bedrock_options())
        model = "bedrock/converse/us.meta.llama3-3-70b-instruct-v1:0"
        if LITELLM_160:
            with pytest.raises(litellm.UnsupportedParamsError):
                litellm.completion(model=model, **call)
            assert bedrock_fake.requests == []
        else:
            litellm.completion(model=model, **call)
            assert "toolConfig" in bedrock_fake.requests[-1].body


class TestMissingPackage:
    """errors' general rule: a package litellm imports for a provider is missing -> config, with what to install."""

    @pytest.mark.parametrize(
        ("exc", "advice"),
        [
            (ModuleNotFoundError("No module named 'boto3'"), 'pip install "director-litellm[bedrock]"'),
            (
                ImportError("Missing optional dependency 'botocore'. Run 'pip install boto3'."),
                "director-litellm[bedrock]",
            ),
            (ModuleNotFoundError("No module named 'mcp'"), "the mcp package is not installed"),
        ],
    )
    def test_classified_as_config(self, exc: BaseException, advice: str) -> None:
        from director_litellm._errors import classify

        info = classify(exc, model="bedrock/x")
        assert (info.category, info.retryable, info.status_code) == ("config", False, None)
        assert advice in info.message

    def test_the_hint_names_an_extra_the_package_declares(self) -> None:
        """The install command in the hint table installs what pyproject's ``bedrock`` extra declares."""
        import tomllib

        from director_litellm._error_hints import INSTALL_COMMANDS

        extras = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"][
            "optional-dependencies"
        ]
        assert any(dep.startswith("boto3") for dep in extras["bedrock"])
        assert dict(INSTALL_COMMANDS)["boto3"] == 'pip install "director-litellm[bedrock]"'


class TestRule6:
    """model_rules rule 10 as a pure function: what each blank shape becomes (the wire tests above send them)."""

    CALL = [{"id": "t1", "type": "function", "function": {"name": "search", "arguments": "{}"}}]

    @pytest.mark.parametrize(
        ("message", "sent"),
        [
            ({"role": "assistant", "content": ""}, "(empty)"),
            ({"role": "assistant", "content": " \n"}, "(empty)"),
            ({"role": "tool", "content": "", "tool_call_id": "t1"}, "(empty)"),
            (
                {"role": "user", "content": [{"type": "text", "text": ""}, {"type": "text", "text": "hi"}]},
                [{"type": "text", "text": "hi"}],
            ),
            ({"role": "user", "content": [{"type": "text", "text": " "}]}, "(empty)"),
            ({"role": "assistant", "content": "  ", "tool_calls": CALL}, None),
            # litellm leaves an empty list out of a tool-call turn itself (both stacks): sent as given
            ({"role": "assistant", "content": [], "tool_calls": CALL}, []),
        ],
    )
    def test_blank_becomes(self, message: dict, sent: Any) -> None:
        from director_litellm._model_rules import shape_conversation

        shaped = shape_conversation(NOVA.replace("converse/", ""), [{"role": "user", "content": "q"}, message], True)
        assert shaped[1]["content"] == sent
        assert {k: v for k, v in shaped[1].items() if k != "content"} == {
            k: v for k, v in message.items() if k != "content"
        }

    def test_nothing_blank_is_the_same_list(self) -> None:
        from director_litellm._model_rules import shape_conversation

        messages = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "", "tool_calls": self.CALL}]
        assert shape_conversation(NOVA, messages, True) is messages
        assert shape_conversation("openai/gpt-4o", [{"role": "assistant", "content": ""}], True)[0]["content"] == ""
