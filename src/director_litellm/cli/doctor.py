"""``director-litellm doctor``: can this setup work? Offline, without calling any model.

Two steps gather what every later check needs, in order: the configuration (``check_config``)
and litellm itself (``check_litellm``: its version verdict, stray ``.pth`` files, the import and
the ``.env`` it may load). Then each function of ``CHECKS`` looks at the resulting ``Setup`` and
returns its own ``Section`` (or None when it does not apply). A new check is one more function
in ``CHECKS``.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import os
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import ModuleType
from typing import TYPE_CHECKING, Any

from director_litellm import supply_chain
from director_litellm.cli import model_checks, settings, vertex_check
from director_litellm.cli.console import Console, short, stdout_caught
from director_litellm.cli.report import Report, Section
from director_litellm.cli.settings import Resolved, env_name, field_var

if TYPE_CHECKING:
    from director_litellm.config import LiteLLMConfig

# the settings shown in their own rows; the others only when set
HEADLINE = ("chat_model", "api_key", "api_base")
# litellm's own LITELLM_* variables: not misspellings of ours
LITELLM_OWN = frozenset(
    {
        "LITELLM_LOCAL_MODEL_COST_MAP",
        "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS",
        "LITELLM_MODEL_COST_MAP_URL",
        "LITELLM_LOG",
        "LITELLM_MODE",
        "LITELLM_MASTER_KEY",
        "LITELLM_SALT_KEY",
        "LITELLM_LICENSE",
        "LITELLM_PROXY_API_KEY",
        "LITELLM_PROXY_API_BASE",
        "LITELLM_DONT_SHOW_FEEDBACK_BOX",
        "LITELLM_MODIFY_PARAMS",
        "LITELLM_PRINT_STANDARD_LOGGING_PAYLOAD",
        "LITELLM_SUPPRESS_STARTUP_OUTPUT",
        "LITELLM_OFFLINE_MODE",
        "LITELLM_LOGGER_NAME",
        "LITELLM_USER_AGENT",
        "LITELLM_DETAILED_TIMING",
    }
)
# how close a variable's name must be to one of ours to count as a misspelling (difflib ratio)
MISSPELLING_CUTOFF = 0.8
_FALSY = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class Setup:
    """What the checks look at: the resolved configuration and litellm (None: not importable)."""

    resolved: Resolved
    litellm: ModuleType | None
    console: Console

    @property
    def config(self) -> LiteLLMConfig:
        return self.resolved.config

    @cached_property
    def route(self) -> tuple[str, str] | None:
        """(model name without prefix, litellm provider) for ``chat_model``, or None if litellm cannot tell."""
        if self.litellm is None:
            return None
        try:
            with stdout_caught(self.console):
                bare, provider, _, _ = self.litellm.get_llm_provider(
                    self.config.chat_model, api_base=self.config.api_base
                )
        except Exception:
            return None
        return str(bare), str(provider)


Check = Callable[[Setup], "Section | None"]


# --------------------------------------------------------------------------- gathering


def check_config(resolved: Resolved) -> Section:
    shown, sources, invalid = resolved.shown(), resolved.sources, resolved.invalid
    s = Section("Configuration", {"config": {"values": shown, "set_by": sources, "error": resolved.error()}})
    for name in HEADLINE:
        value = shown[name]
        source = "default" if name == "chat_model" and name not in sources else sources.get(name)
        if name in invalid:
            s.row(name, "invalid (see below)")
        elif value is None:
            s.row(name, _UNSET[name])
        else:
            s.row(name, f"{value}  [{source}]" if source else str(value))
    others = [n for n in sources if n not in HEADLINE]
    for name in others:
        value = "(invalid)" if name in invalid else json.dumps(shown[name])
        s.row(name, f"{value}  [{sources[name]}]")
    s.row("", f"({len(shown) - len(HEADLINE) - len(others)} other settings at their defaults)")
    error = resolved.error()
    if error:
        s.add("problem", error)
    return s


_UNSET = {
    "chat_model": "unset",
    "api_key": "unset: litellm reads the provider's own key variable",
    "api_base": "unset: the provider's default endpoint",
}


def check_litellm(console: Console, site_packages: Sequence[str] | None) -> tuple[Section, ModuleType | None]:
    """Version verdict and stray .pth files without importing litellm; then the import itself."""
    version = supply_chain.installed_version()
    problem = supply_chain.verdict(version)
    facts: dict[str, Any] = {"version": version, "verdict": "fine", "reason": None, "importable": None}
    s = Section("litellm", {"litellm": facts})
    s.row("version", version or "not installed")
    if version is None:
        facts["verdict"] = "not installed"
        s.add("problem", f"litellm is not installed. Install it: {supply_chain.SAFE_INSTALL}")
    elif problem is not None:
        facts["verdict"], facts["reason"] = ("blocked" if problem.blocked else "broken"), problem.reason
        s.add("problem" if problem.blocked else "warn", problem.message)
    else:
        s.add("ok", f"litellm {version} is not a known-bad release")

    dirs = list(site_packages or supply_chain.site_packages_dirs())
    stray = supply_chain.find_stray_pth(dirs)
    facts["site_packages"] = dirs
    facts["stray_pth"] = [
        {"path": p.path, "reason": p.reason, "malicious": p.malicious, "executes_code": p.executes_code} for p in stray
    ]
    for pth in stray:
        s.add("problem" if pth.malicious else "warn", pth.message)
    if not stray:
        plural = "y" if len(dirs) == 1 else "ies"
        s.add("ok", f"no stray litellm .pth file in {len(dirs)} site-packages director{plural}")

    if version is None or (problem is not None and problem.blocked):
        if version is not None:
            s.add("note", "litellm was not imported: model and key checks skipped")
        return s, None
    before = set(os.environ)
    started = time.monotonic()
    try:
        with stdout_caught(console):
            litellm = settings.import_litellm()
    except Exception as exc:
        facts["importable"] = False
        s.add("problem", f"litellm cannot be imported: {type(exc).__name__}: {short(exc)}")
        return s, None
    facts["importable"] = True
    bundled = os.environ.get("LITELLM_LOCAL_MODEL_COST_MAP", "").strip().lower() == "true"
    where = "bundled model map (no network)" if bundled else "model map fetched over the network"
    s.row("import", f"{time.monotonic() - started:.1f} s, {where}")
    check_dotenv(s, dotenv_file(litellm), set(os.environ) - before)
    return s, litellm


def check_dotenv(s: Section, path: str | None, new: Collection[str]) -> None:
    """litellm loads a .env into the environment when imported (unless LITELLM_MODE=PRODUCTION).

    ``new``: the variables that appeared while litellm was imported; those named in ``path``
    came from it.
    """
    in_file: set[str] = set()
    if path:
        with contextlib.suppress(Exception):  # python-dotenv is litellm's dependency; be safe all the same
            import dotenv

            in_file = set(dotenv.dotenv_values(path))
    loaded = sorted(set(new) & in_file)
    s.facts["dotenv"] = {"path": path, "loaded": loaded}
    if not loaded:
        return
    s.add("note", f"importing litellm loaded {len(loaded)} variable(s) from {path}: " + ", ".join(loaded))
    ours = {field_var(f) for f in settings.config_fields()}
    late = [n for n in loaded if n.upper() in ours]
    if late:
        s.add(
            "warn",
            f"{', '.join(late)} set only in {path}: litellm loads that file when it is "
            "first imported, after director-litellm has read its settings, so "
            "director-litellm ignores it; export it in the environment instead",
        )


def dotenv_file(litellm: ModuleType) -> str | None:
    """The .env python-dotenv finds for litellm: the first one walking up from litellm's directory."""
    if os.environ.get("LITELLM_MODE", "DEV") != "DEV":
        return None
    directory = os.path.dirname(os.path.abspath(getattr(litellm, "__file__", None) or "."))
    while True:
        candidate = os.path.join(directory, ".env")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


