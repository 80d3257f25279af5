"""The ``director-litellm`` command: ``providers``, ``doctor`` and ``chat``.

::

    director-litellm providers [--check] [--json]
    director-litellm doctor [--model M] [--site-packages DIR]... [--json]
    director-litellm chat PROMPT [--model M] [--system S] [--api-base URL] [--temperature T]
                                 [--max-tokens N] [--timeout S] [--tools FILE] [--json]
    director-litellm --version

Exit codes (every command)::

    0    success; for doctor: the setup can work (warnings allowed)
    1    the setup cannot work, the call failed, or a provider failed its check
    2    usage error (unknown option, bad flag value)
    130  interrupted

The command owns its process, so it does here what the library never does: it
configures logging (silent unless ``-v``) and catches everything written to stdout
while it works (litellm prints banners such as "Provider List: ..." there), showing
it on stderr with ``-v``. stdout carries only the command's own output, so
``--json`` is always parseable. No ``litellm.*`` global is assigned. Secrets are
masked in everything printed, logs included.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import json
import logging
import os
import platform
import re
import shutil
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, TextIO
from unittest import mock

from director_litellm import __version__, supply_chain
from director_litellm.scrub import scrub

PROG = "director-litellm"
EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# env var names whose values are secrets (masked wherever they are shown)
_SECRET_NAME = re.compile(r"(?i)(key|token|secret|passw|credential|auth|signature)")
# litellm's own LITELLM_* variables: not misspellings of ours
_LITELLM_OWN = frozenset(
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
# providers whose get_model_info asks a server (Ollama, the Hugging Face hub): read the bundled map only
_ASKS_A_SERVER = frozenset({"ollama", "ollama_chat", "huggingface", "lemonade"})
# credentials litellm can find without an environment variable (profiles, instance roles, gcloud)
_AMBIENT = ("AWS_", "VERTEXAI_", "VERTEX_", "GOOGLE_APPLICATION_CREDENTIALS")
_FALSY = frozenset({"0", "false", "no", "off"})


# --------------------------------------------------------------------------- output


@dataclass
class Console:
    """Where the command writes: ``out`` is the real stdout, whatever litellm does to sys.stdout."""

    out: TextIO
    err: TextIO
    verbose: int = 0
    width: int = 80
    secrets: list[str] = field(default_factory=list)

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def error(self, text: str) -> None:
        """One line on stderr, prefixed with the program name."""
        flat = " ".join(scrub(text, self.secrets).split())
        self.err.write(f"{PROG}: error: {flat}\n")

    def json(self, data: Any) -> None:
        self.out.write(json.dumps(data, indent=2, default=str) + "\n")

    def wrap(self, text: str, indent: int, first: str = "") -> str:
        """``first`` then ``text`` wrapped to the width, continuation lines indented by ``indent``."""
        lines = textwrap.wrap(
            text,
            width=max(self.width, indent + 20),
            initial_indent=first.ljust(indent),
            subsequent_indent=" " * indent,
            break_on_hyphens=False,
            break_long_words=False,
        )
        return "\n".join(lines) if lines else first.rstrip()


def _terminal_width() -> int:
    return max(60, min(shutil.get_terminal_size((80, 24)).columns, 100))


def _environment_secrets() -> list[str]:
    return [v for k, v in os.environ.items() if _SECRET_NAME.search(k) and len(v) >= 8]


class _ScrubbingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record), self._secrets)


def _configure_logging(console: Console) -> None:
    """Silent by default (the command prints its own one-line errors); ``-v`` shows logs on stderr."""
    logging.captureWarnings(True)  # import-time warnings of litellm/pydantic are log records now
    if not console.verbose:
        logging.disable(logging.CRITICAL)
        return
    handler = logging.StreamHandler(console.err)
    handler.setFormatter(_ScrubbingFormatter(console.secrets))
    # litellm's loggers have their own stderr handler; don't print their records twice
    handler.addFilter(lambda record: not record.name.startswith("LiteLLM"))
    logging.getLogger().addHandler(handler)
    logging.getLogger("director_litellm").setLevel(logging.DEBUG if console.verbose > 1 else logging.INFO)


@contextlib.contextmanager
def _stdout_caught(console: Console) -> Iterator[io.StringIO]:
    """Send everything printed to sys.stdout to a buffer; replay it on stderr with ``-v``."""
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            yield buffer
    finally:
        noise = buffer.getvalue()
        if console.verbose and noise.strip():
            console.err.write(scrub(noise, console.secrets))


def _fit(text: str, width: int) -> str:
    """``text`` shortened from the left to ``width`` characters (paths keep their useful end)."""
    return text if len(text) <= width else "..." + text[-(width - 3) :]


def _import_litellm() -> ModuleType:
    """litellm, imported the way the provider imports it (no network fetch of the cost map)."""
    from director_litellm._litellm import import_litellm

    return import_litellm()


def _short(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = scrub(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------- secrets


def mask(secret: str) -> str:
    """``sk-a...ef (51 chars)``: enough to tell two keys apart, never enough to use one."""
    if len(secret) < 12:
        return f"**** ({len(secret)} chars)"
    return f"{secret[:4]}...{secret[-2:]} ({len(secret)} chars)"


def _mask_tree(value: Any, secret: bool = False) -> Any:
    """JSON-ish ``value`` with every value under a secret-looking key masked."""
    if isinstance(value, dict):
        return {k: _mask_tree(v, secret or bool(_SECRET_NAME.search(str(k)))) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_tree(v, secret) for v in value]
    if secret and value is not None:
        return mask(str(value))
    return scrub(value) if isinstance(value, str) else value


# --------------------------------------------------------------------------- configuration


def _env_name(name: str) -> str | None:
    """The variable actually set for ``name`` (settings are read case-insensitively), if any."""
    if name in os.environ:
        return name
    upper = name.upper()
    return next((k for k in os.environ if k.upper() == upper), None)


def _field_var(field_name: str) -> str:
    from director_litellm.config import ENV_PREFIX

    return f"{ENV_PREFIX}{field_name.upper()}"


def _load_config(overrides: dict[str, Any]) -> tuple[Any, str | None, list[str]]:
    """(config, error message or None, names of the invalid fields).

    On a bad value the config is rebuilt with the invalid fields at their defaults, so
    the remaining checks still run on everything else the user set.
    """
    from pydantic import ValidationError

    from director_litellm.config import ConfigError, LiteLLMConfig, load_config

    try:
        return load_config(**overrides), None, []
    except ConfigError as exc:
        message = str(exc)
    try:
        LiteLLMConfig(**overrides)
        bad: list[str] = []
    except ValidationError as exc:
        bad = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]} & set(LiteLLMConfig.model_fields))
    reset = {n: LiteLLMConfig.model_fields[n].get_default(call_default_factory=True) for n in bad}
    try:
        config = LiteLLMConfig(**{**overrides, **reset})
    except Exception:  # pragma: no cover - the defaults are valid; belt and braces
        config = LiteLLMConfig.model_construct()
    return config, message, bad


def _flag_names(error: str, flags: dict[str, str]) -> str:
    """``load_config`` names an override ``field=``; the user typed a flag."""
    for name, flag in flags.items():
        error = error.replace(f"{name}= ", f"{flag} ")
    return error


def _shown_config(config: Any) -> dict[str, Any]:
    """Every setting as JSON values, secrets masked and URLs scrubbed."""
    values = config.model_dump(mode="json")
    key = config.api_key
    values["api_key"] = mask(key.get_secret_value()) if key is not None else None
    return {name: (value if name == "api_key" else _mask_tree(value)) for name, value in values.items()}


def _sources(config: Any, overrides: dict[str, str], flags: dict[str, str]) -> dict[str, str]:
    """Where each non-default setting came from: a flag or the variable's name."""
    out = {}
    for name in type(config).model_fields:
        if name in overrides:
            out[name] = flags.get(name, name)
        else:
            var = _env_name(_field_var(name))
            if var is not None:
                out[name] = var
    return out


