"""OpenTelemetry spans for LLM calls, per the GenAI semantic conventions (v1.41.0).

Convention: https://github.com/open-telemetry/semantic-conventions/blob/v1.41.0/docs/gen-ai/gen-ai-spans.md
(section "Inference"). One CLIENT span ``chat {model}`` per call, on the globally configured
TracerProvider, with ``gen_ai.*`` request, response and usage attributes and ``error.type`` (the
package's error category) on failure. Each attempt is a span event ``director_litellm.attempt``
(model, number, whether it is a fallback target, the wait before it); each failed attempt an event
``director_litellm.attempt.failed`` with its ``error.type`` and the wait chosen (none: no retry).
Streams record ``gen_ai.response.time_to_first_chunk``.

opentelemetry is optional (the ``otel`` extra): it is imported on the first call, and only when
it is installed; without it nothing is imported and calls get no span. With only the API installed
(no SDK configured) spans are non-recording and the call does no attribute work.

Message content is recorded only when ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``
(the convention's switch, read per call), as ``gen_ai.input.messages`` / ``gen_ai.output.messages``
JSON strings, scrubbed like the logs (``scrub``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
from collections.abc import Iterable
from typing import Any

from director_litellm._error_types import Category
from director_litellm._scrub import scrub

__all__ = ["CAPTURE_CONTENT_VARIABLE", "SEMCONV_VERSION", "CallSpan", "start", "status"]

SEMCONV_VERSION = "1.41.0"
CAPTURE_CONTENT_VARIABLE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"

# litellm's route -> the convention's well-known gen_ai.provider.name values; others keep litellm's name
_PROVIDER_NAMES = {
    "anthropic": "anthropic",
    "azure": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "bedrock": "aws.bedrock",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "deepseek": "deepseek",
    "gemini": "gcp.gemini",
    "groq": "groq",
    "mistral": "mistral_ai",
    "openai": "openai",
    "perplexity": "perplexity",
    "vertex_ai": "gcp.vertex_ai",
    "vertex_ai_beta": "gcp.vertex_ai",
    "watsonx": "ibm.watsonx.ai",
    "xai": "x_ai",
}
# what the request says -> gen_ai.request.* (sent values only)
_REQUEST_ATTRIBUTES = (
    ("temperature", "gen_ai.request.temperature"),
    ("top_p", "gen_ai.request.top_p"),
    ("max_tokens", "gen_ai.request.max_tokens"),
    ("max_completion_tokens", "gen_ai.request.max_tokens"),
)

_otel: Any = None  # (tracer, SpanKind, StatusCode, trace module) once resolved; False: not installed


def _resolve() -> Any:
    global _otel
    if _otel is None:
        if importlib.util.find_spec("opentelemetry") is None:
            _otel = False
        else:
            try:
                from opentelemetry import trace

                from director_litellm import __version__

                _otel = (trace.get_tracer("director_litellm", __version__), trace.SpanKind, trace.StatusCode, trace)
            except Exception:
                _otel = False
    return _otel


def start(model: str, stream: bool) -> CallSpan | None:
    """The span of a call that starts now, or None (opentelemetry absent, or the span is not recorded)."""
    otel = _resolve()
    if not otel:
        return None
    tracer, kind, _, _ = otel
    span = tracer.start_span(f"chat {model}", kind=kind.CLIENT)
    if not span.is_recording():
        return None
    return CallSpan(span, model, stream)


def provider_name(model: str) -> str:
    """The convention's ``gen_ai.provider.name`` for ``model``, from litellm's route."""
    from director_litellm._litellm import route

    found = route(model)
    if found is None:
        return "litellm"
    return _PROVIDER_NAMES.get(found, found)


def _capture_content() -> bool:
    return os.environ.get(CAPTURE_CONTENT_VARIABLE, "").strip().lower() == "true"


class CallSpan:
    """One call's recording span: request attributes at the first attempt, events per attempt, the end."""

    __slots__ = ("_failed_at", "_model", "_secrets", "_started", "first_chunk_at", "span")

    def __init__(self, span: Any, model: str, stream: bool) -> None:
        self.span = span
        self._model = model
        self._started = time.monotonic()
        self._failed_at: float | None = None
        self._secrets: list[str] = []
        self.first_chunk_at: float | None = None
        span.set_attribute("gen_ai.operation.name", "chat")
        span.set_attribute("gen_ai.request.model", model)
        if stream:
            span.set_attribute("gen_ai.request.stream", True)

    def activate(self) -> Any:
        """Make this span the current one (until ``deactivate``): spans of the HTTP layer become its children."""
        _, _, _, trace = _otel
        from opentelemetry import context

        return context.attach(trace.set_span_in_context(self.span))

    @staticmethod
    def deactivate(token: Any) -> None:
        from opentelemetry import context

        context.detach(token)

    def attempt(self, model: str, number: int, request: dict[str, Any], first: bool, secrets: list[str]) -> None:
        """One attempt starts (``first``: the call's first), with these ``litellm.completion`` arguments."""
        span, now = self.span, time.monotonic()
        if first:
            name = provider_name(model)
            span.set_attribute("gen_ai.provider.name", name)
            span.set_attribute("gen_ai.system", name)  # the name before semconv 1.37, for older backends
            for key, attribute in _REQUEST_ATTRIBUTES:
                value = request.get(key)
                if value is not None:
                    span.set_attribute(attribute, value)
            stop = request.get("stop")
            if stop:
                span.set_attribute("gen_ai.request.stop_sequences", [stop] if isinstance(stop, str) else list(stop))
            if _capture_content():
                self._secrets = secrets
                span.set_attribute("gen_ai.input.messages", self._scrubbed(_input_messages(request.get("messages"))))
        event: dict[str, Any] = {
            "director_litellm.attempt.number": number,
            "gen_ai.request.model": model,
            "director_litellm.attempt.fallback": model != self._model,
        }
        if self._failed_at is not None:
            event["director_litellm.attempt.wait_s"] = round(now - self._failed_at, 6)
        span.add_event("director_litellm.attempt", event)

    def failed(self, category: Category, model: str, number: int, delay: float | None) -> None:
        """An attempt failed; ``delay``: the wait before the retry (None: no retry of this model)."""
        self._failed_at = time.monotonic()
        event: dict[str, Any] = {
            "error.type": category,
            "gen_ai.request.model": model,
            "director_litellm.attempt.number": number,
        }
        if delay is not None:
            event["director_litellm.retry.delay_s"] = round(delay, 6)
        self.span.add_event("director_litellm.attempt.failed", event)

    def end(self, response: Any, attempts: int) -> None:
        """The call ended with this ``LLMResponse``."""
        span = self.span
        if response.model:
            span.set_attribute("gen_ai.response.model", response.model)
        if response.finish_reason:
            span.set_attribute("gen_ai.response.finish_reasons", [response.finish_reason])
        if response.status or response.send_tokens or response.recv_tokens:
            span.set_attribute("gen_ai.usage.input_tokens", response.send_tokens)
            span.set_attribute("gen_ai.usage.output_tokens", response.recv_tokens)
            span.set_attribute("gen_ai.usage.cache_read.input_tokens", response.cached_tokens)
            span.set_attribute("gen_ai.usage.cache_creation.input_tokens", response.cache_write_tokens)
        if self.first_chunk_at is not None:
            span.set_attribute("gen_ai.response.time_to_first_chunk", round(self.first_chunk_at - self._started, 6))
        span.set_attribute("director_litellm.attempts", attempts)
        if response.cost is not None:
            span.set_attribute("director_litellm.cost_usd", response.cost)
        if response.status and _capture_content():
            span.set_attribute("gen_ai.output.messages", self._scrubbed(_output_messages(response)))
        if not response.status:
            _, _, status, _ = _otel
            category = (response.error or {}).get("category") or "_OTHER"
            span.set_attribute("error.type", category)
            span.set_status(status.ERROR, response.content)
        span.end()

    def abandon(self, reason: str) -> None:
        """The caller stopped reading (a stream closed early) or an exception went through: end the span so."""
        _, _, status, _ = _otel
        self.span.set_attribute("error.type", reason)
        self.span.set_status(status.ERROR, reason)
        self.span.end()

    def _scrubbed(self, data: Any) -> str:
        return scrub(json.dumps(data, ensure_ascii=False, default=str), self._secrets)


