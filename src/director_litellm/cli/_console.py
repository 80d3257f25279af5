"""Where the command writes, and how: the console, masking, tables, logging and caught stdout.

The command owns its process, so it does here what the library never does: it configures
logging (silent unless ``-v``) and catches everything written to ``sys.stdout`` while it works
(litellm prints banners such as "Provider List: ..." there), replaying it on stderr with ``-v``.
Secrets are masked in everything printed, logs included.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import shutil
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from director_litellm._scrub import scrub

PROG = "director-litellm"
EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# the terminal width the command lays its output out for, and the range it keeps to
DEFAULT_WIDTH, MIN_WIDTH, MAX_WIDTH = 80, 60, 100
# a wrapped value keeps at least this many columns after its indent
MIN_WRAPPED = 20
ELLIPSIS = "..."
# env var names whose values are secrets (masked wherever they are shown)
SECRET_NAME = re.compile(r"(?i)(key|token|secret|passw|credential|auth|signature)")
# shorter values of secret-named variables are too common to scrub from output ("true", a port)
_MIN_SECRET_LEN = 8
# below this length a key is shown as its length only
_MIN_MASKED_LEN = 12
# the widest a table column shrinks to when the table is too wide
_MIN_COLUMN = 12
_COLUMN_GAP = "  "


@dataclass
class Console:
    """Where the command writes: ``out`` is the real stdout, whatever litellm does to sys.stdout."""

    out: TextIO
    err: TextIO
    verbose: int = 0
    width: int = DEFAULT_WIDTH
    secrets: list[str] = field(default_factory=list)
    #: a person watches stderr (a terminal) and stdout is not JSON: say what a long wait is
    progress: bool = False

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def error(self, text: str) -> None:
        """One line on stderr, prefixed with the program name."""
        flat = " ".join(scrub(text, self.secrets).split())
        self.err.write(f"{PROG}: error: {flat}\n")

    @contextlib.contextmanager
    def loading(self) -> Iterator[None]:
        """While litellm is first imported (seconds), one line on a terminal's stderr saying so, erased after."""
        shown = self.progress and "litellm" not in sys.modules
        if shown:
            self.err.write(f"{PROG}: loading litellm (a few seconds, once per process)...")
            self.err.flush()
        try:
            yield
        finally:
            if shown:
                self.err.write("\r\033[K")  # back to the line's start, and clear it
                self.err.flush()

    def json(self, data: Any) -> None:
        self.out.write(json.dumps(data, indent=2, default=str) + "\n")

    def wrap(self, text: str, indent: int, first: str = "") -> str:
        """``first`` then ``text`` wrapped to the width, continuation lines indented by ``indent``."""
        lines = textwrap.wrap(
            text,
            width=max(self.width, indent + MIN_WRAPPED),
            initial_indent=first.ljust(indent),
            subsequent_indent=" " * indent,
            break_on_hyphens=False,
            break_long_words=False,
        )
        return "\n".join(lines) if lines else first.rstrip()

    def table(self, headers: list[str], rows: list[list[str]], shrink: int) -> None:
        """Columns padded to fit; column ``shrink`` is cut with "..." when the table is too wide."""
        widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
        excess = sum(widths) + len(_COLUMN_GAP) * (len(widths) - 1) - self.width
        if excess > 0:
            widths[shrink] = max(_MIN_COLUMN, widths[shrink] - excess)
        for row in [headers, *rows]:
            cells = (cut(str(c), w).ljust(w) for c, w in zip(row, widths, strict=True))
            self.line(_COLUMN_GAP.join(cells).rstrip())


def terminal_width() -> int:
    columns = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return max(MIN_WIDTH, min(columns, MAX_WIDTH))


def cut(text: str, width: int) -> str:
    """``text`` cut at the right to ``width`` characters, ending in "..." when cut."""
    return text if len(text) <= width else text[: width - len(ELLIPSIS)] + ELLIPSIS


def fit(text: str, width: int) -> str:
    """``text`` shortened from the left to ``width`` characters (paths keep their useful end)."""
    return text if len(text) <= width else ELLIPSIS + text[-(width - len(ELLIPSIS)) :]


def short(exc: BaseException, limit: int = 200) -> str:
    """One scrubbed line saying what ``exc`` is about, at most ``limit`` characters."""
    text = scrub(" ".join(str(exc).split()) or type(exc).__name__)
    return cut(text, limit)


# --------------------------------------------------------------------------- secrets


def environment_secrets() -> list[str]:
    return [v for k, v in os.environ.items() if SECRET_NAME.search(k) and len(v) >= _MIN_SECRET_LEN]


def mask(secret: str) -> str:
    """``sk-a...ef (51 chars)``: enough to tell two keys apart, never enough to use one."""
    if len(secret) < _MIN_MASKED_LEN:
        return f"**** ({len(secret)} chars)"
    return f"{secret[:4]}...{secret[-2:]} ({len(secret)} chars)"


def mask_tree(value: Any, secret: bool = False) -> Any:
    """JSON-ish ``value`` with every value under a secret-looking key masked."""
    if isinstance(value, dict):
        return {k: mask_tree(v, secret or bool(SECRET_NAME.search(str(k)))) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_tree(v, secret) for v in value]
    if secret and value is not None:
        return mask(str(value))
    return scrub(value) if isinstance(value, str) else value


# --------------------------------------------------------------------------- logging and stray output


class _ScrubbingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record), self._secrets)


@contextlib.contextmanager
def logging_configured(console: Console) -> Iterator[None]:
    """Silent by default (the command prints its own one-line errors); ``-v`` shows logs on stderr.

    Everything is put back afterwards, so ``main`` can also run inside another process (tests).
    """
    package = logging.getLogger("director_litellm")
    disabled, level = logging.root.manager.disable, package.level
    handler: logging.Handler | None = None
    logging.captureWarnings(True)  # import-time warnings of litellm/pydantic are log records now
    if not console.verbose:
        logging.disable(logging.CRITICAL)
    else:
        handler = logging.StreamHandler(console.err)
        handler.setFormatter(_ScrubbingFormatter(console.secrets))
        # litellm's loggers have their own stderr handler; don't print their records twice
        handler.addFilter(lambda record: not record.name.startswith("LiteLLM"))
        logging.getLogger().addHandler(handler)
        package.setLevel(logging.DEBUG if console.verbose > 1 else logging.INFO)
    try:
        yield
    finally:
        if handler is not None:
            logging.getLogger().removeHandler(handler)
        package.setLevel(level)
        logging.disable(disabled)
        logging.captureWarnings(False)


@contextlib.contextmanager
def stdout_caught(console: Console) -> Iterator[io.StringIO]:
    """Send everything printed to sys.stdout to a buffer; replay it on stderr with ``-v``."""
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            yield buffer
    finally:
        noise = buffer.getvalue()
        if console.verbose and noise.strip():
            console.err.write(scrub(noise, console.secrets))
