"""The adapter against a REAL LiteLLM Proxy (``litellm[proxy]``) in front of strict loopback fakes.

One proxy process per module (``tests/proxy_support/server.py``), on 127.0.0.1, with no database:
only the master key authenticates. The upstreams are two fakes that check the upstream keys the
proxy must send. ``upstream_a`` fails in several ways, chosen by the model name the proxy sends it:

    failover-model   dep-fail (500, weight 99) + dep-ok (healthy, weight 1): the proxy fails over
    doomed-model     two deployments that both answer 500: after both cooled down, "No deployments"
    throttled-model  one deployment answering 429 with Retry-After
    budget-model     a healthy deployment with a tiny max_budget: the second call is over budget

Skipped unless the proxy extra is installed (only one CI stack installs it):
``pip install -e ".[test]" "litellm[proxy]"``.

Not exercisable without a database (Postgres + prisma): virtual keys, per-key budgets and rate
limits, "model not allowed for this key" (permission). Without one, the proxy answers any key that
is not the master key with 400 "No connected db." (type ``no_db_connection``).
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.proxy_support.server import ModelListingFakeOpenAI, Proxy, proxy_modules, running_proxy

_missing = [m for m in proxy_modules() if importlib.util.find_spec(m) is None]
if _missing or importlib.util.find_spec("litellm.proxy") is None:
    pytest.skip(
        f"LiteLLM Proxy extras not installed (missing: {', '.join(_missing) or 'litellm.proxy'}); "
        "pip install 'litellm[proxy]'",
        allow_module_level=True,
    )

from director_litellm import LiteLLMConfig, LiteLLMProvider, LLMResponseStatus  # noqa: E402
from tests.fakes import Recorded, Reply, running  # noqa: E402

MASTER_KEY = "sk-proxy-master-0123456789"
UPSTREAM_KEY_A = "sk-upstream-a-0123456789"
UPSTREAM_KEY_B = "sk-upstream-b-0123456789"
MESSAGES = [{"role": "user", "content": "Find clips with cats"}]


def _failing(rec: Recorded) -> Reply:
    """upstream_a's answer, by the model name the proxy sends."""
    model = (rec.body or {}).get("model", "")
    if model == "upstream-throttled":
        return Reply.error(429, "Rate limit reached for requests", headers={"retry-after": "7"})
    return Reply.error(500, "The server had an error while processing your request.")


def _deployment(group: str, fake: Any, model: str, key: str, dep_id: str, **params: Any) -> dict[str, Any]:
    return {
        "model_name": group,
        "model_info": {"id": dep_id},
        "litellm_params": {"model": model, "api_base": fake.url, "api_key": key, **params},
    }


@dataclass
class Stack:
    proxy: Proxy
    upstream_a: ModelListingFakeOpenAI  # fails
    upstream_b: ModelListingFakeOpenAI  # answers


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with (
        running(ModelListingFakeOpenAI, expected_key=UPSTREAM_KEY_A) as a,
        running(ModelListingFakeOpenAI, expected_key=UPSTREAM_KEY_B) as b,
    ):
        a.default(Reply.handler(_failing))
        key_a = "os.environ/DIRECTOR_TEST_UPSTREAM_A_KEY"  # expanded by the proxy from its environment
        config = {
            "model_list": [
                _deployment("failover-model", a, "openai/upstream-fail", key_a, "dep-fail", weight=99),
                _deployment("failover-model", b, "openai/upstream-ok", UPSTREAM_KEY_B, "dep-ok", weight=1),
                _deployment("doomed-model", a, "openai/upstream-doomed", key_a, "dep-doomed-1"),
                _deployment("doomed-model", a, "openai/upstream-doomed", key_a, "dep-doomed-2"),
                _deployment(
                    "throttled-model", a, "openai/upstream-throttled", key_a, "dep-throttled", num_retries=0
                ),  # the proxy would otherwise wait out Retry-After twice
                _deployment(
                    "budget-model",
                    b,
                    "openai/upstream-budget",
                    UPSTREAM_KEY_B,
                    "dep-budget",
                    max_budget=0.001,
                    budget_duration="1d",
                    input_cost_per_token=0.01,
                    output_cost_per_token=0.01,
                ),
            ],
            # the proxy's Router: 2 retries, a failed deployment cools down at once for the whole module
            "router_settings": {"num_retries": 2, "allowed_fails": 0, "cooldown_time": 600, "retry_after": 0},
            "litellm_settings": {"telemetry": False},
        }
        workdir = tmp_path_factory.mktemp("litellm_proxy")
        with running_proxy(
            config, workdir, master_key=MASTER_KEY, env={"DIRECTOR_TEST_UPSTREAM_A_KEY": UPSTREAM_KEY_A}
        ) as proxy:
            yield Stack(proxy, a, b)


def through_proxy(stack: Stack, model: str, key: str = MASTER_KEY, **cfg: Any) -> LiteLLMProvider:
    """The adapter as a proxy user configures it: an OpenAI-compatible endpoint and a proxy key."""
    cfg.setdefault("num_retries", 0)  # the proxy retries; keep the adapter's count out of the arithmetic
    return LiteLLMProvider(LiteLLMConfig(chat_model=f"openai/{model}", api_base=stack.proxy.url, api_key=key, **cfg))


def posts(fake: ModelListingFakeOpenAI, upstream_model: str) -> list[Recorded]:
    return [r for r in fake.requests if r.method == "POST" and (r.body or {}).get("model") == upstream_model]


