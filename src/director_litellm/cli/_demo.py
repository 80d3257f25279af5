"""``director-litellm demo``: one Director turn through the real code path, with no key and no network.

It starts an OpenAI-compatible endpoint on 127.0.0.1 inside this process (``_demo_server``),
builds ``LiteLLMConfig(chat_model="openai/gpt-4o-mini", api_base=<that endpoint>/v1,
api_key=<dummy>)`` with the environment ignored, and drives ``LiteLLMProvider`` and real
litellm through the turn Director makes:

1. the user's question with Director's tools -> a tool call in Director's shape;
2. the tool runs (a canned result here) and Director appends the call and its result;
3. the history with the tool result -> the final answer;
4. a short streamed answer.

Each step prints what reached the wire, what came back, tokens and latency. Nothing but the
endpoint differs from a real call. ``run()`` returns 0, or 1 after one line giving the reason.
``python -m director_litellm.cli._demo`` runs it without the CLI.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import textwrap
import time
import warnings
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import Any

from director_litellm.cli._demo_server import DemoServer, Received

WIDTH = 100  # columns the demo's lines are wrapped to (the tool call's JSON stays on one line)
MODEL = "openai/gpt-4o-mini"
DEMO_KEY = "sk-demo-not-a-real-key"
QUESTION = "Where does the speaker talk about pricing in video m-1234?"
STREAM_QUESTION = "In one sentence: what does director-litellm do?"
SYSTEM = "You are Director, an agent that works with videos. Use the tools to answer."
# two tools in Director's neutral shape: {"name", "description", "parameters": JSON Schema}
TOOLS: list[dict[str, Any]] = [
    {
        "name": "search",
        "description": "Search inside a video by meaning or by keyword.",
        "parameters": {
            "type": "object",
            "properties": {
                "video_id": {"type": "string", "description": "The video to search."},
                "query": {"type": "string", "description": "What to look for."},
                "search_type": {"type": "string", "enum": ["semantic", "keyword"], "default": "semantic"},
            },
            "required": ["video_id", "query"],
        },
    },
    {
        "name": "summarize",
        "description": "Summarize a video.",
        "parameters": {"type": "object", "properties": {"video_id": {"type": "string"}}, "required": ["video_id"]},
    },
]
# what Director's search agent would return for the call
TOOL_RESULT = {"matches": [{"start": 84.5, "end": 97.0, "text": "our pricing starts at ten dollars"}]}


class DemoFailed(Exception):
    """A step did not give what a real model's answer would give; the message says which."""


