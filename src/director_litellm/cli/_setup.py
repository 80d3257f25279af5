"""What doctor's checks look at (``Setup``): a leaf the checks import, so they never import ``_doctor`` back."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from director_litellm import _litellm
from director_litellm.cli._console import Console, stdout_caught
from director_litellm.cli._settings import Resolved

if TYPE_CHECKING:
    from director_litellm._config import LiteLLMConfig


@dataclass(frozen=True)
class Setup:
    """What the checks look at: the resolved configuration and whether litellm could be imported."""

    resolved: Resolved
    litellm: bool
    console: Console

    @property
    def config(self) -> LiteLLMConfig:
        return self.resolved.config

    @cached_property
    def route(self) -> tuple[str, str] | None:
        """(model name without prefix, litellm provider) for ``chat_model``, or None if litellm cannot tell."""
        if not self.litellm:
            return None
        with stdout_caught(self.console):
            found = _litellm.resolve(self.config.chat_model, self.config.api_base)
        return None if found is None else (found.model, found.provider)


__all__ = ["Setup"]
