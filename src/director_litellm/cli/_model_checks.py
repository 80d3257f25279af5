"""doctor's checks of what the model needs: the model, its endpoint, its credentials; or the Router.

Each check takes doctor's ``Setup`` and returns its own ``Section``, or None when it does not
apply (no litellm, router mode, a model litellm cannot route).
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from director_litellm import _aws_credentials as aws_credentials
from director_litellm import _credentials as credentials
from director_litellm import _error_hints as error_hints
from director_litellm import _litellm
from director_litellm import _supply_chain as supply_chain
from director_litellm._credentials import AMBIENT_CREDENTIALS as AMBIENT
from director_litellm._credentials import is_key_variable
from director_litellm._errors import ConfigError
from director_litellm._scrub import scrub
from director_litellm.cli._console import mask, short, stdout_caught
from director_litellm.cli._report import Section
from director_litellm.cli._settings import env_name, field_var

if TYPE_CHECKING:
    from director_litellm.cli._setup import Setup

# providers whose get_model_info asks a server (Ollama, the Hugging Face hub): read the bundled map only
ASKS_A_SERVER = frozenset({"ollama", "ollama_chat", "huggingface", "lemonade"})
# litellm providers that hand api_base to the OpenAI client unchanged, which appends /chat/completions:
# the servers behind them (vLLM, LM Studio, llamafile, Ollama's OpenAI endpoint, ...) serve under /v1
OPENAI_CLIENT_BASE = frozenset(
    {"openai", "text-completion-openai", "custom_openai", "openai_like", "hosted_vllm", "lm_studio", "llamafile"}
)
# settings a call sends that router mode drops: each deployment in the file brings its own
ROUTER_IGNORES = ("api_base", "api_key", "api_version")
# how close a set variable's name must be to a wanted one to be pointed out as a likely typo
LOOKALIKE_CUTOFF = 0.75


# --------------------------------------------------------------------------- the model


def check_model(setup: Setup) -> Section | None:
    config = setup.config
    if not setup.litellm or config.router_config:
        return None
    model = config.chat_model
    facts: dict[str, Any] = {"name": model, "provider": None, "known": False}
    s = Section(f"Model {model}", {"model": facts})
    if setup.route is None:
        prefix = model.split("/", 1)[0] if "/" in model else ""
        names = _litellm.provider_names()
        close = difflib.get_close_matches(prefix, names, n=1, cutoff=0.7) if prefix else []
        hint = f"Did you mean {close[0]}/...?" if close else "Put the provider in front, e.g. openai/<model>."
        s.add("problem", f"litellm cannot tell which provider serves {model!r}. {hint}")
        return s
    bare, provider = setup.route
    facts["provider"] = provider
    s.row("provider", provider)
    _endpoint(s, setup, provider)

    candidates = list(dict.fromkeys([model, f"{provider}/{bare}", bare]))
    entry = next((e for e in map(_litellm.model_entry, candidates) if e is not None), None)
    if entry is None:
        s.add(
            "warn",
            f"unknown model: litellm {supply_chain.installed_version()} has no entry for {model!r} in its "
            "model map, so cost and capabilities are unknown. Calls can still work.",
        )
        return s
    facts["known"] = True
    info: dict[str, Any] = entry
    caps = {
        "function_calling": info.get("supports_function_calling"),
        "response_schema": info.get("supports_response_schema"),
        "vision": info.get("supports_vision"),
    }
    if provider not in ASKS_A_SERVER:  # these would ask a server; the map entry is all we read
        with stdout_caught(setup.console):
            info.update(_litellm.model_info(model) or {})
            for name in caps:
                found = _litellm.supports(model, name)
                if found is not None:
                    caps[name] = found
    for name in ("max_input_tokens", "max_output_tokens", "input_cost_per_token", "output_cost_per_token"):
        facts[name] = info.get(name)
    facts.update(caps)

    window, out_limit = info.get("max_input_tokens") or info.get("max_tokens"), info.get("max_output_tokens")
    if window:
        s.row("context window", f"{window:,} tokens in" + (f", {out_limit:,} out" if out_limit else ""))
    cin, cout = info.get("input_cost_per_token"), info.get("output_cost_per_token")
    if isinstance(cin, (int, float)) and isinstance(cout, (int, float)):
        s.row("price", f"${cin * 1e6:.2f} in / ${cout * 1e6:.2f} out per 1M tokens")
    s.row("supports", ", ".join(f"{name.replace('_', ' ')} {_yes(v)}" for name, v in caps.items()))
    if caps["function_calling"] is False:
        s.add("warn", "litellm's map says this model has no function calling; Director's reasoning agent needs tools")
    if isinstance(out_limit, int) and config.max_tokens > out_limit:
        s.add("warn", f"max_tokens {config.max_tokens} is above this model's output limit {out_limit}")
    return s


def _yes(value: Any) -> str:
    return "yes" if value else ("no" if value is False else "unknown")


def _endpoint(s: Section, setup: Setup, provider: str) -> None:
    """Where calls go, when not to the provider's default, and whether that URL lacks its /v1."""
    config = setup.config
    env_bases = [(n, os.environ[n]) for n in _base_vars(provider) if os.environ.get(n)]
    if config.api_base:
        base, var = config.api_base, setup.resolved.sources.get("api_base", field_var("api_base"))
        for name, value in env_bases:
            if value.rstrip("/") != base.rstrip("/"):
                s.add(
                    "warn",
                    f"{var} and {name} are both set, to different URLs: {var} wins ({scrub(base)})",
                )
    elif env_bases:
        var, base = env_bases[0]
        s.add("note", f"calls go to {scrub(base)} (from {var})")
    else:
        return
    problem = missing_v1(provider, base)
    if problem:
        s.add("warn", f"{var}: {problem}")


