"""warm_up(): litellm imported in a background thread, idempotent, never raising, with an opt-out.

Tests that really import litellm run in a subprocess, so the import they watch is a fresh one.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
import threading
import time
import types
from pathlib import Path
from typing import Any

import pytest

import director_litellm
from director_litellm import _warm as warm
from director_litellm import discovery

SRC = Path(warm.__file__).resolve().parents[1]


def _python(code: str, **env: str) -> dict[str, Any]:
    import os

    full = {k: v for k, v in os.environ.items() if not k.startswith(("LITELLM_WARM_UP", "DEFAULT_LLM"))}
    full.update(LITELLM_LOCAL_MODEL_COST_MAP="True", **env)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
        env=full,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    out["stderr"] = result.stderr
    return out


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """No warm-up thread remembered from another test."""
    monkeypatch.setattr(warm, "_thread", None)


class TestPublicAndCheap:
    def test_warm_up_is_public(self) -> None:
        """warm_up is in __all__ and is the warm module's function."""
        assert "warm_up" in director_litellm.__all__
        assert director_litellm.warm_up is warm.warm_up

    def test_import_and_attribute_do_not_import_litellm(self) -> None:
        """`import director_litellm` and touching `warm_up` import neither litellm nor the provider."""
        code = f"""
            import json, sys
            sys.path.insert(0, {str(SRC)!r})
            import director_litellm
            director_litellm.warm_up
            heavy = ["litellm", "pydantic_settings", "director_litellm.provider"]
            print(json.dumps({{"loaded": [m for m in heavy if m in sys.modules]}}))
        """
        assert _python(code)["loaded"] == []


class TestWarmUp:
    def test_imports_litellm_in_a_daemon_thread_and_returns_at_once(
        self, fresh: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        """warm_up() returns at once with a named daemon thread, the same one every time; the thread
        imports litellm (here made to take a second) and ends.

        In this process, where litellm is already imported; a fresh import through the warm-up thread is
        test_director_integration's TestWarmStartAtDirectorImport (the patched Director starts it).
        """
        real = warm._import_litellm
        imports: list[float] = []

        def slow_import() -> Any:
            imports.append(time.perf_counter())
            time.sleep(1.0)  # as long as a real first import of litellm, at least
            return real()

        monkeypatch.setattr(warm, "_import_litellm", slow_import)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-warm-0123456789")  # the rehearsal builds the default model's call
        with caplog.at_level(logging.DEBUG, logger="director_litellm._warm"):
            started = time.perf_counter()
            thread = director_litellm.warm_up()
            returned_after = time.perf_counter() - started
            assert thread is not None
            assert director_litellm.warm_up() is thread
            assert thread.daemon
            assert thread.name == "director-litellm-warm-up"
            assert returned_after < 0.5  # it does not wait for the import
            assert thread.is_alive()
            thread.join(60)
        assert not thread.is_alive()
        assert len(imports) == 1
        assert "director_litellm.provider" in sys.modules
        assert [r.getMessage() for r in caplog.records if "warm-up" in r.getMessage()][-1].startswith(
            "warm-up finished in "
        )

    def test_a_failing_import_is_logged_at_debug_and_never_raises(self) -> None:
        """litellm unimportable: the thread ends, one DEBUG line says why, nothing reaches stderr."""
        code = """
            import json, logging, sys
            sys.modules["litellm"] = None
            records = []
            handler = logging.Handler()
            handler.emit = records.append
            logging.getLogger("director_litellm").addHandler(handler)
            logging.getLogger("director_litellm").setLevel(logging.DEBUG)
            import director_litellm
            thread = director_litellm.warm_up()
            thread.join(120)
            print(json.dumps({"messages": [(r.levelname, r.getMessage()) for r in records]}))
        """
        out = _python(code)
        assert out["stderr"] == ""
        failed = [m for level, m in out["messages"] if "warm-up failed" in m]
        assert len(failed) == 1
        assert "import of litellm halted" in failed[0]
        assert {level for level, _ in out["messages"]} == {"DEBUG"}

    @pytest.mark.parametrize("value", ["false", "0", "no", "OFF", " False "])
    def test_opt_out(self, fresh: None, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
        """LITELLM_WARM_UP=false (or 0/no/off, any case) starts nothing and returns None."""
        monkeypatch.setenv("LITELLM_WARM_UP", value)
        started: list[Any] = []
        monkeypatch.setattr(warm, "threading", types.SimpleNamespace(Thread=lambda **kw: started.append(kw)))
        assert warm.warm_up() is None
        assert started == []
        assert warm._thread is None

    def test_a_thread_that_cannot_start_gives_none(self, fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """If the thread cannot be started, warm_up returns None instead of raising."""

        def refuse(**kwargs: Any) -> Any:
            raise RuntimeError("can't start new thread")

        monkeypatch.setattr(warm, "threading", types.SimpleNamespace(Thread=refuse))
        assert warm.warm_up() is None

    def test_one_thread_for_many_concurrent_callers(self, fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """Sixteen threads calling warm_up at once get one and the same thread."""
        created: list[Any] = []

        class Recorder:
            def __init__(self, **kwargs: Any) -> None:
                created.append(self)

            def start(self) -> None:
                pass

        monkeypatch.setattr(warm, "threading", types.SimpleNamespace(Thread=Recorder))
        results: list[Any] = []
        callers = [threading.Thread(target=lambda: results.append(warm.warm_up())) for _ in range(16)]
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join()
        assert len(created) == 1
        assert all(result is created[0] for result in results)


class TestWarmUpSelected:
    @pytest.fixture
    def calls(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[int]:
        recorded: list[int] = []
        monkeypatch.setattr(warm, "warm_up", lambda: recorded.append(1) or "thread")
        monkeypatch.chdir(tmp_path)  # no .env from the outer working directory
        return recorded

    @pytest.mark.parametrize(
        ("value", "started"), [("litellm", True), (" LiteLLM ", True), ("openai", False), ("", False)]
    )
    def test_starts_only_when_default_llm_names_this_package(
        self, calls: list[int], monkeypatch: pytest.MonkeyPatch, value: str, started: bool
    ) -> None:
        """DEFAULT_LLM=litellm (any case, spaces) starts the warm-up; another name or blank does not."""
        monkeypatch.setenv("DEFAULT_LLM", value)
        assert (discovery.warm_up_selected() == "thread") is started
        assert len(calls) == int(started)

    def test_reads_the_dotenv_the_host_will_load(
        self, calls: list[int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """Unset in the environment but DEFAULT_LLM=litellm in ./.env: started, environment untouched."""
        monkeypatch.delenv("DEFAULT_LLM", raising=False)
        (tmp_path / ".env").write_text("OTHER=1\nDEFAULT_LLM=litellm\n", encoding="utf-8")
        assert discovery.warm_up_selected() == "thread"
        import os

        assert "DEFAULT_LLM" not in os.environ
        assert "OTHER" not in os.environ

    def test_the_environment_wins_over_dotenv(
        self, calls: list[int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """DEFAULT_LLM=openai in the environment and litellm in .env: not started (python-dotenv does not override)."""
        monkeypatch.setenv("DEFAULT_LLM", "openai")
        (tmp_path / ".env").write_text("DEFAULT_LLM=litellm\n", encoding="utf-8")
        assert discovery.warm_up_selected() is None
        assert calls == []

    def test_never_raises(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A failure while deciding is swallowed: the host's start-up goes on."""

        def broken(env_var: str = "DEFAULT_LLM") -> str:
            raise OSError("unreadable .env")

        monkeypatch.setattr(discovery, "selected_name", broken)
        assert discovery.warm_up_selected() is None
