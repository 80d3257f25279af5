"""One model a call tries: a leaf, so the retry plan and the request builder can both name it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    """One model to try, with endpoint options replacing the config's (a fallback's own endpoint)."""

    model: str
    endpoint: dict[str, Any]
