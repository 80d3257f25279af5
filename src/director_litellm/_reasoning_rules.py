"""Per-model rules 12 and 13 (docs/model-rules.md's numbering): Claude's extended thinking, and reasoning state.

Pure functions, no litellm; the same kind of provider-forced decision as ``model_rules`` (kept apart only
for size), stated in prose in docs/model-rules.md and tested at the wire.

12. Extended thinking for Claude (``thinking_params``), with ``LITELLM_THINKING_BUDGET`` set (or
   ``reasoning_effort`` sent to a Claude model, which litellm turns into thinking):
   - ``thinking={"type": "enabled", "budget_tokens": N}`` for any Claude model (Anthropic, Bedrock,
     Vertex); models of other families do not get it;
   - ``temperature`` is 1 and ``top_p`` is not sent (Claude: "`temperature` may only be set to 1 when
     thinking is enabled");
   - ``max_tokens`` above the budget: when it is not, it becomes budget + max_tokens;
   - no thinking on a call with ``response_format``: litellm implements JSON mode for Claude by forcing
     a tool, which Claude refuses with thinking on;
   - no thinking for a step whose unfinished tool loop ends in an assistant turn without this model's
     own thinking blocks (a fallback, a changed model, a session stored before): Claude refuses it
     ("a final `assistant` message must start with a thinking block"), and blocks of another model
     are refused as "Invalid `signature`".

13. Reasoning state given back (``history``): a turn's state goes back only to the model that made it.
   DeepSeek's ``reasoning_content`` is kept for DeepSeek models (``keeps_reasoning``); a DeepSeek model
   in thinking mode (``deepseek-reasoner``, or thinking requested) gets ``reasoning_content`` on every
   tool-call turn (``takes_reasoning_back``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from director_litellm._model_rules import is_claude

logger = logging.getLogger(__name__)


def keeps_reasoning(model: str) -> bool:
    """DeepSeek models: their ``reasoning_content`` on a tool-call turn is kept (rule 13)."""
    return "deepseek" in model.lower()


def takes_reasoning_back(model: str, *, thinking: bool = False) -> bool:
    """A DeepSeek model in thinking mode, which refuses tool-call turns without ``reasoning_content``."""
    name = model.lower()
    return "deepseek" in name and ("reasoner" in name or thinking)


def thinking_params(
    model: str,
    budget: int | None,
    max_tokens: int,
    *,
    effort: bool,
    json_mode: bool,
    open_loop_signed: bool | None,
) -> dict[str, Any] | None:
    """Rule 12: what a Claude request with thinking carries; {} to send no thinking; None: not Claude/not on.

    ``effort``: ``reasoning_effort`` goes to this model (litellm turns it into thinking for Claude).
    """
    if not is_claude(model) or (budget is None and not effort):
        return None
    if json_mode:
        logger.info("%s: no extended thinking on a call with response_format (Claude's JSON mode forces a tool)", model)
        return {}
    if open_loop_signed is False:
        logger.info(
            "%s: no extended thinking for this step: the tool loop's last assistant turn has no thinking blocks "
            "from this model (made by another model, or stored before)",
            model,
        )
        return {}
    params: dict[str, Any] = {"temperature": 1}
    if budget is not None:
        params["thinking"] = {"type": "enabled", "budget_tokens": budget}
        if max_tokens <= budget:
            params["max_tokens"] = budget + max_tokens
    return params


def given_budget(thinking: Any) -> int | None:
    """A thinking budget passed as litellm's own ``thinking`` option (``extra_params`` or per call)."""
    if isinstance(thinking, Mapping) and thinking.get("type") == "enabled":
        budget = thinking.get("budget_tokens")
        return budget if isinstance(budget, int) and not isinstance(budget, bool) else None
    return None


__all__ = ["given_budget", "keeps_reasoning", "takes_reasoning_back", "thinking_params"]