def _base_vars(provider: str) -> list[str]:
    return [f"{provider.upper()}_API_BASE", f"{provider.upper()}_BASE_URL"]


def missing_v1(provider: str, api_base: str) -> str | None:
    """Why ``api_base`` looks wrong for ``provider`` (a URL with no path where /v1 belongs), with the fix."""
    if provider not in OPENAI_CLIENT_BASE:
        return None
    parts = urlsplit(api_base)
    if not parts.netloc or parts.path.strip("/"):
        return None
    fixed = scrub(parts._replace(path="/v1").geturl())
    return (
        f"{scrub(api_base)} has no path, and {provider}/ models send to <api_base>/chat/completions; "
        f"OpenAI-compatible servers (vLLM, Ollama, LM Studio) serve under /v1: use {fixed} "
        "(a LiteLLM Proxy accepts both)"
    )


# --------------------------------------------------------------------------- credentials


def check_credentials(setup: Setup) -> Section | None:
    config = setup.config
    if not setup.litellm or config.router_config or setup.route is None:
        return None
    provider = setup.route[1]
    model = config.chat_model
    key = config.api_key.get_secret_value() if config.api_key is not None else None
    facts: dict[str, Any] = {"key_variable": None, "key": None, "needed": [], "missing": []}
    s = Section("Credentials", {"credentials": facts})
    try:
        with stdout_caught(setup.console):
            with _environment_cleared():  # then missing_keys lists every variable the provider reads
                needed = _litellm.environment_missing(model)
            missing = _litellm.environment_missing(model, api_key=key, api_base=config.api_base)
    except Exception as exc:
        s.add("warn", f"litellm could not say which variables {model!r} needs: {short(exc)}")
        return s
    facts["needed"] = needed
    key_vars = [n for n in needed if is_key_variable(n)]
    used = _key_used(s, key, key_vars, provider, model, config.api_base)
    if used is not None:
        _placeholder(s, used[0], provider, config.api_base)
        facts["key_variable"], facts["key"] = used
        s.row("key used", f"{used[0]} = {used[1]}")
    elif not key_vars:
        ambient_needed = [n for n in needed if n.startswith(AMBIENT)]
        if ambient_needed:
            s.row("credentials", " and ".join(ambient_needed) + ", or the provider's credential chain")
        else:
            s.row("key used", "none: litellm needs no key for this provider")
    facts["missing"] = [n for n in missing if n not in key_vars or key is None]
    if aws_credentials.is_bedrock(model, provider):
        _aws_setup(s, facts, model, {**config.extra_params, "api_key": key})
        return s
    ambient = [n for n in missing if n.startswith(AMBIENT)]
    if ambient:
        chain = (
            "the AWS credential chain (profile, instance role)"
            if ambient[0].startswith("AWS_")
            else "Google application-default credentials"
        )
        s.add("warn", f"{' and '.join(ambient)} not set: litellm falls back to {chain}; calls fail if that has none")
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
    return s


