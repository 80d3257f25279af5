"""``director-litellm chat``: one completion with the configured model, and a failure as one line naming the fix.

What can be checked without litellm (the settings, a misspelt variable, a model litellm cannot
route, a missing key: ``preflight.before_import``) is checked before litellm is imported, so
those mistakes are answered at once. A failed call's line reuses what doctor knows: the near
miss of a misspelt setting, the ``/v1`` an OpenAI-compatible base lacks after a 404, the host
and port a connection was refused at.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit

import director_litellm.cli._settings as settings
from director_litellm import _supply_chain as supply_chain
from director_litellm.cli._console import EXIT_FAIL, EXIT_OK, Console, short
from director_litellm.cli._model_checks import missing_v1
from director_litellm.cli._settings import Resolved

# config field -> flag
FLAGS = {
    "chat_model": "--model",
    "api_base": "--api-base",
    "temperature": "--temperature",
    "max_tokens": "--max-tokens",
    "timeout": "--timeout",
}
# the endpoints litellm calls when no api_base is set, for the providers it gives none for
_DEFAULT_ENDPOINTS = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("prompt", metavar="PROMPT", help='the user message ("-" reads it from stdin)')
    p.add_argument("--model", metavar="M", help="litellm model name (LITELLM_CHAT_MODEL)")
    p.add_argument("--system", metavar="S", help="a system message sent before the prompt")
    p.add_argument("--api-base", metavar="URL", help="endpoint base URL (LITELLM_API_BASE); /v1 or not: see below")
    p.add_argument("--temperature", metavar="T", type=float, help="sampling temperature (LITELLM_TEMPERATURE)")
    p.add_argument("--max-tokens", metavar="N", type=int, help="maximum tokens to generate (LITELLM_MAX_TOKENS)")
    p.add_argument("--timeout", metavar="S", type=float, help="seconds allowed for the call (LITELLM_TIMEOUT)")
    p.add_argument(
        "--tools",
        metavar="FILE",
        help='JSON file with a list of Director tool definitions {"name", "description", "parameters"}',
    )
    p.add_argument("--history", metavar="FILE", help=settings.HISTORY_HELP)
    p.add_argument("--stream", action="store_true", help="print the answer as it arrives (with --json: at the end)")
    p.add_argument(
        "--json", action="store_true", help="print the whole response as JSON, with latency_ms (stdout is only JSON)"
    )


def cmd_chat(args: argparse.Namespace, console: Console) -> int:
    from director_litellm import _preflight as preflight

    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    given = {name: getattr(args, flag[2:].replace("-", "_")) for name, flag in FLAGS.items()}
    resolved = settings.resolve({name: value for name, value in given.items() if value is not None}, FLAGS)
    near_miss = "".join(f"; {settings.misspelling(name, meant)}" for name, meant in settings.misspelled())
    error = resolved.error()
    if error:
        console.error(_unprefixed(error) + near_miss)
        return EXIT_FAIL
    config = resolved.config
    if config.api_key is not None:
        console.secrets.append(config.api_key.get_secret_value())
    tools, history = (settings.json_list(flag, path, console.error) for flag, path in settings.files(args))
    if tools is False or history is False:
        return EXIT_FAIL
    messages = [{"role": "system", "content": args.system}] if args.system else []
    messages += history or []  # a stored session (Director's reasoning context), sent before the prompt
    messages.append({"role": "user", "content": prompt})

    version = supply_chain.check_installed()
    blocked = version is not None and version.blocked  # then the provider says so, and imports nothing
    problem = None if blocked else preflight.before_import(config)  # before litellm's import (seconds)
    if problem:
        console.error(f"{problem}{near_miss} [config, {config.chat_model}]")
        return EXIT_FAIL
    from director_litellm.provider import LiteLLMProvider

    provider = LiteLLMProvider(config)
    if not blocked:
        try:
            with console.loading():  # before the clock starts: latency is the call's, not the import's
                settings.ensure_litellm()
        except Exception as exc:
            console.error(f"litellm cannot be imported: {type(exc).__name__}: {short(exc)}")
            return EXIT_FAIL
    started = time.monotonic()
    if args.stream:
        response = _streamed(provider, messages, tools, console, echo=not args.json)
    else:
        response = provider.chat_completions(messages, tools=tools)
    latency_ms = round((time.monotonic() - started) * 1000, 1)

    if args.json:
        data = response.model_dump(mode="json")
        data["latency_ms"] = latency_ms
        data["usage"] = provider.usage.snapshot()  # the ledger (docs/observability.md)
        console.json(data)
    if not response.status:
        console.error(_error_line(response, resolved) + near_miss)
        return EXIT_FAIL
    if not args.json:
        if response.content and not args.stream:
            console.line(response.content)
        for call in response.tool_calls:
            tool = call.get("tool", {})
            arguments = json.dumps(tool.get("arguments", {}), ensure_ascii=False)
            console.line(console.wrap(f"{tool.get('name')}({arguments})  id={call.get('id')}", 4, "->"))
        console.err.write(_summary(response, latency_ms) + "\n")
    return EXIT_OK


def _streamed(provider: Any, messages: list[dict[str, Any]], tools: Any, console: Console, echo: bool) -> Any:
    """A streamed call's final response; with ``echo``, its text written to stdout as the pieces arrive."""
    from director_litellm._stream import Final, TextDelta

    response, wrote = None, False
    for event in provider.stream_chat_completions(messages, tools=tools):
        if echo and isinstance(event, TextDelta) and event.text:
            console.out.write(event.text)
            console.out.flush()
            wrote = True
        elif isinstance(event, Final):
            response = event.response
    if wrote:
        console.line()
    return response


