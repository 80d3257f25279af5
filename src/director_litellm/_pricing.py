"""What a call cost: pure arithmetic over price lookups passed in (``_litellm.prices``, ``_litellm.token_cost``).

litellm's own figure is not used for calls that read or wrote the prompt cache: litellm 1.60 bills
Anthropic's cache writes twice (as plain input and again as writes), so each token is priced here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class Prices(NamedTuple):
    """USD per token from litellm's price data; the cache prices are None when it has none."""

    input: float
    output: float
    cache_read: float | None
    cache_write: float | None


#: model -> its ``Prices``, or None when the price data has none (``_litellm.prices``)
PriceLookup = Callable[[str], "Prices | None"]
#: (model, prompt tokens, completion tokens) -> USD, or None (``_litellm.token_cost``)
TokenCost = Callable[[str, int, int], "float | None"]


def cache_cost(
    prices_of: PriceLookup, model: str | None, send: int, recv: int, cached: int, written: int
) -> float | None:
    """The cost of a call that read or wrote the prompt cache, each token at its own price; None when
    the price data lacks a needed price."""
    prices = prices_of(model) if model else None
    if prices is None:
        return None
    if (cached and prices.cache_read is None) or (written and prices.cache_write is None):
        return None
    uncached = max(send - cached - written, 0)
    read, write = prices.cache_read or 0.0, prices.cache_write or 0.0
    return float(uncached * prices.input + cached * read + written * write + recv * prices.output)


def stream_cost(
    prices_of: PriceLookup,
    token_cost: TokenCost,
    model: str | None,
    send: int,
    recv: int,
    cached: int = 0,
    written: int = 0,
) -> float | None:
    """The cost of a streamed answer from its token counts; None when there is no price for ``model``."""
    if not model or not (send or recv):
        return None
    if cached or written:
        return cache_cost(prices_of, model, send, recv, cached, written)
    return token_cost(model, send, recv)


__all__ = ["PriceLookup", "Prices", "TokenCost", "cache_cost", "stream_cost"]
