"""The ``LITELLM_*`` variables read outside ``LiteLLMConfig``: each named once, with its meaning and default,
and read through ``read``/``enabled``. docs/configuration.md lists them (a test keeps the two in step).

They are not ``LiteLLMConfig`` fields because they change the process, not one provider (the banner
switch, the warm-up), or belong to litellm itself (read here only to report or default them).
"""

from __future__ import annotations

import os
from typing import NamedTuple


class Variable(NamedTuple):
    name: str
    default: str
    meaning: str
    ours: bool  # False: litellm's own variable, read here to report it or set its default


SUPPRESS_DEBUG_INFO = Variable(
    "LITELLM_SUPPRESS_DEBUG_INFO",
    "true",
    "Set litellm's process-wide `suppress_debug_info` at its first import (no banners on failed calls); "
    "`false`/`0`/`no`/`off` leaves litellm's own value alone.",
    True,
)
WARM_UP = Variable(
    "LITELLM_WARM_UP",
    "true",
    "`warm_up()` imports litellm in a background thread; `false`/`0`/`no`/`off` turns it off.",
    True,
)
LOGGING_PER_LOOP = Variable(
    "LITELLM_LOGGING_PER_LOOP",
    "true",
    "At litellm's first import, give litellm 1.110's async logging worker one instance per event loop "
    "(its one shared worker is not thread-safe: loops in several threads lose logging events); "
    "`false`/`0`/`no`/`off` leaves litellm's worker alone.",
    True,
)
ROUTER_CONFIG = Variable(
    "LITELLM_ROUTER_CONFIG",
    "",
    "The `router_config` setting's variable, named in router-mode messages (see docs/router.md).",
    True,
)
LOCAL_MODEL_COST_MAP = Variable(
    "LITELLM_LOCAL_MODEL_COST_MAP",
    "True",
    "litellm's: use its bundled model map instead of fetching it; defaulted to `True` before the import.",
    False,
)
LOCAL_ANTHROPIC_BETA_HEADERS = Variable(
    "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS",
    "True",
    "litellm's (1.10x): use its bundled Anthropic beta-header data; defaulted to `True` before the import.",
    False,
)
MODE = Variable(
    "LITELLM_MODE", "DEV", "litellm's: in `DEV` its import loads a `.env` (doctor reports which one).", False
)
LOG = Variable(
    "LITELLM_LOG", "", "litellm's log level; doctor warns when it is `DEBUG` (request bodies logged).", False
)

VARIABLES = (
    SUPPRESS_DEBUG_INFO,
    LOGGING_PER_LOOP,
    WARM_UP,
    ROUTER_CONFIG,
    LOCAL_MODEL_COST_MAP,
    LOCAL_ANTHROPIC_BETA_HEADERS,
    MODE,
    LOG,
)
OFFLINE_DATA = (LOCAL_MODEL_COST_MAP, LOCAL_ANTHROPIC_BETA_HEADERS)
_OFF = frozenset({"false", "0", "no", "off"})


def read(variable: Variable) -> str:
    """The variable's value, or its default when unset."""
    return os.environ.get(variable.name, variable.default)


def enabled(variable: Variable) -> bool:
    """A switch: on unless set to ``false``/``0``/``no``/``off`` (any case, spaces ignored)."""
    return read(variable).strip().lower() not in _OFF


def default_offline_data() -> None:
    """Set litellm's offline-data variables to their defaults where the host has not chosen (``setdefault``)."""
    for variable in OFFLINE_DATA:
        os.environ.setdefault(variable.name, variable.default)


def markdown_table() -> str:
    """The table docs/configuration.md shows between its ``environment-table`` markers (a test compares them)."""
    rows = ["| Variable | Default | Whose | Meaning |", "| --- | --- | --- | --- |"]
    for v in VARIABLES:
        default = f"`{v.default}`" if v.default else "unset"
        rows.append(f"| `{v.name}` | {default} | {'ours' if v.ours else 'litellm'} | {v.meaning} |")
    return "\n".join(rows)


__all__ = ["VARIABLES", "Variable", "default_offline_data", "enabled", "markdown_table", "read"]