def _unprefixed(text: str) -> str:
    """The sentence without the package's name in it: the command's prefix already names it."""
    from director_litellm._errors import user_message

    text = text.removeprefix(user_message("config") + ": ")
    return text.replace("invalid director-litellm configuration: ", "invalid configuration: ", 1)


def _error_line(response: Any, resolved: Resolved) -> str:
    info = response.error or {}
    category = info.get("category") or "unknown"
    text = _unprefixed(response.content)
    if category == "not_found":
        text += _missing_v1(resolved)
    elif category == "connection":
        text = _refused_at(text, resolved)
    where = [category]
    # litellm reports a failed connection as HTTP 500; no HTTP answer came back
    if info.get("status_code") and category != "connection":
        where.append(f"HTTP {info['status_code']}")
    if info.get("model"):
        where.append(str(info["model"]))
    return f"{text} [{', '.join(where)}]"


def _endpoint(resolved: Resolved) -> tuple[str, str | None] | None:
    """(the URL calls went to, the flag or variable that set it; None: the provider's default); None: unknown."""
    config = resolved.config
    provider = config.chat_model.split("/", 1)[0] if "/" in config.chat_model else "openai"
    if config.api_base:
        return config.api_base, resolved.sources.get("api_base", settings.field_var("api_base"))
    for name in (f"{provider.upper()}_API_BASE", f"{provider.upper()}_BASE_URL"):
        if os.environ.get(name):
            return os.environ[name], name
    if provider in _DEFAULT_ENDPOINTS:
        return _DEFAULT_ENDPOINTS[provider], None
    return None


def _missing_v1(resolved: Resolved) -> str:
    """'; --api-base URL has no path, ... use URL/v1' after a 404 from an OpenAI-compatible base without /v1."""
    model = resolved.config.chat_model
    endpoint = _endpoint(resolved)
    if endpoint is None or endpoint[1] is None or "/" not in model:
        return ""
    problem = missing_v1(model.split("/", 1)[0], endpoint[0])
    return f"; {endpoint[1]} {problem}" if problem else ""


def _refused_at(text: str, resolved: Resolved) -> str:
    """'Could not connect to the LLM provider at host:port (--api-base URL).'"""
    from director_litellm._scrub import scrub

    endpoint = _endpoint(resolved)
    parts = urlsplit(endpoint[0]) if endpoint else None
    if endpoint is None or parts is None or not parts.hostname:
        return text
    port = parts.port or (443 if parts.scheme == "https" else 80)
    source = f"{endpoint[1]} {scrub(endpoint[0])}" if endpoint[1] else "the provider's default endpoint"
    return f"{text.rstrip('.')} at {parts.hostname}:{port} ({source})."


def _summary(response: Any, latency_ms: float) -> str:
    """``[model | 8100 in (5000 cached, 3000 written) + 7 out = 8107 tokens | cost | latency | finish]``.

    ``in`` counts every input token; the parenthesis, shown only when non-zero, says how many
    of them were read from / written to the provider's prompt cache.
    """
    cost = f"${response.cost:.6f}" if response.cost is not None else "cost unknown"
    cache = [
        f"{n} {what}" for n, what in ((response.cached_tokens, "cached"), (response.cache_write_tokens, "written")) if n
    ]
    sent = f"{response.send_tokens} in" + (f" ({', '.join(cache)})" if cache else "")
    fit = response.context_fit
    fitted = f" | fitted: {fit.messages_dropped} dropped, {fit.tool_results_shortened} shortened" if fit else ""
    return (
        f"[{response.model or '?'} | {sent} + {response.recv_tokens} out = "
        f"{response.total_tokens} tokens | {cost} | {latency_ms:.0f} ms | {response.finish_reason}{fitted}]"
    )


__all__ = ["FLAGS", "add_arguments", "cmd_chat"]
