"""One call's request: validated call options, the models to try, and the per-model rules applied.

``new_call`` validates and formats a call once (messages, tools, options); ``request_for`` turns it
into ``litellm.completion`` keyword arguments for one model. Nothing here does I/O: capability
lookups come from ``_litellm`` (cached, offline data) and are passed to ``model_rules``.

Per-call keywords that are call options (``CALL_OPTIONS``) and constructor overrides are checked
with ``LiteLLMConfig``'s own field definitions and validators; a bad value raises
``InvalidInputError`` naming the key, before anything is sent. Any other per-call keyword is passed
to litellm as it is, except the keys the provider owns (``OWNED``).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, cast

from pydantic import BaseModel, ConfigDict, ValidationError, create_model, field_validator

from director_litellm import _litellm, formatters, model_rules, prompt_cache
from director_litellm.config import FallbackModel, LiteLLMConfig
from director_litellm.errors import ConfigError, InvalidInputError
from director_litellm.retry import RetryPolicy
from director_litellm.scrub import scrub

# What the provider itself decides; extra_params and per-call keywords cannot replace these.
OWNED = frozenset({"model", "messages", "tools", "tool_choice", "stream", "api_key", "num_retries", "max_retries"})


class CallOptions(BaseModel):
    """The per-call keywords the provider itself interprets; None means "the config's value"."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    model: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    reasoning_effort: str | None = None
    num_retries: int | None = None
    timeout: float | None = None
    fallbacks: list[str | FallbackModel] | None = None


# each call option and the config field whose rules it follows
CALL_OPTIONS = {name: ("chat_model" if name == "model" else name) for name in CallOptions.model_fields}
_NO_OPTIONS = CallOptions.model_construct()


def _with_config_rules(name: str, fields: Mapping[str, str], base: type[BaseModel] | None = None) -> Any:
    """A model whose fields take ``LiteLLMConfig``'s definitions and validators (``fields``: ours -> config's).

    The rules are reused, not re-declared: each field gets the config field's type and constraints
    (default None, so an absent key stays absent), and each config validator is re-bound to our names.
    """
    definitions: dict[str, Any] = {}
    for ours, theirs in fields.items():
        source = LiteLLMConfig.model_fields[theirs]
        shape = (source.annotation, *source.metadata)
        kind = cast(Any, Annotated)[shape] if source.metadata else source.annotation
        definitions[ours] = (kind, None)
    validators: dict[str, Any] = {}
    for attr, decorator in LiteLLMConfig.__pydantic_decorators__.field_validators.items():
        names = [ours for ours, theirs in fields.items() if theirs in decorator.info.fields]
        if names:
            function = getattr(decorator.func, "__func__", decorator.func)
            validators[attr] = field_validator(*names, mode=decorator.info.mode)(function)
    return create_model(name, __base__=base, __validators__=validators, **definitions)


@functools.cache
def _checked_options() -> type[CallOptions]:
    checked: type[CallOptions] = _with_config_rules("CallOptions", CALL_OPTIONS, base=CallOptions)
    return checked


@functools.cache
def _checked_overrides() -> type[BaseModel]:
    checked: type[BaseModel] = _with_config_rules("Overrides", {name: name for name in LiteLLMConfig.model_fields})
    return checked


def _refusal(exc: ValidationError, where: str) -> InvalidInputError:
    problems = []
    for err in exc.errors():
        key = str(err["loc"][0]) if err["loc"] else "?"
        shown = "" if key in ("api_key", "fallbacks") else f"={scrub(repr(err.get('input')))[:60]}"
        problems.append(f"{where} {key}{shown}: {err['msg']}")
    return InvalidInputError("; ".join(problems))


def split_options(overrides: Mapping[str, Any]) -> tuple[CallOptions, dict[str, Any]]:
    """Per-call keywords as (validated call options, keywords passed to litellm as they are)."""
    if not overrides:
        return _NO_OPTIONS, {}
    given = {k: v for k, v in overrides.items() if k in CALL_OPTIONS and v is not None}
    passed = {k: v for k, v in overrides.items() if k not in CALL_OPTIONS}
    if not given:
        return _NO_OPTIONS, passed
    try:
        return _checked_options()(**given), passed
    except ValidationError as exc:
        raise _refusal(exc, "per-call option") from None


