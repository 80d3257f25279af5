"""Stand-in for Director's ``director.llm.openai``: a built-in LLM reading its own ``OPENAI_*`` env."""

from pydantic_settings import SettingsConfigDict

from director.constants import LLMType
from director.llm.base import BaseLLM, BaseLLMConfig, LLMResponse, LLMResponseStatus


class OpenAIConfig(BaseLLMConfig):
    model_config = SettingsConfigDict(env_prefix="OPENAI_", extra="ignore")

    llm_type: str = LLMType.OPENAI.value
    chat_model: str = "gpt-4o"


class OpenAI(BaseLLM):
    def __init__(self, config: OpenAIConfig | None = None):
        if config is None:
            config = OpenAIConfig()
        super().__init__(config=config)

    def chat_completions(self, messages, tools=[], stop=None, response_format=None):
        return LLMResponse(content="stand-in: no network", status=LLMResponseStatus.ERROR)
