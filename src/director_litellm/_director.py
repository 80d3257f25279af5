"""Find Director's base classes when Director is importable.

Director is never a dependency (the PyPI name ``director`` belongs to an
unrelated project), so anything that fails here means "Director is not
present" and the package's own equivalents are used instead.
"""

from __future__ import annotations

import functools
import logging
from types import ModuleType
from typing import Any

logger = logging.getLogger(__name__)


@functools.cache
def director_base() -> ModuleType | None:
    """Return ``director.llm.base`` if it is Director's, else ``None``."""
    try:
        from director.llm import base
    except Exception as exc:  # any failure means "no usable Director here"
        logger.debug("Director not importable (%s); using built-in base classes", type(exc).__name__)
        return None
    if all(hasattr(base, name) for name in ("BaseLLM", "LLMResponse", "LLMResponseStatus")):
        module: ModuleType = base
        return module
    logger.debug("a 'director' package is importable but is not VideoDB's Director")
    return None


def base_llm() -> type:
    """Director's ``BaseLLM``, or a stand-in that copies the config onto ``self`` as it does."""
    base = director_base()
    if base is not None:
        director_class: type = base.BaseLLM
        return director_class

    class BaseLLM:
        """Stand-in for ``director.llm.base.BaseLLM``: copies the config onto ``self``."""

        def __init__(self, config: Any) -> None:
            self.config = config
            self.api_key = config.api_key
            self.api_base = config.api_base
            self.chat_model = config.chat_model
            self.temperature = config.temperature
            self.top_p = config.top_p
            self.max_tokens = config.max_tokens
            self.timeout = config.timeout
            self.enable_langfuse = config.enable_langfuse

    return BaseLLM
