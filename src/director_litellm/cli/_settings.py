"""What a command runs with: the configuration (the environment overridden by its flags), and litellm.

``resolve`` never raises on a bad value: it reports the problems ``ConfigError`` carries and
builds the config with the invalid fields at their defaults, so doctor can still check
everything else the user set.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from director_litellm.cli._console import mask, mask_tree, short

if TYPE_CHECKING:
    from director_litellm._config import LiteLLMConfig
    from director_litellm._errors import ConfigProblem


@dataclass(frozen=True)
class Resolved:
    """A config, where each setting came from, and what was wrong with the rest."""

    config: LiteLLMConfig
    #: field -> the flag that set it (``--model``) or the variable's name as set
    sources: dict[str, str]
    problems: tuple[ConfigProblem, ...] = ()
    #: field -> flag, for the settings given on the command line
    flags: Mapping[str, str] = field(default_factory=dict)

    @property
    def invalid(self) -> list[str]:
        """Fields whose value was refused (now at their defaults)."""
        return list(dict.fromkeys(p.field for p in self.problems))

    def where(self, problem: ConfigProblem) -> str:
        """The flag or variable the user typed for ``problem``'s setting."""
        return self.flags.get(problem.field, problem.variable)

    def error(self) -> str | None:
        """One sentence naming every invalid setting by the flag or variable that set it."""
        if not self.problems:
            return None
        text = "; ".join(f"{self.where(p)} {p.value}: {p.message}" for p in self.problems)
        return f"invalid director-litellm configuration: {text}"

    def shown(self) -> dict[str, Any]:
        """Every setting as JSON values, secrets masked, URLs scrubbed, invalid ones marked."""
        values = self.config.model_dump(mode="json")
        key = self.config.api_key
        values["api_key"] = mask(key.get_secret_value()) if key is not None else None
        shown = {name: (value if name == "api_key" else mask_tree(value)) for name, value in values.items()}
        shown.update({name: "(invalid)" for name in self.invalid})
        return shown


def env_name(name: str) -> str | None:
    """The variable actually set for ``name`` (settings are read case-insensitively), if any."""
    if name in os.environ:
        return name
    upper = name.upper()
    return next((k for k in os.environ if k.upper() == upper), None)


def field_var(field_name: str) -> str:
    from director_litellm._config import ENV_PREFIX

    return f"{ENV_PREFIX}{field_name.upper()}"


def config_fields() -> list[str]:
    from director_litellm._config import LiteLLMConfig

    return list(LiteLLMConfig.model_fields)


def resolve(overrides: Mapping[str, Any], flags: Mapping[str, str]) -> Resolved:
    """The config from the environment and ``overrides`` (field -> value given by ``flags[field]``)."""
    from director_litellm._config import LiteLLMConfig, load_config
    from director_litellm._errors import ConfigError

    problems: tuple[ConfigProblem, ...] = ()
    try:
        config = load_config(**overrides)
    except ConfigError as exc:
        problems = exc.problems
        fields = LiteLLMConfig.model_fields
        reset = {p.field: fields[p.field].get_default(call_default_factory=True) for p in problems if p.field in fields}
        try:
            config = LiteLLMConfig(**{**overrides, **reset})
        except Exception:  # pragma: no cover - the defaults are valid; belt and braces
            config = LiteLLMConfig.model_construct()
    sources: dict[str, str] = {}
    for name in config_fields():
        if name in overrides:
            sources[name] = flags.get(name, name)
        elif (var := env_name(field_var(name))) is not None:
            sources[name] = var
    return Resolved(config, sources, problems, {name: flags.get(name, f"{name}=") for name in overrides})


# litellm's own LITELLM_* variables: not misspellings of ours
LITELLM_OWN = frozenset(
    {
        "LITELLM_LOCAL_MODEL_COST_MAP",
        "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS",
        "LITELLM_MODEL_COST_MAP_URL",
        "LITELLM_LOG",
        "LITELLM_MODE",
        "LITELLM_MASTER_KEY",
        "LITELLM_SALT_KEY",
        "LITELLM_LICENSE",
        "LITELLM_PROXY_API_KEY",
        "LITELLM_PROXY_API_BASE",
        "LITELLM_DONT_SHOW_FEEDBACK_BOX",
        "LITELLM_MODIFY_PARAMS",
        "LITELLM_PRINT_STANDARD_LOGGING_PAYLOAD",
        "LITELLM_SUPPRESS_STARTUP_OUTPUT",
        "LITELLM_OFFLINE_MODE",
        "LITELLM_LOGGER_NAME",
        "LITELLM_USER_AGENT",
        "LITELLM_DETAILED_TIMING",
    }
)
# how close a variable's name must be to one of ours to count as a misspelling (difflib ratio)
MISSPELLING_CUTOFF = 0.8


def misspelled() -> list[tuple[str, str]]:
    """(variable set, the setting's variable it probably meant) for each near miss, e.g.
    ``("LITELLM_CHAT_MODLE", "LITELLM_CHAT_MODEL")``: such a variable is ignored."""
    import difflib

    from director_litellm._config import ENV_PREFIX

    ours = [field_var(n) for n in config_fields()]
    found = []
    for name in sorted(os.environ):
        upper = name.upper()
        if upper in ours or upper in LITELLM_OWN:
            continue
        if not upper.startswith(ENV_PREFIX) and "LLM" not in upper and "LITE" not in upper:
            continue
        close = difflib.get_close_matches(upper, ours, n=1, cutoff=MISSPELLING_CUTOFF)
        if close:
            found.append((name, close[0]))
    return found


def misspelling(name: str, meant: str) -> str:
    """How doctor and chat word a near miss."""
    return f"{name} is not a director-litellm setting (ignored): did you mean {meant}?"


def ensure_litellm() -> None:
    """Import litellm the way the provider imports it (no network fetch of the cost map); hands nothing out."""
    from director_litellm._litellm import ensure_imported

    ensure_imported()


HISTORY_HELP = (
    "JSON file with a list of messages sent before the prompt (a stored Director session); too long for "
    "the model's window, it is fitted (context_fit in --json)"
)


def files(args: Any) -> tuple[tuple[str, str | None], ...]:
    """``chat``'s JSON file flags and their values: ``--tools``, ``--history``."""
    return (("--tools", args.tools), ("--history", args.history))


def json_list(flag: str, path: str | None, error: Callable[[str], Any]) -> list[Any] | Literal[False] | None:
    """The JSON in the file a flag names (``--history``: a list); None without the flag; False, after one
    ``error`` line naming the flag, when it cannot be read."""
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            value = json.load(handle)
        if flag == "--history" and not isinstance(value, list):
            raise ValueError("expected a JSON list of messages")
    except (OSError, ValueError) as exc:
        error(f"{flag} {path}: {short(exc)}")
        return False
    return value  # type: ignore[no-any-return]
