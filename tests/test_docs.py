"""docs: the README a newcomer reads first, and every relative link in README.md and docs/*.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS, ROOT / "benchmarks" / "README.md"]

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _prose(text: str) -> str:
    """The text without fenced code blocks and inline code, where `[x](y)` is not a link."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def _links(page: Path) -> list[str]:
    return _LINK.findall(_prose(page.read_text(encoding="utf-8")))


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1/-2 for repeats."""
    seen: dict[str, int] = {}
    anchors = set()
    for line in _FENCE.sub("", page.read_text(encoding="utf-8")).splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _first_bash_block(text: str) -> list[str]:
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README has no bash block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines()]


class TestLinks:
    @pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
    def test_every_relative_link_resolves(self, page: Path) -> None:
        """Each relative link names an existing file, and each #anchor an existing heading there."""
        broken = []
        for target in _links(page):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
                continue
            path_part, _, anchor = target.partition("#")
            resolved = (page.parent / path_part).resolve() if path_part else page
            if not resolved.exists():
                broken.append(f"{target}: no such file")
            elif anchor and anchor not in _anchors(resolved):
                broken.append(f"{target}: no heading with anchor #{anchor} in {resolved.name}")
        assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)

    def test_the_link_check_sees_links(self) -> None:
        """The checker finds the README's links to docs/ (an empty list would pass anything)."""
        assert "docs/configuration.md" in _links(README)
        assert "docs/configuration.md#api_base-with-v1-or-without" in _links(README)

    def test_every_doc_is_linked_from_the_readme(self) -> None:
        """No page in docs/ is an orphan."""
        linked = {target.partition("#")[0] for target in _links(README)}
        assert {f"docs/{doc.name}" for doc in DOCS} <= linked


class TestReadme:
    def test_short_enough_to_read_in_two_minutes(self) -> None:
        """README.md stays under 200 lines; the long reference lives in docs/."""
        assert len(README.read_text(encoding="utf-8").splitlines()) < 200

    def test_the_first_commands_work_from_a_clone(self) -> None:
        """Command one installs the checkout and runs the offline demo; command two runs the tests."""
        text = README.read_text(encoding="utf-8")
        commands = [line for line in _first_bash_block(text) if line]
        assert commands == ["pip install . && director-litellm demo", "pip install '.[test]' && python -m pytest"]
        assert text.index("director-litellm demo") < 1200, "the demo is mentioned in the first lines"
        assert "`pip install director-litellm`" in text, "the published form is named"

    def test_extras_named_in_the_docs_exist(self) -> None:
        """`.[test]` (README) and `.[bench]` (docs/performance.md, benchmarks/README.md) are extras of the package."""
        tomllib = pytest.importorskip("tomllib")  # Python 3.11+
        extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
            "optional-dependencies"
        ]
        named = set()
        for page in PAGES:
            named |= set(re.findall(r"pip install '\.\[(\w+)\]'", page.read_text(encoding="utf-8")))
        assert named == {"test", "bench"}
        assert named <= set(extras)


class TestDocs:
    @pytest.mark.parametrize("page", DOCS, ids=lambda p: p.name)
    def test_each_page_has_a_title_and_an_intro(self, page: Path) -> None:
        """A page starts with one `# Title` and a paragraph of prose before its first section or example."""
        blocks = page.read_text(encoding="utf-8").split("\n\n")
        assert blocks[0].startswith("# ")
        assert "\n" not in blocks[0]
        intro = blocks[1]
        assert not intro.startswith(("#", "```", "|", "-", "<"))
        assert len(intro.split()) >= 15


class TestLayout:
    def test_every_module_is_listed_with_its_job(self) -> None:
        """docs/layout.md names each module of src/director_litellm (cli/ ones as `cli/x.py`) and no module that is gone."""
        package = ROOT / "src" / "director_litellm"
        text = (ROOT / "docs" / "layout.md").read_text(encoding="utf-8")
        modules = {path.relative_to(package).as_posix() for path in package.rglob("*.py")}
        named = set(re.findall(r"`([\w/]+\.py)`", text))
        assert {"_error_hints.py", "cli/_doctor.py"} <= modules  # the check sees both levels
        assert sorted(modules - named) == []
        assert sorted(named - modules) == []