def test_proxy_started_on_loopback_without_a_database(stack: Stack) -> None:
    assert stack.proxy.url.startswith("http://127.0.0.1:")
    status, _body = stack.proxy.request("GET", "/health/liveliness")
    assert status == 200
    log = stack.proxy.log()
    assert "127.0.0.1" in log
    assert "0.0.0.0" not in log
    assert MASTER_KEY not in log
    assert UPSTREAM_KEY_A not in log
    assert UPSTREAM_KEY_B not in log


def test_calls_go_through_the_proxy_fail_over_and_report_usage(stack: Stack) -> None:
    answers = [through_proxy(stack, "failover-model").chat_completions(MESSAGES) for _ in range(5)]

    assert all(r.status == LLMResponseStatus.SUCCESS for r in answers), [r.error for r in answers]
    for r in answers:
        assert r.content == "ok"
        assert r.finish_reason == "stop"
        assert (r.send_tokens, r.recv_tokens, r.total_tokens) == (10, 5, 15)
        # litellm >= 1.10x's proxy answers with the alias the client asked for, 1.60's with the upstream's
        assert r.model in ("failover-model", "upstream-ok")
    # the failing deployment was tried once (the proxy then cooled it down), the healthy one answered all
    assert len(posts(stack.upstream_a, "upstream-fail")) == 1
    assert len(posts(stack.upstream_b, "upstream-ok")) == 5
    # the proxy sent each upstream its own key (the fakes check it) and a valid body
    assert stack.upstream_a.violations == []
    assert stack.upstream_b.violations == []
    assert posts(stack.upstream_b, "upstream-ok")[-1].body["messages"] == MESSAGES


def test_async_call_through_the_proxy(stack: Stack) -> None:
    before = len(posts(stack.upstream_b, "upstream-ok"))
    r = asyncio.run(through_proxy(stack, "failover-model").achat_completions(MESSAGES))
    assert r.status == LLMResponseStatus.SUCCESS and r.total_tokens == 15, r.error
    assert len(posts(stack.upstream_b, "upstream-ok")) == before + 1


def test_response_names_the_deployment_that_answered(stack: Stack) -> None:
    """The proxy reports the deployment in ``x-litellm-model-id``; litellm's client keeps response
    headers in ``_hidden_params["additional_headers"]`` as ``llm_provider-x-litellm-model-id``."""
    r = through_proxy(stack, "failover-model").chat_completions(MESSAGES)
    assert r.status == LLMResponseStatus.SUCCESS, r.error
    assert r.deployment == "dep-ok"


def test_wrong_key_is_auth(stack: Stack) -> None:
    before = len(stack.upstream_a.requests) + len(stack.upstream_b.requests)
    r = through_proxy(stack, "failover-model", key="sk-not-the-master-key-0123").chat_completions(MESSAGES)

    # without a database the proxy cannot check virtual keys: "No connected db." (401 from litellm 1.60's
    # proxy, 400 from 1.10x's)
    assert r.status == LLMResponseStatus.ERROR
    assert r.error["status_code"] in (400, 401)
    assert "sk-not-the-master-key-0123" not in r.content + str(r.error)
    assert len(stack.upstream_a.requests) + len(stack.upstream_b.requests) == before  # refused by the proxy
    assert r.error["category"] == "auth"
    assert not r.error["retryable"]


def test_model_not_in_the_proxy_config(stack: Stack) -> None:
    """The proxy answers 400 "Invalid model name passed in model=..."."""
    r = through_proxy(stack, "no-such-model").chat_completions(MESSAGES)
    assert r.status == LLMResponseStatus.ERROR
    assert r.error["status_code"] == 400
    assert r.error["category"] in ("bad_request", "not_found")
    assert not r.error["retryable"]
    assert "invalid model name" in r.error["detail"].lower()


def test_upstream_rate_limit_is_rate_limit(stack: Stack) -> None:
    r = through_proxy(stack, "throttled-model").chat_completions(MESSAGES)
    assert r.status == LLMResponseStatus.ERROR
    assert (r.error["category"], r.error["status_code"], r.error["retryable"]) == ("rate_limit", 429, True)
    assert len(posts(stack.upstream_a, "upstream-throttled")) == 1


def test_every_deployment_cooling_down_is_rate_limit(stack: Stack) -> None:
    """Both deployments of a group failed: once the proxy's Router has cooled both down (it records
    failures asynchronously, so that can take a call or two) it answers 429 "No deployments
    available" without calling anyone."""
    p = through_proxy(stack, "doomed-model")
    seen = []
    for _ in range(5):  # bounded: 2 deployments, each cooled down after its first failure
        r = p.chat_completions(MESSAGES)
        assert r.status == LLMResponseStatus.ERROR
        seen.append((r.error["category"], r.error["status_code"]))
        if seen[-1][0] == "rate_limit":
            break
    assert seen[-1] == ("rate_limit", 429), seen
    assert set(seen[:-1]) <= {("server", 500)}, seen
    assert "no deployments available" in r.error["detail"].lower()
    sent = len(posts(stack.upstream_a, "upstream-doomed"))
    again = p.chat_completions(MESSAGES)
    assert again.error["category"] == "rate_limit"
    assert len(posts(stack.upstream_a, "upstream-doomed")) == sent  # refused without calling upstream


def test_budget_exceeded_is_rate_limit(stack: Stack) -> None:
    """A deployment over its ``max_budget``: the proxy refuses with 429 "crossed budget"."""
    p = through_proxy(stack, "budget-model")
    first = p.chat_completions(MESSAGES)
    assert first.status == LLMResponseStatus.SUCCESS, first.error
    r = p.chat_completions(MESSAGES)

    assert r.status == LLMResponseStatus.ERROR
    assert (r.error["category"], r.error["status_code"]) == ("rate_limit", 429)
    assert "budget" in r.error["detail"].lower()
    assert len(posts(stack.upstream_b, "upstream-budget")) == 1
