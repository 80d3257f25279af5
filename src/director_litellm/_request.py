"""One call's request: validated call options, the models to try, and the per-model rules applied.

``new_call`` validates and formats a call once (messages, tools, options); ``request_for`` turns it
into ``litellm.completion`` keyword arguments for one model. Nothing here does I/O: capability
lookups come from ``_litellm`` (cached, offline data) and are passed to ``model_rules``. Per-call keywords are checked in ``call_options``; any that is not a call option is passed to
litellm as it is, except the keys the provider owns (``OWNED``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import BaseModel

from director_litellm import (
    _aws_credentials,
    _context_call,
    _formatters,
    _history,
    _litellm,
    _model_rules,
    _preflight,
    _prompt_cache,
    _reasoning_rules,
)
from director_litellm._call_options import split_options
from director_litellm._config import FallbackModel, LiteLLMConfig
from director_litellm._context_fit import ContextFit
from director_litellm._errors import ConfigError
from director_litellm._retry import RetryPolicy
from director_litellm._target import Target

# What the provider itself decides; extra_params and per-call keywords cannot replace these.
OWNED = frozenset({"model", "messages", "tools", "tool_choice", "stream", "api_key", "num_retries", "max_retries"})


@dataclass(frozen=True)
class Sampling:
    temperature: float
    top_p: float
    temperature_set: bool  # given explicitly (config or call), so it is sent
    top_p_set: bool


class _Static(NamedTuple):
    """What one model's request takes from the call's settings alone, not from its messages."""

    base: dict[str, Any]  # common options, endpoint, model, sampling, reasoning_effort, response_format
    rules: str  # the model the per-model rules decide for
    instruction: str | None  # a system message the response format needs (models without JSON schema)
    cache_minimum: int | None  # prompt-cache breakpoints: the prefix they need, or None for none
    ids: _history.IdRule  # the tool-call ids the model's wire takes


@dataclass
class Call:
    """One call, formatted once; ``request_for(call, target)`` adds what depends on the model."""

    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None
    common: dict[str, Any]
    sampling: Sampling
    reasoning_effort: str | None
    response_format: dict[str, Any] | None
    schema_class: type[BaseModel] | None
    targets: list[Target]
    policy: RetryPolicy
    rules_model: Callable[[str], str] = str  # the model the per-model rules decide for (router mode: a group)
    prompt_caching: str = "auto"
    thinking_budget: int | None = None
    deployments: Callable[[str], list[str]] = lambda model: [model]  # router mode: a group's deployments
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    marked: bool = True  # False: no cache_control came through formatting, so there is none to strip
    # per model; shared by the calls made from one unchanged config (see ``new_call``'s ``memo``)
    statics: dict[str, _Static] = field(default_factory=dict)
    context: _context_call.Context | None = None  # fitting into the model's window (``context_fit``); None: off
    fits: dict[str, ContextFit | None] = field(default_factory=dict)  # per model, what fitting did

    def request_for(self, target: Target) -> dict[str, Any]:
        return request_for(self, target)

    def refit(self, target: Target) -> tuple[Target, dict[str, Any]] | None:
        """After the provider answered ``context_window``: what to send once more, or None."""
        return _context_call.refit(self, target, lambda squeeze: _build(self, target, squeeze))


class Remembered(NamedTuple):
    """What ``new_call``'s memo keeps per stream flag: the config it was built from, the call without caller data."""

    values: dict[str, Any]  # the config's values (``_snapshot``)
    fields_set: set[str]  # the config's fields set explicitly
    prototype: Call


def targets(model: str, fallbacks: list[str | FallbackModel]) -> list[Target]:
    """The primary and its fallbacks, each model once."""
    seen: dict[str, dict[str, Any]] = {model: {}}
    for fallback in fallbacks:
        if isinstance(fallback, str):
            seen.setdefault(fallback, {})
        else:
            seen.setdefault(fallback.model, _endpoint(fallback))
    return [Target(name, where) for name, where in seen.items()]


