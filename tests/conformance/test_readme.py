"""The conformance README tells the truth about the payloads and the known limitations."""

from __future__ import annotations

from pathlib import Path

from tests.conformance.known import all_limitations
from tests.conformance.summary import table

README = (Path(__file__).parent / "README.md").read_text()


def test_readme_table_matches_the_payloads() -> None:
    assert table() in README


def test_readme_lists_every_known_limitation() -> None:
    for key, limitation in all_limitations():
        assert f"**{limitation.key}**" in README
        assert limitation.text in README
        assert f"`{key}`" in README
