"""The supply-chain guard: known-bad litellm releases and stray ``.pth`` files."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from director_litellm import LLMResponseStatus
from director_litellm import _supply_chain as supply_chain
from tests.fakes import FakeOpenAI
from tests.helpers import provider_for

KEY = "sk-test-key-0123456789abcdef"
HELLO = [{"role": "user", "content": "Hello"}]


@pytest.fixture
def litellm_version(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Set what ``installed_version()`` reports; the once-per-process verdict is reset around the test."""

    def pretend(version: str | None) -> None:
        monkeypatch.setattr(supply_chain, "installed_version", lambda: version)

    supply_chain.check_installed.cache_clear()
    yield pretend
    supply_chain.check_installed.cache_clear()


class TestVerdict:
    @pytest.mark.parametrize(
        ("version", "blocked"), [("1.82.7", True), ("1.82.8", True), ("1.106.1", False), ("1.106.2", False)]
    )
    def test_known_bad(self, version: str, blocked: bool) -> None:
        """Each listed release has a verdict whose message names it and the safe install command."""
        problem = supply_chain.verdict(version)
        assert problem is not None
        assert problem.blocked is blocked
        assert version in problem.message
        assert supply_chain.SAFE_INSTALL in problem.message

    @pytest.mark.parametrize("version", ["1.60.0", "1.82.6", "1.110.2", None])
    def test_others_are_fine(self, version: str | None) -> None:
        """Any other release (or none installed) has no verdict."""
        assert supply_chain.verdict(version) is None

    def test_safe_install_excludes_every_known_bad_release(self) -> None:
        """The advised pip command excludes every release in the table."""
        for version in supply_chain.KNOWN_BAD:
            assert f"!={version}" in supply_chain.SAFE_INSTALL


class TestGuardInTheProvider:
    def test_compromised_release_sends_nothing(self, openai_fake: FakeOpenAI, litellm_version: object) -> None:
        """litellm 1.82.7: a fresh provider returns a blocked_version ERROR saying what to install; no request."""
        litellm_version("1.82.7")  # type: ignore[operator]
        response = provider_for(openai_fake).chat_completions(HELLO)
        assert response.status == LLMResponseStatus.ERROR
        assert response.error is not None
        assert response.error["category"] == "blocked_version"
        assert "1.82.7" in response.content
        assert supply_chain.SAFE_INSTALL in response.content
        assert openai_fake.requests == []

    def test_compromised_release_async_sends_nothing(self, openai_fake: FakeOpenAI, litellm_version: object) -> None:
        """The async path refuses in the same way."""
        litellm_version("1.82.8")  # type: ignore[operator]
        response = asyncio.run(provider_for(openai_fake).achat_completions(HELLO))
        assert response.error is not None
        assert response.error["category"] == "blocked_version"
        assert openai_fake.requests == []

    def test_broken_release_warns_and_proceeds(
        self, openai_fake: FakeOpenAI, litellm_version: object, caplog: pytest.LogCaptureFixture
    ) -> None:
        """litellm 1.106.2: one warning naming the release; calls still go out and succeed."""
        litellm_version("1.106.2")  # type: ignore[operator]
        openai_fake.reply("still works")
        with caplog.at_level(logging.WARNING, logger="director_litellm._supply_chain"):
            provider = provider_for(openai_fake)
            provider_for(openai_fake)  # the verdict is logged once per process, not per provider
        warned = [r for r in caplog.records if r.name == "director_litellm._supply_chain"]
        assert len(warned) == 1
        assert warned[0].levelno == logging.WARNING
        assert "1.106.2" in warned[0].getMessage()
        response = provider.chat_completions(HELLO)
        assert response.status == LLMResponseStatus.SUCCESS
        assert response.content == "still works"
        assert len(openai_fake.requests) == 1


class TestStrayPth:
    @pytest.fixture
    def site_dir(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        """An empty site-packages directory; nothing is taken from the real litellm's RECORD."""
        monkeypatch.setattr(supply_chain, "_pth_files_recorded_by_litellm", lambda: set())
        return tmp_path

    def test_malicious_file_is_flagged_always(self, site_dir: Path) -> None:
        """litellm_init.pth is flagged as malicious whatever it contains, with the cleanup advice."""
        (site_dir / "litellm_init.pth").write_text("import base64; exec(base64.b64decode('cHJpbnQoMSk='))\n")
        (found,) = supply_chain.find_stray_pth([str(site_dir)])
        assert found.path == str(site_dir / "litellm_init.pth")
        assert found.malicious
        assert found.executes_code
        assert "rotate every credential" in found.message
        assert supply_chain.SAFE_INSTALL in found.message

    def test_files_that_mention_litellm_are_flagged(self, site_dir: Path) -> None:
        """A .pth whose name or content mentions litellm is worth a look; code and paths are told apart."""
        (site_dir / "helper.pth").write_text("import litellm_patch; litellm_patch.apply()\n")
        (site_dir / "paths.pth").write_text("/opt/src/litellm\n")
        found = {os.path.basename(p.path): p for p in supply_chain.find_stray_pth([str(site_dir)])}
        assert set(found) == {"helper.pth", "paths.pth"}
        assert not any(p.malicious for p in found.values())
        assert found["helper.pth"].executes_code
        assert "runs code at every Python start-up" in found["helper.pth"].message
        assert not found["paths.pth"].executes_code
        assert "adds an import path" in found["paths.pth"].message

    def test_unrelated_files_are_not_flagged(self, site_dir: Path) -> None:
        """This package's own editable .pth, setuptools' and other tools' files are left alone."""
        (site_dir / "_editable_impl_director_litellm.pth").write_text("/work/main/src\n")
        (site_dir / "__editable__.director_litellm-0.1.0.pth").write_text("import __editable___director_litellm\n")
        (site_dir / "distutils-precedence.pth").write_text("import os; var = 'SETUPTOOLS_USE_DISTUTILS'\n")
        (site_dir / "langchain_litellm.pth").write_text("/opt/langchain-litellm/src\n")
        (site_dir / "notes.txt").write_text("litellm_init.pth\n")
        assert supply_chain.find_stray_pth([str(site_dir)]) == []

    def test_file_recorded_by_litellm_is_flagged(self, site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A .pth that litellm's own RECORD lists is flagged, whatever it contains."""
        monkeypatch.setattr(supply_chain, "_pth_files_recorded_by_litellm", lambda: {"zz_boot.pth"})
        (site_dir / "zz_boot.pth").write_text("import os\n")
        (found,) = supply_chain.find_stray_pth([str(site_dir)])
        assert found.reason == "installed by the litellm package"
        assert not found.malicious

    def test_missing_directory_is_skipped(self, site_dir: Path) -> None:
        """A directory that does not exist is no error."""
        assert supply_chain.find_stray_pth([str(site_dir / "nope")]) == []

    def test_default_dirs_are_this_interpreters_site_packages(self) -> None:
        """Without arguments the scan covers the site-packages directories on sys.path."""
        dirs = [os.path.realpath(d) for d in supply_chain.site_packages_dirs()]
        on_path = [os.path.realpath(p) for p in sys.path if os.path.basename(p) == "site-packages"]
        assert on_path
        assert set(on_path) <= set(dirs)
        assert all(os.path.isdir(d) for d in dirs)
