"""Stand-in for Director's ``director/llm/__init__.py`` (main at aa35387), from DESIGN.md.

Same structure as Director's: ``LLMType`` from ``director.constants``, the four built-in
classes from their own modules, and ``get_default_llm`` checking the API keys BEFORE
``DEFAULT_LLM`` (first match wins, ``VideoDBProxy`` last). Kept unpatched: the tests
apply ``integrations/director/director-litellm.patch`` to a copy.
"""

import os

from director.constants import LLMType

from director.llm.openai import OpenAI
from director.llm.anthropic import AnthropicAI
from director.llm.googleai import GoogleAI
from director.llm.videodb_proxy import VideoDBProxy


def get_default_llm():
    """Director's choice: an API key present beats DEFAULT_LLM."""

    has_openai_key = bool(os.getenv("OPENAI_API_KEY"))
    has_anthropic_key = bool(os.getenv("ANTHROPIC_API_KEY"))
    has_google_key = bool(os.getenv("GOOGLEAI_API_KEY"))
    default_llm = os.getenv("DEFAULT_LLM")

    if has_openai_key or default_llm == LLMType.OPENAI:
        return OpenAI()
    elif has_anthropic_key or default_llm == LLMType.ANTHROPIC:
        return AnthropicAI()
    elif has_google_key or default_llm == LLMType.GOOGLEAI:
        return GoogleAI()
    else:
        return VideoDBProxy()
