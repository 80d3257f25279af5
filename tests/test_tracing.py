"""GenAI spans (issue 24): what each call path records, per the OpenTelemetry GenAI conventions v1.41.0.

Expected attribute names come from the convention's "Inference" span table
(semantic-conventions v1.41.0, docs/gen-ai/gen-ai-spans.md); expected values from what the loopback
fake was sent and answered. The spans go through the real opentelemetry-sdk, installed as the
global TracerProvider, into its in-memory exporter.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from director_litellm import LiteLLMProvider
from director_litellm import _tracing as tracing
from director_litellm._stream import Final
from tests.fakes import FakeOpenAI, Reply
from tests.fakes.base import DEFAULT_USAGE
from tests.helpers import KEY, provider_for, pythonpath

USER = [{"role": "user", "content": "hi"}]
MODEL = "openai/gpt-4o-mini"


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The real SDK as the global TracerProvider, its spans kept in memory; reset afterwards."""
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.util._once import Once

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", Once())
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
    monkeypatch.setattr(tracing, "_otel", None)  # the package's tracer is resolved again, against this provider
    trace.set_tracer_provider(provider)
    yield exporter
    provider.shutdown()


def only(exporter: Any) -> Any:
    finished = exporter.get_finished_spans()
    assert len(finished) == 1, [s.name for s in finished]
    return finished[0]


def events(span: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(e.name, dict(e.attributes)) for e in span.events]


