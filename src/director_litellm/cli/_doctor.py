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
import json
import os
import time
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

import director_litellm.cli._family_checks as family_checks
import director_litellm.cli._model_checks as model_checks
import director_litellm.cli._settings as settings
import director_litellm.cli._vertex_check as vertex_check
from director_litellm import _environment as environment
from director_litellm import _litellm
from director_litellm import _supply_chain as supply_chain
from director_litellm.cli._console import Console, short, stdout_caught
from director_litellm.cli._report import Report, Section
from director_litellm.cli._settings import Resolved, env_name, field_var
from director_litellm.cli._setup import Setup

if TYPE_CHECKING:
    pass

# the settings shown in their own rows; the others only when set
HEADLINE = ("chat_model", "api_key", "api_base")
_FALSY = frozenset({"0", "false", "no", "off"})


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


def check_litellm(console: Console, site_packages: Sequence[str] | None) -> tuple[Section, bool]:
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
        return s, False
    before = set(os.environ)
    started = time.monotonic()
    try:
        with stdout_caught(console), console.loading():
            settings.ensure_litellm()
    except Exception as exc:
        facts["importable"] = False
        s.add("problem", f"litellm cannot be imported: {type(exc).__name__}: {short(exc)}")
        return s, False
    facts["importable"] = True
    bundled = environment.read(environment.LOCAL_MODEL_COST_MAP).strip().lower() == "true"
    where = "bundled model map (no network)" if bundled else "model map fetched over the network"
    s.row("import", f"{time.monotonic() - started:.1f} s, {where}")
    check_dotenv(s, dotenv_file(_litellm.install_dir()), set(os.environ) - before)
    return s, True


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


def dotenv_file(directory: str) -> str | None:
    """The .env python-dotenv finds for litellm: the first one walking up from litellm's ``directory``."""
    if environment.read(environment.MODE) != "DEV":
        return None
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
    config = setup.config
    misspelled = settings.misspelled()
    s = Section("Environment")
    for name, meant in misspelled:
        s.add("warn", settings.misspelling(name, meant))
    s.facts["environment"] = {"misspelled": [{"name": name, "suggestion": meant} for name, meant in misspelled]}

    drop = env_name("LITELLM_DROP_PARAMS")
    if drop is not None:
        value = os.environ[drop]
        s.add(
            "warn" if value.strip().lower() in _FALSY else "note",
            f"{drop}={value} is litellm's own process-wide flag, not a director-litellm "
            "setting (on litellm 1.60 any non-empty value, even 'false', turns it on); "
            f"use {field_var('drop_unsupported_params')} for this provider",
        )
    if environment.read(environment.LOG).upper() == "DEBUG":
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
    else:
        s.row("DEFAULT_LLM", "not honoured: the director-litellm change is missing")
        s.add(
            "problem" if selected else "warn",
            f"{status.detail}. Apply the shipped patch:" if status.patch_command else status.detail,
            status.patch_command,
        )
    if status.location:
        check_pins(s, status.location)
    return s


def check_pins(s: Section, location: str) -> None:
    """Warn when this Python's openai / pydantic / pydantic-settings differ from the Director checkout's pins.

    Installing director-litellm (its newest litellm) moves them unless pip is given the shipped
    constraints file; Director was tested on its pins only.
    """
    from importlib.metadata import PackageNotFoundError, version

    from director_litellm.director_check import DIRECTOR_COMMIT, constraints_path, director_pins

    pins = director_pins(location)
    found: dict[str, dict[str, str | None]] = {}
    for name, pinned in pins.items():
        try:
            installed: str | None = version(name)
        except PackageNotFoundError:
            installed = None
        found[name] = {"pinned": pinned, "installed": installed}
    s.facts["director"]["pins"] = found
    if not pins:
        return
    moved = {name: v for name, v in found.items() if v["installed"] != v["pinned"]}
    requirements = os.path.join(os.path.dirname(location), "requirements.txt")
    if not moved:
        s.add("ok", f"{', '.join(f'{n} {v}' for n, v in pins.items())}: as {requirements} pins")
        return
    pinned_text = ", ".join(f"{n}=={v['pinned']}" for n, v in moved.items())
    have = ", ".join(f"{n} {v['installed'] or '(not installed)'}" for n, v in moved.items())
    plural = "versions" if len(moved) > 1 else "a version"
    constraints = constraints_path()
    advice = (
        " To keep Director's pins, reinstall with the shipped constraints (docs/director.md)"
        if constraints
        else " To keep Director's pins, install director-litellm with pip constraints holding them (docs/director.md)."
    )
    if constraints:
        shipped = director_pins(constraints, file=constraints)
        other = {n: shipped[n] for n, v in pins.items() if n in shipped and shipped[n] != v}
        if other:
            text = ", ".join(f"{n}=={v}" for n, v in other.items())
            advice += f" (the shipped file holds Director {DIRECTOR_COMMIT}'s pins, {text}: change them to this checkout's first)"
        advice += ":"
    s.add(
        "warn",
        f"{requirements} pins {pinned_text}, and this Python has {have}: Director runs on {plural} "
        f"it was not tested with.{advice}",
        f"pip install director-litellm -c {constraints}" if constraints else None,
    )


def check_observability(setup: Setup) -> Section:
    """Where spans go (opentelemetry installed? a TracerProvider configured? its exporters) and litellm's callbacks."""
    from director_litellm import _tracing as tracing

    config, status = setup.config, tracing.status()
    names = list(config.callbacks) + (["langfuse"] if config.enable_langfuse else [])
    used = _litellm.callbacks_in_use(config.callbacks, config.enable_langfuse) if setup.litellm else names
    s = Section("Observability", {"observability": {"tracing": status, "callbacks": used}})
    if not status["installed"]:
        s.row("tracing", "off: opentelemetry is not installed (pip install 'director-litellm[otel]')")
    elif not status["tracing"]:
        s.row("tracing", "off in this process: no TracerProvider is configured (spans are not recorded)")
    else:
        s.row("tracing", f"on: {status['provider']}, exporters: {', '.join(status['exporters']) or 'none'}")
    for variable in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        if status.get(variable):
            s.row(variable, str(status[variable]))
    s.row("message content", "recorded (scrubbed)" if status.get("capture_content") else "not recorded")
    s.row("litellm callbacks", ", ".join(used) or "none")
    for name in names:
        if setup.litellm and not any(entry == name or entry.startswith(f"{name} ") for entry in used):
            s.add(
                "warn", f"litellm callback {name!r} is not used: it cannot be loaded, or names no litellm CustomLogger"
            )
    if status["tracing"] and any(entry.split(" ")[0] in ("otel", "opentelemetry") for entry in used):
        s.add("warn", "both this package's spans and litellm's otel callback are on: each call is traced twice")
    if not s.has("warn"):
        s.add("ok", "observability settings are consistent")
    return s


# run in this order after the configuration and litellm; each returns None when it does not apply
CHECKS: tuple[Check, ...] = (
    model_checks.check_router,
    model_checks.check_model,
    model_checks.check_credentials,
    vertex_check.check_vertex,
    family_checks.check_family,
    check_environment,
    check_observability,
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
