"""doctor's check of what a ``vertex_ai/`` model needs, offline: google-auth, the project, the location and
the credentials file, each finding naming the variable to set.

litellm reads ``VERTEXAI_PROJECT`` / ``VERTEXAI_LOCATION`` / ``VERTEXAI_CREDENTIALS`` (or ``vertex_project``,
``vertex_location``, ``vertex_credentials`` in ``LITELLM_EXTRA_PARAMS``); without credentials it asks
google-auth for the application-default ones (``GOOGLE_APPLICATION_CREDENTIALS``, then gcloud's login).
"""

from __future__ import annotations

import importlib.util
import json
import os
from typing import TYPE_CHECKING, Any

from director_litellm.cli._report import Section

if TYPE_CHECKING:
    from director_litellm.cli._setup import Setup

VERTEX_ROUTES = frozenset({"vertex_ai", "vertex_ai_beta"})
INSTALL = 'pip install "director-litellm[vertex]"'
AIPLATFORM = 'pip install "google-cloud-aiplatform>=1.38"'  # litellm 1.60's Claude on Vertex imports it
DEFAULT_LOCATION = "us-central1"  # litellm's when none is set


def _first(setup: Setup, param: str, *variables: str) -> tuple[str, str] | None:
    """(where, value) of the first place a setting is found: LITELLM_EXTRA_PARAMS, then the variables."""
    value = setup.config.extra_params.get(param)
    if isinstance(value, str) and value:
        return f"LITELLM_EXTRA_PARAMS {param}", value
    return next(((v, os.environ[v]) for v in variables if os.environ.get(v)), None)


def _read_credentials(s: Section, where: str, value: str) -> dict[str, Any] | None:
    """The credentials JSON (given inline or as a file path), or None with a problem saying why."""
    text = value
    if not value.lstrip().startswith("{"):
        if not os.path.isfile(value):
            s.add("problem", f"{where} names {value!r}, which is not a file: set it to a service-account JSON file")
            return None
        try:
            with open(value, encoding="utf-8") as f:
                text = f.read()
        except OSError as exc:
            s.add("problem", f"{where}: cannot read {value!r} ({exc.strerror})")
            return None
    try:
        data = json.loads(text)
    except ValueError:
        s.add("problem", f"{where}: the credentials are not JSON")
        return None
    if not isinstance(data, dict) or not data.get("type"):
        s.add("problem", f'{where}: not a Google credentials file (no "type")')
        return None
    missing = [k for k in ("client_email", "private_key", "token_uri") if not data.get(k)]
    if data["type"] == "service_account" and missing:
        s.add("problem", f"{where}: the service-account file lacks {', '.join(missing)}")
        return None
    return data


def check_vertex(setup: Setup) -> Section | None:
    if not setup.litellm or setup.config.router_config or setup.route is None:
        return None
    if setup.route[1] not in VERTEX_ROUTES:
        return None
    facts: dict[str, Any] = {"google_auth": False, "project": None, "location": None, "credentials": None}
    s = Section("Vertex AI", {"vertex": facts})
    facts["google_auth"] = _has_google_auth()
    if facts["google_auth"]:
        s.row("google-auth", "installed")
    else:
        s.add("problem", "google-auth is not installed; every vertex_ai/ call needs it. Install it:", INSTALL)
    if "claude" in setup.config.chat_model.lower() and _litellm_before((1, 61)) and not _importable("vertexai"):
        s.add("problem", "litellm 1.60 needs google-cloud-aiplatform for Claude on Vertex AI. Install it:", AIPLATFORM)
    credentials = None
    found = _first(setup, "vertex_credentials", "VERTEXAI_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS")
    if found is None:
        s.add(
            "warn",
            "no credentials file: set GOOGLE_APPLICATION_CREDENTIALS (or VERTEXAI_CREDENTIALS) to a service-account "
            "JSON file; otherwise google-auth looks for gcloud's application-default login",
        )
    else:
        credentials = _read_credentials(s, found[0], found[1])
        if credentials is not None:
            facts["credentials"] = credentials["type"]
            who = credentials.get("client_email") or credentials["type"]
            s.row("credentials", f"{who} ({found[0]})")
    project = _first(setup, "vertex_project", "VERTEXAI_PROJECT", "VERTEX_PROJECT", "GOOGLE_CLOUD_PROJECT")
    if project is None and credentials and credentials.get("project_id"):
        project = ("the credentials file", str(credentials["project_id"]))
    if project is None:
        s.add("problem", "no Vertex AI project: set VERTEXAI_PROJECT")
    else:
        facts["project"] = project[1]
        s.row("project", f"{project[1]} ({project[0]})")
    location = _first(setup, "vertex_location", "VERTEXAI_LOCATION", "VERTEX_LOCATION")
    facts["location"] = location[1] if location else None
    if location is None:
        s.add("note", f"VERTEXAI_LOCATION is not set: litellm uses {DEFAULT_LOCATION}")
    else:
        s.row("location", f"{location[1]} ({location[0]})")
    return s


def _has_google_auth() -> bool:
    return _importable("google.auth")


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _litellm_before(version: tuple[int, int]) -> bool:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return tuple(int(p) for p in installed("litellm").split(".")[:2]) < version
    except (PackageNotFoundError, ValueError):
        return False
