"""Field-for-field copy of ``director/llm/base.py`` (Director main branch, mid-2025)."""

from abc import ABC, abstractmethod

from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict


class LLMResponseStatus:
    SUCCESS: bool = True
    ERROR: bool = False


class LLMResponse(BaseModel):
    """Response model for completions from LLMs."""

    content: str = ""
    tool_calls: list[dict] = []
    send_tokens: int = 0
    recv_tokens: int = 0
    total_tokens: int = 0
    finish_reason: str = ""
    status: int = LLMResponseStatus.ERROR


class BaseLLMConfig(BaseSettings):
    model_config = SettingsConfigDict(arbitrary_types_allowed=True)

    llm_type: str = ""
    api_key: str = ""
    api_base: str = ""
    chat_model: str = ""
    temperature: float = 0.9
    top_p: float = 1
    max_tokens: int = 4096
    timeout: int = 120
    enable_langfuse: bool = False


class BaseLLM(ABC):
    def __init__(self, config: BaseLLMConfig):
        self.config = config
        self.api_key = config.api_key
        self.api_base = config.api_base
        self.chat_model = config.chat_model
        self.temperature = config.temperature
        self.top_p = config.top_p
        self.max_tokens = config.max_tokens
        self.timeout = config.timeout
        self.enable_langfuse = config.enable_langfuse

    @abstractmethod
    def chat_completions(self, messages: list[dict], tools: list[dict]) -> LLMResponse:
        pass
