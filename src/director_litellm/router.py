"""Router mode: one shared ``litellm.Router`` per config file, behind the provider's request shape.

Set ``LITELLM_ROUTER_CONFIG`` to a YAML or JSON file (the LiteLLM Proxy's ``model_list`` /
``router_settings`` format) and ``LITELLM_CHAT_MODEL`` to one of its model groups; every call then
goes through ``router_for(path, litellm)``, whose ``RouterBackend`` has the litellm module's
``completion`` / ``acompletion`` surface. The Router owns retries in this mode. This module never
imports litellm: ``_litellm`` passes the module in. The user documentation is docs/router.md.
"""

from __future__ import annotations

import copy
import fnmatch
import inspect
import json
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from director_litellm import model_rules
from director_litellm.errors import ConfigError
from director_litellm.scrub import scrub

logger = logging.getLogger(__name__)

ENV_VAR = "LITELLM_ROUTER_CONFIG"
ENV_REF = "os.environ/"

# sections of a LiteLLM Proxy config that are not Router arguments; ignored in router mode
PROXY_SECTIONS = frozenset(
    {
        "litellm_settings",
        "general_settings",
        "environment_variables",
        "callback_settings",
        "guardrails",
        "credential_list",
        "mcp_servers",
        "files_settings",
        "search_tools",
        "prompts",
        "vector_store_registry",
        "finetune_settings",
        "assistant_settings",
        "include",
    }
)
# per-call keys that name an endpoint or credential; in router mode the deployment's own win
DEPLOYMENT_KEYS = ("api_base", "base_url", "api_key", "api_version", "organization", "custom_llm_provider")
# Router arguments whose values name model groups (for ``models_reachable``)
_FALLBACK_SETTINGS = ("fallbacks", "default_fallbacks", "context_window_fallbacks", "content_policy_fallbacks")


def _problem(path: str, message: str) -> ConfigError:
    return ConfigError(f"{ENV_VAR}={path}: {message}")


# ---------------------------------------------------------------------------------- reading the file