def _aws_setup(s: Section, facts: dict[str, Any], model: str, options: dict[str, Any]) -> None:
    """Bedrock: the SDK litellm signs with, AWS credentials and a region (offline, as the call checks them)."""
    import importlib.util

    try:
        sdk = importlib.util.find_spec("botocore") is not None
    except ValueError:  # in sys.modules as None: not importable
        sdk = False
    if not sdk:
        s.add(
            "problem",
            f"boto3 is not installed: Bedrock calls cannot be signed; run {dict(error_hints.INSTALL_COMMANDS)['boto3']}",
        )
    region = aws_credentials.region(model, options, os.environ)
    facts["aws_region"] = region
    s.row("AWS region", region or "none")
    problem = aws_credentials.missing_setup(model, options)
    if problem:
        s.add("problem", problem)
    else:
        s.add("ok", f"AWS credentials and region {region} found; litellm signs each call")


def _key_used(
    s: Section, key: str | None, key_vars: list[str], provider: str, model: str, api_base: str | None
) -> tuple[str, str] | None:
    """(variable, masked key) of the key calls will send, with what to say about it; None: no key.

    Whether a call without a key is refused is the call path's own verdict (``_litellm.missing_key_variables``
    over ``_credentials``), so doctor and a call cannot disagree (Azure AD's token or client credentials).
    """
    if key is not None:
        var = env_name(field_var("api_key")) or field_var("api_key")
        instead = f" (in place of {', '.join(key_vars)})" if key_vars else ""
        s.add("ok", f"{var} is sent with every call{instead}")
        for other_var in key_vars:
            other = os.environ.get(other_var)
            if other and other != key:
                s.add(
                    "warn",
                    f"{var} and {other_var} are both set, to different keys: "
                    f"{var} wins (sent with every call); {other_var} is not used",
                )
        return var, mask(key)
    present = [v for v in key_vars if os.environ.get(v)]
    if present:
        s.add("ok", f"litellm reads {present[0]} for {provider}")
        return present[0], mask(os.environ[present[0]])
    if key_vars and not _litellm.missing_key_variables(model, api_base):
        alternative = credentials.azure_alternative(os.environ)
        if alternative and provider == "azure":
            s.add("ok", f"{alternative} is set: Azure AD credentials stand in for {' or '.join(key_vars)}")
        else:
            s.add("ok", f"litellm has a key of its own for {provider} (set on litellm by the host)")
        return None
    if key_vars:
        hint = _lookalikes(key_vars)
        s.add(
            "problem",
            f"no API key for {model}: set {' or '.join(key_vars)} (or LITELLM_API_KEY)." + (f" {hint}" if hint else ""),
        )
    return None


# an obvious placeholder, not a key: "sk-ant-..." (the README's), "<your-key>", "${OPENAI_API_KEY}", "none"
PLACEHOLDER = re.compile(
    r"\.\.\.|…|^<.+>$|^\$\{?\w+\}?$|your[-_ ]?(?:api[-_ ]?)?key|^(?:none|null|changeme|placeholder|x{3,})$", re.I
)
_NAMES = {"openai": "OpenAI", "xai": "xAI", "deepseek": "DeepSeek", "openrouter": "OpenRouter"}