class TestSpanAttributes:
    def test_success(self, spans: Any, openai_fake: FakeOpenAI) -> None:
        """A success: the span is named and carries the request, response and usage attributes."""
        from opentelemetry.trace import SpanKind, StatusCode

        openai_fake.enqueue(Reply.success("fine", model="gpt-4o-mini-2024-07-18"))
        response = provider_for(openai_fake, temperature=0.3, max_tokens=77).chat_completions(USER)
        assert response.status
        span, sent = only(spans), openai_fake.requests[0].body
        attrs = dict(span.attributes)
        assert span.name == f"chat {MODEL}"
        assert span.kind == SpanKind.CLIENT
        assert attrs["gen_ai.operation.name"] == "chat"
        assert attrs["gen_ai.provider.name"] == attrs["gen_ai.system"] == "openai"
        assert attrs["gen_ai.request.model"] == MODEL
        assert attrs["gen_ai.response.model"] == "gpt-4o-mini-2024-07-18"
        assert attrs["gen_ai.request.temperature"] == sent["temperature"] == 0.3
        assert attrs["gen_ai.request.max_tokens"] == sent.get("max_tokens", sent.get("max_completion_tokens")) == 77
        assert ("gen_ai.request.top_p" in attrs) == ("top_p" in sent)
        assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"]) == DEFAULT_USAGE
        assert attrs["gen_ai.usage.cache_read.input_tokens"] == 0
        assert list(attrs["gen_ai.response.finish_reasons"]) == ["stop"]
        assert "error.type" not in attrs
        assert span.status.status_code == StatusCode.UNSET
        assert [name for name, _ in events(span)] == ["director_litellm.attempt"]

    def test_retry_then_success(self, spans: Any, openai_fake: FakeOpenAI) -> None:
        """A retried call: one span, an event per attempt, the failure's category and the wait before the retry."""
        openai_fake.enqueue(Reply.error(503, "busy"), Reply.success("ok"))
        provider = provider_for(openai_fake, num_retries=1, retry_initial_delay=0.05, retry_max_delay=0.05)
        assert provider.chat_completions(USER).status
        span = only(spans)
        (first, e1), (failed, e2), (second, e3) = events(span)
        assert (first, failed, second) == (
            "director_litellm.attempt",
            "director_litellm.attempt.failed",
            "director_litellm.attempt",
        )
        assert e1["director_litellm.attempt.number"] == 1
        assert "director_litellm.attempt.wait_s" not in e1
        assert e2["error.type"] == "server"
        assert 0.025 <= e2["director_litellm.retry.delay_s"] <= 0.05
        assert e3["director_litellm.attempt.number"] == 2
        assert e3["director_litellm.attempt.wait_s"] >= e2["director_litellm.retry.delay_s"]
        assert span.attributes["director_litellm.attempts"] == 2 == len(openai_fake.requests)

    def test_fallback(self, spans: Any, openai_fake: FakeOpenAI) -> None:
        """A fallback: the next model's attempt is marked, and the response model is the fallback's."""
        openai_fake.enqueue(Reply.error(500, "down"), Reply.success("ok", model="gpt-4o"))
        provider = provider_for(openai_fake, fallbacks=["openai/gpt-4o"])
        assert provider.chat_completions(USER).status
        span = only(spans)
        tried = [
            (a["gen_ai.request.model"], a["director_litellm.attempt.fallback"])
            for n, a in events(span)
            if n.endswith("attempt")
        ]
        assert tried == [(MODEL, False), ("openai/gpt-4o", True)]
        assert span.attributes["gen_ai.request.model"] == MODEL
        assert span.attributes["gen_ai.response.model"] == "gpt-4o"
        assert provider.usage.by_model["openai/gpt-4o"].calls == 1
        assert MODEL not in provider.usage.by_model

    def test_error(self, spans: Any, openai_fake: FakeOpenAI) -> None:
        """A failed call: ``error.type`` is the package's error category, the status ERROR with the safe message."""
        from opentelemetry.trace import StatusCode

        openai_fake.enqueue(Reply.error(401, "Incorrect API key provided", type="invalid_request_error"))
        response = provider_for(openai_fake).chat_completions(USER)
        assert not response.status
        span = only(spans)
        assert span.attributes["error.type"] == response.error["category"] == "auth"
        assert span.status.status_code == StatusCode.ERROR
        assert span.status.description == response.content
        assert "gen_ai.usage.input_tokens" not in span.attributes

    def test_stream(self, spans: Any, openai_fake: FakeOpenAI) -> None:
        """A stream: ``gen_ai.request.stream`` and the time to its first chunk, within the span."""
        openai_fake.enqueue(Reply.stream(["a", "b", "c"]))
        finals = [e for e in provider_for(openai_fake).stream_chat_completions(USER) if isinstance(e, Final)]
        assert finals[0].response.content == "abc"
        span = only(spans)
        first = span.attributes["gen_ai.response.time_to_first_chunk"]
        assert span.attributes["gen_ai.request.stream"] is True
        assert 0 < first <= (span.end_time - span.start_time) / 1e9

    def test_stream_closed_early(self, spans: Any, openai_fake: FakeOpenAI) -> None:
        """A stream its reader closes before the end: the span ends marked so, the ledger counts no call."""
        openai_fake.enqueue(Reply.stream(["a", "b", "c"]))
        provider = provider_for(openai_fake)
        events_ = provider.stream_chat_completions(USER)
        next(events_)
        events_.close()
        span = only(spans)
        assert span.attributes["error.type"] == "stream_closed"
        assert provider.usage.calls == 0

    def test_async_from_several_event_loops(self, spans: Any, openai_fake: FakeOpenAI) -> None:
        """Async calls from three ``asyncio.run`` and two threads' own loops: one complete span each."""
        provider = provider_for(openai_fake)
        results = [asyncio.run(provider.achat_completions(USER)) for _ in range(3)]

        def own_loop() -> None:
            results.append(asyncio.run(provider.achat_completions(USER)))

        threads = [threading.Thread(target=own_loop) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert [r.status for r in results] == [True] * 5
        finished = spans.get_finished_spans()
        assert len(finished) == 5
        assert len({s.context.trace_id for s in finished}) == 5
        assert all(s.attributes["gen_ai.usage.input_tokens"] == DEFAULT_USAGE[0] for s in finished)

    def test_span_is_current_during_the_call(self, spans: Any, openai_fake: FakeOpenAI) -> None:
        """A span the host has open is the parent of the call's span."""
        from opentelemetry import trace

        with trace.get_tracer("host").start_as_current_span("director turn") as parent:
            provider_for(openai_fake).chat_completions(USER)
        call = next(s for s in spans.get_finished_spans() if s.name.startswith("chat "))
        assert call.parent is not None
        assert call.parent.span_id == parent.get_span_context().span_id


class TestContent:
    def test_no_content_by_default(self, spans: Any, openai_fake: FakeOpenAI) -> None:
        """Without the convention's switch no message content is recorded anywhere on the span."""
        openai_fake.enqueue(Reply.success("the answer text"))
        provider_for(openai_fake).chat_completions([{"role": "user", "content": "a secret plan"}])
        span = only(spans)
        recorded = json.dumps([dict(span.attributes), events(span)], default=str)
        assert "secret plan" not in recorded
        assert "answer text" not in recorded

    def test_content_on_request_scrubbed(
        self, spans: Any, openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With the switch on: input and output messages in the convention's shape, keys masked."""
        monkeypatch.setenv(tracing.CAPTURE_CONTENT_VARIABLE, "true")
        leaked = f"my key is {KEY} and sk-proj-abcdefghijklmnop1234"
        provider_for(openai_fake).chat_completions([{"role": "user", "content": leaked}])
        attrs = only(spans).attributes
        assert KEY not in attrs["gen_ai.input.messages"]
        assert "abcdefghijklmnop1234" not in attrs["gen_ai.input.messages"]
        sent = json.loads(attrs["gen_ai.input.messages"])
        assert sent == [{"role": "user", "parts": [{"type": "text", "content": "my key is *** and ***"}]}]
        answered = json.loads(attrs["gen_ai.output.messages"])
        assert answered == [
            {"role": "assistant", "parts": [{"type": "text", "content": "ok"}], "finish_reason": "stop"}
        ]


def test_without_opentelemetry_nothing_is_imported(tmp_path: Path) -> None:
    """opentelemetry not installed: a call works, and ``opentelemetry`` never enters ``sys.modules``."""
    import site

    # a site-packages view without opentelemetry: every entry but its own, linked
    view = tmp_path / "site"
    view.mkdir()
    for directory in site.getsitepackages():
        for entry in Path(directory).iterdir():
            if not entry.name.startswith("opentelemetry") and not (view / entry.name).exists():
                (view / entry.name).symlink_to(entry)
    code = (
        "import sys, site\n"
        "sys.path[:] = [p for p in sys.path if p not in site.getsitepackages()] + [sys.argv[1]]\n"
        "import importlib.util; assert importlib.util.find_spec('opentelemetry') is None\n"
        "from director_litellm import LiteLLMProvider\n"
        "p = LiteLLMProvider(chat_model='openai/gpt-4o-mini', api_key='k', extra_params={'mock_response': 'ok'})\n"
        "r = p.chat_completions([{'role': 'user', 'content': 'hi'}])\n"
        "assert r.status and r.content == 'ok', r\n"
        "assert p.usage.calls == 1 and p.usage.attempts == 1\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n"
    )
    env = {**os.environ, "PYTHONPATH": pythonpath(), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(view)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_installed_without_sdk_records_nothing(monkeypatch: pytest.MonkeyPatch, openai_fake: FakeOpenAI) -> None:
    """opentelemetry-api without a configured SDK: no span object is kept, the call is as before."""
    pytest.importorskip("opentelemetry")
    from opentelemetry import trace
    from opentelemetry.util._once import Once

    monkeypatch.setattr(trace, "_TRACER_PROVIDER_SET_ONCE", Once())
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
    monkeypatch.setattr(tracing, "_otel", None)
    assert tracing.start(MODEL, stream=False) is None
    assert provider_for(openai_fake).chat_completions(USER).status


def test_provider_class_keeps_its_signatures() -> None:
    """The wrapped call methods keep their names, docs and signatures (Director and ``inspect`` see them)."""
    import inspect

    for name in ("chat_completions", "achat_completions", "stream_chat_completions", "astream_chat_completions"):
        method = getattr(LiteLLMProvider, name)
        assert method.__name__ == name
        assert method.__doc__
        assert list(inspect.signature(method).parameters)[:5] == [
            "self",
            "messages",
            "tools",
            "stop",
            "response_format",
        ]
    assert inspect.iscoroutinefunction(LiteLLMProvider.achat_completions)
    assert inspect.isasyncgenfunction(LiteLLMProvider.astream_chat_completions)
