"""Installing director-litellm into Director's environment with the shipped constraints moves none of Director's pins.

Real pip against PyPI in a fresh virtual environment: minutes, so marked ``pypi`` and left out of the
default run (``addopts`` deselects it); CI runs it as its own step (``.ci/run``, step D):
``python -m pytest -m pypi -rP tests/test_director_install.py``. ``DIRECTOR_LITELLM_WHEEL`` names
the wheel to install (CI's built wheel); unset, pip builds this checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "integrations" / "director" / "constraints.txt"
DIRECTOR_PINS = ROOT / "tests" / "data" / "director-requirements.txt"

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(1200)]


def pins(lines: list[str]) -> dict[str, str]:
    """The ``name==version`` lines of a requirements, constraints or ``pip freeze`` text, names normalised."""
    found = {}
    for line in lines:
        name, sep, version = line.split("#", 1)[0].strip().partition("==")
        if sep:
            found[name.strip().lower().replace("_", "-")] = version.strip()
    return found


def pinned(path: Path) -> dict[str, str]:
    return pins(path.read_text(encoding="utf-8").splitlines())


def run(*command: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    env.pop("PYTHONPATH", None)  # the fresh environment imports what pip installed there, not this checkout
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=timeout, env=env)


def installed(python: Path) -> dict[str, str]:
    return pins(run(python, "-m", "pip", "freeze", "--all").stdout.splitlines())


def director_distribution(root: Path) -> Path:
    """A stand-in for Director's own distribution (``-e .`` in its requirements.txt): named ``director``,
    requiring what Director's backend/pyproject.toml requires of the shared packages (the same pins), so
    that ``pip check`` judges the environment as it would with Director installed."""
    folder = root / "director-dist"
    folder.mkdir()
    shared = {n: v for n, v in pinned(DIRECTOR_PINS).items() if n != "anthropic"}  # not in Director's pyproject
    requires = ", ".join(f'"{name}=={version}"' for name, version in shared.items())
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "director"\nversion = "0.1.0"\ndependencies = [{requires}]\n\n'
        "[tool.setuptools]\npy-modules = []\n",
        encoding="utf-8",
    )
    return folder


def test_the_constraints_keep_directors_pins(tmp_path: Path) -> None:
    """A fresh venv holding Director's pins, then `pip install director-litellm -c constraints.txt`:
    pip reports no conflict, `pip check` is clean, every Director pin is unchanged, litellm is the
    constraints file's, and the installed package ships the same constraints file."""
    director = pinned(DIRECTOR_PINS)
    constraints = pinned(CONSTRAINTS)
    assert {n: director[n] for n in ("openai", "pydantic", "pydantic-settings")} == {
        n: constraints[n] for n in ("openai", "pydantic", "pydantic-settings")
    }
    venv = tmp_path / "director-env"
    assert run(sys.executable, "-m", "venv", venv).returncode == 0
    python = venv / "bin" / "python"
    setup = run(python, "-m", "pip", "install", "-q", "-r", DIRECTOR_PINS, director_distribution(tmp_path))
    assert setup.returncode == 0, setup.stderr[-2000:]
    before = installed(python)
    assert {n: before[n] for n in director} == director

    package = os.environ.get("DIRECTOR_LITELLM_WHEEL") or str(ROOT)
    started = time.monotonic()
    result = run(python, "-m", "pip", "install", "-q", package, "-c", CONSTRAINTS)
    took = time.monotonic() - started
    print(f"\npip install {Path(package).name} -c constraints.txt beside Director's pins: {took:.1f} s")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "dependency resolver does not currently take into account" not in result.stderr
    assert "ResolutionImpossible" not in result.stderr

    check = run(python, "-m", "pip", "check")
    assert check.returncode == 0 and "No broken requirements found." in check.stdout, check.stdout + check.stderr
    after = installed(python)
    assert {n: after[n] for n in director} == director  # Director's pins, unchanged
    assert after["litellm"] == constraints["litellm"]
    ours = run(python, "-c", "from importlib.metadata import version; print(version('director-litellm'))")
    assert ours.returncode == 0 and ours.stdout.strip(), ours.stderr  # (a local build shows in freeze as "@ file:")

    shipped = run(python, "-m", "director_litellm.director_check", "--constraints-path")
    assert shipped.returncode == 0, shipped.stderr
    path = Path(shipped.stdout.strip())
    assert venv in path.parents
    assert path.read_text(encoding="utf-8") == CONSTRAINTS.read_text(encoding="utf-8")