def _parts(content: Any) -> list[dict[str, Any]]:
    if content is None or content == "":
        return []
    if isinstance(content, str):
        return [{"type": "text", "content": content}]
    parts: list[dict[str, Any]] = []
    for part in content if isinstance(content, list) else [content]:
        if isinstance(part, dict) and part.get("type") == "text":
            parts.append({"type": "text", "content": part.get("text", "")})
        elif isinstance(part, dict):
            parts.append({"type": str(part.get("type", "unknown"))})  # an image or file: its kind, not its bytes
    return parts


def _input_messages(messages: Iterable[Any] | None) -> list[dict[str, Any]]:
    """OpenAI-format messages -> the convention's input messages (``gen-ai-input-messages.json``)."""
    out = []
    for message in messages or ():
        role = str(message.get("role", ""))
        if role == "tool":
            parts = [
                {"type": "tool_call_response", "id": message.get("tool_call_id"), "response": message.get("content")}
            ]
        else:
            parts = _parts(message.get("content"))
            for call in message.get("tool_calls") or ():
                function = call.get("function") or {}
                parts.append(
                    {
                        "type": "tool_call",
                        "id": call.get("id"),
                        "name": function.get("name"),
                        "arguments": function.get("arguments"),
                    }
                )
        out.append({"role": role, "parts": parts})
    return out


def _output_messages(response: Any) -> list[dict[str, Any]]:
    """An ``LLMResponse`` -> the convention's output messages (``gen-ai-output-messages.json``)."""
    parts = _parts(response.content)
    for call in response.tool_calls or ():
        tool = call.get("tool") or {}
        parts.append(
            {"type": "tool_call", "id": call.get("id"), "name": tool.get("name"), "arguments": tool.get("arguments")}
        )
    return [{"role": "assistant", "parts": parts, "finish_reason": response.finish_reason}]


def status() -> dict[str, Any]:
    """For ``doctor``: is opentelemetry installed, is a TracerProvider configured, and where spans go."""
    if importlib.util.find_spec("opentelemetry") is None:
        return {"installed": False, "tracing": False, "exporters": []}
    try:
        from opentelemetry import trace
    except Exception:
        return {"installed": False, "tracing": False, "exporters": []}
    provider = trace.get_tracer_provider()
    configured = type(provider).__name__ not in ("ProxyTracerProvider", "NoOpTracerProvider")
    exporters = []
    multi = getattr(provider, "_active_span_processor", None)
    for processor in getattr(multi, "_span_processors", ()) or ():
        exporter = getattr(processor, "span_exporter", None) or getattr(processor, "_exporter", None)
        exporters.append(type(exporter if exporter is not None else processor).__name__)
    return {
        "installed": True,
        "tracing": configured,
        "provider": type(provider).__name__,
        "exporters": exporters,
        "OTEL_TRACES_EXPORTER": os.environ.get("OTEL_TRACES_EXPORTER"),
        "OTEL_EXPORTER_OTLP_ENDPOINT": scrub(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "")) or None,
        "capture_content": _capture_content(),
    }
