"""doctor's report: sections that each carry their rows, findings and JSON facts; shown or as JSON.

A check fills one ``Section`` and returns it; nothing else records what it found. The report
is then shown for people (``render``) or for machines (``as_json``), both from the same sections.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from director_litellm import __version__
from director_litellm.cli._console import EXIT_FAIL, EXIT_OK, PROG, Console, fit

Level = Literal["ok", "note", "warn", "problem"]
MARKS: dict[Level, str] = {"ok": "ok", "note": "note", "warn": "WARN", "problem": "FAIL"}

# every key of --json output that carries a check's facts; null when its check did not run
FACT_KEYS = (
    "config",
    "litellm",
    "model",
    "credentials",
    "vertex",
    "azure",
    "ollama",
    "cohere",
    "dotenv",
    "environment",
    "observability",
    "router",
    "director",
)

# columns of the human report: a row's label, a finding's mark, a line under the title
ROW_INDENT, MARK_INDENT, TITLE_INDENT = 20, 8, 2
# "  interpreter  " before the interpreter's path
_INTERPRETER = f"{' ' * TITLE_INDENT}interpreter  "


@dataclass(frozen=True)
class Finding:
    """What a check found; ``command``, if any, is shown on its own line, unwrapped, to be copied."""

    level: Level
    text: str
    command: str | None = None


@dataclass
class Section:
    """One check's result: rows (what is), findings (what it means) and facts (for --json)."""

    title: str
    facts: dict[str, Any] = field(default_factory=dict)
    rows: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def row(self, label: str, value: str) -> None:
        self.rows.append((label, value))

    def add(self, level: Level, text: str, command: str | None = None) -> None:
        self.findings.append(Finding(level, text, command))

    def has(self, *levels: Level) -> bool:
        return any(f.level in levels for f in self.findings)


@dataclass(frozen=True)
class Report:
    sections: Sequence[Section]

    def by_level(self, level: Level) -> list[str]:
        return [f"{s.title}: {f.text}" for s in self.sections for f in s.findings if f.level == level]

    def exit_code(self) -> int:
        return EXIT_FAIL if self.by_level("problem") else EXIT_OK

    def as_json(self) -> dict[str, Any]:
        facts: dict[str, Any] = dict.fromkeys(FACT_KEYS)
        for section in self.sections:
            facts.update(section.facts)
        return {
            "ok": self.exit_code() == EXIT_OK,
            "director_litellm": __version__,
            "python": platform.python_version(),
            "problems": self.by_level("problem"),
            "warnings": self.by_level("warn"),
            "notes": self.by_level("note"),
            **facts,
            "sections": [
                {
                    "title": s.title,
                    "rows": [list(r) for r in s.rows],
                    "findings": [{"level": f.level, "text": f.text, "command": f.command} for f in s.findings],
                }
                for s in self.sections
            ],
        }

    def render(self, console: Console) -> None:
        c = console
        c.line(f"{PROG} {__version__} doctor  (Python {platform.python_version()})")
        c.line(_INTERPRETER + fit(sys.executable, c.width - len(_INTERPRETER)))
        for s in self.sections:
            c.line()
            c.line(s.title)
            for label, value in s.rows:
                indent = " " * TITLE_INDENT
                c.line(c.wrap(value, ROW_INDENT, indent + label) if label else c.wrap(value, TITLE_INDENT, indent))
            for f in s.findings:
                c.line(c.wrap(f.text, MARK_INDENT, " " * TITLE_INDENT + MARKS[f.level]))
                if f.command:
                    c.line(" " * MARK_INDENT + f.command)
        problems, warnings = len(self.by_level("problem")), len(self.by_level("warn"))
        c.line()
        if problems:
            c.line(f"Not ready: {problems} problem(s) marked FAIL, {warnings} warning(s).")
        else:
            c.line(f"Ready: no problems, {warnings} warning(s).")
