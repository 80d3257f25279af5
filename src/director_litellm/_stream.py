"""Streaming: the event types, and the one accumulator that turns chunks into a response.

Pure and duck-typed like ``parser`` (works on litellm's stream chunks and on
dicts of the same shape); it never raises. Both stream paths (sync and async)
feed chunks to one ``StreamAccumulator``; tool-call arguments go through the
same ``parser`` functions as non-streamed answers.

Events, in order::

    TextDelta(text)           a piece of the answer's text
    ReasoningDelta(text)      a piece of the model's reasoning, where the model exposes it
    Final(response)           always last, exactly once: the complete ``LLMResponse``
                              (content, tool calls in Director's shape, usage, cost,
                              finish_reason), or an ERROR response that keeps the text
                              received so far in ``partial_content``; a refusal is an
                              ERROR with ``finish_reason="refusal"`` (see ``parser``)

Tool-call chunks are matched the way real providers send them: by ``id`` when
present (an ``id`` repeated on every chunk, or an ``index`` reused with a new
``id``), else by ``index``, else to the latest call. A trailing "summary" chunk
that repeats a call's complete arguments is ignored. Only choice 0 is read: chunks of other
choices (``n`` > 1) are ignored, never merged into the answer.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from director_litellm._errors import ErrorInfo
from director_litellm._fields import field
from director_litellm._parser import choice_zero, error_response, parse_response, reasoning_text
from director_litellm._reasoning_state import stream_blocks
from director_litellm._response import LLMResponse

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextDelta:
    text: str
    type: str = "text"


@dataclass(frozen=True)
class ReasoningDelta:
    text: str
    type: str = "reasoning"


@dataclass(frozen=True)
class Final:
    response: LLMResponse
    type: str = "final"


StreamEvent = TextDelta | ReasoningDelta | Final


@dataclass
class _Call:
    id: str | None = None
    name: str = ""
    arguments: str = ""


@dataclass
class StreamAccumulator:
    """Collects chunks of one streamed answer; ``add`` returns the events a chunk yields."""

    model: str | None = None
    text: list[str] = dc_field(default_factory=list)
    reasoning: list[str] = dc_field(default_factory=list)
    calls: list[_Call] = dc_field(default_factory=list)
    refusal: list[str] = dc_field(default_factory=list)
    refused: bool = False  # Anthropic's refusal marker (litellm 1.10x), seen on a delta
    thinking: list[Any] = dc_field(default_factory=list)  # Claude's thinking_blocks pieces (reasoning_state)
    finish_reason: str | None = None
    usage: Any = None
    _by_id: dict[str, _Call] = dc_field(default_factory=dict)
    _by_index: dict[int, _Call] = dc_field(default_factory=dict)

    def __post_init__(self) -> None:
        self.requested = self.model  # the model the request went to (chunks name the one that answered)

    def add(self, chunk: Any) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        try:
            answered_by = field(chunk, "model")
            if isinstance(answered_by, str) and answered_by:
                self.model = answered_by
            usage = field(chunk, "usage")
            if usage is not None and (field(usage, "prompt_tokens") or field(usage, "completion_tokens")):
                self.usage = usage
            choice = choice_zero(field(chunk, "choices"))  # other choices (n > 1) are never merged in
            if choice is None:
                return events
            finish = field(choice, "finish_reason")
            if isinstance(finish, str) and finish:
                self.finish_reason = finish
            delta = field(choice, "delta") or field(choice, "message")
            if delta is None:
                return events
            reasoning = reasoning_text(delta)
            if reasoning:
                self.reasoning.append(reasoning)
                events.append(ReasoningDelta(reasoning))
            blocks = field(delta, "thinking_blocks")
            if isinstance(blocks, (list, tuple)):
                self.thinking.extend(blocks)
            content = field(delta, "content")
            if isinstance(content, str) and content:
                self.text.append(content)
                events.append(TextDelta(content))
            refusal = field(delta, "refusal")
            if isinstance(refusal, str) and refusal:
                self.refusal.append(refusal)
            if field(field(delta, "provider_specific_fields"), "stop_reason") == "refusal":
                self.refused = True
            tool_calls = field(delta, "tool_calls")
            if isinstance(tool_calls, (list, tuple)):
                for raw in tool_calls:
                    self._add_call(raw)
        except Exception:  # a malformed chunk must not end the stream; it is skipped
            return events
        return events

    def _add_call(self, raw: Any) -> None:
        call_id = field(raw, "id")
        call_id = call_id if isinstance(call_id, str) and call_id else None
        index = field(raw, "index")
        index = index if isinstance(index, int) and not isinstance(index, bool) else None
        function = field(raw, "function")
        name = field(function, "name")
        fragment = field(function, "arguments")

        if call_id is not None and call_id in self._by_id:
            call = self._by_id[call_id]
        elif call_id is not None:
            call = _Call(id=call_id)
            self.calls.append(call)
            self._by_id[call_id] = call
        elif index is not None and index in self._by_index:
            call = self._by_index[index]
        elif index is None and self.calls:
            call = self.calls[-1]
        else:
            call = _Call()
            self.calls.append(call)
        if index is not None:
            self._by_index[index] = call

        if isinstance(name, str) and name and not call.name:
            call.name = name
        if isinstance(fragment, dict):
            fragment = json.dumps(fragment)
        if isinstance(fragment, str) and fragment:
            if call.arguments and fragment == call.arguments:
                return  # a closing "summary" chunk repeating the whole arguments
            call.arguments += fragment

    def ended_without_finish_reason(self, exc: BaseException) -> bool:
        """litellm 1.10x raises after the last chunk when no finish_reason came; nothing is missing then.

        Some OpenAI-compatible servers never send a finish_reason. A dropped connection
        raises a transport error instead, so only this exact complaint, after at least
        one piece of the answer arrived, counts as a complete answer.
        """
        received = bool(self.text or self.calls or self.reasoning)
        if received and "stream ended before a finish_reason" in str(exc).lower():
            logger.warning("stream ended without a finish_reason; the answer is complete, so it is kept")
            return True
        return False

    @property
    def partial_text(self) -> str:
        return "".join(self.text)

    def response(self) -> LLMResponse:
        """The complete response for a stream that ended normally.

        The stream is folded into one completion-shaped answer and read by ``parser``, so
        streamed and non-streamed answers go through the same tool-call and usage rules.
        """
        message = {
            "role": "assistant",
            "content": self.partial_text,
            "refusal": "".join(self.refusal) or None,
            "provider_specific_fields": {"stop_reason": "refusal"} if self.refused else None,
            "reasoning_content": "".join(self.reasoning) or None,
            "thinking_blocks": stream_blocks(self.thinking),
            "tool_calls": [
                {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
                for call in self.calls
            ],
        }
        completion = {
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": self.finish_reason}],
            "usage": self.usage,
        }
        return parse_response(completion, model=self.requested or self.model)

    def failed(self, info: ErrorInfo) -> LLMResponse:
        """The ERROR response for a stream that broke; the text so far is kept."""
        response = error_response(info)
        response.partial_content = self.partial_text
        return response


__all__ = ["Final", "ReasoningDelta", "StreamAccumulator", "StreamEvent", "TextDelta"]
