"""Router mode: one shared ``litellm.Router`` per config file, behind the provider's request shape.

Set ``LITELLM_ROUTER_CONFIG`` to a YAML or JSON file (the LiteLLM Proxy's ``model_list`` /
``router_settings`` format) and ``LITELLM_CHAT_MODEL`` to one of its model groups; every call then
goes through ``router_for(path)``, whose ``RouterBackend`` has the litellm module's
``completion`` / ``acompletion`` surface. The Router owns retries in this mode. This module never
touches litellm: ``_litellm.build_router`` builds the Router, ``_litellm.unregister`` undoes its callbacks. Reading the file is ``router_file``; the user
documentation is docs/router.md.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from director_litellm import _litellm
from director_litellm import _model_rules as model_rules
from director_litellm._errors import ConfigError
from director_litellm._router_file import ENV_VAR, RouterFile, config_problem, read_router_file
from director_litellm._scrub import scrub

logger = logging.getLogger(__name__)
# per-call keys that name an endpoint or credential; in router mode the deployment's own win
DEPLOYMENT_KEYS = ("api_base", "base_url", "api_key", "api_version", "organization", "custom_llm_provider")


# ---------------------------------------------------------------------------------- the Router


def _build_router(source: RouterFile) -> Any:
    known = _litellm.router_arguments()
    if known is not None:
        unknown = sorted(set(source.settings) - set(known))
        if unknown:
            raise config_problem(
                source.path,
                f"unknown litellm.Router setting(s) {', '.join(unknown)} "
                "(put Router arguments in router_settings; see litellm's Router docs)",
            )
    try:
        return _litellm.build_router(copy.deepcopy(source.model_list), copy.deepcopy(source.settings))
    except Exception as exc:
        secrets = [d["litellm_params"].get("api_key") for d in source.model_list]
        detail = scrub(f"{type(exc).__name__}: {exc}", [s for s in secrets if isinstance(s, str)])
        raise config_problem(source.path, f"litellm.Router refused the configuration: {detail[:300]}") from None


def _retire(router: Any) -> None:
    """Undo what building ``router`` registered in litellm's globals; never raises."""
    try:
        retire = getattr(router, "retire", None) or getattr(router, "discard", None)
        if callable(retire):
            retire()
    except Exception:  # pragma: no cover - best effort
        logger.debug("retiring a litellm.Router failed", exc_info=True)
    try:
        owned = {id(router)}
        owned.update(id(v) for v in vars(router).values() if hasattr(v, "log_success_event"))
        _litellm.unregister(owned)
    except Exception:  # pragma: no cover - best effort
        logger.debug("removing a retired litellm.Router's callbacks failed", exc_info=True)


@dataclass(eq=False)
class RouterBackend:
    """A shared ``litellm.Router`` with the provider's ``completion``/``acompletion`` surface."""

    router: Any
    source: RouterFile
    _warned: set[str] = field(default_factory=set, repr=False)

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def groups(self) -> list[str]:
        return self.source.groups

    def adapt(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """The provider's litellm request, as ``Router.completion`` must get it (see module docstring)."""
        out = dict(request)
        for key in DEPLOYMENT_KEYS:
            if out.pop(key, None) is not None and key not in self._warned:
                self._warned.add(key)
                logger.warning(
                    "router mode: the configured %s is not sent; each deployment in %s=%s uses its own",
                    key,
                    ENV_VAR,
                    self.path,
                )
        model = out.get("model")
        if not isinstance(model, str) or self.source.resolve_group(model) is None:
            groups = ", ".join(self.groups)
            raise config_problem(
                self.path,
                f"model {model!r} is not a model group of this Router config "
                f"(groups: {groups}); set LITELLM_CHAT_MODEL to one of them",
            )
        if isinstance(out.get("metadata"), Mapping):
            out["metadata"] = dict(out["metadata"])
        out.setdefault("max_retries", 0)
        return out

    def completion(self, **request: Any) -> Any:
        return self.router.completion(**self.adapt(request))

    async def acompletion(self, **request: Any) -> Any:
        return await self.router.acompletion(**self.adapt(request))

    def deployment_models(self, group: str) -> list[str]:
        """litellm model names of ``group``'s deployments and of its Router fallback groups."""
        resolved = self.source.resolve_group(group) or group
        models = self.source.deployment_models(resolved)
        for fallback in self.source.fallback_groups(resolved):
            models += self.source.deployment_models(fallback)
        return list(dict.fromkeys(models)) or [group]

    def rules_model(self, group: str) -> str:
        """The model name ``model_rules`` should decide for when calling ``group``.

        The Router picks the deployment after the request is built, so the strictest rules among the
        reachable deployments apply: a model that takes only one of temperature/top_p, else any
        Claude model (conversation shaping), else ``group`` itself.
        """
        models = self.deployment_models(group)
        for model in models:
            if model_rules.takes_one_sampling_param(model):
                return model
        for model in models:
            if model_rules.is_claude(model):
                return model
        return group


@dataclass
class _Entry:
    key: tuple[int, int, int]
    backend: RouterBackend | None = None
    error: str | None = None


_lock = threading.Lock()
_cache: dict[str, _Entry] = {}


def _stat(path: str) -> tuple[str, tuple[int, int, int]]:
    resolved = os.path.realpath(os.path.expanduser(path))
    try:
        st = os.stat(resolved)
    except FileNotFoundError:
        raise config_problem(path, "file not found") from None
    except OSError as exc:
        raise config_problem(path, f"cannot be read ({exc.strerror})") from None
    return resolved, (st.st_mtime_ns, st.st_size, st.st_ino)


def router_for(path: str) -> RouterBackend:
    """The shared ``RouterBackend`` for the config at ``path``; raises ``ConfigError``.

    Thread-safe; builds at most one ``litellm.Router`` per version of the file.
    """
    if not isinstance(path, str) or not path.strip():
        raise ConfigError(f"{ENV_VAR} is empty; set it to the path of a YAML or JSON Router config")
    resolved, key = _stat(path)
    with _lock:
        entry = _cache.get(resolved)
        if entry is None or entry.key != key:
            previous = entry
            entry = _Entry(key)
            try:
                source = read_router_file(path)
                entry.backend = RouterBackend(_build_router(source), source)
                if source.ignored_sections:
                    logger.info(
                        "%s=%s: ignoring %s (proxy or process-wide settings; not applied in router mode)",
                        ENV_VAR,
                        path,
                        ", ".join(source.ignored_sections),
                    )
                logger.debug("built a litellm.Router from %s=%s (groups: %s)", ENV_VAR, path, ", ".join(source.groups))
            except ConfigError as exc:
                entry.error = str(exc)
            _cache[resolved] = entry
            if previous is not None and previous.backend is not None:
                _retire(previous.backend.router)
        if entry.error is not None:
            raise ConfigError(entry.error)
        assert entry.backend is not None
        return entry.backend


def clear_cache() -> None:
    """Forget every Router (retiring each); the next ``router_for`` builds anew."""
    with _lock:
        entries = list(_cache.values())
        _cache.clear()
    for entry in entries:
        if entry.backend is not None:
            _retire(entry.backend.router)


__all__ = ["ENV_VAR", "RouterBackend", "RouterFile", "clear_cache", "read_router_file", "router_for"]