def _endpoint(source: LiteLLMConfig | FallbackModel) -> dict[str, Any]:
    """Where a model is reached: the ``api_base``, ``api_key`` and ``api_version`` that are set."""
    where: dict[str, Any] = {}
    if source.api_base:
        where["api_base"] = source.api_base
    if source.api_key is not None:
        where["api_key"] = source.api_key.get_secret_value()
    if source.api_version:
        where["api_version"] = source.api_version
    return where


def new_call(
    cfg: LiteLLMConfig,
    messages: Any,
    tools: Any,
    stop: Any,
    response_format: Any,
    overrides: Mapping[str, Any],
    *,
    stream: bool,
    rules_model: Callable[[str], str] = str,
    deployments: Callable[[str], list[str]] | None = None,
    memo: dict[bool, Remembered] | None = None,
) -> Call:
    """Validate and format once; raises ``InvalidInputError`` before anything is sent.

    ``memo`` (the provider's, outside router mode) keeps what a call with no per-call options
    takes from the config alone, and reuses it while the config's values are unchanged: Director
    calls with messages and tools only, and rebuilding the same options, models, retry policy
    and per-model rule decisions on every call was about a quarter of the adapter's own work.
    """
    if overrides or stop is not None or response_format is not None:
        memo = None  # per-call options: this call's settings are its own
    if memo is not None:
        remembered = memo.get(stream)
        if (
            remembered is not None
            and remembered.values == cfg.__dict__
            and remembered.fields_set == cfg.model_fields_set
        ):
            prototype = remembered.prototype
            call = Call(**{**prototype.__dict__, **_formatted(messages, tools), "requests": {}, "fits": {}})
            return _checked(call, cfg)
    call = _settled(cfg, (messages, tools, stop, response_format, overrides), stream, rules_model)
    if deployments is not None:
        call.deployments = deployments
    _checked(call, cfg)
    if memo is not None:
        prototype = Call(
            **{**call.__dict__, "messages": [], "tools": None, "requests": {}, "fits": {}}
        )  # no caller data
        memo[stream] = Remembered(_snapshot(cfg), set(cfg.model_fields_set), prototype)
    return call


def _formatted(messages: Any, tools: Any) -> dict[str, Any]:
    formatted_messages, marked_messages = _formatters.convert_messages(messages)
    formatted_tools, marked_tools = _formatters.convert_tools(tools)
    return {"messages": formatted_messages, "tools": formatted_tools, "marked": marked_messages or marked_tools}


def _snapshot(cfg: LiteLLMConfig) -> dict[str, Any]:
    """The config's values, lists and dicts copied one level down (fallback models included), so a
    later change to the config, in place or not, makes it compare unequal. Values nested deeper are
    shared with the requests built from it, as they always were, so a change there reaches them."""

    def copied(value: Any) -> Any:
        if isinstance(value, list):
            return [item.model_copy() if isinstance(item, BaseModel) else item for item in value]
        return dict(value) if isinstance(value, dict) else value

    return {name: copied(value) for name, value in cfg.__dict__.items()}


def _checked(call: Call, cfg: LiteLLMConfig) -> Call:
    _context_call.context_first(call, request_for)
    request_for(call, call.targets[0])  # the primary's rules are checked before anything is sent
    if cfg.router_config is None:  # a Router's deployments bring their own keys
        _preflight.check_routes(
            (t.model, t.endpoint.get("api_base") or call.common.get("api_base")) for t in call.targets
        )
        check_credentials(call)
    return call


