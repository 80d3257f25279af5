"""What every figure of ``run.py`` shares: run sizes, the table's rows, notes and raw numbers, formatting.

``NOTES`` and ``RAW`` collect, across figures, the lines printed under the table and the numbers
``--json`` writes; each figure module appends to them. Importing this module imports ``_common``
(which puts the measured ``src/`` first on ``sys.path``): ``run.py`` sets ``BENCH_SRC`` first.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import _common as C

# Counts adapt to the machine and the litellm version (a call costs ~7 ms on litellm 1.110 here and
# ~27 ms on 1.60): each timed figure gets a time budget in seconds and a cap on its sample count.
MODES: dict[str, dict[str, Any]] = {
    "quick": dict(
        sync=(4, 150),
        peers=(4, 60),
        import_reps=3,
        litellm_reps=0,
        ctor_rounds=200,
        tp={1: (1.0, 4, 6), 16: (2.0, 16, 6), 64: (3.0, 64, 6)},
        stream=(3, 100),
        rss=(6, 200),
        rss_warmup=50,
    ),
    "default": dict(
        sync=(18, 600),
        peers=(15, 200),
        import_reps=7,
        litellm_reps=2,
        ctor_rounds=600,
        tp={1: (4.0, 6, 16), 16: (10.0, 32, 16), 64: (14.0, 64, 16)},
        stream=(8, 300),
        rss=(40, 1500),
        rss_warmup=150,
    ),
    "full": dict(
        sync=(60, 2000),
        peers=(45, 500),
        import_reps=15,
        litellm_reps=5,
        ctor_rounds=2000,
        tp={1: (10.0, 8, 40), 16: (25.0, 48, 40), 64: (40.0, 128, 40)},
        stream=(25, 1000),
        rss=(None, 5000),
        rss_warmup=300,
    ),
}
# tp: concurrency -> (seconds, calls per block, max blocks); sync/peers/stream/rss: (seconds, max count);
# rss (None, n): exactly n calls
ENV_CONFIG = {  # what a configured Director host has in its environment (figures 3 and 4)
    "LITELLM_CHAT_MODEL": C.MODEL,
    "LITELLM_API_KEY": C.KEY,
    "LITELLM_API_BASE": "http://127.0.0.1:9/v1",
}


def log(message: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


@dataclass
class Row:
    key: str
    figure: str
    ours: str
    base: str
    result: str
    spread: str
    n: str
    target: str
    status: str


NOTES: list[str] = []
RAW: dict[str, Any] = {}


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.0f} µs"


def signed_us(seconds: float) -> str:
    return f"{seconds * 1e6:+.0f} µs"


def check_wire(srv: C.Server, label: str, ours: Callable[[], Any], raw: Callable[[], Any]) -> list[str]:
    """Send one request each to the strict fake; return the body differences (empty = identical)."""
    ours()
    raw()
    bodies = srv.last_bodies(2)
    violations = srv.ask("violations").get("violations", [])
    diff = C.wire_diff(*bodies) if len(bodies) == 2 else ["bodies not recorded"]
    if violations:
        NOTES.append(f"{label}: the strict fake REFUSED a request: {violations[-1][:120]}")
    NOTES.append(
        f"{label}: director-litellm and raw litellm bodies at the wire: "
        + ("identical" if not diff else "DIFFER " + " ".join(diff))
    )
    return diff


def compile_src() -> None:
    """Bytecode for the measured src/, as ``pip install`` writes it for an installed wheel.

    Without it a fresh process compiles every module of the package again whenever
    ``PYTHONDONTWRITEBYTECODE`` is set (as in CI here): figure 3 then measured the compiler, ~2-3x
    the import, while the dependencies' bytecode, written by pip, was read from disk.
    """
    import compileall

    compileall.compile_dir(C.SRC, quiet=1)


def render(rows: list[Row]) -> str:
    header = Row("#", "Figure", "director-litellm", "baseline", "result", "spread (IQR)", "n", "target", "status")
    table = [header, *rows]
    fields = list(asdict(header))
    widths = {f: max(len(getattr(r, f)) for r in table) for f in fields}
    lines = []
    for i, row in enumerate(table):
        lines.append("| " + " | ".join(getattr(row, f).ljust(widths[f]) for f in fields) + " |")
        if i == 0:
            lines.append("|" + "|".join("-" * (widths[f] + 2) for f in fields) + "|")
    return "\n".join(lines)


def environment() -> str:
    from importlib import metadata

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "-"

    cpus = os.cpu_count()
    try:
        load = f" load {os.getloadavg()[0]:.2f}"
    except OSError:
        load = ""
    import director_litellm

    src = os.path.dirname(os.path.dirname(os.path.abspath(director_litellm.__file__)))
    where = "" if src == os.path.join(C.REPO, "src") else f" from {src}"
    return (
        f"director-litellm {version('director-litellm')}{where} | litellm {version('litellm')} | openai "
        f"{version('openai')} | pydantic {version('pydantic')} | Python {platform.python_version()} | "
        f"{platform.machine()} {cpus} CPU{load}"
    )
