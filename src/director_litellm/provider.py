"""``LiteLLMProvider``: Director's LLM interface over litellm.

This is the only module that imports litellm, and only inside functions, so that
building a provider (Director builds about eleven per chat message) costs no
import and no network. No litellm process-wide setting is ever changed: every
option travels with the call.

The data path of one call::

    config  ->  formatters (messages, tools)  ->  model_rules (what to send)
            ->  litellm.completion (retries, fallbacks: ``retry``)  ->  parser

Every public call method returns an ``LLMResponse`` and never raises.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
from types import ModuleType
from typing import Any, Dict, Generator, List, Optional

from director_litellm import formatters, model_rules, supply_chain
from director_litellm._director import director_base
from director_litellm.config import ConfigError, LiteLLMConfig, load_config
from director_litellm.errors import ErrorInfo, InvalidInputError, classify, scrub
from director_litellm.parser import error_response, parse_response
from director_litellm.response import LLMResponse
from director_litellm.retry import RetryPolicy

logger = logging.getLogger(__name__)

# Keys a caller may override per call; anything else passed as a keyword goes to litellm.
_CONFIG_OVERRIDES = ("model", "temperature", "top_p", "max_tokens", "timeout", "num_retries", "fallbacks")
# What the provider itself decides; extra_params cannot replace these.
_OWNED = frozenset({"model", "messages", "tools", "tool_choice", "stream", "api_key", "num_retries", "max_retries"})


@functools.lru_cache(maxsize=None)
def _litellm() -> ModuleType:
    """Import litellm on first use, without letting it fetch its cost map over the network."""
    # setdefault: a host that chose otherwise keeps its choice.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    return litellm


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


class LiteLLMProvider(_BaseLLM):  # type: ignore[misc,valid-type]
    """A Director LLM backed by any model litellm supports.

    ``LiteLLMProvider()`` reads ``LITELLM_*`` from the environment. Construction
    never raises and never touches the network: a bad setting is reported by every
    call as an ERROR response naming the variable.
    """

    #: the provider protocol version ``discovery`` checks (major must match)
    PROVIDER_API_VERSION = "1.0"

    def __init__(self, config: Optional[LiteLLMConfig] = None, **overrides: Any) -> None:
        self._config_error: Optional[ConfigError] = None
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

    # ------------------------------------------------------------------ request building

    def _secrets(self) -> List[Optional[str]]:
        key = self.config.api_key
        return [key.get_secret_value() if key is not None else None]

    def build_request(
        self,
        messages: Any,
        tools: Any = None,
        stop: Any = None,
        response_format: Any = None,
        **overrides: Any,
    ) -> Dict[str, Any]:
        """The keyword arguments for ``litellm.completion``; raises ``InvalidInputError``."""
        cfg = self.config
        model = overrides.pop("model", None) or cfg.chat_model
        set_fields = cfg.model_fields_set
        temperature = overrides.pop("temperature", None)
        top_p = overrides.pop("top_p", None)
        max_tokens = overrides.pop("max_tokens", None) or cfg.max_tokens
        reasoning_effort = overrides.pop("reasoning_effort", None) or cfg.reasoning_effort
        for name in ("timeout", "num_retries", "fallbacks"):
            overrides.pop(name, None)

        formatted_tools = formatters.format_tools(tools)
        formatted = formatters.format_messages(messages)
        formatted = model_rules.shape_conversation(model, formatted, bool(formatted_tools))

        request: Dict[str, Any] = dict(cfg.extra_params)
        request.update(overrides)
        for owned in _OWNED & set(cfg.extra_params):
            request.pop(owned, None)
        request.update(
            model=model,
            messages=formatted,
            max_tokens=max_tokens,
            drop_params=cfg.drop_params,
            # retries are ours (see retry.py): none hidden in litellm or the openai client
            num_retries=0,
            max_retries=0,
        )
        request.update(
            model_rules.sampling_params(
                model,
                cfg.temperature if temperature is None else temperature,
                cfg.top_p if top_p is None else top_p,
                temperature_set=temperature is not None or "temperature" in set_fields,
                top_p_set=top_p is not None or "top_p" in set_fields,
            )
        )
        if reasoning_effort:
            request["reasoning_effort"] = reasoning_effort
        if formatted_tools:
            request["tools"] = formatted_tools
            request["tool_choice"] = "auto"
        stop_list = formatters.format_stop(stop)
        if stop_list:
            request["stop"] = stop_list
        rf = formatters.format_response_format(response_format)
        if rf is not None:
            request["response_format"] = rf
        if cfg.api_base:
            request["api_base"] = cfg.api_base
        if cfg.api_key is not None:
            request["api_key"] = cfg.api_key.get_secret_value()
        if cfg.api_version:
            request["api_version"] = cfg.api_version
        if cfg.extra_headers:
            request["extra_headers"] = {**cfg.extra_headers, **request.get("extra_headers", {})}
        return request

    def _backend(self) -> Any:
        """What calls go through: litellm itself, or a shared ``litellm.Router`` in router mode."""
        if self.config.router_config is not None:
            from director_litellm import gateway

            return gateway.router_for(self.config.router_config, _litellm())
        return _litellm()

    def _policy(self, overrides: Dict[str, Any]) -> RetryPolicy:
        cfg = self.config
        retries = overrides.get("num_retries")
        timeout = overrides.get("timeout")
        return RetryPolicy(
            num_retries=cfg.num_retries if retries is None else int(retries),
            timeout=float(cfg.timeout if timeout is None else timeout),
            initial_delay=cfg.retry_initial_delay,
            max_delay=cfg.retry_max_delay,
        )

    def _models(self, request: Dict[str, Any], overrides: Dict[str, Any]) -> List[str]:
        fallbacks = overrides.get("fallbacks")
        chain = [request["model"], *(self.config.fallbacks if fallbacks is None else fallbacks)]
        return list(dict.fromkeys(chain))

    def _refusal(self) -> Optional[LLMResponse]:
        """An ERROR response when nothing may be sent at all (bad config, blocked litellm)."""
        if self._config_error is not None:
            return error_response(classify(self._config_error, model=self.config.chat_model))
        if self._version_problem is not None and self._version_problem.blocked:
            problem = self._version_problem
            return error_response(
                ErrorInfo("blocked_version", problem.message, model=self.config.chat_model, detail=problem.reason)
            )
        return None

    def _prepare(self, messages: Any, tools: Any, stop: Any, response_format: Any, overrides: Dict[str, Any]) -> Any:
        """The litellm request, or an ERROR response when nothing may be sent."""
        refusal = self._refusal()
        if refusal is not None:
            return refusal
        try:
            request = self.build_request(messages, tools, stop, response_format, **overrides)
        except (InvalidInputError, ConfigError) as exc:
            info = classify(exc, model=overrides.get("model") or self.config.chat_model)
            logger.error("LLM request refused before sending: %s", info.message)
            return error_response(info)
        return request

    def _finish(self, response: Any, model: str, attempts: int, started: float) -> LLMResponse:
        result = parse_response(response, model=model)
        logger.debug(
            "LLM call to %s: %d attempt(s), %.0f ms, %d tokens",
            model, attempts, (time.monotonic() - started) * 1000, result.total_tokens,
        )
        return result

    def _failed(self, exc: BaseException, model: str, attempts: int) -> ErrorInfo:
        info = classify(exc, model=model, secrets=self._secrets())
        info = ErrorInfo(**{**info.as_dict(), "attempts": attempts})
        # the traceback's frames are safe; the exception text is replaced by its scrubbed form
        logger.error(
            "LLM call to %s failed after %d attempt(s): %s [%s]", model, attempts, info.detail, info.category,
            exc_info=(type(exc), _Scrubbed(info.detail or ""), exc.__traceback__),
        )
        return info

    def _plan(self, request: Dict[str, Any], overrides: Dict[str, Any]) -> Generator[Any, Any, LLMResponse]:
        """Every attempt of one call, without doing I/O (shared by the sync and async paths).

        Yields ``("call", request)`` and receives ``(response, None)`` or ``(None, exc)``;
        yields ``("sleep", seconds)`` and receives ``None``; returns the ``LLMResponse``.
        """
        policy = self._policy(overrides)
        info: Optional[ErrorInfo] = None
        for model in self._models(request, overrides):
            request["model"] = model
            started = time.monotonic()
            attempts = 0
            for attempt in policy.attempts():
                attempts += 1
                request["timeout"] = attempt.timeout
                response, exc = yield ("call", request)
                if exc is None:
                    return self._finish(response, model, attempts, started)
                info = self._failed(exc, model, attempts)
                delay = attempt.delay_after(info)
                if delay is None:
                    break
                yield ("sleep", delay)
            if info is not None and not info.retryable:
                break  # a fallback model would be refused for the same reason
        assert info is not None
        return error_response(info)

    # ------------------------------------------------------------------ public calls

    def chat_completions(
        self,
        messages: List[Dict[str, Any]],
        tools: Optional[List[Dict[str, Any]]] = None,
        stop: Any = None,
        response_format: Any = None,
        **overrides: Any,
    ) -> LLMResponse:
        """One completion. Never raises: failures return ``status=ERROR`` (see ``errors``)."""
        try:
            prepared = self._prepare(messages, tools, stop, response_format, overrides)
            if isinstance(prepared, LLMResponse):
                return prepared
            completion = self._backend().completion
            plan = self._plan(prepared, overrides)
            step = next(plan)
            while True:
                kind, value = step
                if kind == "sleep":
                    time.sleep(value)
                    step = plan.send(None)
                    continue
                try:
                    outcome = (completion(**value), None)
                except Exception as exc:
                    outcome = (None, exc)
                step = plan.send(outcome)
        except StopIteration as done:
            return done.value
        except Exception as exc:  # last line of defence for the never-raises contract
            return error_response(self._failed(exc, self.config.chat_model, 0))

    async def achat_completions(
        self,
        messages: List[Dict[str, Any]],
        tools: Optional[List[Dict[str, Any]]] = None,
        stop: Any = None,
        response_format: Any = None,
        **overrides: Any,
    ) -> LLMResponse:
        """Async ``chat_completions``; same contract, never raises."""
        try:
            prepared = self._prepare(messages, tools, stop, response_format, overrides)
            if isinstance(prepared, LLMResponse):
                return prepared
            acompletion = self._backend().acompletion
            plan = self._plan(prepared, overrides)
            step = next(plan)
            while True:
                kind, value = step
                if kind == "sleep":
                    await asyncio.sleep(value)
                    step = plan.send(None)
                    continue
                try:
                    outcome = (await acompletion(**value), None)
                except Exception as exc:
                    outcome = (None, exc)
                step = plan.send(outcome)
        except StopIteration as done:
            return done.value
        except Exception as exc:
            return error_response(self._failed(exc, self.config.chat_model, 0))


class _Scrubbed(Exception):
    """Stands in for an upstream exception in log records, carrying only scrubbed text."""


__all__ = ["LiteLLMProvider"]