def _settled(cfg: LiteLLMConfig, given: tuple[Any, ...], stream: bool, rules_model: Callable[[str], str]) -> Call:
    """A new call: its options settled from the config and the per-call keywords, messages and tools formatted.

    ``given``: ``new_call``'s messages, tools, stop, response_format and per-call keywords.
    """
    messages, tools, stop, response_format, overrides = given
    options, extra = split_options(overrides)
    schema_class = None
    if isinstance(response_format, type) and issubclass(response_format, BaseModel):
        schema_class = response_format
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": response_format.__name__, "schema": response_format.model_json_schema()},
        }

    num_retries = cfg.num_retries if options.num_retries is None else options.num_retries
    # Router mode: the Router owns retries (it fails over at once to a healthy deployment; see
    # router.py), so it gets our count per call and we make one call per model group.
    router_mode = cfg.router_config is not None
    common: dict[str, Any] = {k: v for k, v in {**cfg.extra_params, **extra}.items() if k not in OWNED}
    # retries are ours (retry.py): none hidden in litellm or the openai client
    common.update(
        max_tokens=options.max_tokens or cfg.max_tokens,
        drop_params=cfg.drop_unsupported_params,
        num_retries=num_retries if router_mode else 0,
        max_retries=0,
    )
    stop_list = _formatters.format_stop(stop)
    if stop_list:
        common["stop"] = stop_list
    common.update(_endpoint(cfg))
    if cfg.extra_headers:
        common["extra_headers"] = {**cfg.extra_headers, **common.get("extra_headers", {})}
    if stream:
        common["stream"] = True
        common["stream_options"] = {"include_usage": True}

    set_fields = cfg.model_fields_set
    return Call(
        **_formatted(messages, tools),
        common=common,
        sampling=Sampling(
            temperature=cfg.temperature if options.temperature is None else options.temperature,
            top_p=cfg.top_p if options.top_p is None else options.top_p,
            temperature_set=options.temperature is not None or "temperature" in set_fields,
            top_p_set=options.top_p is not None or "top_p" in set_fields,
        ),
        reasoning_effort=options.reasoning_effort or cfg.reasoning_effort,
        response_format=_formatters.format_response_format(response_format),
        schema_class=schema_class,
        targets=targets(
            options.model or cfg.chat_model, cfg.fallbacks if options.fallbacks is None else options.fallbacks
        ),
        policy=RetryPolicy(
            num_retries=0 if router_mode else num_retries,
            timeout=float(cfg.timeout if options.timeout is None else options.timeout),
            initial_delay=cfg.retry_initial_delay,
            max_delay=cfg.retry_max_delay,
        ),
        rules_model=rules_model,
        prompt_caching=cfg.prompt_caching,
        context=None
        if cfg.context_fit == "off"
        else _context_call.Context(
            cfg.context_window, Target(cfg.context_fallback, {}) if cfg.context_fallback else None
        ),
        thinking_budget=cfg.thinking_budget,
    )


# request keys that carry a credential other than api_key
_OTHER_CREDENTIALS = ("azure_ad_token", "azure_ad_token_provider", "aws_access_key_id", "aws_profile_name")


def check_credentials(call: Call) -> None:
    """Raise ``ConfigError`` naming the variables to set when a model has no key from any source.

    Checked only when no key is given (``api_key``, a fallback's own key, an ``Authorization``
    header, another credential in ``extra_params``); then litellm's ``validate_environment``
    says which variables the provider reads. Providers that take no key (Ollama, ``hosted_vllm/``,
    a LiteLLM Proxy) are never refused. ``openai/`` with a local ``api_base`` is: litellm's
    OpenAI client will not send without some key, so the message says to set one. A Bedrock
    model needs AWS credentials and a region from any of their sources (``aws_credentials``).
    """
    for target in call.targets:
        if _aws_credentials.is_bedrock(target.model, None):
            problem = _aws_credentials.missing_setup(target.model, {**call.common, **target.endpoint})
            if problem:
                raise ConfigError(problem)
    if call.common.get("api_key"):  # the configured key goes to every model
        return
    headers = {name.lower() for name in call.common.get("extra_headers") or {}}
    if headers & {"authorization", "api-key", "x-api-key"} or any(call.common.get(k) for k in _OTHER_CREDENTIALS):
        return
    for target in call.targets:
        if target.endpoint.get("api_key"):
            continue
        api_base = target.endpoint.get("api_base") or call.common.get("api_base")
        missing = _litellm.missing_key_variables(target.model, api_base)
        if missing:
            raise ConfigError(_preflight.no_key(target.model, missing, api_base))


def request_for(call: Call, target: Target) -> dict[str, Any]:
    """The litellm keyword arguments for one model: the per-model rules applied (built once per model)."""
    cached = call.requests.get(target.model)
    if cached is not None:
        return cached
    return _build(call, target)


