"""Reading one field of a response object: litellm's pydantic types and plain dicts alike.

``field(obj, name)`` is ``obj[name]`` for a mapping and ``obj.name`` otherwise, with None and
absent both giving the default. It runs ~30 times per response (``parser``) and per stream chunk
(``stream``), so the usual cases avoid Python-level work: the ``Mapping`` check is asked once per
type, and a pydantic model's stored fields are read from the instance without ``getattr``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

_MAPPING, _STORED, _ATTRIBUTE = 0, 1, 2
_ABSENT = object()


@functools.lru_cache(maxsize=1024)
def _how(kind: type, name: str) -> int:
    """How ``field`` reads ``name`` on a ``kind`` instance, decided once per type and name.

    ``_MAPPING``: ``obj.get``. ``_STORED``: ``kind`` is a pydantic model with pydantic's own
    ``__getattr__`` (litellm's response types are) and no class along its MRO defines ``name`` (no
    property, method or descriptor), so the value can only be in the instance's ``__dict__`` or
    pydantic's ``__pydantic_extra__``; reading those skips ``getattr``'s AttributeError round trip
    through pydantic for every field a response lacks. ``_ATTRIBUTE``: plain ``getattr``.
    (The ``Mapping`` ABC would answer "not a mapping" through a Python-level call on every read.)
    """
    if issubclass(kind, Mapping):
        return _MAPPING
    pydantic_hook = getattr(BaseModel, "__getattr__", None)
    stored = (
        issubclass(kind, BaseModel)
        and pydantic_hook is not None
        and getattr(kind, "__getattr__", None) is pydantic_hook
        and not name.startswith("_")
        and not any(name in vars(klass) for klass in kind.__mro__)
    )
    return _STORED if stored else _ATTRIBUTE


def field(obj: Any, name: str, default: Any = None) -> Any:
    """``obj[name]`` for mappings, ``obj.name`` otherwise; ``default`` when absent."""
    if obj is None:
        return default
    how = _how(obj.__class__, name)
    if how == _MAPPING:
        value = obj.get(name, default)
    elif how == _STORED:
        value = obj.__dict__.get(name, _ABSENT)
        if value is _ABSENT:
            extra = getattr(obj, "__pydantic_extra__", None)
            value = extra.get(name, default) if extra else default
    else:
        try:
            value = getattr(obj, name, default)
        except Exception:
            return default
    return default if value is None else value


__all__ = ["field"]
