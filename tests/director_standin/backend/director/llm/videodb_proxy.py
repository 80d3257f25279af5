"""Stand-in for Director's ``director.llm.videodb_proxy``: a built-in LLM reading its own ``VIDEO_DB_*`` env."""

from pydantic_settings import SettingsConfigDict

from director.constants import LLMType
from director.llm.base import BaseLLM, BaseLLMConfig, LLMResponse, LLMResponseStatus


class VideoDBProxyConfig(BaseLLMConfig):
    model_config = SettingsConfigDict(env_prefix="VIDEO_DB_", extra="ignore")

    llm_type: str = LLMType.VIDEODB_PROXY.value
    chat_model: str = "gpt-4o"


class VideoDBProxy(BaseLLM):
    def __init__(self, config: VideoDBProxyConfig | None = None):
        if config is None:
            config = VideoDBProxyConfig()
        super().__init__(config=config)

    def chat_completions(self, messages, tools=[], stop=None, response_format=None):
        return LLMResponse(content="stand-in: no network", status=LLMResponseStatus.ERROR)
