"""A real LiteLLM Proxy (``litellm[proxy]``) started as a subprocess on 127.0.0.1, for integration tests.

``running_proxy(config, workdir)`` writes ``config`` (a dict) as YAML, starts
``python -m litellm.proxy.proxy_cli --config ... --host 127.0.0.1 --port <free port>`` with the current
interpreter, waits for ``GET /health/liveliness`` with a deadline, and always stops the process
(SIGTERM, then SIGKILL after ``STOP_GRACE`` seconds). Every loop here is bounded.

Nothing reaches the network: the child's environment is the parent's minus provider keys, ``LITELLM_*``
settings, ``DATABASE_URL`` and HTTP proxy variables, plus:

- ``LITELLM_LOCAL_MODEL_COST_MAP=True``: no download of the model price map at import;
- ``LITELLM_TELEMETRY_DISABLED=True``: the proxy's telemetry veto (litellm >= 1.10x reads
  ``LITELLM_TELEMETRY_*``); the config also sets the older ``litellm_settings.telemetry: false``;
- ``NO_PROXY=127.0.0.1,localhost``.

Without ``DATABASE_URL`` the proxy has no virtual keys, budgets per key or teams: only ``master_key``
authenticates. At startup the proxy also sends ``GET <api_base>/models`` to each OpenAI-compatible
deployment; ``ModelListingFakeOpenAI`` answers those so they are not counted as violations.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug import Request, Response

from tests.fakes.servers import FakeOpenAI

READY_TIMEOUT = 60.0  # seconds for the proxy to answer /health/liveliness
STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL
_DROPPED_PREFIXES = (
    "LITELLM_",
    "OPENAI_",
    "ANTHROPIC_",
    "AZURE_",
    "GROQ_",
    "GEMINI_",
    "DATABASE_URL",
    "DIRECT_URL",
    "REDIS_",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "DEFAULT_LLM",
    "STORE_MODEL_IN_DB",
    "PROXY_",
)


def proxy_modules() -> list[str]:
    """Modules ``litellm.proxy.proxy_server`` needs beyond litellm itself (the ``proxy`` extra)."""
    return [
        "fastapi",
        "uvicorn",
        "backoff",
        "apscheduler",
        "orjson",
        "yaml",
        "multipart",
        "jwt",
        "nacl",
        "cryptography",
        "email_validator",
        "fastapi_sso",
    ]


class ModelListingFakeOpenAI(FakeOpenAI):
    """``FakeOpenAI`` that also answers ``GET /v1/models`` (the proxy lists each deployment's models at
    startup); those listings are counted in ``listings``, not in ``requests``."""

    def __init__(self, server: Any, expected_key: str | None = None) -> None:
        self.listings = 0
        super().__init__(server, expected_key=expected_key)

    def _handle(self, request: Request) -> Response:
        if request.method == "GET" and request.path in ("/v1/models", "/models"):
            with self._lock:
                self.listings += 1
            body = {"object": "list", "data": [{"id": "upstream", "object": "model", "created": 0, "owned_by": "fake"}]}
            return Response(json.dumps(body), status=200, headers={"content-type": "application/json"})
        return super()._handle(request)

    def chat_posts(self) -> int:
        return sum(1 for r in self.requests if r.method == "POST" and r.path.endswith("/chat/completions"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED_PREFIXES)}
    env.update(
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        LITELLM_TELEMETRY_DISABLED="True",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
        PYTHONWARNINGS="ignore",
    )
    env.update(extra or {})
    return env


@dataclass
class Proxy:
    url: str  # http://127.0.0.1:PORT (no /v1)
    master_key: str
    process: subprocess.Popen
    log_path: Path
    startup_seconds: float = 0.0
    config_path: Path | None = None
    _log_offset: int = field(default=0, repr=False)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, chars: int = 4000) -> str:
        return self.log()[-chars:]

    def request(
        self, method: str, path: str, body: Any = None, key: str | None = None, timeout: float = 30.0
    ) -> tuple[int, Any]:
        """One raw HTTP call to the proxy: (status, parsed JSON or text)."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")


def _write_config(config: dict[str, Any], path: Path) -> None:
    import yaml  # the proxy extra installs PyYAML; callers skip the module without it

    path.write_text(yaml.safe_dump(config, sort_keys=False))


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_GRACE)


def _wait_ready(proxy: Proxy, deadline: float) -> None:
    url = proxy.url + "/health/liveliness"
    while True:
        if proxy.process.poll() is not None:
            raise RuntimeError(
                f"the LiteLLM Proxy exited with status {proxy.process.returncode} before it was "
                f"ready; its log ends with:\n{proxy.log_tail()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"the LiteLLM Proxy did not answer {url} within {READY_TIMEOUT:.0f} s; "
                f"its log ends with:\n{proxy.log_tail()}"
            )
        time.sleep(0.2)


@contextmanager
def running_proxy(
    config: dict[str, Any],
    workdir: Path,
    *,
    master_key: str,
    env: dict[str, str] | None = None,
    ready_timeout: float = READY_TIMEOUT,
    attempts: int = 2,
) -> Iterator[Proxy]:
    """Start the proxy with ``config`` (``general_settings.master_key`` is set to ``master_key``)."""
    config = {**config, "general_settings": {**config.get("general_settings", {}), "master_key": master_key}}
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "proxy_config.yaml"
    _write_config(config, config_path)
    last_error: BaseException | None = None
    for attempt in range(1, attempts + 1):  # a second try only covers losing the free port to a race
        port = free_port()
        log_path = workdir / f"proxy_{attempt}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "litellm.proxy.proxy_cli",
                    "--config",
                    str(config_path),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--num_workers",
                    "1",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=child_env(env),
                cwd=str(workdir),
            )
        proxy = Proxy(f"http://127.0.0.1:{port}", master_key, process, log_path, config_path=config_path)
        try:
            started = time.monotonic()
            _wait_ready(proxy, started + ready_timeout)
            proxy.startup_seconds = time.monotonic() - started
        except RuntimeError as exc:
            _stop(process)
            last_error = exc
            if "address already in use" in proxy.log().lower() and attempt < attempts:
                continue
            raise
        try:
            yield proxy
        finally:
            _stop(process)
        return
    raise RuntimeError(str(last_error))  # pragma: no cover - the loop returns or raises