@dataclass(frozen=True)
class RouterFile:
    """A validated router config: what ``litellm.Router`` is built from (secrets expanded)."""

    path: str
    model_list: list[dict[str, Any]]
    settings: dict[str, Any]
    ignored_sections: tuple[str, ...] = ()

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(d["model_name"] for d in self.model_list))

    def aliases(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for alias, target in (self.settings.get("model_group_alias") or {}).items():
            if isinstance(target, Mapping):
                target = target.get("model")
            if isinstance(alias, str) and isinstance(target, str):
                out[alias] = target
        return out

    def resolve_group(self, model: str) -> str | None:
        """The model group ``model`` addresses, or None when the Router would not know it."""
        groups = self.groups
        if model in groups:
            return model
        aliased = self.aliases().get(model)
        if aliased is not None:
            return aliased
        for group in groups:
            if "*" in group and fnmatch.fnmatchcase(model, group):
                return group
        return None

    def deployment_models(self, group: str) -> list[str]:
        """The litellm model names of the deployments behind ``group`` (wildcards: the called name)."""
        return [d["litellm_params"]["model"] for d in self.model_list if d["model_name"] == group]

    def fallback_groups(self, group: str) -> list[str]:
        out: list[str] = []
        for name in _FALLBACK_SETTINGS:
            value = self.settings.get(name)
            if name == "default_fallbacks" and isinstance(value, list):
                out += [v for v in value if isinstance(v, str)]
                continue
            for item in value if isinstance(value, list) else ():
                if isinstance(item, Mapping):
                    for source, targets in item.items():
                        if source in (group, "*") and isinstance(targets, list):
                            out += [t for t in targets if isinstance(t, str)]
        return list(dict.fromkeys(out))


def _parse(path: str, text: str) -> Any:
    if path.lower().endswith(".json"):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise _problem(path, f"not valid JSON ({exc})") from None
    try:
        import yaml
    except ImportError:
        try:
            return json.loads(text)
        except ValueError:
            raise _problem(
                path, "PyYAML is not installed, so only JSON can be read; install pyyaml or give a .json file"
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where is not None else ""
        raise _problem(path, f"not valid YAML{at} ({getattr(exc, 'problem', None) or type(exc).__name__})") from None


def _expand(value: Any, where: str, path: str) -> Any:
    """Replace ``os.environ/NAME`` strings, recursively, as the LiteLLM Proxy does for its config."""
    if isinstance(value, str) and value.startswith(ENV_REF):
        name = value[len(ENV_REF) :]
        if not name or name not in os.environ:
            raise _problem(
                path, f"{where} refers to the environment variable {name or '(empty name)'!s}, which is not set"
            )
        return os.environ[name]
    if isinstance(value, Mapping):
        return {k: _expand(v, f"{where}.{k}", path) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, f"{where}[{i}]", path) for i, v in enumerate(value)]
    return value


def _check_deployment(i: int, item: Any, path: str) -> dict[str, Any]:
    where = f"model_list[{i}]"
    if not isinstance(item, Mapping):
        raise _problem(path, f"{where} must be a mapping with model_name and litellm_params")
    name = item.get("model_name")
    if not isinstance(name, str) or not name.strip():
        raise _problem(path, f"{where}.model_name must be a non-empty string (the model group)")
    params = item.get("litellm_params")
    if not isinstance(params, Mapping):
        raise _problem(path, f"{where}.litellm_params must be a mapping with at least `model`")
    model = params.get("model")
    if not isinstance(model, str) or not model.strip():
        raise _problem(path, f"{where}.litellm_params.model must be a litellm model name, e.g. openai/gpt-4o-mini")
    info = item.get("model_info")
    if info is not None and not isinstance(info, Mapping):
        raise _problem(path, f"{where}.model_info must be a mapping")
    out = dict(item)
    out["model_name"] = name.strip()
    if info is not None and "id" in info:
        if info["id"] is None or isinstance(info["id"], (dict, list)):
            raise _problem(path, f"{where}.model_info.id must be a string")
        out["model_info"] = {**info, "id": str(info["id"])}
    return out


def read_router_file(path: str) -> RouterFile:
    """Read and validate a router config; raises ``ConfigError`` naming ``LITELLM_ROUTER_CONFIG``.

    Pure: needs no litellm. Router argument names are checked later, against the installed litellm.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise _problem(path, "file not found") from None
    except IsADirectoryError:
        raise _problem(path, "is a directory, not a config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _problem(
            path, f"cannot be read ({type(exc).__name__}: {exc.strerror if isinstance(exc, OSError) else exc})"
        ) from None
    data = _parse(path, text)
    if not isinstance(data, Mapping):
        raise _problem(
            path,
            f"must be a mapping with a `model_list` (got {'an empty file' if data is None else type(data).__name__})",
        )
    model_list = data.get("model_list")
    if not isinstance(model_list, list) or not model_list:
        raise _problem(path, "needs a non-empty `model_list` (the deployments the Router may call)")
    deployments = [_check_deployment(i, item, path) for i, item in enumerate(model_list)]

    settings_section = data.get("router_settings") or {}
    if not isinstance(settings_section, Mapping):
        raise _problem(path, "`router_settings` must be a mapping of litellm.Router arguments")
    settings: dict[str, Any] = {}
    ignored: list[str] = []
    for key, value in data.items():
        if key in ("model_list", "router_settings"):
            continue
        if key in PROXY_SECTIONS or not isinstance(key, str):
            ignored.append(str(key))
            continue
        settings[key] = value  # a Router argument at the top level; checked against litellm later
    for key, value in settings_section.items():
        if key in settings:
            raise _problem(path, f"`{key}` is set both at the top level and in router_settings; keep one")
        settings[str(key)] = value
    if "model_list" in settings:
        raise _problem(path, "router_settings must not contain model_list")

    deployments = _expand(deployments, "model_list", path)
    settings = {k: _expand(v, f"router_settings.{k}", path) for k, v in settings.items()}
    return RouterFile(path=path, model_list=deployments, settings=settings, ignored_sections=tuple(ignored))


# ---------------------------------------------------------------------------------- the Router


def _router_parameters(litellm: ModuleType) -> Sequence[str] | None:
    """``litellm.Router``'s keyword arguments, or None when they cannot be known."""
    try:
        signature = inspect.signature(litellm.Router.__init__)
    except (TypeError, ValueError):
        return None
    params = signature.parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return [p.name for p in params if p.name not in ("self", "_host") and not p.name.startswith("_")]


def _build_router(source: RouterFile, litellm: ModuleType) -> Any:
    known = _router_parameters(litellm)
    if known is not None:
        unknown = sorted(set(source.settings) - set(known))
        if unknown:
            raise _problem(
                source.path,
                f"unknown litellm.Router setting(s) {', '.join(unknown)} "
                "(put Router arguments in router_settings; see litellm's Router docs)",
            )
    kwargs = copy.deepcopy(source.settings)
    suppress = getattr(litellm, "suppress_debug_info", None)
    try:
        return litellm.Router(model_list=copy.deepcopy(source.model_list), **kwargs)
    except Exception as exc:
        secrets = [d["litellm_params"].get("api_key") for d in source.model_list]
        detail = scrub(f"{type(exc).__name__}: {exc}", [s for s in secrets if isinstance(s, str)])
        raise _problem(source.path, f"litellm.Router refused the configuration: {detail[:300]}") from None
    finally:
        if suppress is not None and getattr(litellm, "suppress_debug_info", None) != suppress:
            # Not a setting of ours: litellm 1.60's Router turns this on process-wide as a side
            # effect of construction; writing back the host's own value undoes that.
            setattr(litellm, "suppress_debug_info", suppress)  # noqa: B010 - litellm declares no such attribute


_CALLBACK_LISTS = (
    "callbacks",
    "success_callback",
    "failure_callback",
    "input_callback",
    "service_callback",
    "_async_success_callback",
    "_async_failure_callback",
    "_async_input_callback",
)


def _retire(router: Any, litellm: ModuleType) -> None:
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
        for name in _CALLBACK_LISTS:
            callbacks = getattr(litellm, name, None)
            if not isinstance(callbacks, list):
                continue
            keep = [cb for cb in callbacks if id(getattr(cb, "__self__", cb)) not in owned and id(cb) not in owned]
            if len(keep) != len(callbacks):
                callbacks[:] = keep
    except Exception:  # pragma: no cover - best effort
        logger.debug("removing a retired litellm.Router's callbacks failed", exc_info=True)


@dataclass(eq=False)
class RouterBackend:
    """A shared ``litellm.Router`` with the provider's ``completion``/``acompletion`` surface."""

    router: Any
    source: RouterFile
    litellm: ModuleType = field(repr=False)
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
            raise _problem(
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
    litellm_id: int
    backend: RouterBackend | None = None
    error: str | None = None


_lock = threading.Lock()
_cache: dict[str, _Entry] = {}


def _stat(path: str) -> tuple[str, tuple[int, int, int]]:
    resolved = os.path.realpath(os.path.expanduser(path))
    try:
        st = os.stat(resolved)
    except FileNotFoundError:
        raise _problem(path, "file not found") from None
    except OSError as exc:
        raise _problem(path, f"cannot be read ({exc.strerror})") from None
    return resolved, (st.st_mtime_ns, st.st_size, st.st_ino)


def router_for(path: str, litellm: ModuleType) -> RouterBackend:
    """The shared ``RouterBackend`` for the config at ``path``; raises ``ConfigError``.

    Thread-safe; builds at most one ``litellm.Router`` per version of the file.
    """
    if not isinstance(path, str) or not path.strip():
        raise ConfigError(f"{ENV_VAR} is empty; set it to the path of a YAML or JSON Router config")
    resolved, key = _stat(path)
    with _lock:
        entry = _cache.get(resolved)
        if entry is None or entry.key != key or entry.litellm_id != id(litellm):
            previous = entry
            entry = _Entry(key, id(litellm))
            try:
                source = read_router_file(path)
                entry.backend = RouterBackend(_build_router(source, litellm), source, litellm)
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
                _retire(previous.backend.router, previous.backend.litellm)
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
            _retire(entry.backend.router, entry.backend.litellm)


__all__ = ["ENV_VAR", "RouterBackend", "RouterFile", "clear_cache", "read_router_file", "router_for"]
