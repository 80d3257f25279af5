"""Stand-in for Director's ``director.core.reasoning``: builds its LLM in ``__init__``."""

from director.llm import get_default_llm


class ReasoningEngine:
    def __init__(self, input_message=None, session=None):
        self.input_message = input_message
        self.session = session
        self.llm = get_default_llm()
