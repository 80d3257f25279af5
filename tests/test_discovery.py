"""Tests for director_litellm.discovery: the host-side loader for ``director.llm_providers``.

Fake distributions are real ``*.dist-info`` directories written into a temporary
directory on ``sys.path`` (see tests/discovery_support/fake_dists.py), so
``importlib.metadata`` reads them exactly as it reads an installed package. The
stand-in host ``fakehost.llm`` mimics Director's ``director/llm/__init__.py``
with its ``get_default_llm`` replaced by ``DIRECTOR_SNIPPET``.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from director_litellm import discovery
from director_litellm.discovery import (
    DIRECTOR_SNIPPET,
    ENTRY_POINT_GROUP,
    DuplicateProviderError,
    IncompatibleProviderError,
    ProviderImportError,
    ProviderInfo,
    ProviderLoadError,
    ProviderNotFoundError,
    available_providers,
    load_provider,
    refresh_providers,
)

SUPPORT_DIR = Path(__file__).parent / "discovery_support"
SRC_DIR = Path(discovery.__file__).resolve().parents[1]
STAND_IN_TARGET = "stand_in_plugins:StandInLiteLLMProvider"

WORKING_PLUGIN = textwrap.dedent(
    """
    class Provider:
        PROVIDER_API_VERSION = "1.0"

        def chat_completions(self, messages, tools=None, stop=None, response_format=None):
            return None
    """
)
BROKEN_PLUGIN = "import a_dependency_that_is_not_installed  # noqa: F401\n"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No provider-selection variable from the outer environment reaches a test."""
    for name in ("DEFAULT_LLM", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLEAI_API_KEY", "DIRECTOR_LLM"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True, scope="module")
def fresh_scan() -> Iterator[None]:
    """This module starts, and leaves, with a provider cache that matches sys.path.

    Between tests it stays true because every fixture that changes sys.path
    rescans once its change is undone.
    """
    refresh_providers()
    yield
    refresh_providers()


@pytest.fixture
def support_on_path() -> Iterator[Path]:
    """tests/discovery_support on sys.path: the stand-in host and plugin modules."""
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(SUPPORT_DIR))
        yield SUPPORT_DIR


@pytest.fixture
def fake_site(tmp_path: Path, support_on_path: Path) -> Iterator[Any]:
    """An empty FakeSite first on sys.path; its dists vanish from the scan afterwards."""
    fake_dists = importlib.import_module("fake_dists")
    site = fake_dists.FakeSite(tmp_path / "site")
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(site.root))
        yield site
        site.forget_modules()
    refresh_providers()


@pytest.fixture
def earlier_site(fake_site: Any, tmp_path: Path) -> Iterator[Any]:
    """A second FakeSite, ahead of ``fake_site`` on sys.path."""
    site = importlib.import_module("fake_dists").FakeSite(tmp_path / "earlier")
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(site.root))
        yield site
    refresh_providers()


@pytest.fixture
def stand_in_litellm(fake_site: Any) -> Any:
    """A fake ``director-litellm`` whose ``litellm`` entry point is the stand-in provider.

    Named like the real distribution so that it shadows an installed copy, as an
    earlier sys.path entry does.
    """
    fake_site.add_dist("director-litellm", "0.0.0", {"litellm": STAND_IN_TARGET})
    refresh_providers()
    return fake_site


@pytest.fixture
def host(support_on_path: Path) -> Any:
    """The stand-in for Director's ``director.llm`` module."""
    return importlib.import_module("fakehost.llm")


@pytest.fixture
def stand_ins(support_on_path: Path) -> Any:
    """The module of stand-in provider classes fake entry points point at."""
    return importlib.import_module("stand_in_plugins")


def _provider_names() -> set[str]:
    return {info.name for info in available_providers()}


