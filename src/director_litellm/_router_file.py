"""Router mode's config file: read, validate and expand a LiteLLM Proxy-style ``model_list`` file.

Pure: needs no litellm (Router argument names are checked later, against the installed
litellm, by ``router``). Every problem is a ``ConfigError`` naming ``LITELLM_ROUTER_CONFIG``.
The file format is described in docs/router.md.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from director_litellm import _environment as environment
from director_litellm._errors import ConfigError

ENV_VAR = environment.ROUTER_CONFIG.name
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
# Router arguments whose values name model groups (for ``models_reachable``)
_FALLBACK_SETTINGS = ("fallbacks", "default_fallbacks", "context_window_fallbacks", "content_policy_fallbacks")


def config_problem(path: str, message: str) -> ConfigError:
    return ConfigError(f"{ENV_VAR}={path}: {message}")


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
            raise config_problem(path, f"not valid JSON ({exc})") from None
    try:
        import yaml
    except ImportError:
        try:
            return json.loads(text)
        except ValueError:
            raise config_problem(
                path, "PyYAML is not installed, so only JSON can be read; install pyyaml or give a .json file"
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where is not None else ""
        raise config_problem(
            path, f"not valid YAML{at} ({getattr(exc, 'problem', None) or type(exc).__name__})"
        ) from None


def _expand(value: Any, where: str, path: str) -> Any:
    """Replace ``os.environ/NAME`` strings, recursively, as the LiteLLM Proxy does for its config."""
    if isinstance(value, str) and value.startswith(ENV_REF):
        name = value[len(ENV_REF) :]
        if not name or name not in os.environ:
            raise config_problem(
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
        raise config_problem(path, f"{where} must be a mapping with model_name and litellm_params")
    name = item.get("model_name")
    if not isinstance(name, str) or not name.strip():
        raise config_problem(path, f"{where}.model_name must be a non-empty string (the model group)")
    params = item.get("litellm_params")
    if not isinstance(params, Mapping):
        raise config_problem(path, f"{where}.litellm_params must be a mapping with at least `model`")
    model = params.get("model")
    if not isinstance(model, str) or not model.strip():
        raise config_problem(
            path, f"{where}.litellm_params.model must be a litellm model name, e.g. openai/gpt-4o-mini"
        )
    info = item.get("model_info")
    if info is not None and not isinstance(info, Mapping):
        raise config_problem(path, f"{where}.model_info must be a mapping")
    out = dict(item)
    out["model_name"] = name.strip()
    if info is not None and "id" in info:
        if info["id"] is None or isinstance(info["id"], (dict, list)):
            raise config_problem(path, f"{where}.model_info.id must be a string")
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
        raise config_problem(path, "file not found") from None
    except IsADirectoryError:
        raise config_problem(path, "is a directory, not a config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise config_problem(
            path, f"cannot be read ({type(exc).__name__}: {exc.strerror if isinstance(exc, OSError) else exc})"
        ) from None
    data = _parse(path, text)
    if not isinstance(data, Mapping):
        raise config_problem(
            path,
            f"must be a mapping with a `model_list` (got {'an empty file' if data is None else type(data).__name__})",
        )
    model_list = data.get("model_list")
    if not isinstance(model_list, list) or not model_list:
        raise config_problem(path, "needs a non-empty `model_list` (the deployments the Router may call)")
    deployments = [_check_deployment(i, item, path) for i, item in enumerate(model_list)]

    settings_section = data.get("router_settings") or {}
    if not isinstance(settings_section, Mapping):
        raise config_problem(path, "`router_settings` must be a mapping of litellm.Router arguments")
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
            raise config_problem(path, f"`{key}` is set both at the top level and in router_settings; keep one")
        settings[str(key)] = value
    if "model_list" in settings:
        raise config_problem(path, "router_settings must not contain model_list")

    deployments = _expand(deployments, "model_list", path)
    settings = {k: _expand(v, f"router_settings.{k}", path) for k, v in settings.items()}
    return RouterFile(path=path, model_list=deployments, settings=settings, ignored_sections=tuple(ignored))


__all__ = ["ENV_REF", "ENV_VAR", "PROXY_SECTIONS", "RouterFile", "config_problem", "read_router_file"]
