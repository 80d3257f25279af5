"""Director's ``LLMType``: a str enum with the four built-in provider names."""

from enum import Enum


class LLMType(str, Enum):
    """Names ``DEFAULT_LLM`` can take in Director without this package."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    GOOGLEAI = "googleai"
    VIDEODB_PROXY = "videodb_proxy"
