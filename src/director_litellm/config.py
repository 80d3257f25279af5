"""``LiteLLMConfig``: the single source of truth for every setting.

Each field is read from the environment as ``LITELLM_<FIELD>`` (case-insensitive)
or passed to the constructor. The README's configuration table is generated from
this class (``configuration_table()``) and a test checks that they agree.

Construction touches no network and never fails for a missing key: litellm reads
provider keys such as ``ANTHROPIC_API_KEY`` itself, so ``api_key`` is optional and
only sent when set.
"""

from __future__ import annotations

import json
import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from director_litellm.errors import ConfigError, scrub

ENV_PREFIX = "LITELLM_"

# Director's BaseLLMConfig defaults; kept identical so switching providers changes nothing.
DIRECTOR_DEFAULTS = {"temperature": 0.9, "top_p": 1.0, "max_tokens": 4096, "timeout": 120}


class FallbackModel(BaseModel):
    """A fallback with its own endpoint (e.g. another provider than the primary's)."""

    model_config = ConfigDict(extra="forbid")

    model: str
    api_base: str | None = None
    api_key: SecretStr | None = None
    api_version: str | None = None

    def __repr__(self) -> str:
        return scrub(super().__repr__())

    def __str__(self) -> str:
        return scrub(super().__str__())


class LiteLLMConfig(BaseSettings):
    """Settings for ``LiteLLMProvider`` (env prefix ``LITELLM_``)."""

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
    enable_langfuse: bool = Field(False, description="Accepted for Director compatibility; unused.")

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
    reasoning_effort: str | None = Field(
        None, description="`low`, `medium` or `high`, passed to models that support reasoning effort."
    )
    prompt_caching: Literal["auto", "off"] = Field(
        "auto",
        description="`auto`: place prompt-cache breakpoints (`cache_control`) on Claude models whose wire "
        "takes them (tools, system prompt, history; see docs/prompt-caching.md). `off`: send none.",
    )

    @field_validator("prompt_caching", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("api_base", "api_version", "router_config", "reasoning_effort", mode="before")
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

    def is_set(self, field: str) -> bool:
        """True when ``field`` was given explicitly (constructor or environment)."""
        return field in self.model_fields_set

    def __repr__(self) -> str:
        # SecretStr masks itself; URLs (api_base, fallbacks) may carry credentials too
        return scrub(super().__repr__())

    def __str__(self) -> str:
        return scrub(super().__str__())


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
    except ValidationError as exc:
        raise ConfigError(_describe(exc, overrides)) from None


def _describe(exc: ValidationError, overrides: dict[str, Any]) -> str:
    problems = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "?"
        where = f"{field}=" if field in overrides else f"{ENV_PREFIX}{field.upper()}"
        value = err.get("input")
        shown = "<hidden>" if field == "api_key" else json.dumps(value, default=str)[:60]
        problems.append(f"{where} {shown}: {err['msg']}")
    return "invalid director-litellm configuration: " + "; ".join(problems)


def configuration_table() -> str:
    """The README's configuration table, generated from the fields above."""
    rows = ["| Variable | Default | Description |", "| --- | --- | --- |"]
    for name, field in LiteLLMConfig.model_fields.items():
        if field.default_factory is not None:
            default = json.dumps(field.default_factory())
        elif field.default is None:
            default = "unset"
        else:
            default = json.dumps(field.default) if not isinstance(field.default, str) else field.default
        rows.append(f"| `{ENV_PREFIX}{name.upper()}` | `{default}` | {field.description} |")
    return "\n".join(rows)


__all__ = ["ENV_PREFIX", "ConfigError", "FallbackModel", "LiteLLMConfig", "configuration_table", "load_config"]


if __name__ == "__main__":  # pragma: no cover - regenerates the README table
    import sys

    sys.stdout.write(configuration_table() + "\n")