def _stdout_line(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run(
    write: Callable[[str], None] = _stdout_line,
    loading: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext,
) -> int:
    """Run the demo, writing one line per ``write`` call; 0 when every step worked, else 1.

    ``loading()`` is entered while litellm is imported (the command shows a progress line).
    """
    step = "start"
    try:
        with _loopback_not_proxied(), DemoServer(api_key=DEMO_KEY) as server:
            demo = _Demo(server, write, loading)
            for name, action in demo.steps():
                step = name  # named in the failure line
                action()
            demo.done()
        return 0
    except DemoFailed as exc:
        write(f"demo failed at {step}: {exc}")
    except Exception as exc:  # the demo reports; it never raises
        from director_litellm._scrub import scrub

        write(f"demo failed at {step}: {type(exc).__name__}: {scrub(exc)}")
    return 1


class _Demo:
    """The turn, step by step; each step writes what it sent and what came back."""

    def __init__(
        self,
        server: DemoServer,
        write: Callable[[str], None],
        loading: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext,
    ) -> None:
        from director_litellm._config import LiteLLMConfig
        from director_litellm.provider import LiteLLMProvider

        self.server = server
        self.write = write
        self.loading = loading
        config = LiteLLMConfig.from_values(chat_model=MODEL, api_base=server.url, api_key=DEMO_KEY)
        self.provider = LiteLLMProvider(config)
        self.messages: list[dict[str, Any]] = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": QUESTION},
        ]
        self.tool_call: dict[str, Any] = {}
        self.calls = 0
        self.tokens = 0

    def steps(self) -> Iterator[tuple[str, Callable[[], None]]]:
        yield "start", self.start
        yield "step 1 (tool call)", self.ask
        yield "step 2 (tool result)", self.run_tool
        yield "step 3 (final answer)", self.answer
        yield "step 4 (stream)", self.stream

    def start(self) -> None:
        w = self.write
        w("director-litellm demo: one Director turn through LiteLLMProvider and real litellm,")
        w("with no key and no network (the endpoint is a loopback server inside this process)")
        w(f"  endpoint  {self.server.url}  (OpenAI Chat Completions API)")
        w(f'  config    LiteLLMConfig.from_values(chat_model="{MODEL}", api_base=<endpoint>,')
        w("            api_key=<dummy>): LITELLM_* variables are ignored")
        started = time.perf_counter()
        from director_litellm._litellm import ensure_imported

        # once, up front, so the calls' latency is the calls'; what litellm's import prints or
        # warns about itself (pydantic config warnings on 1.60) is not the demo's to show
        with _quiet(), warnings.catch_warnings(), self.loading():
            warnings.simplefilter("ignore")
            ensure_imported()
        w(f"  litellm   {metadata.version('litellm')}, imported in {time.perf_counter() - started:.1f} s")
        w("  latency   per call, as the caller sees it; the first call of each kind includes")
        w("            litellm's one-time set-up (HTTP client, stream handler)")

    def ask(self) -> None:
        self._heading("1/4", "The user asks; Director sends the conversation and its tools")
        self._field("user", QUESTION)
        response, ms = self._call(lambda: self.provider.chat_completions(self.messages, tools=TOOLS))
        self._sent()
        if not response.tool_calls:
            raise DemoFailed(f"expected a tool call, got finish_reason {response.finish_reason!r}")
        call = response.tool_calls[0]
        if not isinstance(call.get("tool", {}).get("arguments"), dict):
            raise DemoFailed(f"tool call arguments are not a dict: {call!r}")
        self.tool_call = call
        self._field("finish", f"{response.finish_reason}, {len(response.tool_calls)} tool call in Director's shape:")
        self._field("tool call", json.dumps(call), wrap=False)
        self._usage(response, ms)

    def run_tool(self) -> None:
        self._heading("2/4", "Director runs the tool (a canned result here), appends the call and the result")
        tool = self.tool_call["tool"]
        arguments = ", ".join(f"{k}={v!r}" for k, v in tool["arguments"].items())
        self._field("run", f"{tool['name']}({arguments})")
        self._field("result", json.dumps(TOOL_RESULT))
        self.messages.append({"role": "assistant", "content": "", "tool_calls": [self.tool_call]})
        self.messages.append({"role": "tool", "tool_call_id": self.tool_call["id"], "content": json.dumps(TOOL_RESULT)})

    def answer(self) -> None:
        self._heading("3/4", "Director sends the history with the tool result; the model answers")
        response, ms = self._call(lambda: self.provider.chat_completions(self.messages, tools=TOOLS))
        self._sent()
        if response.tool_calls or not response.content:
            raise DemoFailed(f"expected a text answer, got finish_reason {response.finish_reason!r}")
        self._field("answer", response.content)
        self._field("finish", response.finish_reason)
        self._usage(response, ms)

    def stream(self) -> None:
        from director_litellm._stream import Final, TextDelta

        self._heading("4/4", "A short streamed answer")
        self._field("user", STREAM_QUESTION)
        pieces: list[str] = []
        first_ms: float | None = None
        final = None

        def consume() -> Any:
            nonlocal first_ms, final
            started = time.perf_counter()
            for event in self.provider.stream_chat_completions([{"role": "user", "content": STREAM_QUESTION}]):
                if isinstance(event, TextDelta):
                    first_ms = first_ms if first_ms is not None else (time.perf_counter() - started) * 1000
                    pieces.append(event.text)
                elif isinstance(event, Final):
                    final = event.response
            return final

        response, ms = self._call(consume)
        self._sent()
        if not pieces:
            raise DemoFailed("the stream gave no text")
        shown = " ".join(json.dumps(piece) for piece in pieces)
        self._field("stream", f"{len(pieces)} text events, the first after {first_ms:.0f} ms: {shown}")
        self._field("answer", response.content)
        self._field("finish", response.finish_reason)
        self._usage(response, ms)

    def done(self) -> None:
        self.write("")
        self.write(
            f"Demo passed: {self.calls} calls, {len(self.server.requests)} requests, "
            f"{self.tokens} tokens, tool call arguments a dict as Director needs."
        )
        self.write("A real call differs only in the endpoint: set LITELLM_CHAT_MODEL and the provider's")
        self.write(
            'key (e.g. ANTHROPIC_API_KEY), then run `director-litellm doctor` and `director-litellm chat "Hello"`.'
        )

    # ------------------------------------------------------------------ helpers

    def _call(self, fn: Callable[[], Any]) -> tuple[Any, float]:
        """One provider call; litellm's own output (banners on errors) is kept off the screen."""
        started = time.perf_counter()
        with _quiet():
            response = fn()
        ms = (time.perf_counter() - started) * 1000
        self.calls += 1
        if response is None or not response.status:
            error = getattr(response, "error", None) or {}
            reason = getattr(response, "content", "no response")
            raise DemoFailed(f"{reason} [{error.get('category', '?')}] {error.get('detail') or ''}".strip())
        self.tokens += response.total_tokens
        return response, ms

    def _sent(self) -> None:
        if not self.server.requests:
            raise DemoFailed("no request reached the endpoint")
        self._field("sent", _describe(self.server.requests[-1]))

    def _usage(self, response: Any, ms: float) -> None:
        self._field(
            "usage",
            f"{response.send_tokens} tokens in, {response.recv_tokens} out, {response.total_tokens} total; "
            f"{ms:.0f} ms (model {response.model})",
        )

    def _heading(self, number: str, title: str) -> None:
        self.write("")
        self.write(f"[{number}] {title}")

    def _field(self, name: str, value: Any, wrap: bool = True) -> None:
        lines = textwrap.wrap(str(value), WIDTH - 12) if wrap else [str(value)]
        for i, line in enumerate(lines or [""]):
            self.write(f"  {name if i == 0 else '':<9} {line}")


