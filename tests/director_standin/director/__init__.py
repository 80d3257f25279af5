"""Stand-in for VideoDB's Director, written from the contract in DESIGN.md.

Director is not on PyPI (the name ``director`` there belongs to another project),
so the tests put this package on ``sys.path`` to prove the subclass relationship
and the field names. Only what ``director.llm.base`` defines is reproduced.
"""
