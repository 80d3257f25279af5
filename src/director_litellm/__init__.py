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
    "ConfigError",
    "ContextWindowError",
    "DirectorLiteLLMError",
    "DuplicateProviderError",
    "Final",
    "IncompatibleProviderError",
    "InvalidInputError",
    "LLMResponse",
    "LLMResponseStatus",
    "LiteLLMConfig",
    "LiteLLMProvider",
    "ProviderImportError",
    "ProviderLoadError",
    "ProviderNotFoundError",
    "ReasoningDelta",
    "StreamEvent",
    "TextDelta",
    "UnknownSettingError",
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
    # the exception tree (drawn in _errors' docstring); discovery's branch is importable without pydantic
    "DirectorLiteLLMError": "director_litellm._errors",
    "ConfigError": "director_litellm._errors",
    "InvalidInputError": "director_litellm._errors",
    "ContextWindowError": "director_litellm._errors",
    "UnknownSettingError": "director_litellm._config",
    "ProviderLoadError": "director_litellm.discovery",
    "ProviderNotFoundError": "director_litellm.discovery",
    "DuplicateProviderError": "director_litellm.discovery",
    "ProviderImportError": "director_litellm.discovery",
    "IncompatibleProviderError": "director_litellm.discovery",
    # what the stream methods yield
    "TextDelta": "director_litellm._stream",
    "ReasoningDelta": "director_litellm._stream",
    "Final": "director_litellm._stream",
    "StreamEvent": "director_litellm._stream",
}

if TYPE_CHECKING:  # pragma: no cover
    from director_litellm._config import LiteLLMConfig, UnknownSettingError
    from director_litellm._errors import ConfigError, ContextWindowError, DirectorLiteLLMError, InvalidInputError
    from director_litellm._response import LLMResponse, LLMResponseStatus
    from director_litellm._stream import Final, ReasoningDelta, StreamEvent, TextDelta
    from director_litellm._warm import warm_up
    from director_litellm.discovery import (
        DuplicateProviderError,
        IncompatibleProviderError,
        ProviderImportError,
        ProviderLoadError,
        ProviderNotFoundError,
    )
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
