"""Choose Director's LLM through the ``director.llm_providers`` entry-point group.

Director's ``get_default_llm()`` hardcodes its providers and checks API keys
before ``DEFAULT_LLM``. This module is the host-side replacement: any installed
distribution can register a provider class under :data:`ENTRY_POINT_GROUP`, and
``DEFAULT_LLM``, when set, picks one by name and wins over whatever API keys are
in the environment.

Listing providers reads distribution metadata only (``entry_points(group=...)`` and
``ep.dist``); loading imports the one chosen entry point and nothing else, so a broken,
unrelated plugin cannot break start-up. The loaded object is checked before use: a class
with a callable ``chat_completions`` whose ``PROVIDER_API_VERSION`` has our major version.
Each failure is a :class:`ProviderLoadError` that is also the matching built-in kind
(``LookupError``, ``ImportError``, ``TypeError``); the package's whole exception tree is
drawn in ``director_litellm._errors``.

Integrating with Director: ``integrations/director/director-litellm.patch`` appends
:data:`DIRECTOR_SNIPPET` to Director's ``director/llm/__init__.py``. The snippet keeps
Director's own function as ``_director_get_default_llm`` and rebinds ``get_default_llm``
to one that calls :func:`get_default_llm` here with Director's four built-ins (keyed by
its own ``LLMType``) and Director's function as ``fallback``.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from director_litellm._errors import DirectorLiteLLMError

if TYPE_CHECKING:  # pragma: no cover
    # importing importlib.metadata costs ~40 ms
    from importlib.metadata import Distribution, EntryPoint, PackageMetadata

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "director.llm_providers"
PROVIDER_API_VERSION = "1.0"
ENTRY_POINT_NAME = "litellm"  # this package's own name in the group (pyproject.toml)

DIRECTOR_SNIPPET = '''\
# director-litellm: DEFAULT_LLM, when set, names the LLM (a built-in or a director.llm_providers plugin).
# Director's own choice above is kept as _director_get_default_llm; `git apply -R` undoes this.
_director_get_default_llm = get_default_llm

try:
    from director_litellm.discovery import get_default_llm as _discover_llm
    from director_litellm.discovery import warm_up_selected as _warm_up_selected
except ImportError:  # director-litellm is not installed: Director's own choice, unchanged
    _discover_llm = None
else:
    _warm_up_selected()  # DEFAULT_LLM=litellm: import litellm in the background while Director starts


def get_default_llm():
    """Return the LLM that DEFAULT_LLM names, else Director's own choice."""
    if _discover_llm is None:
        return _director_get_default_llm()
    return _discover_llm(
        builtins={
            LLMType.OPENAI: OpenAI,
            LLMType.ANTHROPIC: AnthropicAI,
            LLMType.GOOGLEAI: GoogleAI,
            LLMType.VIDEODB_PROXY: VideoDBProxy,
        },
        fallback=_director_get_default_llm,  # DEFAULT_LLM unset, or a name nothing provides
    )