def validate_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Constructor overrides checked like the config's own fields; an unknown name is refused with a hint."""
    fields = LiteLLMConfig.model_fields
    unknown = [key for key in overrides if key not in fields]
    if unknown:
        hints = []
        for key in unknown:
            near = difflib.get_close_matches(key, list(fields), n=1)
            hints.append(f"{key!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
        raise InvalidInputError(f"unknown LiteLLMProvider option {', '.join(hints)}")
    try:
        checked = _checked_overrides()(**overrides)
    except ValidationError as exc:
        raise _refusal(exc, "LiteLLMProvider option") from None
    return {key: getattr(checked, key) for key in overrides}


@dataclass(frozen=True)
class Target:
    """One model to try, with endpoint options replacing the config's (a fallback's own endpoint)."""

    model: str
    endpoint: dict[str, Any]


@dataclass(frozen=True)
class Sampling:
    temperature: float
    top_p: float
    temperature_set: bool  # given explicitly (config or call), so it is sent
    top_p_set: bool


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
    deployments: Callable[[str], list[str]] = lambda model: [model]  # router mode: a group's deployments
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)

    def request_for(self, target: Target) -> dict[str, Any]:
        return request_for(self, target)


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
) -> Call:
    """Validate and format once; raises ``InvalidInputError`` before anything is sent."""
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
    stop_list = formatters.format_stop(stop)
    if stop_list:
        common["stop"] = stop_list
    common.update(_endpoint(cfg))
    if cfg.extra_headers:
        common["extra_headers"] = {**cfg.extra_headers, **common.get("extra_headers", {})}
    if stream:
        common["stream"] = True
        common["stream_options"] = {"include_usage": True}

    set_fields = cfg.model_fields_set
    call = Call(
        messages=formatters.format_messages(messages),
        tools=formatters.format_tools(tools),
        common=common,
        sampling=Sampling(
            temperature=cfg.temperature if options.temperature is None else options.temperature,
            top_p=cfg.top_p if options.top_p is None else options.top_p,
            temperature_set=options.temperature is not None or "temperature" in set_fields,
            top_p_set=options.top_p is not None or "top_p" in set_fields,
        ),
        reasoning_effort=options.reasoning_effort or cfg.reasoning_effort,
        response_format=formatters.format_response_format(response_format),
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
    )
    if deployments is not None:
        call.deployments = deployments
    request_for(call, call.targets[0])  # the primary's rules are checked before anything is sent
    if not router_mode:  # a Router's deployments bring their own keys
        check_credentials(call)
    return call


# request keys that carry a credential other than api_key
_OTHER_CREDENTIALS = ("azure_ad_token", "azure_ad_token_provider", "aws_access_key_id", "aws_profile_name")


def check_credentials(call: Call) -> None:
    """Raise ``ConfigError`` naming the variables to set when a model has no key from any source.

    Checked only when no key is given (``api_key``, a fallback's own key, an ``Authorization``
    header, another credential in ``extra_params``); then litellm's ``validate_environment``
    says which variables the provider reads. Providers that take no key (Ollama, ``hosted_vllm/``,
    a LiteLLM Proxy) are never refused. ``openai/`` with a local ``api_base`` is: litellm's
    OpenAI client will not send without some key, so the message says to set one.
    """
    headers = {name.lower() for name in call.common.get("extra_headers") or {}}
    if headers & {"authorization", "api-key", "x-api-key"} or any(call.common.get(k) for k in _OTHER_CREDENTIALS):
        return
    for target in call.targets:
        if target.endpoint.get("api_key") or call.common.get("api_key"):
            continue
        api_base = target.endpoint.get("api_base") or call.common.get("api_base")
        missing = _litellm.missing_key_variables(target.model, api_base)
        if missing:
            local = " (a local server that takes no key accepts any value: LITELLM_API_KEY=none)" if api_base else ""
            raise ConfigError(f"no API key for {target.model}: set {' or '.join(missing)} (or LITELLM_API_KEY){local}")


def request_for(call: Call, target: Target) -> dict[str, Any]:
    """The litellm keyword arguments for one model: the per-model rules applied (built once per model)."""
    cached = call.requests.get(target.model)
    if cached is not None:
        return cached
    request = {**call.common, **target.endpoint}
    request["model"] = target.model
    rules = call.rules_model(target.model)
    request["messages"] = model_rules.shape_conversation(rules, call.messages, bool(call.tools))
    sampling = call.sampling
    request.update(
        model_rules.sampling_params(
            rules,
            sampling.temperature,
            sampling.top_p,
            temperature_set=sampling.temperature_set,
            top_p_set=sampling.top_p_set,
        )
    )
    if call.reasoning_effort and model_rules.send_reasoning_effort(rules, _litellm.takes_param):
        request["reasoning_effort"] = call.reasoning_effort
    if call.tools:
        request["tools"] = call.tools
        request["tool_choice"] = "auto"
    if call.response_format is not None:
        request["response_format"], instruction = model_rules.response_format_for(
            rules, call.response_format, _litellm.supports_response_schema
        )
        if instruction:
            request["messages"] = [*request["messages"], {"role": "system", "content": instruction}]
            request["messages"] = model_rules.shape_conversation(rules, request["messages"], bool(call.tools))
    _cache_breakpoints(call, target.model, request)
    call.requests[target.model] = request
    return request


def _cache_breakpoints(call: Call, model: str, request: dict[str, Any]) -> None:
    """Prompt-cache breakpoints (``prompt_cache``) where rule 5 allows them, the caller's own
    included; none at all with ``prompt_caching="off"`` or for a model that does not take them.
    In router mode every deployment the group can reach must take them."""
    minimum = None
    if call.prompt_caching == "auto":
        minimum = model_rules.cache_breakpoint_minimum(
            call.deployments(model), _litellm.route, _litellm.supports_prompt_caching
        )
    if minimum is None:
        request["messages"], tools = prompt_cache.without_marks(request["messages"], request.get("tools"))
    else:
        request["messages"], tools = prompt_cache.place_breakpoints(
            request["messages"],
            request.get("tools"),
            min_tokens=minimum,
            max_breakpoints=model_rules.MAX_CACHE_BREAKPOINTS,
        )
    if tools:
        request["tools"] = tools


__all__ = [
    "CALL_OPTIONS",
    "OWNED",
    "Call",
    "CallOptions",
    "Sampling",
    "Target",
    "new_call",
    "request_for",
    "split_options",
    "targets",
    "validate_overrides",
]
