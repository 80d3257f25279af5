"""Router mode (``LITELLM_ROUTER_CONFIG``): one shared ``litellm.Router``, in process, against loopback fakes.

Every deployment is a strict fake that checks the deployment's own key, so a request carrying the
provider's ``api_key`` (or sent to the provider's ``api_base``) would be refused and show up here.
Failover tests weight the failing deployment 99:1 so the Router picks it first, and set
``allowed_fails: 0`` so it cools down after one failure: the retry then lands on the healthy one
(litellm 1.60 and 1.110 both retry at once on another healthy deployment).
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import random
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider, LLMResponseStatus, _litellm
from director_litellm import _router as router
from director_litellm._errors import ConfigError, classify
from director_litellm._litellm import _module as import_litellm
from tests.fakes import FakeAnthropic, FakeOpenAI, running

try:
    import yaml  # installed with litellm's dependencies on both stacks; router mode reads JSON without it
except ImportError:  # pragma: no cover - depends on the environment
    yaml = None

needs_yaml = pytest.mark.skipif(yaml is None, reason="PyYAML is not installed")

KEY_A = "sk-deployment-a-0123456789"
KEY_B = "sk-deployment-b-0123456789"
PROVIDER_KEY = "sk-provider-never-sent-0123456789"
GROUP = "director-model"
MESSAGES = [{"role": "user", "content": "Find clips with cats"}]
SERVER_ERROR = {"error": {"message": "upstream exploded", "type": "server_error", "param": None, "code": None}}


def litellm_module() -> Any:
    """litellm, imported the way the provider imports it (no network cost map)."""
    return import_litellm()


pytestmark = pytest.mark.usefixtures("fresh_routers")


@pytest.fixture
def dep_a() -> Iterator[FakeOpenAI]:
    with running(FakeOpenAI, expected_key=KEY_A) as fake:
        yield fake


@pytest.fixture
def dep_b() -> Iterator[FakeOpenAI]:
    with running(FakeOpenAI, expected_key=KEY_B) as fake:
        yield fake


def deployment(fake: Any, model: str, key: str, dep_id: str, group: str = GROUP, **params: Any) -> dict[str, Any]:
    return {
        "model_name": group,
        "litellm_params": {"model": model, "api_base": fake.url, "api_key": key, **params},
        "model_info": {"id": dep_id},
    }


def two_deployments(a: FakeOpenAI, b: FakeOpenAI, *, weights: tuple = (1, 1)) -> list[dict[str, Any]]:
    return [
        deployment(a, "openai/upstream-a", KEY_A, "dep-a", weight=weights[0]),
        deployment(b, "openai/upstream-b", KEY_B, "dep-b", weight=weights[1]),
    ]


def write_config(tmp_path: Path, model_list: list[dict[str, Any]], name: str = "router.json", **settings: Any) -> Path:
    path = tmp_path / name
    data: dict[str, Any] = {"model_list": model_list}
    if settings:
        data["router_settings"] = settings
    path.write_text(json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data))
    return path


def provider(path: Path, **cfg: Any) -> LiteLLMProvider:
    cfg.setdefault("num_retries", 0)
    return LiteLLMProvider(LiteLLMConfig(router_config=str(path), chat_model=GROUP, **cfg))


def chat_posts(*fakes: Any) -> int:
    return sum(1 for f in fakes for r in f.requests if r.method == "POST")


# ------------------------------------------------------------------------------------------ routing


def _heaviest(population: Any, weights: Any = None, *, cum_weights: Any = None, k: int = 1) -> list[Any]:
    """``random.choices`` that always takes the heaviest item (the first when no weights are given)."""
    items = list(population)
    at = max(range(len(items)), key=lambda n: weights[n]) if weights else 0
    return [items[at]] * k


class TestRouting:
    def test_calls_go_through_the_router_to_the_deployments(
        self, tmp_path: Path, dep_a: FakeOpenAI, dep_b: FakeOpenAI, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The group name is resolved by the Router; each deployment gets its own model name and key.

        The provider's api_base (a closed port) and api_key are configured on purpose: had either been
        sent, the call would fail to connect or the fake would refuse the key.
        """
        path = write_config(tmp_path, two_deployments(dep_a, dep_b))
        p = provider(path, api_base="http://127.0.0.1:9/v1", api_key=PROVIDER_KEY)
        answers = [p.chat_completions(MESSAGES) for _ in range(6)]

        assert [r.status for r in answers] == [LLMResponseStatus.SUCCESS] * 6, [r.error for r in answers]
        assert dep_a.violations == []
        assert dep_b.violations == []
        assert chat_posts(dep_a, dep_b) == 6
        sent = {r.body["model"] for f in (dep_a, dep_b) for r in f.requests}
        assert sent <= {"upstream-a", "upstream-b"}  # never the group name
        for r in answers:  # the response says which deployment answered, consistently
            assert (r.deployment, r.model) in {("dep-a", "upstream-a"), ("dep-b", "upstream-b")}
            assert r.content == "ok"
            assert r.total_tokens == 15
        dropped = [rec.getMessage() for rec in caplog.records if "router mode" in rec.getMessage()]
        assert len(dropped) == 2  # api_base and api_key, once each
        assert PROVIDER_KEY not in " ".join(dropped)

    def test_failing_deployment_fails_over_to_the_healthy_one(
        self, tmp_path: Path, dep_a: FakeOpenAI, dep_b: FakeOpenAI
    ) -> None:
        dep_a.default(status=500, raw_body=SERVER_ERROR)
        path = write_config(
            tmp_path, two_deployments(dep_a, dep_b, weights=(99, 1)), allowed_fails=0, cooldown_time=600
        )
        p = provider(path, num_retries=1, retry_initial_delay=0.01)
        answers = [p.chat_completions(MESSAGES) for _ in range(10)]

        assert all(r.status == LLMResponseStatus.SUCCESS for r in answers), [r.error for r in answers]
        assert {(r.deployment, r.model) for r in answers} == {("dep-b", "upstream-b")}
        # the failing deployment was tried once, then cooled down for the rest of the test
        assert chat_posts(dep_a) == 1
        assert chat_posts(dep_b) == 10
        assert dep_a.violations == []
        assert dep_b.violations == []

    def test_failover_across_providers(self, tmp_path: Path, dep_a: FakeOpenAI, anthropic_fake: FakeAnthropic) -> None:
        """An OpenAI deployment failing, an Anthropic deployment of the same group answering."""
        dep_a.default(status=503, raw_body=SERVER_ERROR)
        path = write_config(
            tmp_path,
            [
                deployment(dep_a, "openai/upstream-a", KEY_A, "dep-a", weight=99),
                deployment(
                    anthropic_fake,
                    "anthropic/claude-sonnet-4-6",
                    "sk-ant-deployment-0123456789",
                    "dep-claude",
                    weight=1,
                ),
            ],
            allowed_fails=0,
            cooldown_time=600,
        )
        r = provider(path, num_retries=1, retry_initial_delay=0.01).chat_completions(MESSAGES)

        assert r.status == LLMResponseStatus.SUCCESS, r.error
        assert r.deployment == "dep-claude"
        assert "claude" in (r.model or "")
        assert anthropic_fake.violations == []
        assert len(anthropic_fake.requests) == 1
        assert anthropic_fake.requests[0].headers["x-api-key"] == "sk-ant-deployment-0123456789"

    @pytest.mark.xfail(
        tuple(int(p) for p in importlib.metadata.version("litellm").split(".")[:2]) < (1, 61),
        reason="issue 10 defect 4, NOT fixed in Router mode: litellm 1.60's Router reuses its deployment "
        "client's pooled keep-alive connection from a closed event loop (the Router picks the deployment, "
        "so no per-call client can be passed); 1.110 keys clients by loop",
        strict=True,
    )
    def test_async_calls_from_separate_event_loops(self, tmp_path: Path, dep_a: FakeOpenAI, dep_b: FakeOpenAI) -> None:
        """The shared Router serves ``achat_completions`` from one ``asyncio.run`` after another."""
        dep_a.default(status=500, raw_body=SERVER_ERROR)
        path = write_config(
            tmp_path, two_deployments(dep_a, dep_b, weights=(99, 1)), allowed_fails=0, cooldown_time=600
        )
        p = provider(path, num_retries=1, retry_initial_delay=0.01)
        answers = [asyncio.run(p.achat_completions(MESSAGES)) for _ in range(3)]

        assert [(r.status, r.deployment) for r in answers] == [(LLMResponseStatus.SUCCESS, "dep-b")] * 3
        assert chat_posts(dep_a) == 1
        assert chat_posts(dep_b) == 3

    def test_streaming_through_the_router(
        self, tmp_path: Path, dep_a: FakeOpenAI, dep_b: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``stream_chat_completions`` in router mode: a failing first pick, then the healthy deployment
        streams; the events end with one successful ``Final``."""
        # litellm's weighted shuffle picks with random.choices: the heavier deployment (dep_a, 99 of 100)
        # goes first every time here, so the failover this test is about always happens (1 run in 100 did not)
        monkeypatch.setattr(random, "choices", _heaviest)
        dep_a.default(status=500, raw_body=SERVER_ERROR)
        dep_b.reply_stream(["Three ", "cats"])
        path = write_config(
            tmp_path, two_deployments(dep_a, dep_b, weights=(99, 1)), allowed_fails=0, cooldown_time=600
        )
        events = list(provider(path, num_retries=1, retry_initial_delay=0.01).stream_chat_completions(MESSAGES))

        assert [e.type for e in events[:-1]]
        assert all(e.type == "text" for e in events[:-1])
        final = events[-1].response
        assert events[-1].type == "final" and final.status == LLMResponseStatus.SUCCESS, final.error
        assert final.content == "Three cats" == "".join(e.text for e in events[:-1])
        assert dep_b.requests[-1].body["stream"] is True
        assert dep_b.violations == []
        assert chat_posts(dep_a) == 1

    def test_retries_give_n_plus_one_requests(self, tmp_path: Path, dep_a: FakeOpenAI, dep_b: FakeOpenAI) -> None:
        """Every deployment failing: ``num_retries=2`` means 3 requests in all, then a ``server`` ERROR.

        (No cooldown here, so each try finds a healthy deployment; the count is the same whether the
        Router or the provider does the retrying.)
        """
        for fake in (dep_a, dep_b):
            fake.default(status=500, raw_body=SERVER_ERROR)
        path = write_config(tmp_path, two_deployments(dep_a, dep_b), allowed_fails=1000)
        r = provider(path, num_retries=2, retry_initial_delay=0.01, retry_max_delay=0.02).chat_completions(MESSAGES)

        assert r.status == LLMResponseStatus.ERROR
        assert r.error["category"] == "server"
        assert chat_posts(dep_a, dep_b) == 3

    def test_router_num_retries_is_per_call(self, tmp_path: Path, dep_a: FakeOpenAI, dep_b: FakeOpenAI) -> None:
        """``RouterBackend.completion(num_retries=N)``: the Router itself makes N + 1 tries."""
        for fake in (dep_a, dep_b):
            fake.default(status=500, raw_body=SERVER_ERROR)
        path = write_config(tmp_path, two_deployments(dep_a, dep_b), allowed_fails=1000, num_retries=5)
        backend = router.router_for(str(path))
        for retries, expected in ((0, 1), (2, 3)):
            before = chat_posts(dep_a, dep_b)
            with pytest.raises(Exception) as caught:
                backend.completion(model=GROUP, messages=MESSAGES, num_retries=retries, max_retries=0, timeout=10)
            assert chat_posts(dep_a, dep_b) - before == expected
            assert classify(caught.value).category == "server"

    def test_every_deployment_cooling_down_is_a_rate_limit(
        self, tmp_path: Path, dep_a: FakeOpenAI, dep_b: FakeOpenAI
    ) -> None:
        """After both deployments failed and cooled down the Router refuses at once ("No deployments
        available"), without a request: reported as ``rate_limit``."""
        for fake in (dep_a, dep_b):
            fake.default(status=500, raw_body=SERVER_ERROR)
        path = write_config(tmp_path, two_deployments(dep_a, dep_b), allowed_fails=0, cooldown_time=600)
        p = provider(path, num_retries=0)
        first = [p.chat_completions(MESSAGES) for _ in range(2)]  # one request each, each cools one down
        posts = chat_posts(dep_a, dep_b)
        r = p.chat_completions(MESSAGES)

        assert [x.error["category"] for x in first] == ["server", "server"]
        assert chat_posts(dep_a, dep_b) == posts  # refused without sending
        assert r.status == LLMResponseStatus.ERROR
        assert r.error["category"] == "rate_limit"


# ------------------------------------------------------------------------------------------ sharing


class TestOneRouterPerFile:
    def test_one_router_shared_by_providers_and_threads(
        self, tmp_path: Path, dep_a: FakeOpenAI, dep_b: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        litellm = litellm_module()
        real_router = litellm.Router
        built: list[Any] = []

        def counting_router(*args: Any, **kwargs: Any) -> Any:
            router = real_router(*args, **kwargs)
            built.append(router)
            return router

        monkeypatch.setattr(litellm, "Router", counting_router)
        path = write_config(tmp_path, two_deployments(dep_a, dep_b))
        start = threading.Barrier(8)
        results: list[Any] = []
        lock = threading.Lock()

        def worker() -> None:
            p = provider(path)  # one provider per thread, as Director builds many
            start.wait(timeout=30)
            for _ in range(10):
                r = p.chat_completions(MESSAGES)
                with lock:
                    results.append(r)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads)

        assert len(results) == 80
        assert all(r.status == LLMResponseStatus.SUCCESS for r in results)
        assert len(built) == 1
        backend = router.router_for(str(path))
        assert backend is router.router_for(str(path))
        assert backend.router is built[0]
        assert chat_posts(dep_a, dep_b) == 80
        assert dep_a.violations == []
        assert dep_b.violations == []

    def test_editing_the_file_builds_a_new_router_and_retires_the_old(
        self, tmp_path: Path, dep_a: FakeOpenAI, dep_b: FakeOpenAI
    ) -> None:
        litellm = litellm_module()

        def callbacks() -> int:
            return sum(len(getattr(litellm, n, None) or []) for n in _litellm._ROUTER_CALLBACK_LISTS)

        path = write_config(tmp_path, two_deployments(dep_a, dep_b))
        first = router.router_for(str(path))
        registered = callbacks()
        seen = [first]
        for i in range(5):
            write_config(tmp_path, two_deployments(dep_a, dep_b, weights=(1, i + 2)))
            backend = router.router_for(str(path))
            assert all(backend is not old for old in seen)
            seen.append(backend)
        assert callbacks() == registered  # retired Routers leave nothing behind in litellm's globals
        assert provider(path).chat_completions(MESSAGES).status == LLMResponseStatus.SUCCESS

    def test_building_a_router_leaves_suppress_debug_info_alone(
        self, tmp_path: Path, dep_a: FakeOpenAI, dep_b: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        litellm = litellm_module()
        monkeypatch.setattr(litellm, "suppress_debug_info", False)
        router.router_for(str(write_config(tmp_path, two_deployments(dep_a, dep_b))))
        assert litellm.suppress_debug_info is False


# ------------------------------------------------------------------------------------------ the file


class TestConfigFile:
    def test_json_config_and_os_environ_references(
        self, tmp_path: Path, dep_a: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("DIRECTOR_TEST_DEPLOYMENT_KEY", KEY_A)
        monkeypatch.setenv("DIRECTOR_TEST_DEPLOYMENT_BASE", dep_a.url)
        path = write_config(
            tmp_path,
            [
                {
                    "model_name": GROUP,
                    "litellm_params": {
                        "model": "openai/upstream-a",
                        "api_base": "os.environ/DIRECTOR_TEST_DEPLOYMENT_BASE",
                        "api_key": "os.environ/DIRECTOR_TEST_DEPLOYMENT_KEY",
                    },
                    "model_info": {"id": "dep-a"},
                }
            ],
            name="router.json",
        )
        r = provider(path).chat_completions(MESSAGES)
        assert r.status == LLMResponseStatus.SUCCESS, r.error
        assert r.deployment == "dep-a"
        assert dep_a.violations == []

    def test_proxy_style_file_top_level_settings_and_ignored_sections(
        self, tmp_path: Path, dep_a: FakeOpenAI, dep_b: FakeOpenAI
    ) -> None:
        """A LiteLLM Proxy config works as is: Router settings at the top level or in router_settings,
        proxy-only sections ignored (never applied to this process)."""
        litellm = litellm_module()
        path = tmp_path / "proxy_config.json"
        path.write_text(
            json.dumps(
                {
                    "model_list": [
                        deployment(dep_a, "openai/upstream-a", KEY_A, "dep-a", group="primary"),
                        deployment(dep_b, "openai/upstream-b", KEY_B, "dep-b", group="backup"),
                    ],
                    "fallbacks": [{"primary": ["backup"]}],
                    "router_settings": {"allowed_fails": 0},
                    "litellm_settings": {"drop_params": False, "set_verbose": True},
                    "general_settings": {"master_key": "sk-master-0123456789"},
                }
            )
        )
        before = (litellm.drop_params, litellm.set_verbose)
        dep_a.default(status=500, raw_body=SERVER_ERROR)
        r = LiteLLMProvider(
            LiteLLMConfig(router_config=str(path), chat_model="primary", num_retries=0)
        ).chat_completions(MESSAGES)

        assert r.status == LLMResponseStatus.SUCCESS and r.deployment == "dep-b", r.error
        assert (litellm.drop_params, litellm.set_verbose) == before
        source = router.read_router_file(str(path))
        assert sorted(source.ignored_sections) == ["general_settings", "litellm_settings"]
        assert source.settings == {"fallbacks": [{"primary": ["backup"]}], "allowed_fails": 0}

    @pytest.mark.parametrize(
        "content, problem",
        [
            (None, "file not found"),
            ("", "must be a mapping with a `model_list`"),
            ("model_list: [\n  - model_name: x\n", "not valid YAML at line"),
            ("router_settings: {num_retries: 1}\n", "needs a non-empty `model_list`"),
            ("model_list: []\n", "needs a non-empty `model_list`"),
            ("model_list:\n  - model_name: director-model\n", "model_list[0].litellm_params must be a mapping"),
            (
                "model_list:\n  - model_name: director-model\n    litellm_params: {api_key: x}\n",
                "model_list[0].litellm_params.model must be",
            ),
            (
                "model_list:\n  - {model_name: director-model, litellm_params: {model: openai/x}}\n"
                "router_settings: {no_such_setting: 1}\n",
                "unknown litellm.Router setting(s) no_such_setting",
            ),
            (
                "model_list:\n  - {model_name: director-model, litellm_params: {model: openai/x,"
                " api_key: os.environ/DIRECTOR_TEST_UNSET_KEY}}\n",
                "model_list[0].litellm_params.api_key refers to the environment variable DIRECTOR_TEST_UNSET_KEY",
            ),
            (
                "model_list:\n  - {model_name: director-model, litellm_params: {model: openai/x}}\n"
                "router_settings: [1, 2]\n",
                "`router_settings` must be a mapping",
            ),
        ],
    )
    @needs_yaml
    def test_bad_config_is_an_error_response_and_nothing_is_sent(
        self, tmp_path: Path, openai_fake: FakeOpenAI, dep_b: FakeOpenAI, content: str | None, problem: str
    ) -> None:
        path = tmp_path / "router.yaml"
        if content is not None:
            path.write_text(content)
        p = provider(path, api_base=openai_fake.url, api_key=KEY_B)
        for r in (p.chat_completions(MESSAGES), asyncio.run(p.achat_completions(MESSAGES))):
            assert r.status == LLMResponseStatus.ERROR
            assert r.error["category"] == "config"
            assert not r.error["retryable"]
            assert "LITELLM_ROUTER_CONFIG" in r.content and problem in r.content, r.content
        assert openai_fake.requests == []
        assert dep_b.requests == []

    @needs_yaml
    def test_yaml_config_is_read(self, tmp_path: Path) -> None:
        """A YAML router file (the LiteLLM Proxy's own format) is read with PyYAML."""
        path = tmp_path / "router.yaml"
        path.write_text(
            yaml.safe_dump({"model_list": [{"model_name": GROUP, "litellm_params": {"model": "openai/x"}}]})
        )
        source = router.read_router_file(str(path))
        assert source.groups == [GROUP]
        assert source.model_list[0]["litellm_params"] == {"model": "openai/x"}

    @pytest.mark.parametrize(
        "name, content, problem",
        [
            ("router.json", '{"model_list": [', "not valid JSON"),
            ("router.json", '{"model_list": []}', "needs a non-empty `model_list`"),
            ("router.json", '[{"model_name": "x"}]', "must be a mapping with a `model_list` (got list)"),
            ("router.yaml", "model_list: []\n", "PyYAML is not installed, so only JSON can be read"),
        ],
    )
    def test_without_pyyaml_json_is_read_and_yaml_names_the_fix(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: str, problem: str
    ) -> None:
        """With PyYAML missing, JSON files (any extension) still work and a YAML file says what to install."""
        monkeypatch.setitem(sys.modules, "yaml", None)  # makes ``import yaml`` raise ImportError
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(ConfigError, match="LITELLM_ROUTER_CONFIG") as caught:
            router.read_router_file(str(path))
        assert problem in str(caught.value)
        good = tmp_path / "good.yaml"
        good.write_text(json.dumps({"model_list": [{"model_name": GROUP, "litellm_params": {"model": "openai/x"}}]}))
        assert router.read_router_file(str(good)).groups == [GROUP]

    def test_bad_file_is_read_once_per_version(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        path = tmp_path / "router.json"
        path.write_text('{"model_list": []}')
        reads: list[str] = []
        real = router.read_router_file
        monkeypatch.setattr(router, "read_router_file", lambda p: reads.append(p) or real(p))
        for _ in range(3):
            with pytest.raises(ConfigError, match="LITELLM_ROUTER_CONFIG"):
                router.router_for(str(path))
        assert len(reads) == 1

    def test_unknown_model_group_is_refused_before_sending(
        self, tmp_path: Path, dep_a: FakeOpenAI, dep_b: FakeOpenAI
    ) -> None:
        path = write_config(tmp_path, two_deployments(dep_a, dep_b))
        r = LiteLLMProvider(
            LiteLLMConfig(router_config=str(path), chat_model="gpt-4o-mini", num_retries=0)
        ).chat_completions(MESSAGES)
        assert r.status == LLMResponseStatus.ERROR
        assert r.error["category"] == "config"
        assert "'gpt-4o-mini' is not a model group" in r.content
        assert GROUP in r.content
        assert chat_posts(dep_a, dep_b) == 0

    def test_secret_values_never_appear_in_errors(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A Router that refuses the file with the deployment (key included) in its message."""
        litellm = litellm_module()

        def refusing_router(model_list: Any, **settings: Any) -> Any:
            raise ValueError(f"cannot use deployment {model_list[0]['litellm_params']}")

        monkeypatch.setattr(litellm, "Router", refusing_router)
        path = tmp_path / "router.json"
        path.write_text(
            json.dumps(
                {
                    "model_list": [
                        {"model_name": "g", "litellm_params": {"model": "openai/x", "api_key": "plainsecret0123"}}
                    ]
                }
            )
        )
        with pytest.raises(ConfigError, match="litellm.Router refused the configuration: ValueError") as caught:
            router.router_for(str(path))
        assert "plainsecret0123" not in str(caught.value)


# ------------------------------------------------------------------------------------------ adapter


class TestAdapter:
    def test_adapt_drops_endpoint_settings_and_keeps_the_rest(self, tmp_path: Path) -> None:
        path = tmp_path / "router.json"
        path.write_text(
            json.dumps(
                {
                    "model_list": [
                        {"model_name": GROUP, "litellm_params": {"model": "openai/x", "api_key": "sk-x-0123456789"}},
                        {"model_name": "claude-*", "litellm_params": {"model": "anthropic/claude-*"}},
                    ],
                    "router_settings": {"model_group_alias": {"default": GROUP}},
                }
            )
        )
        backend = router.router_for(str(path))
        metadata = {"trace": "t1"}
        request = {
            "model": GROUP,
            "messages": MESSAGES,
            "api_base": "http://x",
            "api_key": PROVIDER_KEY,
            "api_version": "v",
            "temperature": 0.2,
            "max_tokens": 10,
            "num_retries": 3,
            "timeout": 5,
            "drop_params": True,
            "metadata": metadata,
            "extra_headers": {"x-a": "1"},
        }
        adapted = backend.adapt(request)
        assert not {"api_base", "api_key", "api_version"} & set(adapted)
        assert adapted["max_retries"] == 0
        assert adapted["num_retries"] == 3
        assert adapted["timeout"] == 5
        assert adapted["metadata"] == metadata
        assert adapted["metadata"] is not metadata
        assert request["api_key"] == PROVIDER_KEY  # the provider's dict is not changed
        for model in ("default", "claude-sonnet-4-6"):  # an alias and a wildcard group are accepted
            assert backend.adapt({**request, "model": model})["model"] == model
        with pytest.raises(ConfigError, match="not a model group"):
            backend.adapt({**request, "model": "other"})

    def test_router_does_not_import_litellm(self) -> None:
        code = "import sys, director_litellm._router as g; g.read_router_file; print('litellm' in sys.modules)"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr[-2000:]

    def test_rules_model_is_the_strictest_reachable_deployment(self, tmp_path: Path) -> None:
        path = tmp_path / "router.json"
        path.write_text(
            json.dumps(
                {
                    "model_list": [
                        {"model_name": GROUP, "litellm_params": {"model": "openai/gpt-4o-mini", "api_key": KEY_A}},
                        {
                            "model_name": "backup",
                            "litellm_params": {"model": "anthropic/claude-sonnet-4-5", "api_key": KEY_B},
                        },
                        {"model_name": "plain", "litellm_params": {"model": "openai/gpt-4o", "api_key": KEY_A}},
                    ],
                    "router_settings": {"fallbacks": [{GROUP: ["backup"]}]},
                }
            )
        )
        backend = router.router_for(str(path))
        assert backend.deployment_models(GROUP) == ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5"]
        assert backend.rules_model(GROUP) == "anthropic/claude-sonnet-4-5"
        assert backend.rules_model("plain") == "plain"
