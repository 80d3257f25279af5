"""``LiteLLMProvider``: Director's LLM interface over litellm.

This is the only module that imports litellm, and only inside functions, so that
building a provider (Director builds about eleven per chat message) costs no
import and no network. No litellm process-wide setting is ever changed: every
option travels with the call.

The data path of one call::

    config -> formatters (messages, tools; once per call)
           -> model_rules (what to send to this model; once per model tried)
           -> litellm.completion   (attempts, waits, fallbacks: ``_plan`` + ``retry``)
           -> parser / stream      (-> LLMResponse, or stream events)

Every public call method returns an ``LLMResponse`` (streams: a final event
carrying one) and never raises.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from director_litellm import formatters, model_rules, supply_chain
from director_litellm._director import director_base
from director_litellm.config import ConfigError, FallbackModel, LiteLLMConfig, load_config
from director_litellm.errors import ErrorInfo, InvalidInputError, classify, protect_logs, scrub
from director_litellm.parser import error_response, parse_response
from director_litellm.response import LLMResponse
from director_litellm.retry import RetryPolicy
from director_litellm.stream import Final, StreamAccumulator, StreamEvent

logger = logging.getLogger(__name__)

# What the provider itself decides; extra_params and per-call keywords cannot replace these.
_OWNED = frozenset({"model", "messages", "tools", "tool_choice", "stream", "api_key", "num_retries", "max_retries"})


OFFLINE_DATA_VARIABLES = ("LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS")
_IMPORT_LOCK = threading.Lock()


@functools.cache
def import_litellm() -> ModuleType:
    """Import litellm on first use, without letting it fetch its data files over the network.

    litellm fetches its model-cost map at import and (1.10x) Anthropic beta-header data on
    Anthropic calls unless told to use the copies it ships. ``setdefault``: a host that
    chose otherwise keeps its choice.
    """
    for name in OFFLINE_DATA_VARIABLES:
        os.environ.setdefault(name, "True")
    with _IMPORT_LOCK:  # a warm-up thread may be importing it: wait for it, do not race it
        import litellm

    return litellm


@functools.lru_cache(maxsize=256)
def _supports_response_schema(model: str) -> bool:
    """litellm's capability data, offline; unknown models count as unsupported.

    Cached: the bundled model map does not change while the process runs, and this sits on
    the per-call path whenever a response_format is given.
    """
    try:
        return bool(import_litellm().supports_response_schema(model=model))
    except Exception:
        return False


@functools.lru_cache(maxsize=256)
def _takes_param(model: str, param: str) -> bool:
    """Whether litellm's data says ``model`` accepts the OpenAI parameter ``param``."""
    try:
        litellm = import_litellm()
        name, provider, _, _ = litellm.get_llm_provider(model=model)
        return param in (litellm.get_supported_openai_params(model=name, custom_llm_provider=provider) or ())
    except Exception:
        return False


def _stream_cost(model: str | None, response: LLMResponse) -> float | None:
    if not model or not (response.send_tokens or response.recv_tokens):
        return None
    try:
        prompt, completion = import_litellm().cost_per_token(
            model=model, prompt_tokens=response.send_tokens, completion_tokens=response.recv_tokens
        )
        return float(prompt + completion)
    except Exception:
        return None


def _targets(model: str, fallbacks: Any) -> list[tuple[str, dict[str, Any]]]:
    """The primary and its fallbacks as (model, endpoint options), each model once."""
    targets: dict[str, dict[str, Any]] = {model: {}}
    for fallback in fallbacks or ():
        if isinstance(fallback, str):
            targets.setdefault(fallback, {})
            continue
        if isinstance(fallback, dict):
            try:
                fallback = FallbackModel.model_validate(fallback)
            except ValueError as exc:
                raise InvalidInputError(f"fallbacks: {scrub(exc)}") from None
        endpoint: dict[str, Any] = {}
        if fallback.api_base:
            endpoint["api_base"] = fallback.api_base
        if fallback.api_key is not None:
            endpoint["api_key"] = fallback.api_key.get_secret_value()
        if fallback.api_version:
            endpoint["api_version"] = fallback.api_version
        targets.setdefault(fallback.model, endpoint)
    return list(targets.items())


_base = director_base()
if _base is not None:
    _BaseLLM: type = _base.BaseLLM
