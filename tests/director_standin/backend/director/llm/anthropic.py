"""Stand-in for Director's ``director.llm.anthropic``: a built-in LLM reading its own ``ANTHROPIC_*`` env."""

from pydantic_settings import SettingsConfigDict

from director.constants import LLMType
from director.llm.base import BaseLLM, BaseLLMConfig, LLMResponse, LLMResponseStatus


class AnthropicAIConfig(BaseLLMConfig):
    model_config = SettingsConfigDict(env_prefix="ANTHROPIC_", extra="ignore")

    llm_type: str = LLMType.ANTHROPIC.value
    chat_model: str = "claude-3-5-sonnet-20241022"


class AnthropicAI(BaseLLM):
    def __init__(self, config: AnthropicAIConfig | None = None):
        if config is None:
            config = AnthropicAIConfig()
        try:
            import anthropic  # noqa: F401  (Director needs the SDK; the constructor says so)
        except ImportError as exc:
            raise ImportError("Please install the anthropic python library.") from exc
        super().__init__(config=config)

    def chat_completions(self, messages, tools=[], stop=None, response_format=None):
        return LLMResponse(content="stand-in: no network", status=LLMResponseStatus.ERROR)
