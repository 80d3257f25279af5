"""Known-bad litellm releases and stray ``.pth`` files, checked without importing litellm.

One table, one reason per entry. ``blocked`` releases make every call return an
ERROR response saying why and what to install instead; ``broken`` ones log a
warning. ``director-litellm doctor`` reports the same verdict.

The compromised releases installed ``litellm_init.pth`` into site-packages.
Python executes the ``import`` lines of every ``.pth`` file there at start-up,
so the file keeps running after litellm is upgraded or uninstalled:
``find_stray_pth`` looks for it and for any other ``.pth`` file tied to litellm.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import site
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

logger = logging.getLogger(__name__)

SAFE_INSTALL = 'pip install "litellm>=1.60.0,<2,!=1.82.7,!=1.82.8,!=1.106.1,!=1.106.2"'


class KnownBad(NamedTuple):
    """Why a litellm release is listed: ``blocked`` (never imported: compromised) or only warned about."""

    blocked: bool
    reason: str


KNOWN_BAD = {  # version -> why
    "1.82.7": KnownBad(True, "supply-chain compromise: ships a credential-stealing litellm_init.pth file"),
    "1.82.8": KnownBad(True, "supply-chain compromise: ships a credential-stealing litellm_init.pth file"),
    "1.106.1": KnownBad(False, "imports the optional 'mcp' package whenever tools= is passed (ModuleNotFoundError)"),
    "1.106.2": KnownBad(False, "imports the optional 'mcp' package whenever tools= is passed (ModuleNotFoundError)"),
}


@dataclass(frozen=True)
class VersionProblem:
    version: str
    blocked: bool
    reason: str

    @property
    def message(self) -> str:
        verdict = "is blocked" if self.blocked else "is known to be broken"
        return f"litellm {self.version} {verdict} ({self.reason}). Install a good release: {SAFE_INSTALL}"


def verdict(version: str | None) -> VersionProblem | None:
    """The problem with ``version``, or None when it is not known to be bad."""
    if version is None or version not in KNOWN_BAD:
        return None
    bad = KNOWN_BAD[version]
    return VersionProblem(version, bad.blocked, bad.reason)


def installed_version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version("litellm")
    except metadata.PackageNotFoundError:
        return None


@functools.lru_cache(maxsize=1)
def check_installed() -> VersionProblem | None:
    """Verdict on the installed litellm, computed once per process and logged once."""
    problem = verdict(installed_version())
    if problem is not None:
        (logger.error if problem.blocked else logger.warning)("%s", problem.message)
    return problem


# --- stray .pth files ------------------------------------------------------------------

#: the file the compromised releases dropped into site-packages
MALICIOUS_PTH = "litellm_init.pth"
# "litellm" as a word of its own: not director_litellm, director-litellm, langchain_litellm, ...
_MENTIONS_LITELLM = re.compile(r"(?<![\w-])litellm", re.IGNORECASE)
_READ_LIMIT = 64 * 1024  # a .pth file is a few lines; the compromised one was ~34 kB of base64


@dataclass(frozen=True)
class StrayPth:
    """A ``.pth`` file in site-packages that has to do with litellm."""

    path: str
    reason: str
    #: True for the known credential stealer; False for a file worth a look
    malicious: bool
    #: the file has ``import`` lines, which Python runs at every start-up
    executes_code: bool

    @property
    def message(self) -> str:
        if self.malicious:
            return (
                f"{self.path}: {self.reason}. Delete it, reinstall litellm from a good release "
                f"({SAFE_INSTALL}) and rotate every credential this machine holds."
            )
        runs = "runs code at every Python start-up" if self.executes_code else "adds an import path"
        return f"{self.path}: {self.reason} ({runs}); check where it came from."


def site_packages_dirs() -> list[str]:
    """This interpreter's site-packages directories (global, user, and those on ``sys.path``)."""
    candidates: list[str] = []
    getsitepackages = getattr(site, "getsitepackages", None)  # missing in some old virtualenvs
    if getsitepackages is not None:
        candidates.extend(getsitepackages())
    if site.ENABLE_USER_SITE:
        candidates.append(site.getusersitepackages())
    candidates.extend(p for p in sys.path if os.path.basename(p.rstrip("/\\")) in ("site-packages", "dist-packages"))
    seen: set[str] = set()
    found: list[str] = []
    for path in candidates:
        real = os.path.realpath(path)
        if real not in seen and os.path.isdir(real):
            seen.add(real)
            found.append(path)
    return found


def _pth_files_recorded_by_litellm() -> set[str]:
    """Names of the ``.pth`` files the installed litellm declares in its RECORD (normally none)."""
    from importlib import metadata

    try:
        files = metadata.distribution("litellm").files or []
    except metadata.PackageNotFoundError:
        return set()
    return {os.path.basename(str(f)) for f in files if str(f).endswith(".pth")}


def find_stray_pth(site_dirs: Iterable[str] | None = None) -> list[StrayPth]:
    """Every ``.pth`` file in ``site_dirs`` (default: ``site_packages_dirs()``) tied to litellm.

    Flagged: ``litellm_init.pth`` always (malicious); any other ``.pth`` that litellm's
    RECORD lists, or whose name or content mentions litellm as a word of its own
    (``director_litellm`` and ``langchain-litellm`` do not count).
    """
    dirs = site_packages_dirs() if site_dirs is None else list(site_dirs)
    recorded = _pth_files_recorded_by_litellm()
    found: list[StrayPth] = []
    for directory in dirs:
        try:
            names = sorted(n for n in os.listdir(directory) if n.endswith(".pth"))
        except OSError:
            continue
        for name in names:
            path = os.path.join(directory, name)
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read(_READ_LIMIT)
            except OSError as exc:
                text = ""
                logger.debug("could not read %s: %s", path, exc)
            executes = any(line.startswith(("import ", "import\t")) for line in text.splitlines())
            if name == MALICIOUS_PTH:
                reason = "the credential stealer installed by the compromised litellm 1.82.7 / 1.82.8"
                found.append(StrayPth(path, reason, malicious=True, executes_code=executes))
            elif name in recorded:
                found.append(StrayPth(path, "installed by the litellm package", False, executes))
            elif _MENTIONS_LITELLM.search(name) or _MENTIONS_LITELLM.search(text):
                found.append(StrayPth(path, "mentions litellm", False, executes))
    return found
