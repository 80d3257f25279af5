"""Warm start: import litellm, and what the first call needs, in a background thread.

In a fresh process the first call pays for importing litellm (2-5 s here). A host that
knows it will use this package (Director with ``DEFAULT_LLM=litellm``) calls
:func:`warm_up` while it starts, so that cost is paid before the first message.

``warm_up()`` is idempotent, never raises and returns at once; set ``LITELLM_WARM_UP=false``
to turn it off. Importing this module imports nothing heavy.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, cast

from director_litellm import _environment as environment

logger = logging.getLogger(__name__)


_lock = threading.Lock()
_thread: threading.Thread | None = None


def warm_up() -> threading.Thread | None:
    """Start importing litellm in a daemon thread; return that thread (the same one every time).

    Returns ``None`` when ``LITELLM_WARM_UP`` is ``false``/``0``/``no``/``off``, or if the
    thread could not be started. ``thread.join(timeout)`` waits for the warm-up to end.
    """
    global _thread
    try:
        if not environment.enabled(environment.WARM_UP):
            logger.debug("warm-up turned off by %s", environment.WARM_UP.name)
            return None
        with _lock:
            if _thread is None:
                thread = threading.Thread(target=_run, name="director-litellm-warm-up", daemon=True)
                thread.start()
                _thread = thread
            return _thread
    except Exception as exc:  # never raise: a failed warm-up only means a slower first call
        logger.debug("warm-up not started: %s: %s", type(exc).__name__, exc)
        return None


def _import_litellm() -> None:
    from director_litellm._litellm import ensure_imported

    ensure_imported()


_WARM_TOOL = {"name": "warm_up", "description": "-", "parameters": {"type": "object", "properties": {}}}
# every message shape Director sends (the SDKs prepare each shape's types the first time they see it)
_WARM_MESSAGES = [
    {"role": "system", "content": "warm-up"},
    {"role": "user", "content": "warm-up"},
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"id": "w1", "tool": {"name": "warm_up", "arguments": {}}, "type": "function"}],
    },
    {"role": "tool", "content": "{}", "tool_call_id": "w1"},
    {"role": "user", "content": [{"type": "text", "text": "warm-up"}]},
]


def _rehearse() -> None:
    """One call through litellm with ``mock_response``: nothing is sent, but litellm's lazy imports
    on the request path (request pre-processing, response types) and the provider's own per-model
    lookups for the configured model are done now instead of in the first real call.

    Skipped when the host registered litellm callbacks or a cache (they would record a call
    that never happened) and in Router mode.
    """
    from director_litellm import _litellm

    if _litellm.has_host_hooks():
        logger.debug("warm-up: the host set litellm callbacks or a cache; no rehearsal call")
        return
    from director_litellm.provider import LiteLLMProvider

    provider = LiteLLMProvider()
    if provider.config.router_config is not None:
        return
    request = provider.build_request(_WARM_MESSAGES, tools=[_WARM_TOOL])
    wire = _litellm.route(request["model"], request.get("api_base"))
    if wire == "openai":
        # the whole request path, handler and SDK included, answered in process by a mock transport
        import httpx
        import openai

        transport = httpx.MockTransport(lambda _request: httpx.Response(200, json=_SAMPLE_COMPLETION))
        with httpx.Client(transport=transport) as http_client:
            request["client"] = openai.OpenAI(
                api_key="warm-up", base_url="http://warm-up.invalid/v1", http_client=cast(Any, http_client)
            )
            response = _litellm.complete(**request)
    else:  # other wires: litellm's own mock, which stops before the provider's handler
        response = _litellm.complete(**request, mock_response="warm-up")
    from director_litellm._parser import parse_response

    parse_response(response, model=request["model"])


_SAMPLE_COMPLETION = {
    "id": "warm-up",
    "object": "chat.completion",
    "created": 0,
    "model": "warm-up",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": "warm-up",
                "tool_calls": [{"id": "c", "type": "function", "function": {"name": "warm_up", "arguments": "{}"}}],
            },
        }
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


def _first_request_path() -> None:
    """What the first real request builds once, beyond litellm's own imports: the HTTP client's
    transport stack (httpcore, h11), the openai SDK's response models (completed lazily by
    pydantic on first parse) and litellm's service logger. Each step is optional."""
    import httpx

    httpx.Client().close()
    try:
        from openai._models import construct_type  # how the SDK builds a response (no validation)
        from openai.types.chat import ChatCompletion

        ChatCompletion.model_validate(_SAMPLE_COMPLETION)
        construct_type(type_=ChatCompletion, value=_SAMPLE_COMPLETION)
    except Exception as exc:
        logger.debug("warm-up: openai response models not prepared: %s", type(exc).__name__)
    try:
        from director_litellm._litellm import import_service_logger

        import_service_logger()
    except Exception as exc:
        logger.debug("warm-up: litellm service logger not imported: %s", type(exc).__name__)


def _run() -> None:
    started = time.perf_counter()
    try:
        _import_litellm()
        _first_request_path()
        _rehearse()
        logger.debug("warm-up finished in %.2f s", time.perf_counter() - started)
    except BaseException as exc:  # a daemon thread must not print a traceback into the host's stderr
        from director_litellm._scrub import scrub  # credential shapes masked: the text may quote a request

        detail = scrub(exc)[:300]
        logger.debug("warm-up failed after %.2f s: %s: %s", time.perf_counter() - started, type(exc).__name__, detail)
