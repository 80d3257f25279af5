"""Does the Director this Python can import honour ``DEFAULT_LLM=litellm``? Found out by behaviour.

:func:`check_director` runs a short probe in a subprocess (so nothing Director imports or
sets leaks into the caller) with ``DEFAULT_LLM=litellm`` and decoy OpenAI, Anthropic and
Google keys, calls ``director.llm.get_default_llm()`` and looks at what comes back: with
the shipped change applied (``integrations/director/director-litellm.patch``) it is this
package's ``LiteLLMProvider``; without it, Director's key sniffing picks ``OpenAI`` for
the decoy key. No source is read and no network is used (construction is offline).

``python -m director_litellm.director_check`` prints the result (``__main__`` here runs ``cli/_director_check``);
``--patch-path`` prints only where the shipped patch is.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PATCH_NAME = "director-litellm.patch"
CONSTRAINTS_NAME = "constraints.txt"  # Director's pins and the litellm releases that install beside them
DIRECTOR_COMMIT = "aa35387"  # the Director main commit the patch was made against
DECOY_KEY = "sk-director-litellm-decoy-not-a-key"  # a decoy, never sent anywhere
PROVIDER_CLASS = "director_litellm.provider.LiteLLMProvider"

# Runs in the subprocess: one JSON line on stdout, whatever happens.
_PROBE = r"""
import json, os, sys
out = {"importable": False}
try:
    import director
    out["importable"] = True
    out["location"] = os.path.dirname(os.path.abspath(director.__file__))
    from director.llm import get_default_llm
    llm = get_default_llm()
    out["chosen"] = type(llm).__module__ + "." + type(llm).__qualname__
except BaseException as exc:
    out["error"] = type(exc).__name__ + ": " + str(exc)[:300]
sys.stdout.write("\n" + json.dumps(out) + "\n")
"""


@dataclass(frozen=True)
class DirectorStatus:
    """What :func:`check_director` found. ``honours_default_llm`` is ``None`` when unknown."""

    importable: bool
    location: str | None
    honours_default_llm: bool | None
    detail: str
    patch_command: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def shipped_file(name: str) -> Path | None:
    """A file of ``integrations/director/``: inside the installed wheel, else in this source checkout."""
    here = Path(__file__).resolve().parents[1]  # the package: director_litellm/
    for candidate in (here / "integrations" / name, here.parents[1] / "integrations" / "director" / name):
        if candidate.is_file():
            return candidate
    return None


def patch_path() -> Path | None:
    """The shipped patch: inside the installed wheel, else in this source checkout."""
    return shipped_file(PATCH_NAME)


def constraints_path() -> Path | None:
    """The shipped pip constraints file that keeps Director's pins (``pip install -c FILE``)."""
    return shipped_file(CONSTRAINTS_NAME)


def patch_command(location: str | Path) -> str:
    """The command that applies the shipped patch to the Director whose package is at ``location``.

    The patch's paths are ``backend/director/...``, as in Director's repository: from the
    repository root it applies as is; a ``director`` package elsewhere needs ``-p2``.
    """
    package = Path(location)
    patch = patch_path()
    target = shlex.quote(str(patch)) if patch else '"$(python -m director_litellm.director_check --patch-path)"'
    if package.parent.name == "backend":
        return f"cd {shlex.quote(str(package.parent.parent))} && git apply {target}"
    return f"cd {shlex.quote(str(package.parent))} && git apply -p2 {target}"


# the packages Director pins that director-litellm's dependencies share (litellm moves them when it can)
PINNED = ("openai", "pydantic", "pydantic-settings")


def director_pins(location: str | Path, file: str | Path | None = None) -> dict[str, str]:
    """``PINNED`` packages -> the version the Director checkout whose package is at ``location`` pins
    (``name==version`` lines of its ``backend/requirements.txt``, or of ``file``); empty when there is none."""
    path = Path(file) if file is not None else Path(location).parent / "requirements.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    pins = {}
    for line in lines:
        name, sep, version = line.split("#", 1)[0].strip().partition("==")
        normal = name.strip().lower().replace("_", "-").replace(".", "-")
        if sep and normal in PINNED:
            pins[normal] = version.strip()
    return pins


def _scrub(text: str) -> str:
    return text.replace(DECOY_KEY, "***")


def check_director(
    python: str = sys.executable, timeout: float = 60.0, env: Mapping[str, str] | None = None
) -> DirectorStatus:
    """Import Director in ``python`` with ``DEFAULT_LLM=litellm`` and see what ``get_default_llm()`` builds.

    ``env`` (default: this process's environment) is the base environment; the probe adds
    ``DEFAULT_LLM=litellm``, the decoy keys and ``LITELLM_WARM_UP=false``. Never raises.
    """
    probe_env = dict(os.environ if env is None else env)
    probe_env.update(
        DEFAULT_LLM="litellm",
        OPENAI_API_KEY=DECOY_KEY,
        ANTHROPIC_API_KEY=DECOY_KEY,
        GOOGLEAI_API_KEY=DECOY_KEY,
        LITELLM_WARM_UP="false",
        LITELLM_LOCAL_MODEL_COST_MAP="True",
    )
    try:
        proc = subprocess.run(
            [python, "-c", _PROBE], capture_output=True, text=True, timeout=timeout, env=probe_env, check=False
        )
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        found = json.loads(lines[-1]) if lines else None
    except Exception as exc:  # a missing interpreter, a timeout: unknown, not an answer
        return DirectorStatus(False, None, None, f"could not run {python}: {type(exc).__name__}: {exc}", None)
    if found is None:
        tail = _scrub(proc.stderr.strip()[-300:])
        return DirectorStatus(False, None, None, f"the probe printed no result (exit {proc.returncode}): {tail}", None)
    if not found.get("importable"):
        return DirectorStatus(False, None, None, f"Director is not importable: {found.get('error', '')}", None)
    location = found.get("location")
    command = patch_command(location) if location else None
    chosen, error = found.get("chosen"), found.get("error")
    if chosen == PROVIDER_CLASS:
        return DirectorStatus(True, location, True, "DEFAULT_LLM=litellm builds LiteLLMProvider", command)
    if chosen:
        detail = (
            f"with DEFAULT_LLM=litellm and a stand-in OpenAI key that the check sets itself (never sent "
            f"anywhere), get_default_llm() built {chosen}: the director-litellm change is not applied "
            "(or director-litellm is not installed for this Director)"
        )
    else:
        detail = f"get_default_llm() raised {_scrub(error or 'an unknown error')}"
    return DirectorStatus(True, location, False, detail, command)
