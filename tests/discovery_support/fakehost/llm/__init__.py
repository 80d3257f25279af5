"""Stand-in for Director's ``director/llm/__init__.py`` after the integration step.

The built-in classes and ``_legacy_default_llm`` (Director's previous
``get_default_llm`` body, renamed) mimic Director's module. ``get_default_llm``
below is ``director_litellm.discovery.DIRECTOR_SNIPPET`` verbatim;
tests/test_discovery.py checks that, so the README's snippet is the code tested.
"""

import os


class LLMType:
    """Director's ``LLMType`` values (a str enum there)."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    VIDEODB_PROXY = "videodb_proxy"


class _BuiltinLLM:
    """Stand-in for Director's ``BaseLLM``: constructed with an optional config."""

    def __init__(self, config=None):
        self.config = config


class OpenAI(_BuiltinLLM):
    """Stand-in for ``director.llm.openai.OpenAI``."""


class AnthropicAI(_BuiltinLLM):
    """Stand-in for ``director.llm.anthropic.AnthropicAI``."""


class VideoDBProxy(_BuiltinLLM):
    """Stand-in for ``director.llm.videodb_proxy.VideoDBProxy``."""


def _legacy_default_llm():
    openai = bool(os.getenv("OPENAI_API_KEY"))
    anthropic = bool(os.getenv("ANTHROPIC_API_KEY"))
    default_llm = os.getenv("DEFAULT_LLM")
    if openai or default_llm == LLMType.OPENAI:
        return OpenAI()
    elif anthropic or default_llm == LLMType.ANTHROPIC:
        return AnthropicAI()
    else:
        return VideoDBProxy()


def get_default_llm():
    """Return the LLM named by DEFAULT_LLM (built-in or plugin), else the key-based default."""
    try:
        from director_litellm.discovery import get_default_llm as discover
    except ImportError:  # director-litellm is not installed: keep the old behaviour
        return _legacy_default_llm()
    return discover(
        builtins={"openai": OpenAI, "anthropic": AnthropicAI, "videodb_proxy": VideoDBProxy},
        fallback=_legacy_default_llm,  # Director's previous get_default_llm body, renamed
    )