'''


class ProviderLoadError(DirectorLiteLLMError):
    """An LLM provider could not be found, imported or used."""


class ProviderNotFoundError(ProviderLoadError, LookupError):
    """No provider has the requested name; the message lists the available ones."""


class DuplicateProviderError(ProviderLoadError, LookupError):
    """More than one distribution declares the requested name; the message names them."""


class ProviderImportError(ProviderLoadError, ImportError):
    """The entry point failed to import; the message names distribution, version and cause."""


class IncompatibleProviderError(ProviderLoadError, TypeError):
    """The loaded object is not a provider class for this loader's API version."""


@dataclass(frozen=True)
class ProviderInfo:
    """One entry point in :data:`ENTRY_POINT_GROUP`, described from metadata alone."""

    name: str
    value: str  # the entry point's target, "module:attribute"
    distribution: str
    version: str

    def describe(self) -> str:
        """``'name' (module:attr) from dist-name 1.2.3``, as used in error messages."""
        return f"{self.name!r} ({self.value}) from {self.distribution} {self.version}"


_Entry = tuple[ProviderInfo, "EntryPoint"]
_cache: tuple[_Entry, ...] | None = None
_warned: set[str] = set()  # DEFAULT_LLM values already reported as naming nothing


def _key(name: str) -> str:
    return name.strip().lower()


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(n) for n in sorted(set(names))) or "none"


def _header(metadata: PackageMetadata, key: str) -> str | None:
    """The first METADATA header ``key``, None when missing (``[]`` on a missing key warns on 3.12 and
    raises on 3.14; ``get`` is not in the 3.10-3.11 ``PackageMetadata`` protocol, ``get_all`` is)."""
    values = metadata.get_all(key)
    return str(values[0]) if values else None


def _described(ep: EntryPoint) -> ProviderInfo:
    """``ep`` with its distribution's name and version, read from METADATA (only for the group's entries)."""
    headers = ep.dist.metadata if ep.dist else None
    name = _header(headers, "Name") if headers else None
    if headers is None or not name:
        raise ValueError("no Name in metadata")
    return ProviderInfo(ep.name, ep.value, name, _header(headers, "Version") or "(unknown version)")


def _one_by_one(dists: Iterable[Distribution]) -> Iterator[EntryPoint]:
    """The group's entry points read per distribution, so a malformed file skips only its own (the first
    copy of a name on sys.path wins, as in ``entry_points()``)."""
    seen: set[str] = set()
    for dist in dists:
        try:
            eps = dist.entry_points.select(group=ENTRY_POINT_GROUP)
        except Exception as exc:
            logger.warning("skipping distribution with unreadable entry points at %s: %s", _where(dist), exc)
            continue
        name = _key(_header(dist.metadata, "Name") or "") if eps else ""
        if name not in seen:  # a nameless one goes on, for _described to report
            seen.add(name or str(_where(dist)))
            yield from eps


def _where(dist: Distribution | None) -> object:
    return getattr(dist, "_path", dist)  # the .dist-info directory, for the log line


def _scan() -> tuple[_Entry, ...]:
    from importlib import metadata  # ~40 ms; paid on the first scan, not on import

    try:  # the first copy of each distribution on sys.path; METADATA is parsed only for the group's
        eps: Iterable[EntryPoint] = metadata.entry_points(group=ENTRY_POINT_GROUP)
    except Exception as exc:  # one malformed entry_points.txt anywhere fails the stdlib's whole scan
        logger.debug("reading each distribution's entry points on its own: %s: %s", type(exc).__name__, exc)
        eps = _one_by_one(metadata.distributions())
    found: list[_Entry] = []
    for ep in eps:
        try:
            found.append((_described(ep), ep))
        except Exception as exc:  # one unreadable distribution must not hide the others
            logger.warning("skipping distribution with unreadable metadata at %s: %s", _where(ep.dist), exc)
    found.sort(key=lambda entry: (entry[0].name, entry[0].distribution))
    logger.debug("found %d LLM provider entry point(s) in %r", len(found), ENTRY_POINT_GROUP)
    return tuple(found)


def _entries(refresh: bool = False) -> tuple[_Entry, ...]:
    global _cache
    if refresh:
        importlib.invalidate_caches()  # also clears importlib.metadata's directory cache
    if refresh or _cache is None:
        _cache = _scan()
    return _cache


def available_providers(refresh: bool = False) -> list[ProviderInfo]:
    """List every provider in the group without importing any; cached until ``refresh``."""
    return [info for info, _ in _entries(refresh)]


def refresh_providers() -> list[ProviderInfo]:
    """Rescan installed distributions (after installing or removing one at run time)."""
    return available_providers(refresh=True)


def load_provider(name: str) -> Any:
    """Import the one provider named ``name`` (case-insensitive), check it and return it."""
    entries = _entries()
    matches = [(info, ep) for info, ep in entries if _key(info.name) == _key(name)]
    if not matches:
        raise ProviderNotFoundError(
            f"no LLM provider named {name!r} in entry-point group {ENTRY_POINT_GROUP!r}; "
            f"available: {_quoted(info.name for info, _ in entries)}"
        )
    if len(matches) > 1:
        declared = "; ".join(info.describe() for info, _ in matches)
        raise DuplicateProviderError(
            f"LLM provider {name!r} is declared by more than one distribution: {declared}. "
            "Uninstall all but one of them."
        )
    info, ep = matches[0]
    try:
        provider = ep.load()
    except Exception as exc:
        raise ProviderImportError(
            f"LLM provider {info.describe()} failed to import: {type(exc).__name__}: {exc}"
        ) from exc
    _check_protocol(info, provider)
    logger.debug("loaded LLM provider %s", info.describe())
    return provider


def _major(version: str) -> str:
    return version.strip().split(".", 1)[0]


def _check_protocol(info: ProviderInfo, provider: Any) -> None:
    problem = None
    if not isinstance(provider, type):
        problem = f"is a {type(provider).__name__} instance, not a class"
    elif not callable(getattr(provider, "chat_completions", None)):
        problem = "has no callable chat_completions method"
    else:
        version = getattr(provider, "PROVIDER_API_VERSION", None)
        if version is None:
            problem = "does not declare PROVIDER_API_VERSION"
        elif not isinstance(version, str) or _major(version) != _major(PROVIDER_API_VERSION):
            problem = (
                f"declares PROVIDER_API_VERSION {version!r}; this loader supports {_major(PROVIDER_API_VERSION)}.x"
            )
    if problem:
        raise IncompatibleProviderError(f"LLM provider {info.describe()} {problem}")


def get_default_llm(
    builtins: Mapping[str, Callable[[], Any]] | None = None,
    fallback: Callable[[], Any] | None = None,
    *,
    env_var: str = "DEFAULT_LLM",
) -> Any:
    """Build the LLM that ``$DEFAULT_LLM`` names; without it, return ``fallback()``.

    ``DEFAULT_LLM`` (read now, case-insensitive) wins over any API key. It names a
    key of ``builtins`` (the host's own providers, called to construct; they win a
    name clash) or an entry point in :data:`ENTRY_POINT_GROUP`, whose class is
    instantiated with no arguments. Only that entry point is imported. A name that
    is neither falls through to ``fallback()`` (logged once per value at WARNING),
    so a host's own names keep working; without a ``fallback`` it raises
    :class:`ProviderNotFoundError` listing the names that exist.
    """
    raw = os.environ.get(env_var, "")
    choice = _key(raw)
    factories: dict[str, Callable[[], Any]] = {_key(k): v for k, v in (builtins or {}).items()}
    if not choice:
        if fallback is None:
            raise ProviderNotFoundError(
                f"{env_var} is not set and no fallback was given; set {env_var} to one of: "
                f"{_quoted(list(factories) + [i.name for i in available_providers()])}"
            )
        return fallback()
    if choice in factories:
        logger.debug("%s=%r selects the host's built-in provider", env_var, raw)
        return factories[choice]()
    plugins = [info.name for info in available_providers()]
    if choice not in {_key(n) for n in plugins}:
        message = (
            f"{env_var}={raw!r} names no LLM provider. Built-in: {_quoted(factories)}; "
            f"installed plugins ({ENTRY_POINT_GROUP}): {_quoted(plugins)}"
        )
        if fallback is None:
            raise ProviderNotFoundError(message)
        if raw not in _warned:  # once per value: hosts build ~11 LLMs per chat message
            _warned.add(raw)
            logger.warning("%s; using the host's own choice", message)
        return fallback()
    provider_class = load_provider(choice)
    try:
        return provider_class()
    except Exception as exc:
        raise ProviderLoadError(f"LLM provider {choice!r} failed to construct: {type(exc).__name__}: {exc}") from exc


def selected_name(env_var: str = "DEFAULT_LLM") -> str:
    """``$DEFAULT_LLM`` as selection compares it; if unset, the value in the ``.env`` the host will load.

    Director's server imports ``director.llm`` before it calls ``load_dotenv()``, so at that
    moment a ``DEFAULT_LLM`` kept in ``.env`` is not in the environment yet. The file is found
    the way python-dotenv finds it from the working directory, read without changing the
    environment, and only when python-dotenv is installed (Director depends on it).
    """
    raw = os.environ.get(env_var)
    if raw is None:
        try:
            from dotenv import dotenv_values, find_dotenv

            path = find_dotenv(usecwd=True)
            raw = (dotenv_values(path).get(env_var) if path else None) or ""
        except Exception:  # no python-dotenv, or an unreadable file: the environment alone decides
            raw = ""
    return _key(raw)


def warm_up_selected(env_var: str = "DEFAULT_LLM") -> Any:
    """Start :func:`director_litellm.warm_up` if ``$DEFAULT_LLM`` selects this package; never raises.

    Returns the warm-up thread, or ``None`` when this package is not selected or warm-up is off.
    """
    try:
        if selected_name(env_var) != ENTRY_POINT_NAME:
            return None
        from director_litellm._warm import warm_up

        return warm_up()
    except Exception as exc:  # a host's start-up must never fail for a warm-up
        logger.debug("warm-up not started: %s: %s", type(exc).__name__, exc)
        return None
