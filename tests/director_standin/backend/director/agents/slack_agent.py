"""Stand-in for Director's ``director.agents.slack_agent``: imports ``get_default_llm`` at import time."""

from director.llm import get_default_llm


class SlackAgent:
    def __init__(self, session=None, **kwargs):
        self.session = session
        self.llm = get_default_llm()