def _build(call: Call, target: Target, squeeze: int | None = None) -> dict[str, Any]:
    static = call.statics.get(target.model) or _static(call, target)
    request = dict(static.base)
    messages = call.messages
    if call.context is not None:  # fitted first: whole turns and whole call/result units go or stay
        max_tokens = int(static.base.get("max_tokens") or 0)
        messages = _context_call.fitted(call, target.model, static.rules, max_tokens, squeeze)
    messages = _with_reasoning(call, target, static, request, messages)
    messages = _model_rules.shape_conversation(static.rules, messages, bool(call.tools))
    if static.instruction:
        messages = [*messages, {"role": "system", "content": static.instruction}]
        messages = _model_rules.shape_conversation(static.rules, messages, bool(call.tools))
    tools = _model_rules.tools_for(static.rules, call.tools)
    if static.cache_minimum is None:
        if call.marked:
            messages, tools = _prompt_cache.without_marks(messages, tools)
    else:
        messages, tools = _prompt_cache.place_breakpoints(
            messages, tools, min_tokens=static.cache_minimum, max_breakpoints=_model_rules.MAX_CACHE_BREAKPOINTS
        )
    request["messages"] = messages
    if tools:
        request["tools"] = tools
        request["tool_choice"] = "auto"
    call.requests[target.model] = request
    return request


def _with_reasoning(
    call: Call, target: Target, static: _Static, request: dict[str, Any], messages: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``messages`` for this model (``history``: ids it takes, state only its own) and rule 12's thinking."""
    effort = "reasoning_effort" in request
    budget = call.thinking_budget or _reasoning_rules.given_budget(request.get("thinking"))
    # thinking asked of a non-Claude model: reasoning_effort, or litellm's own ``thinking`` (DeepSeek takes it)
    prepared = _history.prepare(messages, target.model, static.ids, thinking=effort or "thinking" in request)
    thinking = _reasoning_rules.thinking_params(
        static.rules,
        budget,
        int(request.get("max_tokens") or 0),
        effort=effort,
        json_mode="response_format" in request,
        open_loop_signed=prepared.open_loop_signed,
    )
    if thinking is not None:
        if thinking:
            request.pop("top_p", None)
        else:  # thinking is off for this call: nothing that would turn it on, Director's sampling
            request.pop("reasoning_effort", None)
            request.pop("thinking", None)
        request.update(thinking)
    return prepared.messages


def _static(call: Call, target: Target) -> _Static:
    """What one model's request takes from the call's settings (kept on the call, shared by its copies)."""
    base = {**call.common, **target.endpoint}
    base["model"] = target.model
    if _aws_credentials.is_bedrock(target.model, None):  # the region botocore would use, on every litellm
        base.update(_aws_credentials.region_option(target.model, base))
    rules = call.rules_model(target.model)
    sampling = call.sampling
    base.update(
        _model_rules.sampling_params(
            rules,
            sampling.temperature,
            sampling.top_p,
            temperature_set=sampling.temperature_set,
            top_p_set=sampling.top_p_set,
        )
    )
    if base.get("stream") and _model_rules.stream_whole(target.model, _litellm.cohere_v2):
        base["fake_stream"] = True  # rule 8: litellm asks for the whole answer and streams it on
    if call.reasoning_effort and _model_rules.send_reasoning_effort(rules, _litellm.takes_param):
        base["reasoning_effort"] = call.reasoning_effort
    instruction = None
    if call.response_format is not None:
        base["response_format"], instruction = _model_rules.response_format_for(
            rules, call.response_format, _litellm.supports_response_schema
        )
    # prompt-cache breakpoints (``prompt_cache``) where rule 9 allows them, the caller's own included;
    # none at all with prompt_caching="off" or for a model that does not take them. In router mode
    # every deployment the group can reach must take them.
    minimum = None
    if call.prompt_caching == "auto":
        minimum = _model_rules.cache_breakpoint_minimum(
            call.deployments(target.model), _litellm.route, _litellm.supports_prompt_caching
        )
    ids = _history.id_rule(call.deployments(target.model), _litellm.route)
    static = _Static(base, rules, instruction or None, minimum, ids)
    call.statics[target.model] = static
    return static


__all__ = ["OWNED", "Call", "Sampling", "Target", "new_call", "request_for", "targets"]
