"""The fakes' prompt caches: what the real services would read from and write to their caches.

``AnthropicCache`` accounts like ANTHROPIC_CACHING (see ``rules``): the request is cut into blocks in
prefix order (tools, system, messages); each ``cache_control`` breakpoint whose prefix reaches the
model's minimum is written on first sight and read on a repeat within its TTL (refreshed by every
read); a breakpoint also reads a prefix cached at any of the ``CACHE_LOOKBACK_BLOCKS`` block
boundaries before it. ``usage`` then reports ``input_tokens`` (after the cached and written part),
``cache_creation_input_tokens`` and ``cache_read_input_tokens``, like the API.

``OpenAICache`` accounts like OPENAI_CACHING: no markers; a prompt of at least 1,024 tokens leaves its
prefixes (tools, then each message) in the cache, and a later prompt sharing one reports
``prompt_tokens_details.cached_tokens``: the longest shared prefix, in 128-token steps.

Token counts are ``rules.estimate_tokens`` of each block's compact JSON. ``clock`` is injectable so that
expiry is tested without sleeping.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable

from . import rules


def _prefixes(blocks: list[str], model: str) -> list[tuple[str, int]]:
    """(hash of the prefix ending at block i, tokens up to and including block i) for each block."""
    digest, tokens, out = hashlib.sha256(model.encode()), 0, []
    for text in blocks:
        digest.update(b"\0" + text.encode())
        tokens += rules.estimate_tokens(text)
        out.append((digest.copy().hexdigest(), tokens))
    return out


class _Cache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: dict[str, tuple[float, float]] = {}  # prefix hash -> (expiry, ttl)
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> bool:
        entry = self._entries.get(key)
        return entry is not None and entry[0] > now

    def _store(self, key: str, now: float, ttl: float) -> None:
        self._entries[key] = (now + ttl, ttl)

    def clear(self) -> None:
        """Forget every cached prefix."""
        with self._lock:
            self._entries.clear()


class AnthropicCache(_Cache):
    def account(self, body: dict) -> dict[str, int]:
        """``input_tokens`` / ``cache_creation_input_tokens`` / ``cache_read_input_tokens`` for an accepted request."""
        blocks = rules.cache_blocks(body)
        model = str(body.get("model", ""))
        prefixes = _prefixes([text for text, _ in blocks], model)
        total = prefixes[-1][1] if prefixes else 0
        points = [i for i, (_, mark) in enumerate(blocks) if mark is not None]
        minimum = rules.claude_cache_minimum(model)
        read = written = 0
        with self._lock:
            now = self.clock()
            hits: list[int] = []
            for point in points:
                for at in range(point, max(-1, point - rules.CACHE_LOOKBACK_BLOCKS), -1):
                    if self._live(prefixes[at][0], now):
                        hits.append(at)
                        break
            if hits:
                best = max(hits)
                read = prefixes[best][1]
                for at in set(hits):  # reading refreshes the entry's lifetime
                    key = prefixes[at][0]
                    self._store(key, now, self._entries[key][1])
            cacheable = [p for p in points if prefixes[p][1] >= minimum]
            for point in cacheable:
                key = prefixes[point][0]
                if not self._live(key, now):
                    self._store(key, now, rules.CACHE_TTLS[(blocks[point][1] or {}).get("ttl", "5m")])
            if cacheable and prefixes[cacheable[-1]][1] > read:
                written = prefixes[cacheable[-1]][1] - read
        return {
            "input_tokens": total - read - written,
            "cache_creation_input_tokens": written,
            "cache_read_input_tokens": read,
        }


class OpenAICache(_Cache):
    TTL = 300.0  # OPENAI_CACHING: cached prefixes stay "after 5-10 minutes of inactivity" (the lower bound)

    def account(self, body: dict) -> tuple[int, int]:
        """(prompt_tokens, cached_tokens) for an accepted request."""
        blocks = [json.dumps(t, sort_keys=True, separators=(",", ":")) for t in body.get("tools") or []]
        blocks += [json.dumps(m, sort_keys=True, separators=(",", ":")) for m in body.get("messages") or []]
        prefixes = _prefixes(blocks, str(body.get("model", "")))
        total = prefixes[-1][1] if prefixes else 0
        cached = 0
        with self._lock:
            now = self.clock()
            for key, tokens in prefixes:
                if self._live(key, now):
                    cached = tokens
            if total >= rules.OPENAI_CACHE_MINIMUM:
                for key, _ in prefixes:
                    self._store(key, now, self.TTL)
        if cached < rules.OPENAI_CACHE_MINIMUM:
            return total, 0
        return total, cached - (cached - rules.OPENAI_CACHE_MINIMUM) % rules.OPENAI_CACHE_INCREMENT
