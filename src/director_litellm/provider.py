"""``LiteLLMProvider``: Director's LLM interface over litellm.

Building a provider (Director builds about eleven per chat message) costs no litellm import
and no network: litellm is imported on first call, by ``_litellm``. No litellm process-wide
setting is ever changed: every option travels with the call.

The data path of one call::

    config -> request  (formatters: messages, tools, options; model_rules: per model tried)
           -> retry    (attempts, waits, fallbacks; ``litellm.completion`` through ``_litellm``)
           -> parser / stream      (-> LLMResponse, or stream events)

Every public call method returns an ``LLMResponse`` (streams: a final event carrying one) and
never raises. A failed call logs one WARNING line; each retry one INFO line; tracebacks go at DEBUG.

The call path (``request``, ``retry``, ``parser``, ``stream``) is imported by the first call (or
``warm_up()``), not with the class that Director hosts build at start-up (benchmark figure 3).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from director_litellm import _backend
from director_litellm import _finish as finish
from director_litellm import _supply_chain as supply_chain
from director_litellm._config import ConfigError, LiteLLMConfig, UnknownSettingError, load_config, secrets
from director_litellm._director import base_llm
from director_litellm._errors import DirectorLiteLLMError, ErrorInfo, InvalidInputError, classify
from director_litellm._observe import Usage, watch
from director_litellm._response import LLMResponse
from director_litellm._scrub import protect_logs, scrub

if TYPE_CHECKING:  # imported by the first call (module docstring)
    from director_litellm import _retry
    from director_litellm._request import Call, Remembered
    from director_litellm._stream import StreamEvent

logger = logging.getLogger(__name__)

_BaseLLM = base_llm()


class _NeverRaises:
    """The never-raises wrapper of all four call paths: ``with`` it, and read ``response`` after a failure."""

    def __init__(self, on_error: Callable[[Exception], LLMResponse]) -> None:
        self._on_error = on_error
        self.failed: LLMResponse | None = None

    def __enter__(self) -> _NeverRaises:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> bool:
        if isinstance(exc, Exception):  # GeneratorExit, KeyboardInterrupt, ... go on
            self.failed = self._on_error(exc)
            return True
        return False

    @property
    def response(self) -> LLMResponse:
        assert self.failed is not None, "read only after the with block swallowed an exception"
        return self.failed


class _Given(NamedTuple):
    """What a public call method was given, as Director passes it."""

    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None
    stop: object
    response_format: object
    overrides: dict[str, Any]


class _Ready(NamedTuple):
    """A call set up to be sent: the ``Call``, and litellm's function that sends one request of it (async
    or not)."""

    call: Call
    send: Callable[..., Any]


@dataclass
class _Opening:
    """A stream being opened: ``sent`` once litellm returned the stream, so a failure after that was
    reading it, after the request went out."""

    sent: bool = False


@watch  # each call gets its span and a line in the ledger (``observe``)
class LiteLLMProvider(_BaseLLM):  # type: ignore[misc,valid-type]
    """A Director LLM backed by any model litellm supports.

    ``LiteLLMProvider()`` reads ``LITELLM_*`` from the environment; keyword overrides replace
    config fields and are checked like them. Construction never touches the network and raises
    only ``UnknownSettingError`` for a keyword that is no setting (as ``LiteLLMConfig`` does): a bad
    setting or value is reported by every call as an ERROR response naming it.
    """

    #: the provider protocol version ``discovery`` checks (major must match)
    PROVIDER_API_VERSION = "1.0"

    def __init__(self, config: LiteLLMConfig | None = None, **overrides: Any) -> None:
        self._setup_error: DirectorLiteLLMError | None = None
        try:
            checked = {}
            if overrides:
                from director_litellm._call_options import validate_overrides

                checked = validate_overrides(overrides)
            if config is None:
                config = load_config(**overrides)
            elif checked:
                config = config.model_copy(update=checked)
        except UnknownSettingError:  # a misspelt keyword is a programming error: raised, like LiteLLMConfig's
            raise
        except (ConfigError, InvalidInputError) as exc:
            self._setup_error = exc
            logger.warning("%s", exc)
            config = config or LiteLLMConfig.model_construct()
        super().__init__(config)
        self.config: LiteLLMConfig = config
        self._version_problem = supply_chain.check_installed()
        self._calls: dict[bool, Remembered] = {}  # what calls take from the config alone (request.new_call's memo)
        self.usage = Usage()  # this provider's ledger: calls, attempts, tokens, cost (``usage``)

    def __repr__(self) -> str:
        base = f", api_base={scrub(self.config.api_base)!r}" if self.config.api_base else ""
        return f"LiteLLMProvider(model={self.config.chat_model!r}{base})"

    def build_request(
        self, messages: Any, tools: Any = None, stop: Any = None, response_format: Any = None, **overrides: Any
    ) -> dict[str, Any]:
        """The keyword arguments ``chat_completions`` would pass to ``litellm.completion``."""
        call = self._new_call(_Given(messages, tools, stop, response_format, overrides), stream=False)
        return call.request_for(call.targets[0])

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
        from director_litellm import _retry as retry

        with self._never_raises() as guard:
            ready = self._start(_Given(messages, tools, stop, response_format, overrides))
            if isinstance(ready, LLMResponse):
                return ready
            call, send = ready
            return finish.completed(call, self.config, retry.drive(call, self._classified, lambda r: send(**r)))
        return guard.response

    async def achat_completions(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        stop: Any = None,
        response_format: Any = None,
        **overrides: Any,
    ) -> LLMResponse:
        """Async ``chat_completions``; same contract, never raises."""
        from director_litellm import _retry as retry

        with self._never_raises() as guard:
            ready = self._start(_Given(messages, tools, stop, response_format, overrides), asynchronous=True)
            if isinstance(ready, LLMResponse):
                return ready
            call, send = ready
            outcome = await retry.adrive(call, self._classified, lambda r: send(**r))
            return finish.completed(call, self.config, outcome)
        return guard.response

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
        from director_litellm import _retry as retry
        from director_litellm._stream import Final, StreamAccumulator

        with self._never_raises() as guard:
            ready = self._start(_Given(messages, tools, stop, response_format, overrides), stream=True)
            if isinstance(ready, LLMResponse):
                yield Final(ready)
                return
            (call, send), opening = ready, _Opening()

            def first_chunk(request: dict[str, Any]) -> tuple[Iterator[object], object]:
                opening.sent = False
                chunks = iter(send(**request))
                opening.sent = True
                return chunks, next(chunks, None)

            outcome = retry.drive(call, self._stream_failed(opening), first_chunk)
            if isinstance(outcome, ErrorInfo):
                yield Final(finish.failed(outcome))
                return
            (chunks, first), acc, broke = outcome.response, StreamAccumulator(model=outcome.model), None
            try:
                if first is not None:
                    yield from acc.add(first)
                for chunk in chunks:
                    yield from acc.add(chunk)
            except Exception as exc:
                broke = exc
            yield Final(finish.stream_response(call, self.config, acc, outcome, broke))
            return
        yield Final(guard.response)

    async def astream_chat_completions(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        stop: Any = None,
        response_format: Any = None,
        **overrides: Any,
    ) -> AsyncIterator[StreamEvent]:
        """Async ``stream_chat_completions``; same events, never raises."""
        from director_litellm import _retry as retry
        from director_litellm._stream import Final, StreamAccumulator

        with self._never_raises() as guard:
            ready = self._start(
                _Given(messages, tools, stop, response_format, overrides), stream=True, asynchronous=True
            )
            if isinstance(ready, LLMResponse):
                yield Final(ready)
                return
            (call, send), opening = ready, _Opening()

            async def first_chunk(request: dict[str, Any]) -> tuple[AsyncIterator[object], object]:
                opening.sent = False
                chunks = (await send(**request)).__aiter__()
                opening.sent = True
                try:
                    return chunks, await chunks.__anext__()
                except StopAsyncIteration:
                    return chunks, None

            outcome = await retry.adrive(call, self._stream_failed(opening), first_chunk)
            if isinstance(outcome, ErrorInfo):
                yield Final(finish.failed(outcome))
                return
            (chunks, first), acc, broke = outcome.response, StreamAccumulator(model=outcome.model), None
            try:
                if first is not None:
                    for event in acc.add(first):
                        yield event
                async for chunk in chunks:
                    for event in acc.add(chunk):
                        yield event
            except Exception as exc:
                broke = exc
            yield Final(finish.stream_response(call, self.config, acc, outcome, broke))
            return
        yield Final(guard.response)

    # ------------------------------------------------------------------ shared by the four paths

    def _never_raises(self) -> _NeverRaises:
        """The last line of defence: any exception becomes an ERROR response (category from ``classify``)."""
        return _NeverRaises(lambda exc: finish.failed(self._classified(exc, self.config.chat_model, 0)))

    def _new_call(self, given: _Given, stream: bool) -> Call:
        from director_litellm._request import new_call

        if self.config.router_config is not None:  # the group's deployments decide the rules
            return new_call(
                self.config, *given, stream=stream, rules_model=self._rules_model, deployments=self._deployments
            )
        return new_call(self.config, *given, stream=stream, memo=self._calls)

    def _deployments(self, group: str) -> list[str]:
        return _backend.router_backend(self.config.router_config or "").deployment_models(group)

    def _rules_model(self, group: str) -> str:
        """Router mode: the Router picks the deployment later, so the strictest reachable one counts."""
        return _backend.router_backend(self.config.router_config or "").rules_model(group)

    def _backend(self) -> _backend.Backend:
        """What calls go through: litellm itself, or a shared ``litellm.Router`` in router mode."""
        return _backend.backend(self.config.router_config, self.config.callbacks, self.config.enable_langfuse)

    def _completion(self, asynchronous: bool = False) -> Callable[..., Any]:
        """litellm's ``completion``/``acompletion``, given a client of ours where litellm needs one: one of the
        running event loop (``_loop_clients``); on litellm 1.60, an Azure one making one attempt (``_azure_client``)."""
        from director_litellm import _azure_client, _loop_clients

        backend = self._backend()
        if self.config.router_config is not None:  # the Router owns its deployments' clients
            return backend.acompletion if asynchronous else backend.completion
        if asynchronous:
            return lambda **request: backend.acompletion(**request, **_loop_clients.client_kwargs(request))
        send: Callable[..., Any] = _azure_client.completion(backend, _loop_clients.provider_of)
        return send

    def _start(self, given: _Given, *, stream: bool = False, asynchronous: bool = False) -> _Ready | LLMResponse:
        """The one setup step of the four public methods: the call and what sends it, or an ERROR response
        when nothing may be sent."""
        model = str(given.overrides.get("model") or self.config.chat_model)
        if self._setup_error is not None:
            return finish.failed(replace(classify(self._setup_error, model=model), attempts=0))
        problem = self._version_problem
        if problem is not None and problem.blocked:
            return finish.failed(
                ErrorInfo("blocked_version", problem.message, model=model, detail=problem.reason, attempts=0)
            )
        try:
            call = self._new_call(given, stream)
        except (InvalidInputError, ConfigError) as exc:
            return finish.failed(replace(classify(exc, model=model), attempts=0))
        protect_logs(secrets(self.config))
        return _Ready(call, self._completion(asynchronous))

    def _classified(self, exc: BaseException, model: str, attempts: int, streamed: bool = False) -> ErrorInfo:
        return finish.attempt_failed(self.config, exc, model, attempts, streamed)

    def _stream_failed(self, opening: _Opening) -> _retry.Failed:
        """Classifies a stream's failed start; ``opening.sent``: it failed reading the stream, so it was sent."""
        return lambda exc, model, attempts: self._classified(exc, model, attempts, streamed=opening.sent)


__all__ = ["LiteLLMProvider"]
