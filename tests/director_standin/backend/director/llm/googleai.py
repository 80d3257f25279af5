"""Stand-in for Director's ``director.llm.googleai``: a built-in LLM reading its own ``GOOGLEAI_*`` env."""

from pydantic_settings import SettingsConfigDict

from director.constants import LLMType
from director.llm.base import BaseLLM, BaseLLMConfig, LLMResponse, LLMResponseStatus


class GoogleAIConfig(BaseLLMConfig):
    model_config = SettingsConfigDict(env_prefix="GOOGLEAI_", extra="ignore")

    llm_type: str = LLMType.GOOGLEAI.value
    chat_model: str = "gemini-1.5-pro-002"


class GoogleAI(BaseLLM):
    def __init__(self, config: GoogleAIConfig | None = None):
        if config is None:
            config = GoogleAIConfig()
        super().__init__(config=config)

    def chat_completions(self, messages, tools=[], stop=None, response_format=None):
        return LLMResponse(content="stand-in: no network", status=LLMResponseStatus.ERROR)
