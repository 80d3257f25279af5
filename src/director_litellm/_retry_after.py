"""The provider's ``Retry-After``: how long it asked us to wait, read from its response headers.

A leaf: ``_errors`` reads it when classifying a failure and ``_retry`` waits at least that long.
``datetime`` and ``email.utils`` are imported only for an HTTP-date: ``discovery`` imports ``errors``,
and stays light (tests/test_discovery.py).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime


def retry_after_seconds(headers: Any, *, now: datetime | None = None) -> float | None:
    """Seconds the provider asked to wait before retrying, or None when it did not say.

    Reads, in order: ``retry-after-ms`` (milliseconds; OpenAI sends it), then ``Retry-After``
    as seconds or as an HTTP-date (RFC 9110 section 10.2.3; a date already past means 0).
    Header names are matched case-insensitively; a value that is not a finite, non-negative
    number or a date is ignored. Never raises.
    """
    try:
        found = {str(name).lower(): value for name, value in headers.items()}
    except Exception:
        return None
    millis = _non_negative(found.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    value = found.get("retry-after")
    seconds = _non_negative(value)
    if seconds is not None or not isinstance(value, str):
        return seconds
    from datetime import datetime, timezone
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # an HTTP-date is GMT; parsedate gives naive for "-0000"
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _non_negative(value: Any) -> float | None:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None
