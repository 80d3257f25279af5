"""Find Director's base classes when Director is importable.

Director is never a dependency (the PyPI name ``director`` belongs to an
unrelated project), so anything that fails here means "Director is not
present" and the package's own equivalents are used instead.
"""

from __future__ import annotations

import functools
import logging
from types import ModuleType

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
