"""What both wires' rules share: the documentation each rule cites, tool names, number checks, and the
model-family helpers (the only place that knows model names)."""

from __future__ import annotations

import re
from typing import Any

OPENAI_REF = "https://platform.openai.com/docs/api-reference/chat/create"
OPENAI_ERRORS = "https://platform.openai.com/docs/guides/error-codes"
OPENAI_REASONING = "https://platform.openai.com/docs/guides/reasoning"
ANTHROPIC_REF = "https://docs.anthropic.com/en/api/messages"
ANTHROPIC_VERSIONS = "https://docs.anthropic.com/en/api/versioning"
ANTHROPIC_ERRORS = "https://docs.anthropic.com/en/api/errors"
ANTHROPIC_TOOLS = "https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use"
ANTHROPIC_MODELS = "https://docs.anthropic.com/en/docs/about-claude/models/overview"
ANTHROPIC_MIGRATION = "https://docs.anthropic.com/en/docs/about-claude/models/migrating-to-claude-4"
ANTHROPIC_THINKING = "https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking"
ANTHROPIC_CACHING = "https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching"
AZURE_REF = "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference"
OPENAI_CACHING = "https://platform.openai.com/docs/guides/prompt-caching"

# Function / tool names: OPENAI_REF ("tools[].function.name") and ANTHROPIC_TOOLS ("name" must match).
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def _num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number_range(body: dict, key: str, lo: float, hi: float) -> list[str]:
    value = body.get(key)
    if value is None or (_num(value) and lo <= value <= hi):
        return []
    return [f"{key}: must be a number between {lo} and {hi}, got {value!r}"]


# ----------------------------------------------------------------------------------------------- models
_NEW_CLAUDE = re.compile(r"claude-(opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?![0-9])")
_OLD_CLAUDE = re.compile(r"claude-(\d+)(?:-(\d{1,2}))?-(opus|sonnet|haiku)")
_OPENAI_REASONING = re.compile(r"^(o1|o3|o3-mini|o4-mini|gpt-5|gpt-5-mini|gpt-5-nano)(-\d{4}-\d{2}-\d{2})?$")


def claude_family(model: str) -> tuple[str, int, int] | None:
    """``(family, major, minor)`` of a Claude model id, or None when it is not one.

    Knows both naming schemes: ``claude-3-5-sonnet-20241022`` (version first) and
    ``claude-sonnet-4-5-20250929`` / ``claude-opus-4-1`` / ``claude-sonnet-4-20250514`` (family first; a
    minor part has one or two digits, an 8-digit date is not a minor version). Provider prefixes such as
    ``anthropic/`` or ``us.anthropic.`` are ignored. The generation thresholds used by the rules below
    (ANTHROPIC_MODELS, ANTHROPIC_MIGRATION):

    - Sonnet/Haiku >= 4.5, Opus >= 4.1, any major >= 5: ``temperature`` and ``top_p`` are exclusive;
    - any Claude >= 4.6: no assistant prefill (the conversation must end on a user turn).
    """
    m = _NEW_CLAUDE.search(model)
    if m:
        return m.group(1), int(m.group(2)), int(m.group(3) or 0)
    m = _OLD_CLAUDE.search(model)
    if m:
        return m.group(3), int(m.group(1)), int(m.group(2) or 0)
    return None


def claude_exclusive_sampling(model: str) -> bool:
    fam = claude_family(model)
    if fam is None:
        return False
    family, *version = fam
    return tuple(version) >= ((4, 1) if family == "opus" else (4, 5))


def claude_refuses_prefill(model: str) -> bool:
    fam = claude_family(model)
    return fam is not None and tuple(fam[1:]) >= (4, 6)


def claude_max_output(model: str, beta: str = "") -> int | None:
    """Documented max output tokens (ANTHROPIC_MODELS "Max output"); None = not capped here."""
    fam = claude_family(model)
    if fam is None:
        return None
    family, *version = fam
    if tuple(version) == (3, 7) and "output-128k" in beta:
        return 128000
    caps = {(3, 0): 4096, (3, 5): 8192, (3, 7): 64000, (4, 0): 64000, (4, 5): 64000}
    if family == "opus" and tuple(version) in ((4, 0), (4, 1)):
        return 32000
    return caps.get(tuple(version))


def openai_reasoning_model(model: str) -> bool:
    """o-series and GPT-5 reasoning models (OPENAI_REASONING): no max_tokens, default sampling only."""
    return bool(_OPENAI_REASONING.match(model.rsplit("/", 1)[-1]))
