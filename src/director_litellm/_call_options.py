"""Per-call keywords and constructor overrides, checked with ``LiteLLMConfig``'s own rules.

Per-call keywords that are call options (``CALL_OPTIONS``) and constructor overrides are checked
with ``LiteLLMConfig``'s own field definitions and validators; a bad value raises
``InvalidInputError`` naming the key, before anything is sent. Any other per-call keyword is passed
to litellm as it is (``request`` keeps out the keys the provider owns).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping
from typing import Annotated, Any, cast

from pydantic import BaseModel, ConfigDict, ValidationError, create_model, field_validator

from director_litellm._config import FallbackModel, LiteLLMConfig, UnknownSettingError
from director_litellm._errors import InvalidInputError
from director_litellm._scrub import scrub


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
    """Constructor overrides checked like the config's own fields.

    An unknown name raises ``UnknownSettingError`` (as ``LiteLLMConfig`` does), naming the nearest
    field: a programming error, refused at construction. A bad value raises ``InvalidInputError``.
    """
    fields = LiteLLMConfig.model_fields
    unknown = [key for key in overrides if key not in fields]
    if unknown:
        hints = []
        for key in unknown:
            near = difflib.get_close_matches(key, list(fields), n=1)
            hints.append(f"{key!r}" + (f" (did you mean {near[0]!r}?)" if near else " (it is not a setting)"))
        raise UnknownSettingError(f"LiteLLMProvider got an unknown keyword argument: {'; '.join(hints)}")
    try:
        checked = _checked_overrides()(**overrides)
    except ValidationError as exc:
        raise _refusal(exc, "LiteLLMProvider option") from None
    return {key: getattr(checked, key) for key in overrides}


__all__ = ["CALL_OPTIONS", "CallOptions", "split_options", "validate_overrides"]
