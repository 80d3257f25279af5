"""Prompt caching: where cache_control may go, the breakpoint and TTL rules, and the fakes' token estimate
(ANTHROPIC_CACHING, OPENAI_CACHING)."""

from __future__ import annotations

import json
from typing import Any

from .common import claude_family

# ANTHROPIC_CACHING: "You can define up to 4 cache breakpoints"; a fifth is refused with 400.
CACHE_BREAKPOINT_LIMIT = 4
# ANTHROPIC_CACHING: cache_control is {"type": "ephemeral"} with an optional "ttl" of "5m" (the default)
# or "1h"; the lifetime is refreshed each time the cached content is used.
CACHE_TTLS = {"5m": 300.0, "1h": 3600.0}
# ANTHROPIC_CACHING: "the system automatically checks for cache hits at all previous content block
# boundaries (up to approximately 20 blocks before your explicit breakpoint)".
CACHE_LOOKBACK_BLOCKS = 20
# ANTHROPIC_CACHING "What can be cached": tool definitions, system text blocks, and message content
# blocks (text, images and documents, tool use and tool results). "Thinking blocks cannot be cached
# directly with cache_control"; a message object itself takes only role and content (ANTHROPIC_REF).
_CACHEABLE_BLOCKS = ("text", "image", "document", "tool_use", "tool_result", "search_result")
# OPENAI_CACHING: caching is automatic "for prompts that are 1024 tokens or longer", and cache hits
# come "in increments of 128 tokens" past the first 1,024.
OPENAI_CACHE_MINIMUM = 1024
OPENAI_CACHE_INCREMENT = 128


def estimate_tokens(text: str) -> int:
    """The fakes' token count: one token per 4 characters of a block's compact JSON, at least 1.

    Deterministic and documented; the real tokenizers differ, and nothing here depends on the exact
    ratio except the minimum lengths below, which tests size their prompts for.
    """
    return max(1, -(-len(text) // 4))


def claude_cache_minimum(model: str) -> int:
    """ANTHROPIC_CACHING "Cache limitations", minimum cacheable prompt length: 4,096 tokens for Opus
    4.5/4.6/4.7 and Haiku 4.5; 2,048 for Haiku 3 and 3.5; 1,024 for Sonnet (3.7 to 4.6), Opus 4.8, 4.1
    and 4 (and the retired Sonnet 3.5 / Opus 3). A Claude the page does not list: 1,024."""
    fam = claude_family(model)
    if fam is None:
        return 1024
    family, *version = fam
    if family == "haiku":
        return 4096 if tuple(version) >= (4, 5) else 2048
    if family == "opus" and (4, 5) <= tuple(version) <= (4, 7):
        return 4096
    return 1024


def _cache_control(where: str, value: Any) -> list[str]:
    if not isinstance(value, dict) or value.get("type") != "ephemeral":
        return [f"{where}.cache_control.type: Input should be 'ephemeral'"]
    out = [f"{where}.cache_control.{k}: Extra inputs are not permitted" for k in sorted(set(value) - {"type", "ttl"})]
    if "ttl" in value and value["ttl"] not in CACHE_TTLS:
        out.append(f"{where}.cache_control.ttl: Input should be '5m' or '1h'")
    return out


def cache_blocks(body: dict) -> list[tuple[str, dict | None]]:
    """The request as Anthropic caches it: (compact JSON without cache_control, cache_control or None)
    per block, in prefix order (ANTHROPIC_CACHING: "tools, system, then messages")."""

    def block(value: Any) -> tuple[str, dict | None]:
        if isinstance(value, dict):
            mark = value.get("cache_control")
            value = {k: v for k, v in value.items() if k != "cache_control"}
        else:
            mark = None
        return json.dumps(value, sort_keys=True, separators=(",", ":")), mark

    out = [block(t) for t in body.get("tools") or []]
    system = body.get("system")
    out += [block(system)] if isinstance(system, str) else [block(b) for b in system or []]
    for message in body.get("messages") or []:
        content = message.get("content")
        parts = content if isinstance(content, list) else [content]
        out += [block({"role": message.get("role"), **({"text": p} if isinstance(p, str) else p)}) for p in parts]
    return out


def check_anthropic_cache_control(body: dict) -> list[str]:
    """ANTHROPIC_CACHING: where cache_control may appear, its value, and at most 4 breakpoints."""
    out: list[str] = []
    marks: list[dict] = []

    def seen(where: str, holder: Any) -> None:
        if isinstance(holder, dict) and "cache_control" in holder:
            out.extend(_cache_control(where, holder["cache_control"]))
            marks.append(holder["cache_control"])

    for i, tool in enumerate(body.get("tools") or []):
        seen(f"tools.{i}", tool)
    system = body.get("system")
    for i, block in enumerate(system if isinstance(system, list) else []):
        seen(f"system.{i}", block)
    for i, message in enumerate(body.get("messages") or []):
        if not isinstance(message, dict):
            continue
        out += [
            f"messages.{i}.{key}: Extra inputs are not permitted" for key in sorted(set(message) - {"role", "content"})
        ]
        content = message.get("content")
        for j, block in enumerate(content if isinstance(content, list) else []):
            if not isinstance(block, dict) or "cache_control" not in block:
                continue
            if block.get("type") not in _CACHEABLE_BLOCKS:
                out.append(f"messages.{i}.content.{j}: cache_control cannot be set on a {block.get('type')} block")
            seen(f"messages.{i}.content.{j}", block)
            for k, inner in enumerate(block.get("content") if isinstance(block.get("content"), list) else []):
                seen(f"messages.{i}.content.{j}.content.{k}", inner)
    if len(marks) > CACHE_BREAKPOINT_LIMIT:
        out.append(
            f"A maximum of {CACHE_BREAKPOINT_LIMIT} blocks with cache_control may be provided. Found {len(marks)}."
        )
    # ANTHROPIC_CACHING "Mixing different TTLs": longer-TTL entries must appear before shorter ones.
    ttls = [m.get("ttl", "5m") for m in marks if isinstance(m, dict) and m.get("ttl", "5m") in CACHE_TTLS]
    if "1h" in ttls and "5m" in ttls[: len(ttls) - ttls[::-1].index("1h")]:
        out.append("a cache_control block with ttl='1h' must not come after one with ttl='5m'")
    return out
