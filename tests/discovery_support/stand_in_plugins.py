"""Provider classes that fake distributions point their entry points at.

``StandInLiteLLMProvider`` plays ``director_litellm.provider:LiteLLMProvider``
so host-selection tests need neither litellm nor the real provider module; the
others each break one rule of the provider protocol.
"""


class StandInLiteLLMProvider:
    """Satisfies the protocol: a class, ``chat_completions``, API version 1.x."""

    PROVIDER_API_VERSION = "1.0"

    def __init__(self):
        self.calls = []

    def chat_completions(self, messages, tools=None, stop=None, response_format=None):
        self.calls.append(messages)
        return {"content": "stand-in", "status": True}


class MinorBumpProvider(StandInLiteLLMProvider):
    """A later minor version of the same API: still compatible."""

    PROVIDER_API_VERSION = "1.7"


class FutureApiProvider(StandInLiteLLMProvider):
    """Built for an API major version this loader does not speak."""

    PROVIDER_API_VERSION = "2.0"


class NumericVersionProvider(StandInLiteLLMProvider):
    """Declares its API version as a float instead of a "MAJOR.MINOR" string."""

    PROVIDER_API_VERSION = 1.0


class UnversionedProvider:
    """Has ``chat_completions`` but no ``PROVIDER_API_VERSION``."""

    def chat_completions(self, messages, tools=None, stop=None, response_format=None):
        return None


class NoChatProvider:
    """Declares the API version but has no ``chat_completions``."""

    PROVIDER_API_VERSION = "1.0"


class ExplodingProvider(StandInLiteLLMProvider):
    """Satisfies the protocol but raises when constructed."""

    def __init__(self):
        raise RuntimeError("constructor failed on purpose")


PROVIDER_INSTANCE = StandInLiteLLMProvider()