def _describe(received: Received) -> str:
    """What reached the wire, in one line: model, messages by role, tools, options."""
    body = received.body
    roles = []
    for message in body.get("messages", []):
        calls = len(message.get("tool_calls") or ())
        roles.append(f"{message.get('role')}+{calls} tool call" if calls else str(message.get("role")))
    parts = [f"POST {received.path}", f"model {body.get('model')}"]
    parts.append(f"{len(roles)} message{'s' if len(roles) != 1 else ''} ({', '.join(roles)})")
    tools = [t.get("function", {}).get("name") for t in body.get("tools") or ()]
    if tools:
        parts.append(f"{len(tools)} tools ({', '.join(tools)}), tool_choice {body.get('tool_choice')}")
    for option in ("temperature", "max_tokens"):
        if option in body:
            parts.append(f"{option} {body[option]}")
    if body.get("stream"):
        parts.append(f"stream, stream_options {json.dumps(body.get('stream_options'))}")
    key = received.headers.get("authorization", "")
    parts.append("Bearer key sent" if key.startswith("Bearer ") else "no key sent")
    return ", ".join(parts)


def _quiet() -> contextlib.ExitStack:
    """Keep what litellm prints itself (its banners on errors) off the demo's screen."""
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    return stack


@contextlib.contextmanager
def _loopback_not_proxied() -> Iterator[None]:
    """Keep the loopback requests off an HTTP proxy set in the environment, for the demo only."""
    saved = {name: os.environ.get(name) for name in ("NO_PROXY", "no_proxy")}
    for name, value in saved.items():
        os.environ[name] = ",".join(v for v in (value, "127.0.0.1", "localhost") if v)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


if __name__ == "__main__":
    sys.exit(run())