else:

    class _BaseLLM:  # type: ignore[no-redef]
        """Stand-in for ``director.llm.base.BaseLLM``: copies the config onto ``self``."""

        def __init__(self, config: Any) -> None:
            self.config = config
            self.api_key = config.api_key
            self.api_base = config.api_base
            self.chat_model = config.chat_model
            self.temperature = config.temperature
            self.top_p = config.top_p
            self.max_tokens = config.max_tokens
            self.timeout = config.timeout
            self.enable_langfuse = config.enable_langfuse


@dataclass
class _Call:
    """One call, formatted once; ``request_for(model)`` adds what depends on the model."""

    reasoning_effort: str | None
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None
    common: dict[str, Any]
    sampling: dict[str, Any]
    response_format: dict[str, Any] | None
    schema_class: Any
    targets: list[tuple[str, dict[str, Any]]]  # (model, endpoint options replacing the config's)
    policy: RetryPolicy
    stream: bool = False
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Success:
    response: Any
    model: str
    attempts: int
    started: float
    call: _Call


class _Scrubbed(Exception):
    """Stands in for an upstream exception in log records, carrying only scrubbed text."""


class LiteLLMProvider(_BaseLLM):  # type: ignore[misc,valid-type]
    """A Director LLM backed by any model litellm supports.

    ``LiteLLMProvider()`` reads ``LITELLM_*`` from the environment. Construction
    never raises and never touches the network: a bad setting is reported by every
    call as an ERROR response naming the variable.
    """

    #: the provider protocol version ``discovery`` checks (major must match)
    PROVIDER_API_VERSION = "1.0"

    def __init__(self, config: LiteLLMConfig | None = None, **overrides: Any) -> None:
        self._config_error: ConfigError | None = None
        if config is None:
            try:
                config = load_config(**overrides)
            except ConfigError as exc:
                self._config_error = exc
                logger.error("%s", exc)
                config = LiteLLMConfig.model_construct()
        elif overrides:
            config = config.model_copy(update=overrides)
        super().__init__(config)
        self.config: LiteLLMConfig = config
        self._version_problem = supply_chain.check_installed()

    def __repr__(self) -> str:
        base = f", api_base={scrub(self.config.api_base)!r}" if self.config.api_base else ""
        return f"LiteLLMProvider(model={self.config.chat_model!r}{base})"

    # ------------------------------------------------------------------ building a call

    def _secrets(self) -> list[str | None]:
        keys = [self.config.api_key] + [getattr(fb, "api_key", None) for fb in self.config.fallbacks]
        return [key.get_secret_value() for key in keys if key is not None]

    def _new_call(
        self, messages: Any, tools: Any, stop: Any, response_format: Any, overrides: dict[str, Any], stream: bool
    ) -> _Call:
        """Validate and format once; raises ``InvalidInputError`` before anything is sent."""
        cfg = self.config
        extra = dict(overrides)
        model = extra.pop("model", None) or cfg.chat_model
        temperature = extra.pop("temperature", None)
        top_p = extra.pop("top_p", None)
        max_tokens = extra.pop("max_tokens", None) or cfg.max_tokens
        reasoning_effort = extra.pop("reasoning_effort", None) or cfg.reasoning_effort
        retries = extra.pop("num_retries", None)
        timeout = extra.pop("timeout", None)
        fallbacks = extra.pop("fallbacks", None)

        schema_class = None
        if isinstance(response_format, type) and hasattr(response_format, "model_json_schema"):
            schema_class = response_format
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": response_format.__name__, "schema": response_format.model_json_schema()},
            }

        num_retries = cfg.num_retries if retries is None else int(retries)
        # Router mode: the Router owns retries (it fails over at once to a healthy deployment; see
        # gateway.py), so it gets our count per call and we make one call per model group.
        router_mode = cfg.router_config is not None
        common: dict[str, Any] = {k: v for k, v in {**cfg.extra_params, **extra}.items() if k not in _OWNED}
        # retries are ours (retry.py): none hidden in litellm or the openai client
        common.update(
            max_tokens=max_tokens,
            drop_params=cfg.drop_unsupported_params,
            num_retries=num_retries if router_mode else 0,
            max_retries=0,
        )
        stop_list = formatters.format_stop(stop)
        if stop_list:
            common["stop"] = stop_list
        if cfg.api_base:
            common["api_base"] = cfg.api_base
        if cfg.api_key is not None:
            common["api_key"] = cfg.api_key.get_secret_value()
        if cfg.api_version:
            common["api_version"] = cfg.api_version
        if cfg.extra_headers:
            common["extra_headers"] = {**cfg.extra_headers, **common.get("extra_headers", {})}
        if stream:
            common["stream"] = True
            common["stream_options"] = {"include_usage": True}

        set_fields = cfg.model_fields_set
        call = _Call(
            reasoning_effort=reasoning_effort,
            messages=formatters.format_messages(messages),
            tools=formatters.format_tools(tools),
            common=common,
            sampling={
                "temperature": cfg.temperature if temperature is None else float(temperature),
                "top_p": cfg.top_p if top_p is None else float(top_p),
                "temperature_set": temperature is not None or "temperature" in set_fields,
                "top_p_set": top_p is not None or "top_p" in set_fields,
            },
            response_format=formatters.format_response_format(response_format),
            schema_class=schema_class,
            targets=_targets(model, cfg.fallbacks if fallbacks is None else fallbacks),
            policy=RetryPolicy(
                num_retries=0 if router_mode else num_retries,
                timeout=float(cfg.timeout if timeout is None else timeout),
                initial_delay=cfg.retry_initial_delay,
                max_delay=cfg.retry_max_delay,
            ),
            stream=stream,
        )
        self._request_for(call, call.targets[0])  # the primary's rules are checked before anything is sent
        return call

    def _request_for(self, call: _Call, target: tuple[str, dict[str, Any]]) -> dict[str, Any]:
        """The litellm keyword arguments for one model: the per-model rules applied."""
        model, endpoint = target
        cached = call.requests.get(model)
        if cached is not None:
            return cached
        request = {**call.common, **endpoint}
        request["model"] = model
        rules = self._rules_model(model)
        request["messages"] = model_rules.shape_conversation(rules, call.messages, bool(call.tools))
        sampling = call.sampling
        request.update(
            model_rules.sampling_params(
                rules,
                sampling["temperature"],
                sampling["top_p"],
                temperature_set=sampling["temperature_set"],
                top_p_set=sampling["top_p_set"],
            )
        )
        if call.reasoning_effort and model_rules.send_reasoning_effort(rules, _takes_param):
            request["reasoning_effort"] = call.reasoning_effort
        if call.tools:
            request["tools"] = call.tools
            request["tool_choice"] = "auto"
        if call.response_format is not None:
            request["response_format"], instruction = model_rules.response_format_for(
                rules, call.response_format, _supports_response_schema
            )
            if instruction:
                request["messages"] = [*request["messages"], {"role": "system", "content": instruction}]
                request["messages"] = model_rules.shape_conversation(rules, request["messages"], bool(call.tools))
        call.requests[model] = request
        return request

    def build_request(
        self, messages: Any, tools: Any = None, stop: Any = None, response_format: Any = None, **overrides: Any
    ) -> dict[str, Any]:
        """The keyword arguments ``chat_completions`` would pass to ``litellm.completion``."""
        call = self._new_call(messages, tools, stop, response_format, overrides, stream=False)
        return self._request_for(call, call.targets[0])

    def _rules_model(self, model: str) -> str:
        """The model the per-model rules decide for: in router mode ``model`` is a model group, and
        the Router picks the deployment later, so the strictest reachable deployment counts."""
        if self.config.router_config is None:
            return model
        return self._backend().rules_model(model)

    def _backend(self) -> Any:
        """What calls go through: litellm itself, or a shared ``litellm.Router`` in router mode."""
        if self.config.router_config is not None:
            from director_litellm import gateway

            return gateway.router_for(self.config.router_config, import_litellm())
        return import_litellm()

    def _start(
        self, messages: Any, tools: Any, stop: Any, response_format: Any, overrides: dict[str, Any], stream: bool
    ) -> Any:
        """A ``_Call``, or an ERROR response when nothing may be sent."""
        model = overrides.get("model") or self.config.chat_model
        if self._config_error is not None:
            return error_response(classify(self._config_error, model=model))
        problem = self._version_problem
        if problem is not None and problem.blocked:
            return error_response(ErrorInfo("blocked_version", problem.message, model=model, detail=problem.reason))
        try:
            call = self._new_call(messages, tools, stop, response_format, overrides, stream)
        except (InvalidInputError, ConfigError) as exc:
            info = classify(exc, model=model)
            logger.error("LLM request refused before sending: %s", info.message)
            return error_response(info)
        protect_logs(self._secrets())
        return call

    def _failed(self, exc: BaseException, model: str, attempts: int) -> ErrorInfo:
        info = classify(exc, model=model, secrets=self._secrets())
        info = ErrorInfo(**{**info.as_dict(), "attempts": attempts})
        # the traceback's frames are safe; the exception text is replaced by its scrubbed form
        logger.error(
            "LLM call to %s failed after %d attempt(s): %s [%s]",
            model,
            attempts,
            info.detail,
            info.category,
            exc_info=(type(exc), _Scrubbed(info.detail or ""), exc.__traceback__),
        )
        return info

    # ------------------------------------------------------------------ attempts (no I/O)

    def _plan(self, call: _Call) -> Generator[tuple[str, Any], Any, Any]:
        """Every attempt of one call, without doing I/O (shared by all four call paths).

        Yields ``("call", request)`` and receives ``(response, None)`` or ``(None, exc)``;
        yields ``("sleep", seconds)`` and receives ``None``. Returns a ``_Success`` or
        the final ``ErrorInfo``.
        """
        info: ErrorInfo | None = None
        for target in call.targets:
            model = target[0]
            try:
                request = self._request_for(call, target)
            except InvalidInputError as exc:  # a fallback model's own rules refuse this call
                info = classify(exc, model=model)
                continue
            started = time.monotonic()
            for attempts, attempt in enumerate(call.policy.attempts(), start=1):
                request["timeout"] = attempt.timeout
                response, exc = yield ("call", request)
                if exc is None:
                    return _Success(response, model, attempts, started, call)
                info = self._failed(exc, model, attempts)
                delay = attempt.delay_after(info)
                if delay is None:
                    break
                yield ("sleep", delay)
            if info is not None and not info.retryable:
                break  # a fallback model would be refused for the same reason
        assert info is not None
        return info

    def _drive(self, call: _Call, perform: Any) -> Any:
        """Run the plan synchronously; ``perform(request)`` makes one attempt."""
        plan = self._plan(call)
        try:
            step = next(plan)
            while True:
                kind, value = step
                if kind == "sleep":
                    time.sleep(value)
                    step = plan.send(None)
                    continue
                try:
                    outcome: tuple[Any, BaseException | None] = (perform(value), None)
                except Exception as exc:
                    outcome = (None, exc)
                step = plan.send(outcome)
        except StopIteration as done:
            return done.value

    async def _adrive(self, call: _Call, perform: Any) -> Any:
        """Run the plan on the event loop; ``await perform(request)`` makes one attempt."""
        plan = self._plan(call)
        try:
            step = next(plan)
            while True:
                kind, value = step
                if kind == "sleep":
                    await asyncio.sleep(value)
                    step = plan.send(None)
                    continue
                try:
                    outcome: tuple[Any, BaseException | None] = (await perform(value), None)
                except Exception as exc:
                    outcome = (None, exc)
                step = plan.send(outcome)
        except StopIteration as done:
            return done.value

    def _result(self, outcome: Any) -> LLMResponse:
        if isinstance(outcome, ErrorInfo):
            return error_response(outcome)
        result = parse_response(outcome.response, model=outcome.model)
        if result.status:
            result = self._validated(result, outcome.call)
        logger.debug(
            "LLM call to %s: %d attempt(s), %.0f ms, %d tokens",
            outcome.model,
            outcome.attempts,
            (time.monotonic() - outcome.started) * 1000,
            result.total_tokens,
        )
        return result

    def _validated(self, result: LLMResponse, call: _Call) -> LLMResponse:
        """With a pydantic ``response_format``, attach the validated object or report the mismatch."""
        if call.schema_class is None or result.tool_calls:
            return result
        try:
            result.parsed = call.schema_class.model_validate_json(result.content)
        except Exception as exc:
            info = ErrorInfo(
                "bad_response",
                f"The model's answer did not match the requested {call.schema_class.__name__} format.",
                model=result.model,
                detail=scrub(exc, self._secrets())[:500],
            )
            logger.warning("structured output did not validate: %s", info.detail)
            failed = error_response(info)
            failed.partial_content = result.content
            return failed
        return result

    # ------------------------------------------------------------------ public calls

    def chat_completions(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        stop: Any = None,
        response_format: Any = None,
        **overrides: Any,
    ) -> LLMResponse:
        """One completion. Never raises: failures return ``status=ERROR`` (see ``errors``)."""
        try:
            call = self._start(messages, tools, stop, response_format, overrides, stream=False)
            if isinstance(call, LLMResponse):
                return call
            completion = self._backend().completion
            return self._result(self._drive(call, lambda request: completion(**request)))
        except Exception as exc:  # last line of defence for the never-raises contract
            return error_response(self._failed(exc, self.config.chat_model, 0))

    async def achat_completions(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        stop: Any = None,
        response_format: Any = None,
        **overrides: Any,
    ) -> LLMResponse:
        """Async ``chat_completions``; same contract, never raises."""
        try:
            call = self._start(messages, tools, stop, response_format, overrides, stream=False)
            if isinstance(call, LLMResponse):
                return call
            acompletion = self._backend().acompletion
            return self._result(await self._adrive(call, lambda request: acompletion(**request)))
        except Exception as exc:
            return error_response(self._failed(exc, self.config.chat_model, 0))

    def stream_chat_completions(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        stop: Any = None,
        response_format: Any = None,
        **overrides: Any,
    ) -> Iterator[StreamEvent]:
        """Stream one completion as ``TextDelta`` / ``ReasoningDelta`` events, then one ``Final``.

        Failures before the first chunk are retried like any call; a stream that breaks
        later ends with a ``Final`` ERROR response keeping the text so far. Never raises.
        """
        try:
            call = self._start(messages, tools, stop, response_format, overrides, stream=True)
            if isinstance(call, LLMResponse):
                yield Final(call)
                return
            completion = self._backend().completion

            def first_chunk(request: dict[str, Any]) -> tuple[Iterator[Any], Any]:
                chunks = iter(completion(**request))
                return chunks, next(chunks, None)

            outcome = self._drive(call, first_chunk)
            if isinstance(outcome, ErrorInfo):
                yield Final(error_response(outcome))
                return
            chunks, first = outcome.response
            acc = StreamAccumulator(model=outcome.model)
            try:
                if first is not None:
                    yield from acc.add(first)
                for chunk in chunks:
                    yield from acc.add(chunk)
            except Exception as exc:
                if not acc.ended_without_finish_reason(exc):
                    yield Final(acc.failed(self._failed(exc, outcome.model, outcome.attempts)))
                    return
            yield Final(self._stream_result(acc, outcome))
        except Exception as exc:
            yield Final(error_response(self._failed(exc, self.config.chat_model, 0)))

    async def astream_chat_completions(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        stop: Any = None,
        response_format: Any = None,
        **overrides: Any,
    ) -> AsyncIterator[StreamEvent]:
        """Async ``stream_chat_completions``; same events, never raises."""
        try:
            call = self._start(messages, tools, stop, response_format, overrides, stream=True)
            if isinstance(call, LLMResponse):
                yield Final(call)
                return
            acompletion = self._backend().acompletion

            async def first_chunk(request: dict[str, Any]) -> tuple[AsyncIterator[Any], Any]:
                chunks = (await acompletion(**request)).__aiter__()
                try:
                    return chunks, await chunks.__anext__()
                except StopAsyncIteration:
                    return chunks, None

            outcome = await self._adrive(call, first_chunk)
            if isinstance(outcome, ErrorInfo):
                yield Final(error_response(outcome))
                return
            chunks, first = outcome.response
            acc = StreamAccumulator(model=outcome.model)
            try:
                if first is not None:
                    for event in acc.add(first):
                        yield event
                async for chunk in chunks:
                    for event in acc.add(chunk):
                        yield event
            except Exception as exc:
                if not acc.ended_without_finish_reason(exc):
                    yield Final(acc.failed(self._failed(exc, outcome.model, outcome.attempts)))
                    return
            yield Final(self._stream_result(acc, outcome))
        except Exception as exc:
            yield Final(error_response(self._failed(exc, self.config.chat_model, 0)))

    def _stream_result(self, acc: StreamAccumulator, outcome: _Success) -> LLMResponse:
        result = acc.response()
        result.model = result.model or outcome.model
        result.cost = _stream_cost(outcome.model, result)
        return self._validated(result, outcome.call)


__all__ = ["LiteLLMProvider", "import_litellm"]