class TestDirectorSnippet:
    def test_host_module_ends_with_the_snippet_verbatim(self, host: Any) -> None:
        """The stand-in host is Director's key sniffing followed by DIRECTOR_SNIPPET, as the patch appends it."""
        source = Path(host.__file__).read_text(encoding="utf-8")
        assert source.endswith("        return VideoDBProxy()\n\n\n" + DIRECTOR_SNIPPET)

    def test_snippet_keeps_the_old_function_and_rebinds_an_argumentless_one(self) -> None:
        """DIRECTOR_SNIPPET saves the host's function first and ends defining get_default_llm()."""
        body = ast.parse(DIRECTOR_SNIPPET).body
        first, last = body[0], body[-1]
        assert isinstance(first, ast.Assign)
        assert ast.unparse(first) == "_director_get_default_llm = get_default_llm"
        assert isinstance(last, ast.FunctionDef)
        assert last.name == "get_default_llm"
        assert not last.args.args
        assert not last.args.kwonlyargs

    def test_host_keeps_its_old_behaviour_without_director_litellm(
        self, support_on_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """When director_litellm cannot be imported the snippet returns the host's own choice."""
        monkeypatch.setitem(sys.modules, "director_litellm.discovery", None)
        spec = importlib.util.spec_from_file_location(
            "fakehost_without_plugin", SUPPORT_DIR / "fakehost/llm/__init__.py"
        )
        assert spec
        assert spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        monkeypatch.setenv("DEFAULT_LLM", "anthropic")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        assert module._discover_llm is None
        assert type(module.get_default_llm()) is module.OpenAI  # keys before DEFAULT_LLM, as before


class TestAvailableProviders:
    def test_lists_name_target_distribution_and_version(self, fake_site: Any) -> None:
        """Each entry point is described by name, target, distribution and version."""
        fake_site.add_dist("acme-llm", "2.3.1", {"acme": "acme_llm.provider:Acme"})
        infos = [i for i in available_providers(refresh=True) if i.distribution == "acme-llm"]
        assert infos == [ProviderInfo("acme", "acme_llm.provider:Acme", "acme-llm", "2.3.1")]

    def test_imports_no_plugin_module(self, fake_site: Any) -> None:
        """Listing reads metadata only: neither a working nor a broken plugin is imported."""
        good = fake_site.add_module("good_plugin", WORKING_PLUGIN)
        bad = fake_site.add_module("bad_plugin", BROKEN_PLUGIN)
        fake_site.add_dist("good-dist", "1.0", {"good": f"{good}:Provider"})
        fake_site.add_dist("bad-dist", "1.0", {"bad": f"{bad}:Provider"})
        assert {"good", "bad"} <= {i.name for i in available_providers(refresh=True)}
        assert fake_site.imported() == []

    def test_returns_the_cached_scan_until_refreshed(self, fake_site: Any, mocker: Any) -> None:
        """Repeated calls reuse one scan; refresh=True rescans and sees new distributions."""
        available_providers()
        spy = mocker.spy(importlib.metadata, "distributions")
        fake_site.add_dist("late-dist", "1.0", {"late": "late_mod:Provider"})
        assert "late" not in _provider_names()
        assert spy.call_count == 0
        assert "late" in {i.name for i in available_providers(refresh=True)}
        assert spy.call_count == 1

    def test_refresh_providers_forgets_a_removed_distribution(self, fake_site: Any) -> None:
        """refresh_providers() rescans, so an uninstalled distribution disappears."""
        info_dir = fake_site.add_dist("gone-dist", "1.0", {"gone": "gone_mod:Provider"})
        assert "gone" in {i.name for i in refresh_providers()}
        shutil.rmtree(info_dir)
        assert "gone" in _provider_names()
        assert "gone" not in {i.name for i in refresh_providers()}

    def test_an_earlier_sys_path_entry_shadows_the_same_distribution(self, fake_site: Any, earlier_site: Any) -> None:
        """A distribution installed twice is listed once, from the first sys.path entry."""
        fake_site.add_dist("twice-dist", "1.0", {"twice": "old_mod:Provider"})
        earlier_site.add_dist("twice-dist", "2.0", {"twice": "new_mod:Provider"})
        infos = [i for i in refresh_providers() if i.distribution == "twice-dist"]
        assert infos == [ProviderInfo("twice", "new_mod:Provider", "twice-dist", "2.0")]

    def test_skips_a_distribution_with_unreadable_metadata(
        self, fake_site: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A dist-info without METADATA is logged and skipped; the others are still listed."""
        fake_site.add_dist("no-meta", "1.0", {"nometa": "x:Y"}, metadata=False)
        fake_site.add_dist("fine-dist", "1.0", {"fine": "fine_mod:Provider"})
        names = {i.name for i in refresh_providers()}
        assert "fine" in names
        assert "nometa" not in names
        assert "no_meta-1.0.dist-info" in caplog.text

    def test_skips_a_distribution_with_a_malformed_entry_points_file(
        self, fake_site: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An entry_points.txt line without '=' (which fails the stdlib's whole entry_points() scan) is
        logged with its distribution and skipped; the other distributions' providers are still listed."""
        info_dir = fake_site.add_dist("mangled-dist", "1.0", {"mangled": "m:M"})
        (info_dir / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nno equals sign here\n", encoding="utf-8")
        fake_site.add_dist("fine-dist", "1.0", {"fine": "fine_mod:Provider"})
        names = {i.name for i in refresh_providers()}
        assert "fine" in names
        assert "mangled" not in names
        assert "mangled_dist-1.0.dist-info" in caplog.text

    def test_with_a_malformed_file_present_an_earlier_copy_still_shadows(
        self, fake_site: Any, earlier_site: Any
    ) -> None:
        """Reading distributions one by one (after a malformed file) keeps the first sys.path copy only."""
        info_dir = fake_site.add_dist("mangled-dist", "1.0", {"mangled": "m:M"})
        (info_dir / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nno equals sign here\n", encoding="utf-8")
        fake_site.add_dist("twice-dist", "1.0", {"twice": "old_mod:Provider"})
        earlier_site.add_dist("twice-dist", "2.0", {"twice": "new_mod:Provider"})
        infos = [i for i in refresh_providers() if i.distribution == "twice-dist"]
        assert infos == [ProviderInfo("twice", "new_mod:Provider", "twice-dist", "2.0")]

    def test_a_caller_cannot_alter_the_cached_scan(self, fake_site: Any) -> None:
        """Renaming an entry or clearing the returned list changes neither the next listing nor loading."""
        good = fake_site.add_module("good_plugin", WORKING_PLUGIN)
        fake_site.add_dist("acme-llm", "2.3.1", {"acme": f"{good}:Provider"})
        infos = available_providers(refresh=True)
        acme = next(i for i in infos if i.name == "acme")
        with contextlib.suppress(AttributeError):
            acme.name = "renamed"  # type: ignore[misc]
        infos.clear()
        assert ProviderInfo("acme", f"{good}:Provider", "acme-llm", "2.3.1") in available_providers()
        assert "renamed" not in _provider_names()
        assert load_provider("acme") is sys.modules[good].Provider


class TestLoadProvider:
    def test_imports_only_the_chosen_entry_point(self, fake_site: Any) -> None:
        """The named provider is loaded; a broken sibling in the group is never imported."""
        good = fake_site.add_module("good_plugin", WORKING_PLUGIN)
        bad = fake_site.add_module("bad_plugin", BROKEN_PLUGIN)
        fake_site.add_dist("good-dist", "1.0", {"good": f"{good}:Provider"})
        fake_site.add_dist("bad-dist", "1.0", {"bad": f"{bad}:Provider"})
        refresh_providers()
        provider = load_provider("good")
        assert provider is sys.modules[good].Provider
        assert fake_site.imported() == [good]

    def test_name_matching_ignores_case_and_whitespace(self, stand_in_litellm: Any, stand_ins: Any) -> None:
        """' LiteLLM ' finds the entry point named 'litellm'."""
        assert load_provider(" LiteLLM ") is stand_ins.StandInLiteLLMProvider

    def test_unknown_name_lists_the_available_names(self, fake_site: Any) -> None:
        """An unknown name raises ProviderNotFoundError naming what is installed."""
        fake_site.add_dist("one-dist", "1.0", {"alpha": "a:A", "beta": "b:B"})
        refresh_providers()
        with pytest.raises(ProviderNotFoundError, match="'nope'") as info:
            load_provider("nope")
        assert "'alpha'" in str(info.value)
        assert "'beta'" in str(info.value)
        assert ENTRY_POINT_GROUP in str(info.value)

    def test_duplicate_name_names_both_distributions(self, fake_site: Any) -> None:
        """Two distributions declaring one name is an error naming both, not first-wins."""
        good = fake_site.add_module("good_plugin", WORKING_PLUGIN)
        fake_site.add_dist("first-dist", "1.0", {"same": f"{good}:Provider"})
        fake_site.add_dist("second-dist", "2.5", {"same": f"{good}:Provider"})
        refresh_providers()
        with pytest.raises(DuplicateProviderError) as info:
            load_provider("same")
        assert "first-dist 1.0" in str(info.value)
        assert "second-dist 2.5" in str(info.value)
        assert fake_site.imported() == []

    def test_import_failure_names_distribution_version_and_cause(self, fake_site: Any) -> None:
        """A plugin that fails to import is reported with its dist, version and cause."""
        bad = fake_site.add_module("bad_plugin", BROKEN_PLUGIN)
        good = fake_site.add_module("good_plugin", WORKING_PLUGIN)
        fake_site.add_dist("bad-dist", "3.1.4", {"bad": f"{bad}:Provider"})
        fake_site.add_dist("good-dist", "1.0", {"good": f"{good}:Provider"})
        refresh_providers()
        with pytest.raises(ProviderImportError) as info:
            load_provider("bad")
        message = str(info.value)
        assert "bad-dist 3.1.4" in message
        assert "ModuleNotFoundError" in message
        assert "a_dependency_that_is_not_installed" in message
        assert isinstance(info.value.__cause__, ModuleNotFoundError)
        assert load_provider("good") is sys.modules[good].Provider

    def test_missing_attribute_is_an_import_failure(self, fake_site: Any) -> None:
        """A target whose module imports but lacks the attribute is a ProviderImportError."""
        good = fake_site.add_module("good_plugin", WORKING_PLUGIN)
        fake_site.add_dist("typo-dist", "1.0", {"typo": f"{good}:Provder"})
        refresh_providers()
        with pytest.raises(ProviderImportError, match="typo-dist 1.0.*Provder"):
            load_provider("typo")

    @pytest.mark.parametrize(
        ("attribute", "reason"),
        [
            ("FutureApiProvider", "PROVIDER_API_VERSION '2.0'; this loader supports 1.x"),
            ("NumericVersionProvider", "PROVIDER_API_VERSION 1.0; this loader supports 1.x"),
            ("UnversionedProvider", "does not declare PROVIDER_API_VERSION"),
            ("NoChatProvider", "has no callable chat_completions method"),
            ("PROVIDER_INSTANCE", "is a StandInLiteLLMProvider instance, not a class"),
        ],
    )
    def test_refuses_an_object_that_breaks_the_protocol(self, fake_site: Any, attribute: str, reason: str) -> None:
        """Wrong API major, no version, no chat_completions or not a class: refused, saying why."""
        fake_site.add_dist("odd-dist", "0.9", {"odd": f"stand_in_plugins:{attribute}"})
        refresh_providers()
        with pytest.raises(IncompatibleProviderError) as info:
            load_provider("odd")
        assert "odd-dist 0.9" in str(info.value)
        assert reason in str(info.value)

    def test_accepts_a_later_minor_api_version(self, fake_site: Any, stand_ins: Any) -> None:
        """PROVIDER_API_VERSION '1.7' has our major version and is accepted."""
        fake_site.add_dist("minor-dist", "1.0", {"minor": "stand_in_plugins:MinorBumpProvider"})
        refresh_providers()
        assert load_provider("minor") is stand_ins.MinorBumpProvider


class TestGetDefaultLLM:
    def test_default_llm_names_the_plugin_even_with_an_openai_key(
        self, host: Any, stand_in_litellm: Any, stand_ins: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """DEFAULT_LLM=litellm with OPENAI_API_KEY set gives the plugin's instance."""
        monkeypatch.setenv("DEFAULT_LLM", "litellm")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        assert type(host.get_default_llm()) is stand_ins.StandInLiteLLMProvider

    def test_unset_default_llm_keeps_the_host_choice(
        self, host: Any, stand_in_litellm: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without DEFAULT_LLM the host's key sniffing decides: OpenAI when its key is set."""
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        assert type(host.get_default_llm()) is host.OpenAI

    def test_unset_default_llm_and_no_keys_gives_the_host_last_resort(self, host: Any, stand_in_litellm: Any) -> None:
        """Without DEFAULT_LLM or keys the host's fallback returns VideoDBProxy."""
        assert type(host.get_default_llm()) is host.VideoDBProxy

    def test_blank_default_llm_counts_as_unset(self, host: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """DEFAULT_LLM of only whitespace defers to the host's fallback."""
        monkeypatch.setenv("DEFAULT_LLM", "  ")
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        assert type(host.get_default_llm()) is host.AnthropicAI

    def test_default_llm_builtin_wins_over_another_key(self, host: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """DEFAULT_LLM=anthropic with OPENAI_API_KEY set gives the anthropic built-in."""
        monkeypatch.setenv("DEFAULT_LLM", "anthropic")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        assert type(host.get_default_llm()) is host.AnthropicAI

    def test_default_llm_ignores_case_and_whitespace(
        self, host: Any, stand_in_litellm: Any, stand_ins: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """DEFAULT_LLM=' LiteLLM ' and ' VideoDB_Proxy ' select as if lower-case."""
        monkeypatch.setenv("DEFAULT_LLM", " LiteLLM \n")
        assert type(host.get_default_llm()) is stand_ins.StandInLiteLLMProvider
        monkeypatch.setenv("DEFAULT_LLM", " VideoDB_Proxy ")
        assert type(host.get_default_llm()) is host.VideoDBProxy

    def test_environment_is_read_at_each_call(
        self, host: Any, stand_in_litellm: Any, stand_ins: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Changing DEFAULT_LLM between calls changes the result."""
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("DEFAULT_LLM", "litellm")
        assert type(host.get_default_llm()) is stand_ins.StandInLiteLLMProvider
        monkeypatch.delenv("DEFAULT_LLM")
        assert type(host.get_default_llm()) is host.OpenAI

    def test_unknown_default_llm_falls_through_to_the_host_with_one_warning(
        self, host: Any, stand_in_litellm: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A name nothing provides gives the host's own choice and one WARNING listing both kinds."""
        monkeypatch.setattr(discovery, "_warned", set())
        monkeypatch.setenv("DEFAULT_LLM", "gemini")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        with caplog.at_level("WARNING", logger="director_litellm.discovery"):
            assert type(host.get_default_llm()) is host.OpenAI
            assert type(host.get_default_llm()) is host.OpenAI
        (record,) = caplog.records
        assert "DEFAULT_LLM='gemini'" in record.getMessage()
        for name in ("'openai'", "'anthropic'", "'googleai'", "'videodb_proxy'", "'litellm'"):
            assert name in record.getMessage()

    def test_unknown_default_llm_without_fallback_lists_builtins_and_plugins(
        self, stand_in_litellm: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With no fallback to fall through to, a name nothing provides is a ProviderNotFoundError."""
        monkeypatch.setenv("DEFAULT_LLM", "gemini")
        with pytest.raises(ProviderNotFoundError, match="DEFAULT_LLM='gemini'") as info:
            discovery.get_default_llm(builtins={"openai": object})
        assert "'openai'" in str(info.value)
        assert "'litellm'" in str(info.value)

    @pytest.mark.parametrize("name", ["openai", "anthropic", "googleai", "videodb_proxy"])
    def test_every_director_builtin_wins_over_other_keys(
        self, host: Any, name: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Each of LLMType's four names selects its own class even when all three keys are set."""
        for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLEAI_API_KEY"):
            monkeypatch.setenv(key, "sk-test")
        monkeypatch.setenv("DEFAULT_LLM", name)
        expected = {
            "openai": "OpenAI",
            "anthropic": "AnthropicAI",
            "googleai": "GoogleAI",
            "videodb_proxy": "VideoDBProxy",
        }
        assert type(host.get_default_llm()).__name__ == expected[name]

    def test_broken_unrelated_plugin_does_not_break_selection(
        self, host: Any, stand_in_litellm: Any, stand_ins: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A plugin that cannot import is never touched when another one is chosen."""
        bad = stand_in_litellm.add_module("bad_plugin", BROKEN_PLUGIN)
        stand_in_litellm.add_dist("bad-dist", "1.0", {"bad": f"{bad}:Provider"})
        refresh_providers()
        monkeypatch.setenv("DEFAULT_LLM", "litellm")
        assert type(host.get_default_llm()) is stand_ins.StandInLiteLLMProvider
        assert stand_in_litellm.imported() == []

    def test_builtin_wins_a_name_clash_with_a_plugin(
        self, host: Any, fake_site: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A plugin also named 'openai' is neither imported nor chosen over the built-in."""
        bad = fake_site.add_module("bad_plugin", BROKEN_PLUGIN)
        fake_site.add_dist("shadow-dist", "1.0", {"openai": f"{bad}:Provider"})
        refresh_providers()
        monkeypatch.setenv("DEFAULT_LLM", "openai")
        assert type(host.get_default_llm()) is host.OpenAI
        assert fake_site.imported() == []

    def test_incompatible_plugin_is_refused_before_construction(
        self, host: Any, fake_site: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """DEFAULT_LLM naming a plugin with API version 2.0 raises IncompatibleProviderError."""
        fake_site.add_dist("future-dist", "2.0", {"future": "stand_in_plugins:FutureApiProvider"})
        refresh_providers()
        monkeypatch.setenv("DEFAULT_LLM", "future")
        with pytest.raises(IncompatibleProviderError, match="future-dist 2.0"):
            host.get_default_llm()

    def test_plugin_constructor_failure_is_a_load_error(self, fake_site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """A provider class that raises when constructed gives ProviderLoadError with the cause."""
        fake_site.add_dist("boom-dist", "1.0", {"boom": "stand_in_plugins:ExplodingProvider"})
        refresh_providers()
        monkeypatch.setenv("DEFAULT_LLM", "boom")
        with pytest.raises(ProviderLoadError, match="constructor failed on purpose") as info:
            discovery.get_default_llm()
        assert isinstance(info.value.__cause__, RuntimeError)

    def test_unset_default_llm_without_fallback_is_an_error(self, stand_in_litellm: Any) -> None:
        """With no DEFAULT_LLM and no fallback the error says what could be chosen."""
        with pytest.raises(ProviderNotFoundError, match="DEFAULT_LLM is not set") as info:
            discovery.get_default_llm(builtins={"openai": object})
        assert "'openai'" in str(info.value)
        assert "'litellm'" in str(info.value)

    def test_env_var_can_be_renamed(
        self, stand_in_litellm: Any, stand_ins: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """env_var= reads another variable and leaves DEFAULT_LLM alone."""
        monkeypatch.setenv("DEFAULT_LLM", "unknown-but-ignored")
        monkeypatch.setenv("DIRECTOR_LLM", "litellm")
        llm = discovery.get_default_llm(env_var="DIRECTOR_LLM")
        assert type(llm) is stand_ins.StandInLiteLLMProvider

    def test_real_provider_through_the_installed_entry_point(self, host: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """With the package installed, DEFAULT_LLM=litellm builds the real LiteLLMProvider."""
        reason = _why_real_entry_point_is_unusable()
        if reason:
            pytest.skip(reason)
        from director_litellm.provider import LiteLLMProvider

        monkeypatch.setenv("DEFAULT_LLM", "litellm")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        assert type(host.get_default_llm()) is LiteLLMProvider


def _why_real_entry_point_is_unusable() -> str:
    try:
        dist = importlib.metadata.distribution("director-litellm")
    except importlib.metadata.PackageNotFoundError:
        return "director-litellm is not installed, so there is no real entry point to load"
    if not dist.entry_points.select(group=ENTRY_POINT_GROUP, name="litellm"):
        return f"the installed director-litellm declares no 'litellm' entry point in {ENTRY_POINT_GROUP}"
    if importlib.util.find_spec("director_litellm.provider") is None:
        return "director_litellm.provider does not exist yet"
    return ""


class TestErrors:
    @pytest.mark.parametrize(
        ("case", "stdlib_kind"),
        [("unknown", LookupError), ("duplicate", LookupError), ("broken", ImportError), ("odd", TypeError)],
    )
    def test_a_caller_catches_each_failure_as_its_stdlib_kind(
        self, fake_site: Any, case: str, stdlib_kind: type[Exception]
    ) -> None:
        """What load_provider raises is caught by `except ProviderLoadError` and by the matching built-in kind."""
        good = fake_site.add_module("good_plugin", WORKING_PLUGIN)
        bad = fake_site.add_module("bad_plugin", BROKEN_PLUGIN)
        fake_site.add_dist("first-dist", "1.0", {"duplicate": f"{good}:Provider"})
        fake_site.add_dist("second-dist", "1.0", {"duplicate": f"{good}:Provider", "broken": f"{bad}:Provider"})
        fake_site.add_dist("odd-dist", "0.9", {"odd": "stand_in_plugins:UnversionedProvider"})
        refresh_providers()
        with pytest.raises(stdlib_kind) as caught:
            load_provider(case)
        assert isinstance(caught.value, ProviderLoadError)


class TestImportCost:
    def test_import_loads_no_provider_and_no_metadata_machinery(self) -> None:
        """Importing discovery pulls in neither litellm, pydantic, the provider nor importlib.metadata."""
        heavy = ["litellm", "pydantic", "pydantic_settings", "director_litellm.provider", "importlib.metadata"]
        code = (
            f"import sys; sys.path.insert(0, {str(SRC_DIR)!r}); "
            "import director_litellm.discovery; "
            f"print([m for m in {heavy!r} if m in sys.modules])"
        )
        # -S: no site-packages .pth hooks, which may import anything at start-up
        result = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "[]"

    def test_import_loads_only_the_exception_root_and_its_leaves(self) -> None:
        """A host importing discovery loads, of this package, only the module of the exception root and the
        leaves it is built from (none imports another module of the package): none of the call path."""
        code = (
            f"import sys; sys.path.insert(0, {str(SRC_DIR)!r}); "
            "import director_litellm.discovery; "
            "print(sorted(m for m in sys.modules if m.startswith('director_litellm')))"
        )
        result = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True)
        loaded = ast.literal_eval(result.stdout.strip())
        assert loaded == [
            "director_litellm",
            "director_litellm._error_hints",
            "director_litellm._error_types",
            "director_litellm._errors",
            "director_litellm._retry_after",
            "director_litellm._scrub",
            "director_litellm.discovery",
        ]
