"""Stand-in for Director's top-level ``director`` package (see ``fakehost.llm``)."""
