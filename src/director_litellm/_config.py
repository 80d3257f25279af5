"""``LiteLLMConfig``: the single source of truth for every setting.

Each field is read from the environment as ``LITELLM_<FIELD>`` (case-insensitive)
or passed to the constructor. An unknown constructor keyword raises ``UnknownSettingError``
naming the nearest field; unknown ``LITELLM_*`` variables are ignored. The table in
docs/configuration.md is generated from this class (``configuration_table()``) and a test
checks that they agree.

Construction touches no network and never fails for a missing key: litellm reads
provider keys such as ``ANTHROPIC_API_KEY`` itself, so ``api_key`` is optional and
only sent when set.
"""

from __future__ import annotations

import inspect
import json
import os
from contextvars import ContextVar
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError

from director_litellm._errors import ConfigError, ConfigProblem
from director_litellm._scrub import scrub

ENV_PREFIX = "LITELLM_"

# Set only while ``LiteLLMConfig.from_values`` builds a config: the environment is not read then.
_values_only: ContextVar[bool] = ContextVar("director_litellm_values_only", default=False)


class _DirectorDefaults(TypedDict):
    temperature: float
    top_p: float
    max_tokens: int
    timeout: float


# Director's BaseLLMConfig defaults; kept identical so switching providers changes nothing.
DIRECTOR_DEFAULTS: _DirectorDefaults = {"temperature": 0.9, "top_p": 1.0, "max_tokens": 4096, "timeout": 120}


class UnknownSettingError(ConfigError, TypeError):
    """A keyword that is no ``LiteLLMConfig`` field (a programming error, like any unexpected keyword)."""


class _Shown:
    """A field value as repr/str show it: its own repr, credentials scrubbed."""

    __slots__ = ("text",)

    def __init__(self, value: Any) -> None:
        self.text = _clean_repr(value)

    def __repr__(self) -> str:
        return self.text


def _clean_repr(value: Any) -> str:
    # SecretStr masks itself and a model cleans its own fields; scrubbing their repr again would
    # mangle SecretStr('**********') (it looks like an ``api_key=<token>`` pair).
    if value is None or isinstance(value, (SecretStr, BaseModel)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_clean_repr(item) for item in value) + "]"
    # strings and dicts may hold credentials: URLs with user:pass@, Bearer tokens, api-key headers
    return scrub(repr(value))


def _clean_repr_args(args: Any) -> Any:
    for name, value in args:
        yield name, _Shown(value)


class FallbackModel(BaseModel):
    """A fallback with its own endpoint (e.g. another provider than the primary's)."""

    model_config = ConfigDict(extra="forbid")

    model: str
    api_base: str | None = None
    api_key: SecretStr | None = None
    api_version: str | None = None

    def __repr_args__(self) -> Any:
        return _clean_repr_args(super().__repr_args__())


