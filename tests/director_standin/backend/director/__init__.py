"""Stand-in for VideoDB's Director (its ``backend/director`` package), written from DESIGN.md.

Director is not on PyPI (the name ``director`` there belongs to another project), so the
tests put ``tests/director_standin/backend`` on ``sys.path``. The layout mirrors Director's
repository (``backend/director/...``) so that the shipped patch in ``integrations/director/``
applies here with the same ``git apply`` command an operator runs. Reproduced: the LLM base
classes, ``LLMType``, the four built-in LLM classes, ``get_default_llm``'s key sniffing, and
the eleven modules that import ``get_default_llm`` at import time.
"""
