"""Known-bad litellm releases, checked without importing litellm.

One table, one reason per entry. ``blocked`` releases make every call return an
ERROR response saying why and what to install instead; ``broken`` ones log a
warning. ``director-litellm doctor`` reports the same verdict.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Optional

logger = logging.getLogger(__name__)

SAFE_INSTALL = 'pip install "litellm>=1.60.0,<2,!=1.82.7,!=1.82.8,!=1.106.1,!=1.106.2"'

# version -> (blocked?, reason)
KNOWN_BAD = {
    "1.82.7": (True, "supply-chain compromise: ships a credential-stealing litellm_init.pth file"),
    "1.82.8": (True, "supply-chain compromise: ships a credential-stealing litellm_init.pth file"),
    "1.106.1": (False, "imports the optional 'mcp' package whenever tools= is passed (ModuleNotFoundError)"),
    "1.106.2": (False, "imports the optional 'mcp' package whenever tools= is passed (ModuleNotFoundError)"),
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


def verdict(version: Optional[str]) -> Optional[VersionProblem]:
    """The problem with ``version``, or None when it is not known to be bad."""
    if version is None or version not in KNOWN_BAD:
        return None
    blocked, reason = KNOWN_BAD[version]
    return VersionProblem(version, blocked, reason)


def installed_version() -> Optional[str]:
    from importlib import metadata

    try:
        return metadata.version("litellm")
    except metadata.PackageNotFoundError:
        return None


@functools.lru_cache(maxsize=1)
def check_installed() -> Optional[VersionProblem]:
    """Verdict on the installed litellm, computed once per process and logged once."""
    problem = verdict(installed_version())
    if problem is not None:
        (logger.error if problem.blocked else logger.warning)("%s", problem.message)
    return problem
