"""Director's reasoning loop, step for step, for driving the provider the way Director does.

Written from Director's behaviour (video-db/Director, ``backend/director/core/reasoning.py`` and
``core/session.py``; see shared DESIGN.md "Director's sessions"), not copied from it:

- ``ContextMessage`` keeps exactly what Director keeps of a message (role, content, tool_calls,
  tool_call_id); ``to_llm_msg`` builds what Director sends and stores, ``from_json`` what it reloads.
- ``Session.dumps`` / ``Session.loads`` are Director's database round trip
  (``save_context_messages`` / ``get_context_messages``): anything else a response carried is gone.
- ``run_message`` is ``ReasoningEngine.run``: the system prompt first (a new session), the user's
  message, then steps that send the whole context with Director's real 25 agent tools; tool calls are
  run (each result is a tool message answering the call's id); an answer with finish ``stop`` or
  ``end_turn`` ends the run with the Final Cut: the current run (from the last user message on) plus a
  trailing system prompt, with no tools. A direct answer at the first step skips the Final Cut.
- ``complete`` drives any of the provider's four call paths and returns the final ``LLMResponse``.
- ``new_process`` continues a stored session in a new Python process (Director restarted), with a
  provider built from ``LITELLM_*`` variables as Director builds it.

``python -m tests.director_loop`` is that child process: a JSON request on stdin, one result line on stdout.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from director_litellm import LiteLLMProvider, LLMResponse
from tests.environment import OFFLINE_ENV
from tests.fakes.base import BaseFake, Reply

ROOT = Path(__file__).resolve().parent.parent
TOOLS: list[dict[str, Any]] = json.loads((ROOT / "tests" / "data" / "director_agent_tools.json").read_text())
PATHS = ("sync", "async", "stream", "astream")

# Stand-ins of Director's two prompts: about as long, same role and place in the conversation.
SYSTEM_PROMPT = (
    "SYSTEM PROMPT: The Director. You are an assistant for video workflows. Pick the agents that fit the "
    "user's request, give them clear instructions, combine their outputs and answer the user. "
) * 12 + "\nThis is a collection of videos; collection_id is c-1.\n- title: Cats, video_id: m-1, length: 120"
SUMMARY_PROMPT = (
    "FINAL CUT PROMPT: Summarise what the agents did and what came of it, briefly and without "
    "technical detail; mention any errors; end by inviting further questions."
)
_MARK = "DIRECTOR-LOOP-RESULT "


class RoleTypes(str, Enum):
    system = "system"
    user = "user"
    assistant = "assistant"
    tool = "tool"


class ContextMessage(BaseModel):
    """What Director keeps of one message of the reasoning context."""

    model_config = ConfigDict(use_enum_values=True, validate_default=True)

    content: list[dict[str, Any]] | str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    role: RoleTypes = RoleTypes.system

    def to_llm_msg(self) -> dict[str, Any]:
        msg: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.role == RoleTypes.assistant:
            if self.tool_calls:
                msg["tool_calls"] = self.tool_calls
            if not self.content:
                msg["content"] = []
        elif self.role == RoleTypes.tool:
            msg["tool_call_id"] = self.tool_call_id
        return msg

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ContextMessage:
        return cls(**data)


@dataclass
class Session:
    reasoning_context: list[ContextMessage] = field(default_factory=list)

    def dumps(self) -> str:
        """What Director's database holds for this session."""
        return json.dumps([m.to_llm_msg() for m in self.reasoning_context])

    @classmethod
    def loads(cls, text: str) -> Session:
        return cls([ContextMessage.from_json(m) for m in json.loads(text)])

    def messages(self) -> list[dict[str, Any]]:
        return [m.to_llm_msg() for m in self.reasoning_context]


@dataclass
class Turn:
    """One Director message: every reasoning step's response, the Final Cut, the first failure."""

    responses: list[LLMResponse] = field(default_factory=list)
    summary: LLMResponse | None = None
    failed: LLMResponse | None = None

    @property
    def ok(self) -> bool:
        return self.failed is None and self.summary is not None and bool(self.summary.status)

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        return [call for r in self.responses for call in r.tool_calls]


def complete(
    provider: LiteLLMProvider, messages: list[dict[str, Any]], *, path: str = "sync", tools: Any = None, **kw: Any
) -> LLMResponse:
    """One call on ``path`` (one of ``PATHS``); the final ``LLMResponse`` of a stream."""
    if path == "sync":
        return provider.chat_completions(messages, tools=tools, **kw)
    if path == "async":
        return asyncio.run(provider.achat_completions(messages, tools=tools, **kw))
    if path == "stream":
        events = list(provider.stream_chat_completions(messages, tools=tools, **kw))
        return _final(events)
    if path == "astream":

        async def collect() -> list[Any]:
            return [e async for e in provider.astream_chat_completions(messages, tools=tools, **kw)]

        return _final(asyncio.run(collect()))
    raise ValueError(f"unknown path {path!r}; one of {PATHS}")


