"""The LITELLM_* variables read outside LiteLLMConfig: declared once (``_environment``), documented, read one way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from director_litellm import _environment as environment

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
SRC = Path(environment.__file__).parent


def test_docs_show_every_variable() -> None:
    text = DOCS.read_text(encoding="utf-8")
    block = text.split("<!-- environment-table:start -->\n", 1)[1].split("\n<!-- environment-table:end -->", 1)[0]
    assert block == environment.markdown_table()


def test_no_module_reads_a_litellm_variable_by_hand() -> None:
    """``os.environ.get("LITELLM_...")`` outside ``_environment`` (and pydantic-settings' ``_config``) is a second
    settings place."""
    pattern = re.compile(r"""environ(?:\.get)?\(\s*["']LITELLM_|environ\[\s*["']LITELLM_""")
    offenders = [
        str(path.relative_to(SRC))
        for path in sorted(SRC.rglob("*.py"))
        if path.name not in ("_environment.py", "_config.py") and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(("value", "expected"), [("false", False), (" OFF ", False), ("0", False), ("yes", True)])
def test_a_switch_is_off_only_when_said_so(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv(environment.WARM_UP.name, value)
    assert environment.enabled(environment.WARM_UP) is expected


def test_an_unset_switch_takes_its_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(environment.SUPPRESS_DEBUG_INFO.name, raising=False)
    assert environment.enabled(environment.SUPPRESS_DEBUG_INFO) is True
