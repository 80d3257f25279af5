"""``provider.usage``: what one provider's calls used, in total and per model.

Every call of the four call paths adds one record when it ends (``observe`` does it): a call,
a failure when it returned ERROR, the attempts it made (requests handed to litellm, retries
and fallback targets included), its tokens and its cost. Tokens and cost are what the
response reports; ``cost_usd`` is litellm's price (the cache-aware price when the prompt cache
was read or written), and a call litellm has no price for adds nothing to it.

Thread- and async-safe: one lock guards each update and each snapshot, and nothing is awaited
under it. A host reads it at the end of a Director session::

    totals = provider.usage.snapshot()      # {"calls": ..., "cost_usd": ..., "by_model": {...}}
    provider.usage.cost_usd, provider.usage.by_model["openai/gpt-4o-mini"].output_tokens
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["Usage", "UsageTotals"]


@dataclass
class UsageTotals:
    """The counters of a ledger (its totals, or one model's share)."""

    calls: int = 0
    failures: int = 0
    attempts: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float = 0.0

    def _add(self, response: Any, attempts: int) -> None:
        self.calls += 1
        self.failures += 0 if response.status else 1
        self.attempts += attempts
        self.input_tokens += response.send_tokens or 0
        self.output_tokens += response.recv_tokens or 0
        self.cached_tokens += response.cached_tokens or 0
        self.cache_write_tokens += response.cache_write_tokens or 0
        self.cost_usd += response.cost or 0.0


@dataclass
class Usage(UsageTotals):
    """One provider's ledger: the totals as attributes, and ``by_model`` (the model that answered)."""

    by_model: dict[str, UsageTotals] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, response: Any, attempts: int, model: str) -> None:
        """Add one finished call: its ``LLMResponse``, the attempts it made, the model it is counted under."""
        with self._lock:
            self._add(response, attempts)
            share = self.by_model.get(model)
            if share is None:
                share = self.by_model[model] = UsageTotals()
            share._add(response, attempts)

    def snapshot(self) -> dict[str, Any]:
        """The totals and ``by_model`` as plain data (consistent: taken under the lock)."""
        with self._lock:
            totals = {f.name: getattr(self, f.name) for f in fields(UsageTotals)}
            totals["by_model"] = {model: asdict(share) for model, share in self.by_model.items()}
        return totals

    def reset(self) -> None:
        """Start counting again from zero (e.g. at the start of a session)."""
        with self._lock:
            for f in fields(UsageTotals):
                setattr(self, f.name, f.default)
            self.by_model.clear()