def _placeholder(s: Section, var: str, provider: str, api_base: str | None) -> None:
    """A placeholder key is no key: every call to the provider's own endpoint is refused (a FAIL, so doctor
    is not "Ready"); a server at api_base that takes any key (a local server, a proxy) accepts it (a note)."""
    if not PLACEHOLDER.search(os.environ.get(var, "").strip()):
        return
    if api_base:
        s.add(
            "note",
            f"{var} holds a placeholder: fine for a server at api_base that takes any key, not for a real provider",
        )
        return
    name = _NAMES.get(provider, provider.capitalize())
    s.findings[:] = [f for f in s.findings if f.level != "ok"]
    s.add("problem", f"{var} holds a placeholder, not a key: set your real {name} key in it")


@contextlib.contextmanager
def _environment_cleared() -> Iterator[None]:
    """An empty os.environ for the block; everything put back after, whatever happens inside."""
    saved = dict(os.environ)
    os.environ.clear()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _lookalikes(wanted: Sequence[str]) -> str:
    """'Is ANTHROPIC_KEY a typo?' for set variables that look like a wanted one."""
    names = [n for n in os.environ if n not in wanted]
    hits = []
    for var in wanted:
        close = difflib.get_close_matches(var, names, n=2, cutoff=LOOKALIKE_CUTOFF)
        hits += [f"{n} is set: did you mean {var}?" for n in close]
    return " ".join(hits)


# --------------------------------------------------------------------------- router mode


def check_router(setup: Setup) -> Section | None:
    """Router mode: the file read offline (no litellm.Router is built), its groups and deployments."""
    config = setup.config
    path = config.router_config
    if not path:
        return None
    from director_litellm._router_file import ENV_VAR, read_router_file

    facts: dict[str, Any] = {"path": path, "error": None, "groups": {}, "chat_model_group": None}
    s = Section("Router", {"router": facts})
    s.row("router config", path)
    ignored = [field_var(n) for n in ROUTER_IGNORES if getattr(config, n) is not None]
    facts["ignored_settings"] = ignored
    for var in ignored:
        s.add("warn", f"{var} is ignored in router mode: each deployment in {ENV_VAR} brings its own")
    try:
        source = read_router_file(path)
    except ConfigError as exc:
        facts["error"] = str(exc)
        s.add("problem", str(exc))
        return s
    for group in source.groups:
        deployments = [d["litellm_params"] for d in source.model_list if d["model_name"] == group]
        facts["groups"][group] = [
            {"model": p["model"], "api_base": scrub(p["api_base"]) if p.get("api_base") else None} for p in deployments
        ]
        shown = [p["model"] + (f" @ {scrub(p['api_base'])}" if p.get("api_base") else "") for p in deployments]
        s.row(f"group {group}", ", ".join(shown))
        for p in deployments:
            problem = p.get("api_base") and missing_v1(_prefix(p), str(p["api_base"]))
            if problem:
                s.add("warn", f"group {group}, {p['model']}: {problem}")
    resolved = source.resolve_group(config.chat_model)
    facts["chat_model_group"] = resolved
    facts["ignored_sections"] = list(source.ignored_sections)
    if resolved is None:
        s.add(
            "problem",
            f"chat_model {config.chat_model!r} is not a model group of {path} "
            f"(groups: {', '.join(source.groups)}); set LITELLM_CHAT_MODEL to one of them",
        )
    else:
        via = "" if resolved == config.chat_model else f" (through {resolved!r})"
        s.add("ok", f"chat_model {config.chat_model!r} is a model group of {path}{via}")
    if source.ignored_sections:
        s.add("note", f"sections not applied in router mode: {', '.join(source.ignored_sections)}")
    s.add("note", "model and key checks are per deployment, made by the Router when it calls (not checked here)")
    return s


def _prefix(params: dict[str, Any]) -> str:
    provider = params.get("custom_llm_provider")
    if isinstance(provider, str):
        return provider
    model = str(params["model"])
    return model.split("/", 1)[0] if "/" in model else ""