# --------------------------------------------------------------------------- checks


def check_environment(setup: Setup) -> Section:
    from director_litellm.config import ENV_PREFIX

    config = setup.config
    ours = [field_var(n) for n in settings.config_fields()]
    misspelled = []
    s = Section("Environment")
    for name in sorted(os.environ):
        upper = name.upper()
        if upper in ours or upper in LITELLM_OWN:
            continue
        if not upper.startswith(ENV_PREFIX) and "LLM" not in upper and "LITE" not in upper:
            continue
        close = difflib.get_close_matches(upper, ours, n=1, cutoff=MISSPELLING_CUTOFF)
        if close:
            misspelled.append({"name": name, "suggestion": close[0]})
            s.add("warn", f"{name} is not a director-litellm setting (ignored): did you mean {close[0]}?")
    s.facts["environment"] = {"misspelled": misspelled}

    drop = env_name("LITELLM_DROP_PARAMS")
    if drop is not None:
        value = os.environ[drop]
        s.add(
            "warn" if value.strip().lower() in _FALSY else "note",
            f"{drop}={value} is litellm's own process-wide flag, not a director-litellm "
            "setting (on litellm 1.60 any non-empty value, even 'false', turns it on); "
            f"use {field_var('drop_unsupported_params')} for this provider",
        )
    if os.environ.get("LITELLM_LOG", "").upper() == "DEBUG":
        s.add("warn", "LITELLM_LOG=DEBUG: litellm logs whole requests; API keys can end up in logs")
    default_llm = os.environ.get("DEFAULT_LLM")
    if default_llm is None:
        s.add(
            "note",
            "DEFAULT_LLM is unset: Director picks its LLM by API keys; set DEFAULT_LLM=litellm to use this provider",
        )
    elif default_llm.strip().lower() != config.llm_type.lower():
        s.add(
            "note",
            f"DEFAULT_LLM={default_llm}: Director uses that provider, not this one (set DEFAULT_LLM={config.llm_type})",
        )
    if not s.has("warn", "problem"):
        s.add("ok", "no misspelled or clashing variables")
    return s


