"""Stand-in for Director's ``director/llm/__init__.py`` after the integration step.

The built-in classes and the first ``get_default_llm`` (Director's key sniffing) mimic
Director's module; everything after it is ``director_litellm.discovery.DIRECTOR_SNIPPET``
verbatim, as the shipped patch appends it (tests/test_discovery.py checks that). The
stand-in of Director's whole package, which the patch itself is applied to, is
tests/director_standin/backend.
"""

import os
from enum import Enum


class LLMType(str, Enum):
    """Director's ``LLMType`` values."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    GOOGLEAI = "googleai"
    VIDEODB_PROXY = "videodb_proxy"


class _BuiltinLLM:
    """Stand-in for Director's ``BaseLLM``: constructed with an optional config."""

    def __init__(self, config=None):
        self.config = config


class OpenAI(_BuiltinLLM):
    """Stand-in for ``director.llm.openai.OpenAI``."""


class AnthropicAI(_BuiltinLLM):
    """Stand-in for ``director.llm.anthropic.AnthropicAI``."""


class GoogleAI(_BuiltinLLM):
    """Stand-in for ``director.llm.googleai.GoogleAI``."""


class VideoDBProxy(_BuiltinLLM):
    """Stand-in for ``director.llm.videodb_proxy.VideoDBProxy``."""


def get_default_llm():
    openai = bool(os.getenv("OPENAI_API_KEY"))
    anthropic = bool(os.getenv("ANTHROPIC_API_KEY"))
    googleai = bool(os.getenv("GOOGLEAI_API_KEY"))
    default_llm = os.getenv("DEFAULT_LLM")
    if openai or default_llm == LLMType.OPENAI:
        return OpenAI()
    elif anthropic or default_llm == LLMType.ANTHROPIC:
        return AnthropicAI()
    elif googleai or default_llm == LLMType.GOOGLEAI:
        return GoogleAI()
    else:
        return VideoDBProxy()


# director-litellm: DEFAULT_LLM, when set, names the LLM (a built-in or a director.llm_providers plugin).
# Director's own choice above is kept as _director_get_default_llm; `git apply -R` undoes this.
_director_get_default_llm = get_default_llm

try:
    from director_litellm.discovery import get_default_llm as _discover_llm
    from director_litellm.discovery import warm_up_selected as _warm_up_selected
except ImportError:  # director-litellm is not installed: Director's own choice, unchanged
    _discover_llm = None
else:
    _warm_up_selected()  # DEFAULT_LLM=litellm: import litellm in the background while Director starts


def get_default_llm():
    """Return the LLM that DEFAULT_LLM names, else Director's own choice."""
    if _discover_llm is None:
        return _director_get_default_llm()
    return _discover_llm(
        builtins={
            LLMType.OPENAI: OpenAI,
            LLMType.ANTHROPIC: AnthropicAI,
            LLMType.GOOGLEAI: GoogleAI,
            LLMType.VIDEODB_PROXY: VideoDBProxy,
        },
        fallback=_director_get_default_llm,  # DEFAULT_LLM unset, or a name nothing provides
    )
