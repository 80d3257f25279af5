"""What a recorded Gemini response says (``wire: gemini``), read from its own bytes for ``expect``.

GenerateContentResponse (https://ai.google.dev/api/generate-content): candidate 0's parts give the text
(parts without ``thought``), the reasoning (``thought: true`` parts) and the function calls (Gemini sends
no call ids: litellm makes them, so only names and arguments are compared); ``finishReason`` STOP,
MAX_TOKENS or a block reason; ``promptFeedback.blockReason`` for a blocked prompt; ``usageMetadata``.
A stream is the same objects in order: texts concatenated, the last finish and usage win.
"""

from __future__ import annotations

from typing import Any

# Gemini's finish reasons for output a filter withheld (FinishReason; MODEL_ARMOR on Vertex AI)
BLOCKED = {"SAFETY", "MODEL_ARMOR", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY", "RECITATION"}


def gemini_expected(chunks: list[dict[str, Any]], exp: Any) -> Any:
    """Fill ``exp`` (an ``expect.Expected``) from the response objects of a JSON answer or a stream."""
    text: list[str] = []
    thinking: list[str] = []
    finish = None
    blocked = False
    for chunk in chunks:
        if (chunk.get("promptFeedback") or {}).get("blockReason"):
            blocked = True
        candidates = chunk.get("candidates") or []
        candidate = candidates[0] if candidates else {}
        for part in (candidate.get("content") or {}).get("parts") or []:
            if "functionCall" in part:
                call = part["functionCall"]
                exp.tool_calls.append((None, call["name"], dict(call.get("args") or {})))
            elif part.get("thought"):
                thinking.append(part.get("text") or "")
            else:
                text.append(part.get("text") or "")
        finish = candidate.get("finishReason") or finish
        usage = chunk.get("usageMetadata") or {}
        if "promptTokenCount" in usage:
            exp.send_tokens = usage["promptTokenCount"]
        if "candidatesTokenCount" in usage or "promptTokenCount" in usage:
            # litellm counts the thinking tokens as completion tokens (thoughtsTokenCount)
            exp.recv_tokens = usage.get("candidatesTokenCount", 0) + usage.get("thoughtsTokenCount", 0)
    exp.content, exp.reasoning = "".join(text), "".join(thinking)
    if blocked or finish in BLOCKED:
        exp.finish_reason = "content_filter"
    elif finish == "MAX_TOKENS":
        exp.finish_reason = "length"
    elif exp.tool_calls:
        exp.finish_reason = "tool_calls"
    else:
        exp.finish_reason = "stop"
    return exp
