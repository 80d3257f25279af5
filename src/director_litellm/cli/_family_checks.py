"""doctor's checks for one provider family: Azure OpenAI's api_version and deployment, Ollama's host,
Cohere's v2 route and URL.

Offline: nothing leaves the machine. The one probe is a bounded connect to an Ollama host on this
machine (loopback); a remote host is named, not contacted.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from director_litellm import _supply_chain as supply_chain
from director_litellm._scrub import scrub
from director_litellm.cli._report import Section
from director_litellm.cli._settings import field_var

if TYPE_CHECKING:
    from director_litellm.cli._setup import Setup

# Azure's data-plane API versions: a date, a dated preview, or the v1 API's names
# (learn.microsoft.com/en-us/azure/ai-foundry/openai/api-version-lifecycle)
AZURE_API_VERSION = re.compile(r"^(\d{4}-\d{2}-\d{2}(-preview)?|preview|latest|v1)$")
# Azure deployment names: letters, digits, '-', '_' and '.', at most 64 characters
AZURE_DEPLOYMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
OLLAMA_DEFAULT = "http://localhost:11434"
OLLAMA_PROBE_SECONDS = 1.0  # the whole probe: connect, GET /, read the first bytes


def check_family(setup: Setup) -> Section | None:
    """Azure or Ollama: their own section; any other provider: None."""
    if not setup.litellm or setup.config.router_config or setup.route is None:
        return None
    bare, provider = setup.route
    if provider == "azure":
        return _azure(setup, bare)
    if provider in ("ollama", "ollama_chat"):
        return _ollama(setup, provider)
    if provider in ("cohere", "cohere_chat"):
        return _cohere(setup)
    return None


def _cohere(setup: Setup) -> Section:
    """litellm 1.60 speaks only Cohere's v1 chat; later litellm posts the v2 body to the api_base as given."""
    base = setup.config.api_base or os.environ.get("COHERE_API_BASE")
    facts: dict[str, Any] = {"api_base": scrub(base) if base else None, "v2_route": not _old_litellm()}
    s = Section("Cohere", {"cohere": facts})
    if _old_litellm():
        s.add(
            "problem",
            f"litellm {supply_chain.installed_version()} has no Cohere v2 route: it sends the v1 chat body, which "
            "Cohere's v2 API (and its current models) refuse; use litellm 1.61+",
        )
    elif base and not urlsplit(base).path.rstrip("/").endswith("/v2/chat"):
        s.add(
            "warn",
            f"litellm posts Cohere chat to the api_base as given: {scrub(base)} should be the full URL, "
            "e.g. https://api.cohere.com/v2/chat",
        )
    if not _old_litellm():
        s.add(
            "note", "litellm cannot read Cohere v2 streams: stream calls ask for the whole answer (docs/model-rules.md)"
        )
    return s


def _azure(setup: Setup, deployment: str) -> Section:
    config = setup.config
    version = config.api_version or os.environ.get("AZURE_API_VERSION")
    base = config.api_base or os.environ.get("AZURE_API_BASE")
    facts: dict[str, Any] = {
        "deployment": deployment,
        "api_version": version,
        "api_base": scrub(base) if base else None,
    }
    s = Section("Azure OpenAI", {"azure": facts})
    s.row("deployment", f"{deployment} (the deployment's name in your Azure resource, not the model's)")
    if not AZURE_DEPLOYMENT.match(deployment):
        s.add(
            "problem",
            f"{deployment!r} is not a possible Azure deployment name (letters, digits, '-', '_', '.'; at most 64): "
            "chat_model is azure/<deployment name>",
        )
    if version is None:
        s.add(
            "warn",
            f"no api_version: set {field_var('api_version')} (or AZURE_API_VERSION) to a version your resource "
            "serves, e.g. 2024-10-21; litellm's own default changes between releases",
        )
    elif not AZURE_API_VERSION.match(version):
        s.add("problem", f"api_version {version!r} is not an Azure API version (YYYY-MM-DD or YYYY-MM-DD-preview)")
    else:
        s.row("api_version", version + (" (preview)" if version.endswith("preview") else ""))
    if base:
        path = urlsplit(base).path.rstrip("/")
        if "/openai" in path:
            s.add(
                "problem",
                f"api_base {scrub(base)} has a path: litellm adds /openai/deployments/{deployment}/chat/completions "
                "itself; use the resource URL only (https://NAME.openai.azure.com)",
            )
    return s


def _ollama(setup: Setup, provider: str) -> Section:
    config = setup.config
    host = config.api_base or os.environ.get("OLLAMA_API_BASE") or OLLAMA_DEFAULT
    facts: dict[str, Any] = {"host": scrub(host), "probed": False, "reachable": None}
    s = Section("Ollama", {"ollama": facts})
    s.row("host", scrub(host))
    parts = urlsplit(host)
    if provider == "ollama_chat" and parts.path.rstrip("/").endswith("/v1"):
        s.add(
            "problem",
            f"{scrub(host)} ends in /v1, Ollama's OpenAI-compatible endpoint; ollama_chat/ speaks the native API "
            f"(<host>/api/chat): use {scrub(parts._replace(path='').geturl())}, or openai/<model> with this URL",
        )
    if _loopback(parts.hostname):
        facts["probed"] = True
        answer = _probe(parts)
        facts["reachable"] = answer is not None
        if answer is None:
            s.add("problem", f"nothing answers at {scrub(host)}: is `ollama serve` running?")
        elif "Ollama is running" in answer:
            s.add("ok", f"Ollama answers at {scrub(host)}")
        else:
            s.add("warn", f"{scrub(host)} answers, but not as Ollama does (GET / said {answer[:60]!r})")
    else:
        s.add("note", f"{parts.hostname} is not on this machine: not contacted (doctor stays offline)")
    if provider == "ollama_chat" and _old_litellm():
        _ollama_on_old_litellm(s, config.api_base)
    return s


def _ollama_on_old_litellm(s: Section, api_base: str | None) -> None:
    """What litellm 1.60 does to ollama_chat/ with tools (tests/conformance/README.md, the ollama_* limitations)."""
    ollama_base = os.environ.get("OLLAMA_API_BASE")
    if api_base and (ollama_base or OLLAMA_DEFAULT).rstrip("/") != api_base.rstrip("/"):
        s.add(
            "warn",
            f"litellm {supply_chain.installed_version()} asks OLLAMA_API_BASE ({ollama_base or 'unset: localhost'}) "
            "whether the model takes tools, not the api_base; set OLLAMA_API_BASE to the same URL",
        )
    s.add(
        "warn",
        f"litellm {supply_chain.installed_version()} cannot carry Director's tool loop over ollama_chat/ (a tool "
        "call in the history raises; streamed tool calls are dropped): use openai/<model> with api_base "
        "<host>/v1 (Ollama's OpenAI-compatible endpoint), or litellm 1.61+",
    )


def _old_litellm() -> bool:
    version = supply_chain.installed_version() or "0"
    try:
        return tuple(int(p) for p in version.split(".")[:2]) < (1, 61)
    except ValueError:
        return False


def _loopback(hostname: str | None) -> bool:
    if hostname in ("localhost", None):
        return hostname is not None
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _probe(parts: Any) -> str | None:
    """GET / on the host, bounded by OLLAMA_PROBE_SECONDS; the start of the answer, or None."""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname, port, timeout=OLLAMA_PROBE_SECONDS)
    try:
        conn.request("GET", "/")
        return conn.getresponse().read(200).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()