def check_director(setup: Setup) -> Section:
    """Does the Director this Python imports honour DEFAULT_LLM? Found by behaviour, in a subprocess.

    ``director_check.check_director`` builds Director's default LLM with ``DEFAULT_LLM=litellm``
    and decoy keys; with the shipped change that is ``LiteLLMProvider``. Missing change: FAIL when
    DEFAULT_LLM selects this provider, WARN otherwise, then the command that applies the patch.
    """
    from director_litellm.director_check import check_director as probe

    status = probe()
    default_llm = os.environ.get("DEFAULT_LLM")
    selected = default_llm is not None and default_llm.strip().lower() == setup.config.llm_type.lower()
    s = Section("Director", {"director": {**status.as_dict(), "default_llm": default_llm}})
    if not status.importable:
        # not importable, or the probe itself could not run (the detail then says why)
        absent = status.detail.startswith("Director is not importable")
        s.add("note", "Director is not importable from this Python" if absent else f"not checked: {status.detail}")
        return s
    s.row("location", status.location or "unknown")
    if status.honours_default_llm:
        s.row("DEFAULT_LLM", "honoured: get_default_llm() loads from the director.llm_providers group")
        s.add("ok", "with DEFAULT_LLM=litellm, Director's get_default_llm() builds LiteLLMProvider")
        return s
    s.row("DEFAULT_LLM", "not honoured: the director-litellm change is missing")
    s.add(
        "problem" if selected else "warn",
        f"{status.detail}. Apply the shipped patch:" if status.patch_command else status.detail,
        status.patch_command,
    )
    return s


# run in this order after the configuration and litellm; each returns None when it does not apply
CHECKS: tuple[Check, ...] = (
    model_checks.check_router,
    model_checks.check_model,
    model_checks.check_credentials,
    vertex_check.check_vertex,
    check_environment,
    check_director,
)


def run_doctor(console: Console, model: str | None = None, site_packages: Sequence[str] | None = None) -> Report:
    resolved = settings.resolve({"chat_model": model} if model else {}, {"chat_model": "--model"})
    litellm_section, litellm = check_litellm(console, site_packages)
    setup = Setup(resolved, litellm, console)
    sections = [check_config(resolved), litellm_section]
    sections += [section for check in CHECKS if (section := check(setup)) is not None]
    return Report(sections)


def cmd_doctor(args: argparse.Namespace, console: Console) -> int:
    report = run_doctor(console, args.model, args.site_packages)
    if args.json:
        console.json(report.as_json())
    else:
        report.render(console)
    return report.exit_code()
