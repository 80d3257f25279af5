"""Reasoning state the real APIs demand back, and tool-call ids they refuse: Claude's extended thinking,
DeepSeek's thinking mode, Mistral's ids. Each rule cites its source; the error texts are the services' own,
as users reported them verbatim (the issue threads named beside each).

The fakes issue their own thinking signatures (``sign``) and check them on the way back, as Anthropic
does: a block whose signature another model (or nobody) made is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

from .common import ANTHROPIC_THINKING

DEEPSEEK_THINKING = "https://api-docs.deepseek.com/guides/thinking_mode"
MISTRAL_TOOLS = "https://docs.mistral.ai/capabilities/function_calling/"

_KEY = b"fake-anthropic-thinking-signature-key"


def sign(model: str, thinking: str) -> str:
    """The fake's signature for a thinking block: bound to the model and the block's text."""
    digest = hmac.new(_KEY, f"{model}\n{thinking}".encode(), hashlib.sha256).digest()
    return base64.b64encode(b"EqQB" + digest).decode()


# ANTHROPIC_THINKING, "Preserving thinking blocks" / tool use with thinking. Text: anomalyco/opencode#3077,
# deepset-ai/haystack-core-integrations#2146 (Anthropic, Bedrock and Vertex answer alike).
_MUST_START = (
    "messages.{i}.content.0.type: Expected `thinking` or `redacted_thinking`, but found `{found}`. When "
    "`thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the "
    "lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from "
    "previous turns. To avoid this requirement, disable `thinking`. Please consult our documentation at "
    "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
)
# ding113/claude-code-hub#518: a block made by another model or channel
_BAD_SIGNATURE = "messages.{i}.content.{j}: Invalid `signature` in `thinking` block"
# ANTHROPIC_THINKING "Feature compatibility": temperature/top_k, forced tool use
TEMPERATURE = (
    "`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at "
    "https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#important-considerations-when-using-"
    "extended-thinking"
)
FORCED_TOOL = "Thinking may not be enabled when tool_choice forces tool use."
BUDGET = (
    "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at "
    "https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size"
)


def thinking_on(body: dict) -> bool:
    thinking = body.get("thinking")
    return isinstance(thinking, dict) and thinking.get("type") == "enabled"


def check_anthropic_thinking(body: dict) -> list[str]:
    """ANTHROPIC_THINKING: the request-level rules and the thinking blocks of the history."""
    out: list[str] = []
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    model = str(body.get("model", ""))
    for i, message in enumerate(messages):
        content = message.get("content")
        if message.get("role") != "assistant" or not isinstance(content, list):
            continue
        for j, block in enumerate(content):
            thinking = isinstance(block, dict) and block.get("type") == "thinking"
            if thinking and block.get("signature") != sign(model, str(block.get("thinking", ""))):
                out.append(_BAD_SIGNATURE.format(i=i, j=j))
    if not thinking_on(body):
        return out
    budget = body["thinking"].get("budget_tokens")
    max_tokens = body.get("max_tokens")
    if not isinstance(budget, int) or budget < 1024:
        out.append("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
    elif isinstance(max_tokens, int) and budget >= max_tokens:
        out.append(BUDGET)
    if body.get("temperature", 1) != 1 or "top_k" in body:
        out.append(TEMPERATURE)
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
        out.append(FORCED_TOOL)
    # the unfinished tool loop: the last message is the user's tool_result turn
    last = messages[-1] if messages else {}
    results = isinstance(last.get("content"), list) and any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in last["content"]
    )
    if last.get("role") == "user" and results and len(messages) >= 2 and messages[-2].get("role") == "assistant":
        content = messages[-2].get("content")
        first = content[0].get("type") if isinstance(content, list) and content else "text"
        if first not in ("thinking", "redacted_thinking"):
            out.append(_MUST_START.format(i=len(messages) - 2, found=first))
    return out


# DEEPSEEK_THINKING, "Tool calls": in thinking mode the reasoning_content of assistant tool-call turns must be
# passed back. Body: endolith/open-interpreter#215 (DeepSeek's raw error, via OpenRouter).
DEEPSEEK_MISSING = "The `reasoning_content` in the thinking mode must be passed back to the API."


def deepseek_thinking(body: dict) -> bool:
    model = str(body.get("model", ""))
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "disabled":
        return False
    return "reasoner" in model or (isinstance(thinking, dict) and thinking.get("type") == "enabled")


def check_deepseek(body: dict) -> list[str]:
    if not deepseek_thinking(body):
        return []
    for message in body.get("messages") or []:
        calls = isinstance(message, dict) and message.get("role") == "assistant" and message.get("tool_calls")
        if calls and not isinstance(message.get("reasoning_content"), str):
            return [DEEPSEEK_MISSING]
    return []


# MISTRAL_TOOLS: ids are 9 characters of [a-zA-Z0-9]. Body: nearai/ironclaw#1241, editor-code-assistant/eca#233.
MISTRAL_ID = re.compile(r"^[a-zA-Z0-9]{9}$")


def check_mistral_ids(body: Any) -> list[str]:
    out = []
    for message in body.get("messages") or [] if isinstance(body, dict) else []:
        ids = [c.get("id") for c in message.get("tool_calls") or [] if isinstance(c, dict)]
        if message.get("role") == "tool":
            ids.append(message.get("tool_call_id"))
        out += [
            f"Tool call id was {i} but must be a-z, A-Z, 0-9, with a length of 9."
            for i in ids
            if not MISTRAL_ID.match(str(i))
        ]
    return out[:1]


__all__ = [
    "ANTHROPIC_THINKING",
    "BUDGET",
    "DEEPSEEK_MISSING",
    "DEEPSEEK_THINKING",
    "FORCED_TOOL",
    "MISTRAL_ID",
    "MISTRAL_TOOLS",
    "TEMPERATURE",
    "check_anthropic_thinking",
    "check_deepseek",
    "check_mistral_ids",
    "deepseek_thinking",
    "sign",
    "thinking_on",
]