class LiteLLMConfig(BaseSettings):
    """Settings for ``LiteLLMProvider`` (env prefix ``LITELLM_``).

    ``LiteLLMConfig(chat_model=...)``: the arguments given win, and every field not given is
    still read from its ``LITELLM_*`` variable (pydantic-settings' rule).
    ``LiteLLMConfig.from_values(chat_model=...)``: the arguments given and the defaults only;
    the environment is not read.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="ignore",
        case_sensitive=False,
        validate_default=True,
        # litellm can load a .env itself; we read the process environment only.
        env_file=None,
    )

    # --- Director's BaseLLMConfig fields -------------------------------------------
    llm_type: str = Field("litellm", description="Director's provider name for this class.")
    api_key: SecretStr | None = Field(
        None,
        description="Key sent to the provider. Unset: litellm uses the provider's own variable "
        "(OPENAI_API_KEY, ANTHROPIC_API_KEY, ...).",
    )
    api_base: str | None = Field(
        None, description="Base URL of the endpoint (a LiteLLM Proxy, Azure resource, Ollama, ...)."
    )
    chat_model: str = Field(
        "gpt-4o-mini",
        description="litellm model name, with provider prefix: `anthropic/claude-sonnet-4-5`, "
        "`azure/<deployment>`, `ollama/llama3`, ...",
    )
    temperature: float = Field(DIRECTOR_DEFAULTS["temperature"], ge=0, le=2, description="Sampling temperature.")
    top_p: float = Field(
        DIRECTOR_DEFAULTS["top_p"],
        ge=0,
        le=1,
        description='Nucleus sampling. Sent only when you set it (see "Per-model rules").',
    )
    max_tokens: int = Field(DIRECTOR_DEFAULTS["max_tokens"], gt=0, description="Maximum tokens to generate.")
    timeout: float = Field(DIRECTOR_DEFAULTS["timeout"], gt=0, description="Seconds allowed for one call.")
    enable_langfuse: bool = Field(
        False, description="Director's switch: turn on litellm's `langfuse` callback (needs the `langfuse` package)."
    )

    # --- what a LiteLLM user needs on top ---------------------------------------------
    api_version: str | None = Field(None, description="API version (Azure OpenAI).")
    num_retries: int = Field(
        2, ge=0, le=10, description="Retries after a retryable failure (rate limit, timeout, 5xx)."
    )
    retry_initial_delay: float = Field(
        0.5, ge=0, le=60, description="Seconds before the first retry; doubles per retry, with jitter."
    )
    retry_max_delay: float = Field(8.0, ge=0, le=300, description="Longest wait between two retries.")
    extra_headers: dict[str, str] = Field(default_factory=dict, description="Extra HTTP headers, as a JSON object.")
    extra_params: dict[str, Any] = Field(
        default_factory=dict,
        description="Extra keyword arguments passed to `litellm.completion`, as a JSON object.",
    )
    # Not named drop_params: litellm itself reads LITELLM_DROP_PARAMS at import as a process-wide flag.
    drop_unsupported_params: bool = Field(
        True,
        description="Let litellm drop parameters the model does not support (sent per call as "
        "`drop_params`; litellm's own process-wide `LITELLM_DROP_PARAMS` is left alone).",
    )
    fallbacks: list[str | FallbackModel] = Field(
        default_factory=list,
        description="Models tried in order after the primary exhausts its retries, as a JSON list. "
        "A name uses this config's api_base/api_key; an object "
        '`{"model", "api_base", "api_key", "api_version"}` brings its own.',
    )

    router_config: str | None = Field(
        None,
        description="Path to a YAML/JSON LiteLLM Router config (`model_list`, fallbacks, routing); "
        "when set, calls go through one shared `litellm.Router` and `chat_model` names a model group.",
    )
    callbacks: list[str] = Field(
        default_factory=list,
        description="litellm callbacks for every call, as a JSON list: names litellm knows (`langfuse`, `otel`, ...) "
        "or `module:attribute` naming a litellm `CustomLogger` instance or class. Sent per call; "
        "litellm's process-wide callback lists are left alone (docs/observability.md).",
    )
    reasoning_effort: str | None = Field(
        None, description="`low`, `medium` or `high`, passed to models that support reasoning effort."
    )
    thinking_budget: int | None = Field(
        None,
        ge=1024,
        description="Turns on Claude's extended thinking (Anthropic, Bedrock, Vertex) with this many tokens "
        "(at least 1024); temperature becomes 1 and max_tokens stays above it (docs/reasoning.md).",
    )
    prompt_caching: Literal["auto", "off"] = Field(
        "auto",
        description="`auto`: place prompt-cache breakpoints (`cache_control`) on Claude models whose wire "
        "takes them (tools, system prompt, history; see docs/prompt-caching.md). `off`: send none.",
    )

    context_fit: Literal["auto", "off"] = Field(
        "auto",
        description="`auto`: fit a conversation longer than the model's input window into it before sending "
        "(old tool results shortened, then the oldest turns dropped; see docs/context-fit.md). `off`: send it whole.",
    )
    context_window: int | None = Field(
        None,
        gt=0,
        description="Input window in tokens, for the chat model and its `fallbacks`. Unset: litellm's model "
        "data (`max_input_tokens`); a model it does not know is not fitted.",
    )
    context_fallback: str | None = Field(
        None,
        description="A larger-window model (same endpoint and key) that gets the whole conversation when it "
        "does not fit the chat model's window, before any trimming (litellm's `context_window_fallbacks`).",
    )

    @field_validator("prompt_caching", "context_fit", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    def __init__(self, **values: Any) -> None:
        # Unknown keywords are refused (a typo would otherwise send calls to the default model);
        # unknown LITELLM_* environment variables and .env entries stay ignored (extra="ignore").
        unknown = [name for name in values if name not in type(self).model_fields and name not in _settings_options()]
        if unknown:
            raise UnknownSettingError(_unknown_message(unknown))
        super().__init__(**values)

    @field_validator(
        "api_base",
        "api_version",
        "router_config",
        "reasoning_effort",
        "context_window",
        "context_fallback",
        "thinking_budget",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("api_key", mode="before")
    @classmethod
    def _empty_key_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, SecretStr) and not value.get_secret_value().strip():
            return None
        return value

    @field_validator("chat_model")
    @classmethod
    def _model_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name a model, e.g. openai/gpt-4o-mini")
        return value.strip()

    def __repr_args__(self) -> Any:
        # SecretStr masks itself; URLs (api_base, fallbacks) and headers may carry credentials too
        return _clean_repr_args(super().__repr_args__())

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        if _values_only.get():
            return (init_settings,)
        return (init_settings, env_settings, dotenv_settings, file_secret_settings)

    @classmethod
    def from_values(cls, **values: Any) -> LiteLLMConfig:
        """A config from ``values`` and the defaults alone, ignoring every ``LITELLM_*`` variable.

        For code that must not depend on the host's environment (tests, the demo, a config
        built from your own settings store). Validated like the constructor.
        """
        token = _values_only.set(True)
        try:
            return cls(**values)
        finally:
            _values_only.reset(token)


_SETTINGS_OPTIONS: frozenset[str] = frozenset()


def secrets(cfg: LiteLLMConfig) -> list[str]:
    """The keys ``cfg`` carries (its own and its fallbacks'), for scrubbing from logs and messages."""
    keys = [cfg.api_key] + [fb.api_key for fb in cfg.fallbacks if isinstance(fb, FallbackModel)]
    return [key.get_secret_value() for key in keys if key is not None]


def _settings_options() -> frozenset[str]:
    """pydantic-settings' own constructor options (``_env_file``, ``_secrets_dir``, ...)."""
    global _SETTINGS_OPTIONS
    if not _SETTINGS_OPTIONS:
        params = inspect.signature(BaseSettings.__init__).parameters
        _SETTINGS_OPTIONS = frozenset(name for name in params if name.startswith("_") and not name.startswith("__"))
    return _SETTINGS_OPTIONS


def _unknown_message(unknown: list[str]) -> str:
    import difflib  # only for a typo's message: ~1 ms a Director host's start-up need not pay

    fields = list(LiteLLMConfig.model_fields)
    problems = []
    for name in unknown:
        near = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
        hint = f"did you mean '{near[0]}'?" if near else "it is not a setting"
        problems.append(f"'{name}' ({hint})")
    return f"LiteLLMConfig got an unknown keyword argument: {'; '.join(problems)}. Settings: {', '.join(fields)}"


_from_env: dict[Any, LiteLLMConfig] = {}


def load_config(**overrides: Any) -> LiteLLMConfig:
    """Build a config from the environment, naming the variable on a bad value.

    Director builds about eleven providers per chat message; parsing the environment
    each time costs close to a millisecond, so the result for one set of ``LITELLM_*``
    values is kept and each caller gets its own copy.
    """
    if overrides:
        return _validated(overrides)
    snapshot = frozenset((k.upper(), v) for k, v in os.environ.items() if k.upper().startswith(ENV_PREFIX))
    cached = _from_env.get(snapshot)
    if cached is None:
        cached = _validated({})
        if len(_from_env) > 32:  # environments do not churn; keep the cache small anyway
            _from_env.clear()
        _from_env[snapshot] = cached
    return cached.model_copy(deep=True)


def _validated(overrides: dict[str, Any]) -> LiteLLMConfig:
    try:
        return LiteLLMConfig(**overrides)
    except SettingsError as exc:  # a LITELLM_* value pydantic-settings cannot parse (JSON): named, not raised
        problems = [_unparsable(exc)]
    except ValidationError as exc:
        problems = _problems(exc)
    text = "; ".join(
        f"{p.field + '=' if p.field in overrides else p.variable} {p.value}: {p.message}" for p in problems
    )
    raise ConfigError(f"invalid director-litellm configuration: {text}", problems=problems) from None


def _unparsable(exc: SettingsError) -> ConfigProblem:
    """The variable whose JSON pydantic-settings could not read; its value is not shown (it may hold a key)."""
    import re

    match = re.search(r'field "(\w+)"', str(exc))
    field = match.group(1) if match else "?"
    cause = exc.__cause__
    return ConfigProblem(field, f"{ENV_PREFIX}{field.upper()}", "(not shown)", f"not valid JSON ({cause or exc})")


def _problems(exc: ValidationError) -> list[ConfigProblem]:
    problems = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "?"
        shown = "<hidden>" if field == "api_key" else json.dumps(err.get("input"), default=str)[:60]
        problems.append(ConfigProblem(field, f"{ENV_PREFIX}{field.upper()}", shown, err["msg"]))
    return problems


def configuration_table() -> str:
    """The configuration table of docs/configuration.md, generated from the fields above."""
    rows = ["| Variable | Default | Description |", "| --- | --- | --- |"]
    for name, field in LiteLLMConfig.model_fields.items():
        value = field.get_default(call_default_factory=True)  # the factories here take no arguments
        default = "unset" if value is None else value if isinstance(value, str) else json.dumps(value)
        rows.append(f"| `{ENV_PREFIX}{name.upper()}` | `{default}` | {field.description} |")
    return "\n".join(rows)


__all__ = [
    "ENV_PREFIX",
    "ConfigError",
    "FallbackModel",
    "LiteLLMConfig",
    "UnknownSettingError",
    "configuration_table",
    "load_config",
    "secrets",
]


if __name__ == "__main__":  # pragma: no cover - regenerates the table in docs/configuration.md
    import sys

    sys.stdout.write(configuration_table() + "\n")
