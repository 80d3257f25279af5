"""OpenAI-compatible wires with rules of their own: DeepSeek's thinking mode, Mistral's tool-call ids.

``FakeDeepSeek`` answers in thinking mode (``deepseek-reasoner``, or ``thinking: {"type": "enabled"}``)
with ``reasoning_content`` beside the answer, as DeepSeek does, and refuses a history whose assistant
tool-call turns lack it (rules.reasoning). ``FakeMistralIds`` is the minimal Mistral id rule only
(a full Mistral fake lives with the other families): it issues 9-character ids and refuses any other.
"""

from __future__ import annotations

import json
import string
from typing import Any

from . import rules
from .base import Recorded, ids
from .fake_openai import FakeOpenAI


class FakeDeepSeek(FakeOpenAI):
    """DeepSeek Chat Completions (OpenAI wire) at ``/v1/chat/completions``; give litellm ``deepseek/<model>``."""

    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        body = rec.body
        if isinstance(body, dict) and isinstance(body.get("thinking"), dict):
            # DEEPSEEK_THINKING: `thinking` is DeepSeek's own request field
            rec = Recorded(rec.path, rec.headers, {k: v for k, v in body.items() if k != "thinking"}, rec.raw)
        refused = super()._refusal(rec, bad_json)
        if refused:
            return refused
        problems = rules.check_deepseek(body)
        return (400, problems) if problems else None

    def _error_body(self, status: int, message: str, type: str | None) -> dict:
        body = super()._error_body(status, message, type)
        if status == 400:  # DeepSeek's 400 (endolith/open-interpreter#215): code repeats the type
            body["error"]["code"] = "invalid_request_error"
        return body

    @staticmethod
    def _reasoning(rec: Recorded) -> str | None:
        if not isinstance(rec.body, dict) or not rules.deepseek_thinking(rec.body):
            return None
        return f"Reasoning {next(ids)}: the user wants a video step; pick the agent."

    def _success_body(self, o: dict, rec: Recorded) -> dict:
        body = super()._success_body(o, rec)
        reasoning = self._reasoning(rec)
        if reasoning is not None:
            body["choices"][0]["message"]["reasoning_content"] = reasoning
        return body

    def _frames(self, o: dict, rec: Recorded) -> list[bytes]:
        frames = super()._frames(o, rec)
        reasoning = self._reasoning(rec)
        if reasoning is None:
            return frames
        first = json.loads(frames[0].decode()[len("data: ") :])
        pieces = (reasoning[: len(reasoning) // 2], reasoning[len(reasoning) // 2 :])
        extra = []
        for piece in pieces:  # DeepSeek streams reasoning_content deltas (content null) before the answer
            choice = {"index": 0, "delta": {"content": None, "reasoning_content": piece}, "finish_reason": None}
            extra.append(self._frame({**first, "choices": [choice]}))
        return [frames[0], *extra, *frames[1:]]


class FakeMistralIds(FakeOpenAI):
    """An OpenAI wire with Mistral's tool-call id rule (rules.reasoning.MISTRAL_ID); give litellm ``mistral/<model>``."""

    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        refused = super()._refusal(rec, bad_json)
        if refused:
            return refused
        problems = rules.check_mistral_ids(rec.body)
        return (400, problems) if problems else None

    def _error_body(self, status: int, message: str, type: str | None) -> dict[str, Any]:
        if status != 400:
            return super()._error_body(status, message, type)
        # Mistral's error body (nearai/ironclaw#1241)
        return {"object": "error", "message": message, "type": "invalid_function_call", "param": None, "code": "3280"}

    @staticmethod
    def _calls(o: dict) -> list[dict]:
        alphabet = string.ascii_letters + string.digits
        out = []
        for c in o["tool_calls"]:
            n, chars = next(ids), []
            for _ in range(9):
                n, rest = divmod(n, len(alphabet))
                chars.append(alphabet[rest])
            out.append(
                {
                    "id": c.get("id") or "".join(chars),
                    "type": "function",
                    "function": {"name": c["name"], "arguments": c.get("arguments", "{}")},
                }
            )
        return out


__all__ = ["FakeDeepSeek", "FakeMistralIds"]
