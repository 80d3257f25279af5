"""Director-shaped requests used by the wire tests and the benchmarks.

``director_tools(n)`` builds tools of the size and shape Director sends (enum, default, const,
format, min/max, if/then; no additionalProperties): 25 of them come to about 42k characters of
JSON. ``history()`` is a reasoning-call history with assistant tool calls and tool results.
"""

from __future__ import annotations

import json
from typing import Any


def director_tool(i: int) -> dict[str, Any]:
    return {
        "name": f"agent_{i:02d}",
        "description": (
            f"Agent {i}: searches, edits and renders video segments for the user's request. "
            "Use it when the user asks for clips, summaries, dubbing, subtitles or a final cut. " * 3
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "collection_id": {"type": "string", "description": "Collection to work in.", "default": "default"},
                "video_id": {"type": "string", "description": "Video id, as returned by upload or search."},
                "mode": {
                    "type": "string",
                    "enum": ["search", "edit", "render", "summarise", "dub"],
                    "description": "What to do with the video.",
                    "default": "search",
                },
                "query": {
                    "type": "string",
                    "description": "Natural-language request for this agent.",
                    "minLength": 1,
                    "maxLength": 2000,
                },
                "start": {"type": "number", "minimum": 0, "description": "Start, seconds."},
                "end": {"type": "number", "minimum": 0, "description": "End, seconds."},
                "language": {"type": "string", "format": "iso-639-1", "default": "en"},
                "callback_url": {"type": "string", "format": "uri"},
                "kind": {"const": "director-agent"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                "options": {
                    "type": "object",
                    "properties": {
                        "style": {"type": "string", "enum": ["plain", "cinematic", "news"]},
                        "voice": {"type": "string", "description": "Voice name for dubbing."},
                        "subtitles": {"type": "boolean", "default": False},
                    },
                },
            },
            "required": ["mode", "query"],
            "if": {"properties": {"mode": {"const": "dub"}}},
            "then": {"required": ["language"]},
        },
    }


def director_tools(n: int = 25) -> list[dict[str, Any]]:
    return [director_tool(i) for i in range(n)]


def history(turns: int = 5) -> list[dict[str, Any]]:
    """A reasoning history: system, then per turn user -> assistant tool call -> tool -> assistant."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": "You are Director, a video agent. " * 20}]
    for t in range(turns):
        call_id = f"call_{t}"
        messages += [
            {"role": "user", "content": f"Find clips about topic {t} and summarise them."},
            {
                "role": "assistant",
                "content": [],
                "tool_calls": [
                    {
                        "id": call_id,
                        "tool": {"name": f"agent_{t:02d}", "arguments": {"mode": "search", "query": f"topic {t}"}},
                        "type": "tool_use" if t % 2 else "function",
                    }
                ],
            },
            {
                "role": "tool",
                "content": json.dumps({"clips": [{"start": 1.5, "end": 9.0, "score": 0.9}] * 5}),
                "tool_call_id": call_id,
            },
            {"role": "assistant", "content": f"I found five clips about topic {t}."},
        ]
    return messages


TRANSCRIPT_WORDS = [
    "speaker",
    "one",
    "says",
    "the",
    "river",
    "scene",
    "opens",
    "on",
    "the",
    "old",
    "bridge",
    "while",
    "the",
    "camera",
    "pans",
    "slowly",
    "east",
    "and",
]


def transcript(t: int, size: int = 20_000) -> str:
    """A transcript of ``size`` characters, different for every turn (timestamps carry the turn number):
    what Director's transcription agent returns as a tool result."""
    lines, length, n = [], 0, 0
    while length < size:
        words = " ".join(TRANSCRIPT_WORDS[(n + k) % len(TRANSCRIPT_WORDS)] for k in range(12))
        line = f"[{t:03d}:{n:04d}] {words}"
        lines.append(line)
        length += len(line) + 1
        n += 1
    return "\n".join(lines)[:size]