# --------------------------------------------------------------------------- providers


def cmd_providers(args: argparse.Namespace, console: Console) -> int:
    from director_litellm import discovery

    infos = discovery.available_providers()
    rows = []
    failed = 0
    for info in infos:
        row: dict[str, Any] = {
            "name": info.name,
            "target": info.value,
            "distribution": info.distribution,
            "version": info.version,
        }
        if args.check:
            try:
                discovery.load_provider(info.name)
                row["status"], row["reason"] = "OK", None
            except (Exception, SystemExit) as exc:  # a plugin's import may do anything
                failed += 1
                row["status"], row["reason"] = "FAILED", f"{type(exc).__name__}: {_short(exc, 400)}"
        rows.append(row)

    if args.json:
        console.json({"group": discovery.ENTRY_POINT_GROUP, "providers": rows})
    elif not rows:
        console.line(f"No LLM providers are installed in the entry-point group {discovery.ENTRY_POINT_GROUP!r}.")
    else:
        table = [[r["name"], r["target"], f"{r['distribution']}=={r['version']}"] for r in rows]
        _print_table(console, ["NAME", "TARGET", "DISTRIBUTION"], table, shrink=1)
        if args.check:
            console.line()
            console.line("Loaded one at a time:")
            width = max(len(r["name"]) for r in rows) + 4
            for r in rows:
                text = r["status"] + (f": {r['reason']}" if r["reason"] else "")
                console.line(console.wrap(text, width, f"  {r['name']}"))
    if failed:
        return EXIT_FAIL
    return EXIT_OK if rows else EXIT_FAIL