def _final(events: list[Any]) -> LLMResponse:
    finals = [e for e in events if getattr(e, "type", None) == "final"]
    assert len(finals) == 1 and events[-1] is finals[0], f"a stream ends with exactly one Final: {events!r}"
    response: LLMResponse = finals[0].response
    return response


def agent_result(name: str, arguments: Mapping[str, Any], message: str = "") -> str:
    """``str(AgentResponse)`` as Director stores it in the tool message."""
    data = {"agent": name, "arguments": dict(arguments)}
    return f"status='success' message={message or f'{name} finished.'!r} data={data!r}"


def run_message(
    provider: LiteLLMProvider,
    session: Session,
    text: str,
    *,
    path: str = "sync",
    agents: Mapping[str, Callable[..., str]] | None = None,
    max_iterations: int = 10,
    tools: list[dict[str, Any]] | None = None,
) -> Turn:
    """Director's ``ReasoningEngine.run`` for one user message; ``session`` grows as Director's does."""
    ctx, turn, agents = session.reasoning_context, Turn(), agents or {}
    tools = TOOLS if tools is None else tools
    if not ctx:
        ctx.append(ContextMessage(content=SYSTEM_PROMPT))
    ctx.append(ContextMessage(role=RoleTypes.user, content=text))
    iterations = max_iterations
    while iterations > 0:
        iterations -= 1
        response = complete(provider, session.messages(), path=path, tools=tools)
        turn.responses.append(response)
        if not response.status:
            turn.failed = response
            break
        if response.tool_calls:
            ctx.append(
                ContextMessage(role=RoleTypes.assistant, content=response.content, tool_calls=response.tool_calls)
            )
            for call in response.tool_calls:
                name, arguments = call["tool"]["name"], call["tool"]["arguments"]
                agent = agents.get(name)
                result = agent(**arguments) if agent else agent_result(name, arguments)
                ctx.append(ContextMessage(role=RoleTypes.tool, content=result, tool_call_id=call["id"]))
        if response.finish_reason in ("stop", "end_turn") or iterations == 0:
            ctx.append(ContextMessage(role=RoleTypes.assistant, content=response.content))
            if iterations != max_iterations - 1:  # not a direct answer: the Final Cut
                ctx.append(ContextMessage(role=RoleTypes.system, content=SUMMARY_PROMPT))
                turn.summary = complete(provider, [m.to_llm_msg() for m in current_run(ctx)], path=path)
                ctx.pop()
                if not turn.summary.status:
                    turn.failed = turn.summary
            else:
                turn.summary = response
            break
    return turn


def current_run(ctx: Sequence[ContextMessage]) -> list[ContextMessage]:
    """Director's ``get_current_run_context``: from the last user message on."""
    for i in range(len(ctx) - 1, -1, -1):
        if ctx[i].role == RoleTypes.user:
            return list(ctx[i:])
    return []


def script_message(
    fake: BaseFake,
    steps: Sequence[Sequence[tuple[str, Mapping[str, Any]]]],
    answer: str = "Done.",
    summary: str = "Here is what I did.",
) -> None:
    """Queue one Director message's answers on ``fake``: a tool-call reply per step, the answer, the summary."""
    for calls in steps:
        tool_calls = [{"name": name, "arguments": json.dumps(dict(args))} for name, args in calls]
        fake.enqueue(Reply.success(None, tool_calls=tool_calls))
    fake.enqueue(Reply.success(answer))
    fake.enqueue(Reply.success(summary))


def new_process(
    session_json: str, text: str, *, env: Mapping[str, str], path: str = "sync", timeout: float = 120
) -> tuple[Session, dict[str, Any]]:
    """Continue a stored session in a new process (a restarted Director) with ``LITELLM_*`` from ``env``."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("LITELLM_") or k in OFFLINE_ENV}
    child_env.update(OFFLINE_ENV)
    child_env.update(env)
    inherited = os.environ.get("PYTHONPATH", "")
    child_env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *([inherited] if inherited else [])])
    proc = subprocess.run(
        [sys.executable, "-m", "tests.director_loop"],
        input=json.dumps({"session": session_json, "text": text, "path": path}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env,
        timeout=timeout,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith(_MARK)]
    assert proc.returncode == 0 and len(lines) == 1, f"child failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(lines[0][len(_MARK) :])
    return Session.loads(result.pop("session")), result


def _child() -> None:
    request = json.loads(sys.stdin.read())
    session = Session.loads(request["session"])
    turn = run_message(LiteLLMProvider(), session, request["text"], path=request["path"])
    result = {
        "session": session.dumps(),
        "ok": turn.ok,
        "failed_content": turn.failed.content if turn.failed else None,
        "error": turn.failed.error if turn.failed else None,
        "summary": turn.summary.content if turn.summary else None,
        "tool_calls": turn.tool_calls,
    }
    print(_MARK + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    _child()
