"""What can be found wrong with a model name or a key before litellm is asked, worded as doctor words it.

litellm's own refusal of a model name without a provider ("LLM Provider NOT provided. Pass in
the LLM provider ... Learn more: https://...") is upstream text, and litellm's import takes
seconds. So:

- ``check_routes`` (one call site, ``request``): a call's models that litellm cannot route are
  refused as a ``ConfigError`` in this package's words before anything is sent, so litellm's
  sentence never reaches ``content``.
- ``before_import`` (the command line): a bare model name litellm's bundled model map does not
  know, or a key that is certainly missing, found from the environment and that map alone,
  without importing litellm, so ``director-litellm chat`` answers in well under a second.

The key check knows only providers whose one key variable is the same on every supported litellm
(``PROVIDER_KEYS``; a test compares it with litellm's ``validate_environment``); for the others
it says nothing and litellm decides.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from director_litellm import _environment as environment
from director_litellm import _litellm
from director_litellm._errors import ConfigError

if TYPE_CHECKING:
    from director_litellm._config import LiteLLMConfig

# providers whose one key variable litellm reads is known and the same on litellm 1.60 and 1.110
PROVIDER_KEYS = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "groq": "GROQ_API_KEY",
    "mistral": "MISTRAL_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "xai": "XAI_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "together_ai": "TOGETHERAI_API_KEY",
}
# request headers and litellm keywords that carry a credential of their own
_AUTH_HEADERS = frozenset({"authorization", "api-key", "x-api-key"})
_CREDENTIAL_PARAMS = ("api_key", "azure_ad_token", "azure_ad_token_provider", "aws_access_key_id", "aws_profile_name")
# how close a known model name must be to be offered as the one meant (difflib ratio)
_NEAR_NAME_CUTOFF = 0.75


@functools.cache
def bundled_models() -> dict[str, str]:
    """Model name -> litellm provider, from the model map litellm ships, read WITHOUT importing
    litellm (its import takes seconds); empty when litellm or the file is not there."""
    import importlib.util
    import json

    try:
        spec = importlib.util.find_spec("litellm")  # finds the package; does not import it
        folder = next(iter(spec.submodule_search_locations or ())) if spec else None
        if folder is None:
            return {}
        with open(os.path.join(folder, "model_prices_and_context_window_backup.json"), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError, StopIteration, ImportError):
        return {}
    return {
        name: str(entry["litellm_provider"])
        for name, entry in data.items()
        if isinstance(entry, dict) and entry.get("litellm_provider")
    }


def unroutable(model: str, known: Iterable[str] = ()) -> str:
    """One sentence: litellm cannot tell the provider of ``model``, and how to name it."""
    bare = [name for name in known if "/" not in name]
    near = difflib.get_close_matches(model, bare, n=1, cutoff=_NEAR_NAME_CUTOFF)
    meant = f", or did you mean {near[0]!r}?" if near else ""
    return (
        f"litellm cannot tell which provider serves {model!r}: put the provider in front of the name, "
        f"e.g. openai/{model} or anthropic/{model}{meant}"
    )


def no_key(model: str, variables: Iterable[str], api_base: str | None) -> str:
    """The sentence of a missing key (``request.check_credentials`` words it the same)."""
    local = " (a local server that takes no key accepts any value: LITELLM_API_KEY=none)" if api_base else ""
    return f"no API key for {model}: set {' or '.join(variables)} (or LITELLM_API_KEY){local}"


def check_routes(models: Iterable[tuple[str, str | None]]) -> None:
    """Raise ``ConfigError`` for the first (model, api_base) litellm cannot route (it imports litellm)."""
    for model, api_base in models:
        if not _litellm.routable(model, api_base):
            raise ConfigError(unroutable(model, bundled_models()))


def before_import(config: LiteLLMConfig, environ: Mapping[str, str] | None = None) -> str | None:
    """What is certainly wrong with ``config``'s model or key, from the environment and litellm's
    bundled model map only (litellm is not imported); None when nothing is, or it cannot tell."""
    env = os.environ if environ is None else environ
    if config.router_config or config.fallbacks:  # deployments and fallbacks bring their own rules
        return None
    model, api_base = config.chat_model, config.api_base
    prefix, _, _ = model.partition("/")
    if "/" in model:
        provider: str | None = prefix
    else:
        known = bundled_models() if _bundled_map_in_use(env) else {}
        if not known or model.startswith("ft:"):  # no data, or a fine-tune name litellm routes itself
            return None
        if model not in known:
            return None if api_base else unroutable(model, known)  # an api_base can route a bare name
        provider = known[model]
    variable = PROVIDER_KEYS.get(provider or "")
    if variable is None or variable in env or _has_credential(config):
        return None
    return no_key(model, [variable], api_base)


def _bundled_map_in_use(env: Mapping[str, str]) -> bool:
    """litellm reads its bundled map (the package sets this unless the host chose to fetch one)."""
    variable = environment.LOCAL_MODEL_COST_MAP
    return env.get(variable.name, variable.default).strip().lower() == "true"


def _has_credential(config: LiteLLMConfig) -> bool:
    headers = {name.lower() for name in config.extra_headers}
    extra: dict[str, Any] = config.extra_params
    return config.api_key is not None or bool(headers & _AUTH_HEADERS) or any(extra.get(k) for k in _CREDENTIAL_PARAMS)


__all__ = ["PROVIDER_KEYS", "before_import", "check_routes", "no_key", "unroutable"]
