"""Stand-in for Director's ``director.agents.text_to_movie``: imports ``get_default_llm`` at import time."""

from director.llm import get_default_llm


class TextToMovieAgent:
    def __init__(self, session=None, **kwargs):
        self.session = session
        self.llm = get_default_llm()