def _print_table(console: Console, headers: list[str], rows: list[list[str]], shrink: int) -> None:
    """Columns padded to fit; column ``shrink`` is cut with "..." when the table is too wide."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    excess = sum(widths) + 2 * (len(widths) - 1) - console.width
    if excess > 0:
        widths[shrink] = max(12, widths[shrink] - excess)

    def cell(text: str, width: int) -> str:
        return text if len(text) <= width else text[: width - 3] + "..."

    for row in [headers, *rows]:
        console.line("  ".join(cell(str(c), w).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


# --------------------------------------------------------------------------- doctor


@dataclass
class Finding:
    level: str  # "ok", "note", "warn" or "problem"
    text: str


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def row(self, label: str, value: str) -> None:
        self.rows.append((label, value))

    def add(self, level: str, text: str) -> None:
        self.findings.append(Finding(level, text))


_MARK = {"ok": "ok", "note": "note", "warn": "WARN", "problem": "FAIL"}


class Doctor:
    """Collects what the setup looks like; every check adds rows, findings and JSON facts."""

    def __init__(self, args: argparse.Namespace, console: Console) -> None:
        self.args = args
        self.console = console
        self.sections: list[Section] = []
        # every key present in --json output, null when its check did not run
        self.facts: dict[str, Any] = {
            "config": None,
            "litellm": None,
            "model": None,
            "credentials": None,
            "dotenv": None,
            "environment": None,
        }
        self.env_before = dict(os.environ)

    def section(self, title: str) -> Section:
        self.sections.append(Section(title))
        return self.sections[-1]

    # ---------------------------------------------------------------- checks

    def run(self) -> None:
        config = self.check_config()
        litellm = self.check_litellm()
        if litellm is not None:
            if config.router_config:
                self.check_router(config)
            else:
                provider = self.check_model(litellm, config)
                if provider is not None:
                    self.check_credentials(litellm, config, provider)
        self.check_environment(config)

    def check_config(self) -> Any:
        s = self.section("Configuration")
        overrides = {"chat_model": self.args.model} if self.args.model else {}
        config, error, bad = _load_config(overrides)
        sources = _sources(config, overrides, {"chat_model": "--model"})
        shown = _shown_config(config)
        for name in bad:
            shown[name] = "(invalid)"
        self.facts["config"] = {"values": shown, "set_by": sources, "error": error}
        for name in ("chat_model", "api_key", "api_base"):
            value = shown[name]
            if name in bad:
                text = "invalid (see below)"
            elif value is None:
                text = (
                    "unset: litellm reads the provider's own key variable"
                    if name == "api_key"
                    else "unset: the provider's default endpoint"
                )
            else:
                text = str(value)
            source = "default" if name == "chat_model" and name not in sources else sources.get(name)
            s.row(name, f"{text}  [{source}]" if source and name not in bad else text)
        others = [n for n in sources if n not in ("chat_model", "api_key", "api_base")]
        for name in others:
            value = "(invalid)" if name in bad else json.dumps(shown[name])
            s.row(name, f"{value}  [{sources[name]}]")
        defaults = len(type(config).model_fields) - 3 - len(others)
        s.row("", f"({defaults} other settings at their defaults)")
        if error:
            s.add("problem", _flag_names(error, {"chat_model": "--model"}))
        return config

    def check_litellm(self) -> ModuleType | None:
        """Version verdict and stray .pth files without importing litellm; then the import itself."""
        s = self.section("litellm")
        version = supply_chain.installed_version()
        problem = supply_chain.verdict(version)
        facts: dict[str, Any] = {"version": version, "verdict": "fine", "reason": None, "importable": None}
        self.facts["litellm"] = facts
        s.row("version", version or "not installed")
        if version is None:
            facts["verdict"] = "not installed"
            s.add("problem", f"litellm is not installed. Install it: {supply_chain.SAFE_INSTALL}")
        elif problem is not None:
            facts["verdict"], facts["reason"] = ("blocked" if problem.blocked else "broken"), problem.reason
            s.add("problem" if problem.blocked else "warn", problem.message)
        else:
            s.add("ok", f"litellm {version} is not a known-bad release")

        dirs = self.args.site_packages or supply_chain.site_packages_dirs()
        stray = supply_chain.find_stray_pth(dirs)
        facts["site_packages"] = dirs
        facts["stray_pth"] = [
            {"path": p.path, "reason": p.reason, "malicious": p.malicious, "executes_code": p.executes_code}
            for p in stray
        ]
        for pth in stray:
            s.add("problem" if pth.malicious else "warn", pth.message)
        if not stray:
            plural = "y" if len(dirs) == 1 else "ies"
            s.add("ok", f"no stray litellm .pth file in {len(dirs)} site-packages director{plural}")

        if version is None or (problem is not None and problem.blocked):
            if version is not None:
                s.add("note", "litellm was not imported: model and key checks skipped")
            return None
        started = time.monotonic()
        try:
            with _stdout_caught(self.console):
                litellm = _import_litellm()
        except Exception as exc:
            facts["importable"] = False
            s.add("problem", f"litellm cannot be imported: {type(exc).__name__}: {_short(exc)}")
            return None
        facts["importable"] = True
        bundled = os.environ.get("LITELLM_LOCAL_MODEL_COST_MAP", "").strip().lower() == "true"
        s.row(
            "import",
            f"{time.monotonic() - started:.1f} s, "
            + ("bundled model map (no network)" if bundled else "model map fetched over the network"),
        )
        self.check_dotenv(litellm)
        return litellm

    def check_dotenv(self, litellm: ModuleType) -> None:
        """litellm loads a .env into the environment when imported (unless LITELLM_MODE=PRODUCTION)."""
        path = _dotenv_file(litellm)
        new = set(os.environ) - set(self.env_before)
        try:
            import dotenv

            in_file = set(dotenv.dotenv_values(path)) if path else set()
        except Exception:  # python-dotenv is litellm's dependency; be safe all the same
            in_file = set()
        loaded = sorted(new & in_file)
        self.facts["dotenv"] = {"path": path, "loaded": loaded}
        if not loaded:
            return
        s = self.sections[-1]
        s.add("note", f"importing litellm loaded {len(loaded)} variable(s) from {path}: " + ", ".join(loaded))
        late = [n for n in loaded if n.upper() in {_field_var(f) for f in _config_fields()}]
        if late:
            s.add(
                "warn",
                f"{', '.join(late)} set only in {path}: litellm loads that file when it is "
                "first imported, after director-litellm has read its settings, so "
                "director-litellm ignores it; export it in the environment instead",
            )

    def check_router(self, config: Any) -> None:
        s = self.section("Router")
        path = config.router_config
        s.row("router config", path)
        self.facts["model"] = None
        if not os.path.isfile(path):
            s.add("problem", f"LITELLM_ROUTER_CONFIG names {path!r}, which is not a readable file")
        else:
            s.add(
                "note",
                f"router mode: {config.chat_model!r} names a model group of {path}; "
                "model and key checks are the router's (not checked here)",
            )

    def check_model(self, litellm: ModuleType, config: Any) -> str | None:
        model = config.chat_model
        s = self.section(f"Model {model}")
        facts: dict[str, Any] = {"name": model, "provider": None, "known": False}
        self.facts["model"] = facts
        try:
            with _stdout_caught(self.console):
                bare, provider, _, _ = litellm.get_llm_provider(model, api_base=config.api_base)
        except Exception:
            prefix = model.split("/", 1)[0] if "/" in model else ""
            names = [getattr(p, "value", str(p)) for p in getattr(litellm, "provider_list", [])]
            close = difflib.get_close_matches(prefix, names, n=1, cutoff=0.7) if prefix else []
            hint = (
                f" Did you mean {close[0]}/...?"
                if close
                else (" Put the provider in front, e.g. openai/<model> for an OpenAI-compatible server.")
            )
            s.add("problem", f"litellm cannot tell which provider serves {model!r}.{hint}")
            return None
        provider = str(provider)
        facts["provider"] = provider
        s.row("provider", provider)

        candidates = list(dict.fromkeys([model, f"{provider}/{bare}", bare]))
        key = next((c for c in candidates if c in litellm.model_cost), None)
        if key is None:
            s.add(
                "warn",
                f"unknown model: litellm {supply_chain.installed_version()} has no entry for "
                f"{model!r} in its model map, so cost and capabilities are unknown. "
                "Calls can still work.",
            )
            return provider
        facts["known"] = True
        info: dict[str, Any] = dict(litellm.model_cost[key])
        caps = {
            "function_calling": info.get("supports_function_calling"),
            "response_schema": info.get("supports_response_schema"),
            "vision": info.get("supports_vision"),
        }
        if provider not in _ASKS_A_SERVER:  # these would ask a server; the map entry is all we read
            with _stdout_caught(self.console):
                with contextlib.suppress(Exception):
                    info.update(litellm.get_model_info(model))
                for name in caps:
                    with contextlib.suppress(Exception):
                        caps[name] = getattr(litellm, f"supports_{name}")(model)
        for name in ("max_input_tokens", "max_output_tokens", "input_cost_per_token", "output_cost_per_token"):
            facts[name] = info.get(name)
        facts.update(caps)

        window = info.get("max_input_tokens") or info.get("max_tokens")
        if window:
            out = info.get("max_output_tokens")
            s.row("context window", f"{window:,} tokens in" + (f", {out:,} out" if out else ""))
        cin, cout = info.get("input_cost_per_token"), info.get("output_cost_per_token")
        if isinstance(cin, (int, float)) and isinstance(cout, (int, float)):
            s.row("price", f"${cin * 1e6:.2f} in / ${cout * 1e6:.2f} out per 1M tokens")

        def yes(v: Any) -> str:
            return "yes" if v else ("no" if v is False else "unknown")

        s.row(
            "supports",
            f"function calling {yes(caps['function_calling'])}, response schema "
            f"{yes(caps['response_schema'])}, vision {yes(caps['vision'])}",
        )
        if caps["function_calling"] is False:
            s.add(
                "warn", "litellm's map says this model has no function calling; Director's reasoning agent needs tools"
            )
        out_limit = info.get("max_output_tokens")
        if isinstance(out_limit, int) and config.max_tokens > out_limit:
            s.add("warn", f"max_tokens {config.max_tokens} is above this model's output limit {out_limit}")
        return provider

    def check_credentials(self, litellm: ModuleType, config: Any, provider: str) -> None:
        s = self.section("Credentials")
        model = config.chat_model
        key = config.api_key.get_secret_value() if config.api_key is not None else None
        facts: dict[str, Any] = {"key_variable": None, "key": None, "needed": [], "missing": []}
        self.facts["credentials"] = facts
        try:
            with _stdout_caught(self.console):
                # with an empty environment, missing_keys lists every variable the provider reads
                with mock.patch.dict(os.environ, {}, clear=True):
                    needed = list(litellm.validate_environment(model).get("missing_keys") or [])
                missing = list(
                    litellm.validate_environment(model, api_key=key, api_base=config.api_base).get("missing_keys") or []
                )
        except Exception as exc:
            s.add("warn", f"litellm could not say which variables {model!r} needs: {_short(exc)}")
            return
        facts["needed"] = needed
        key_vars = [n for n in needed if _is_key_var(n) and not n.startswith(_AMBIENT)]
        key_var_name = _env_name(_field_var("api_key")) or "LITELLM_API_KEY"
        if key is not None:
            facts["key_variable"], facts["key"] = key_var_name, mask(key)
            s.row("key used", f"{key_var_name} = {mask(key)}")
            s.add(
                "ok",
                f"{key_var_name} is sent with every call"
                + (f" (in place of {', '.join(key_vars)})" if key_vars else ""),
            )
            for var in key_vars:
                other = os.environ.get(var)
                if other and other != key:
                    s.add(
                        "warn",
                        f"{key_var_name} and {var} are both set, to different keys: "
                        f"{key_var_name} wins (sent with every call); {var} is not used",
                    )
        else:
            present = [v for v in key_vars if os.environ.get(v)]
            if present:
                facts["key_variable"], facts["key"] = present[0], mask(os.environ[present[0]])
                s.row("key used", f"{present[0]} = {mask(os.environ[present[0]])}")
                s.add("ok", f"litellm reads {present[0]} for {provider}")
            elif key_vars:
                wanted = " or ".join(key_vars)
                hint = _lookalikes(key_vars)
                s.add(
                    "problem",
                    f"no API key for {model}: set {wanted} (or LITELLM_API_KEY)." + (f" {hint}" if hint else ""),
                )
            elif any(n.startswith(_AMBIENT) for n in needed):
                s.row(
                    "credentials",
                    " and ".join(n for n in needed if n.startswith(_AMBIENT)) + ", or the provider's credential chain",
                )
            else:
                s.row("key used", "none: litellm needs no key for this provider")
        facts["missing"] = [n for n in missing if n not in key_vars or key is None]
        ambient = [n for n in missing if n.startswith(_AMBIENT)]
        if ambient:
            chain = (
                "the AWS credential chain (profile, instance role)"
                if ambient[0].startswith("AWS_")
                else "Google application-default credentials"
            )
            s.add(
                "warn", f"{' and '.join(ambient)} not set: litellm falls back to {chain}; calls fail if that has none"
            )
        for var in missing:
            if var in key_vars or var in ambient:
                continue  # reported above
            if var == "OLLAMA_API_BASE":
                s.add("note", "OLLAMA_API_BASE is not set: litellm uses http://localhost:11434")
            elif var.endswith("API_VERSION"):
                if not config.api_version:
                    s.add("warn", f"{var} is not set (or LITELLM_API_VERSION): litellm uses its default")
            elif var.endswith(("API_BASE", "BASE_URL", "ENDPOINT")):
                s.add("problem", f"no endpoint for {model}: set LITELLM_API_BASE or {var}")
            else:
                s.add("warn", f"litellm expects {var} for {model}, and it is not set")
        self._base_clash(s, config, provider)

    def _base_clash(self, s: Section, config: Any, provider: str) -> None:
        names = [f"{provider.upper()}_API_BASE", f"{provider.upper()}_BASE_URL"]
        present = [(n, os.environ[n]) for n in names if os.environ.get(n)]
        if config.api_base:
            for name, value in present:
                if value.rstrip("/") != config.api_base.rstrip("/"):
                    s.add(
                        "warn",
                        f"LITELLM_API_BASE and {name} are both set, to different URLs: "
                        f"LITELLM_API_BASE wins ({scrub(config.api_base)})",
                    )
        elif present:
            s.add("note", f"calls go to {scrub(present[0][1])} (from {present[0][0]})")

    def check_environment(self, config: Any) -> None:
        s = self.section("Environment")
        from director_litellm.config import ENV_PREFIX

        ours = [_field_var(n) for n in type(config).model_fields]
        misspelled = []
        for name in sorted(os.environ):
            upper = name.upper()
            if upper in ours or upper in _LITELLM_OWN:
                continue
            if not upper.startswith(ENV_PREFIX) and "LLM" not in upper and "LITE" not in upper:
                continue
            close = difflib.get_close_matches(upper, ours, n=1, cutoff=0.8)
            if close:
                misspelled.append({"name": name, "suggestion": close[0]})
                s.add("warn", f"{name} is not a director-litellm setting (ignored): did you mean {close[0]}?")
        self.facts["environment"] = {"misspelled": misspelled}

        drop = _env_name("LITELLM_DROP_PARAMS")
        if drop is not None:
            value = os.environ[drop]
            level = "warn" if value.strip().lower() in _FALSY else "note"
            s.add(
                level,
                f"{drop}={value} is litellm's own process-wide flag, not a director-litellm "
                "setting (on litellm 1.60 any non-empty value, even 'false', turns it on); "
                f"use {_field_var('drop_unsupported_params')} for this provider",
            )
        log = os.environ.get("LITELLM_LOG", "")
        if log.upper() == "DEBUG":
            s.add("warn", "LITELLM_LOG=DEBUG: litellm logs whole requests; API keys can end up in logs")
        default_llm = os.environ.get("DEFAULT_LLM")
        if default_llm is None:
            s.add(
                "note",
                "DEFAULT_LLM is unset: Director picks its LLM by API keys; set DEFAULT_LLM=litellm "
                "to use this provider",
            )
        elif default_llm.strip().lower() != config.llm_type.lower():
            s.add(
                "note",
                f"DEFAULT_LLM={default_llm}: Director uses that provider, not this one "
                f"(set DEFAULT_LLM={config.llm_type})",
            )
        if not any(f.level in ("warn", "problem") for f in s.findings):
            s.add("ok", "no misspelled or clashing variables")

    # ---------------------------------------------------------------- results

    def by_level(self, level: str) -> list[str]:
        return [f"{s.title}: {f.text}" for s in self.sections for f in s.findings if f.level == level]

    def exit_code(self) -> int:
        return EXIT_FAIL if self.by_level("problem") else EXIT_OK

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.exit_code() == EXIT_OK,
            "director_litellm": __version__,
            "python": platform.python_version(),
            "problems": self.by_level("problem"),
            "warnings": self.by_level("warn"),
            "notes": self.by_level("note"),
            **self.facts,
            "sections": [
                {
                    "title": s.title,
                    "rows": [list(r) for r in s.rows],
                    "findings": [{"level": f.level, "text": f.text} for f in s.findings],
                }
                for s in self.sections
            ],
        }

    def render(self) -> None:
        c = self.console
        c.line(f"{PROG} {__version__} doctor  (Python {platform.python_version()})")
        c.line(f"  interpreter  {_fit(sys.executable, 80 - 15)}")
        for s in self.sections:
            c.line()
            c.line(s.title)
            for label, value in s.rows:
                c.line(c.wrap(value, 20, f"  {label}") if label else c.wrap(value, 2, "  "))
            for f in s.findings:
                c.line(c.wrap(f.text, 8, f"  {_MARK[f.level]}"))
        problems, warnings = len(self.by_level("problem")), len(self.by_level("warn"))
        c.line()
        if problems:
            c.line(f"Not ready: {problems} problem(s) marked FAIL, {warnings} warning(s).")
        else:
            c.line(f"Ready: no problems, {warnings} warning(s).")


def _config_fields() -> list[str]:
    from director_litellm.config import LiteLLMConfig

    return list(LiteLLMConfig.model_fields)


def _dotenv_file(litellm: ModuleType) -> str | None:
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


def _is_key_var(name: str) -> bool:
    return bool(re.search(r"KEY|TOKEN|SECRET", name))


def _lookalikes(wanted: Sequence[str]) -> str:
    """'Is ANTHROPIC_KEY a typo?' for set variables that look like a wanted one."""
    names = [n for n in os.environ if n not in wanted]
    hits = []
    for var in wanted:
        hits += [f"{n} is set: did you mean {var}?" for n in difflib.get_close_matches(var, names, n=2, cutoff=0.75)]
    return " ".join(hits)


def cmd_doctor(args: argparse.Namespace, console: Console) -> int:
    doctor = Doctor(args, console)
    doctor.run()
    if args.json:
        console.json(doctor.as_json())
    else:
        doctor.render()
    return doctor.exit_code()


# --------------------------------------------------------------------------- chat


def cmd_chat(args: argparse.Namespace, console: Console) -> int:
    from director_litellm.provider import LiteLLMProvider

    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    flags = {
        "chat_model": ("--model", args.model),
        "api_base": ("--api-base", args.api_base),
        "temperature": ("--temperature", args.temperature),
        "max_tokens": ("--max-tokens", args.max_tokens),
        "timeout": ("--timeout", args.timeout),
    }
    overrides = {name: value for name, (_, value) in flags.items() if value is not None}
    config, error, _ = _load_config(overrides)
    if error:
        console.error(_flag_names(error, {name: flag for name, (flag, _) in flags.items()}))
        return EXIT_FAIL
    if config.api_key is not None:
        console.secrets.append(config.api_key.get_secret_value())
    tools = None
    if args.tools:
        try:
            with open(args.tools, encoding="utf-8") as handle:
                tools = json.load(handle)
        except (OSError, ValueError) as exc:
            console.error(f"--tools {args.tools}: {_short(exc)}")
            return EXIT_FAIL
    messages = ([{"role": "system", "content": args.system}] if args.system else []) + [
        {"role": "user", "content": prompt}
    ]

    provider = LiteLLMProvider(config)
    problem = supply_chain.check_installed()
    if problem is None or not problem.blocked:
        try:
            _import_litellm()  # before the clock starts: latency is the call's, not the import's
        except Exception as exc:
            console.error(f"litellm cannot be imported: {type(exc).__name__}: {_short(exc)}")
            return EXIT_FAIL
    started = time.monotonic()
    response = provider.chat_completions(messages, tools=tools)
    latency_ms = round((time.monotonic() - started) * 1000, 1)

    if args.json:
        data = response.model_dump(mode="json")
        data["latency_ms"] = latency_ms
        console.json(data)
    if not response.status:
        console.error(_error_line(response))
        return EXIT_FAIL
    if not args.json:
        if response.content:
            console.line(response.content)
        for call in response.tool_calls:
            tool = call.get("tool", {})
            arguments = json.dumps(tool.get("arguments", {}), ensure_ascii=False)
            console.line(console.wrap(f"{tool.get('name')}({arguments})  id={call.get('id')}", 4, "->"))
        console.err.write(_summary(response, latency_ms) + "\n")
    return EXIT_OK


def _error_line(response: Any) -> str:
    info = response.error or {}
    where = [info.get("category") or "unknown"]
    # litellm reports a failed connection as HTTP 500; no HTTP answer came back
    if info.get("status_code") and info.get("category") != "connection":
        where.append(f"HTTP {info['status_code']}")
    if info.get("model"):
        where.append(str(info["model"]))
    return f"{response.content} [{', '.join(where)}]"


def _summary(response: Any, latency_ms: float) -> str:
    cost = f"${response.cost:.6f}" if response.cost is not None else "cost unknown"
    return (
        f"[{response.model or '?'} | {response.send_tokens} in + {response.recv_tokens} out = "
        f"{response.total_tokens} tokens | {cost} | {latency_ms:.0f} ms | {response.finish_reason}]"
    )


# --------------------------------------------------------------------------- argument parsing

_DESCRIPTION = """\
Use any LiteLLM model from VideoDB's Director. Settings come from LITELLM_*
environment variables (see the README's configuration table); provider keys
from the provider's own variables (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...) or
LITELLM_API_KEY."""

_EXIT_CODES = """\
exit codes: 0 ok; 1 the setup cannot work / the call failed; 2 usage error."""

_EPILOG = f"""\
examples:
  director-litellm doctor               can my setup work? (start here)
  director-litellm chat "Say hello"     one real call with the configured model
  director-litellm providers --check    what Director can discover and load

{_EXIT_CODES}
Run "director-litellm COMMAND --help" for a command's options."""

_PROVIDERS_HELP = """\
List the LLM providers installed in the entry-point group
director.llm_providers (the group Director's get_default_llm() reads), from
package metadata alone. With --check, import each one on its own and report OK
or why it cannot be used."""

_PROVIDERS_EPILOG = """\
examples:
  director-litellm providers
  director-litellm providers --check
  director-litellm providers --json | jq '.providers[].name'

exit codes: 0 ok; 1 a provider failed --check, or none is installed;
2 usage error."""

_DOCTOR_HELP = """\
Tell whether this setup can work, on one screen, without calling any model and
without network: the resolved configuration (secrets masked), the installed
litellm and its verdict (known-compromised, known-broken or fine), stray .pth
files left by a compromised litellm, the model's capabilities from litellm's
bundled model map, which API key variable litellm will use, and variables that
look misspelled or clash."""

_DOCTOR_EPILOG = f"""\
examples:
  director-litellm doctor
  LITELLM_CHAT_MODEL=anthropic/claude-sonnet-4-5 director-litellm doctor
  director-litellm doctor --model groq/llama-3.1-8b-instant
  director-litellm doctor --json | jq .problems
  director-litellm doctor --site-packages /srv/venv/lib/python3.12/site-packages

{_EXIT_CODES.replace("/ the call failed", "(FAIL lines)")}
Warnings (WARN) do not change the exit code."""

_CHAT_HELP = """\
Make one completion through LiteLLMProvider, exactly as Director would, with the
configuration from the environment overridden by the flags given. The answer and
any tool calls go to stdout; a one-line summary (model, tokens, cost, latency)
goes to stderr, so "> file" keeps only the answer. A failure is one line on
stderr (never with a key in it) and exit code 1."""

_CHAT_EPILOG = f"""\
examples:
  director-litellm chat "Say hello in five words"
  director-litellm chat "Hi" --model anthropic/claude-sonnet-4-5 --max-tokens 99
  director-litellm chat "Hi" --model openai/qwen --api-base http://gpu:8000/v1
  echo "Summarise: ..." | director-litellm chat - --system "Be brief."
  director-litellm chat "Find cat videos" --tools tools.json --json

{_EXIT_CODES}"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=min(_terminal_width(), 80))


def _version() -> str:
    litellm = supply_chain.installed_version() or "not installed"
    return f"{PROG} {__version__} (litellm {litellm}, Python {platform.python_version()})"


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="show logs and litellm's own output on stderr (-vv: debug)",
    )

    parser = argparse.ArgumentParser(
        prog=PROG, description=_DESCRIPTION, epilog=_EPILOG, formatter_class=_Formatter, parents=[common]
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    p = commands.add_parser(
        "providers",
        parents=[common],
        formatter_class=_Formatter,
        help="list the LLM providers Director can discover",
        description=_PROVIDERS_HELP,
        epilog=_PROVIDERS_EPILOG,
    )
    p.add_argument("--check", action="store_true", help="import each provider on its own and report OK or why not")
    p.add_argument("--json", action="store_true", help="print JSON for machines")
    p.set_defaults(run=cmd_providers)

    d = commands.add_parser(
        "doctor",
        parents=[common],
        formatter_class=_Formatter,
        help="check whether this setup can work (no network)",
        description=_DOCTOR_HELP,
        epilog=_DOCTOR_EPILOG,
    )
    d.add_argument("--model", metavar="M", help="check this model instead of LITELLM_CHAT_MODEL")
    d.add_argument(
        "--site-packages",
        metavar="DIR",
        action="append",
        help="look for stray .pth files in DIR instead of this interpreter's "
        "site-packages (repeatable; e.g. another environment's)",
    )
    d.add_argument("--json", action="store_true", help="print JSON for machines (stdout is only JSON)")
    d.set_defaults(run=cmd_doctor)

    c = commands.add_parser(
        "chat",
        parents=[common],
        formatter_class=_Formatter,
        help="make one completion with the configured model",
        description=_CHAT_HELP,
        epilog=_CHAT_EPILOG,
    )
    c.add_argument("prompt", metavar="PROMPT", help='the user message ("-" reads it from stdin)')
    c.add_argument("--model", metavar="M", help="litellm model name (LITELLM_CHAT_MODEL)")
    c.add_argument("--system", metavar="S", help="a system message sent before the prompt")
    c.add_argument("--api-base", metavar="URL", help="endpoint base URL (LITELLM_API_BASE)")
    c.add_argument("--temperature", metavar="T", type=float, help="sampling temperature (LITELLM_TEMPERATURE)")
    c.add_argument("--max-tokens", metavar="N", type=int, help="maximum tokens to generate (LITELLM_MAX_TOKENS)")
    c.add_argument("--timeout", metavar="S", type=float, help="seconds allowed for the call (LITELLM_TIMEOUT)")
    c.add_argument(
        "--tools",
        metavar="FILE",
        help='JSON file with a list of Director tool definitions {"name", "description", "parameters"}',
    )
    c.add_argument(
        "--json", action="store_true", help="print the whole response as JSON, with latency_ms (stdout is only JSON)"
    )
    c.set_defaults(run=cmd_chat)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``director-litellm`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace, Console], int] | None = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return EXIT_USAGE
    console = Console(
        out=sys.stdout,
        err=sys.stderr,
        verbose=getattr(args, "verbose", 0) or 0,
        width=_terminal_width(),
        secrets=_environment_secrets(),
    )
    _configure_logging(console)
    try:
        # whatever litellm (or anything else) prints goes to the buffer, never to our stdout
        with _stdout_caught(console):
            return run(args, console)
    except KeyboardInterrupt:
        console.error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `director-litellm doctor | head`
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stop the interpreter's flush error
        return EXIT_OK
    finally:
        with contextlib.suppress(Exception):
            console.out.flush()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
