"""director-litellm: use any LiteLLM provider from VideoDB's Director.

The public names are resolved lazily so that ``import director_litellm`` stays
cheap: neither litellm nor pydantic-settings is imported until a name that needs
it is touched (Director builds about eleven LLM objects per chat message, and a
host that only scans entry points should not pay for litellm's import).
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# a library is quiet unless the host configures logging (the logging HOWTO's advice for libraries)
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "LLMResponse",
    "LLMResponseStatus",
    "LiteLLMConfig",
    "LiteLLMProvider",
    "__version__",
    "warm_up",
]

# public name -> module that defines it
_LAZY = {
    "LiteLLMConfig": "director_litellm._config",
    "LiteLLMProvider": "director_litellm.provider",
    "LLMResponse": "director_litellm._response",
    "LLMResponseStatus": "director_litellm._response",
    "warm_up": "director_litellm._warm",
}

if TYPE_CHECKING:  # pragma: no cover
    from director_litellm._config import LiteLLMConfig
    from director_litellm._response import LLMResponse, LLMResponseStatus
    from director_litellm._warm import warm_up
    from director_litellm.provider import LiteLLMProvider


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'director_litellm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
