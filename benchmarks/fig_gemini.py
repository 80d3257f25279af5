"""Figure 1 on the Gemini wire: ``chat_completions`` ÷ ``litellm.completion`` for Director's real request.

Figure 1's method (benchmarks/README.md): the Director-sized request (25 tools, 21 messages, then the user's next message), raw litellm
given exactly the kwargs the provider sends (``build_request``, outside the timing), the bodies first
compared at the wire against the strict Gemini/Vertex fakes (``tests/fakes/fake_gemini.py``), then
interleaved rounds against the light server in its own process, per-round ratios (median, p25-p75).

Routes: ``vertex_ai/gemini-2.5-flash`` (a service-account file whose token_uri is the light server's
``/token``) on both stacks; ``gemini/gemini-2.5-flash`` on litellm >= 1.61 (1.60 sends a Gemini key as a
Bearer token with an api_base: docs/gemini-and-vertex.md).

    python benchmarks/fig_gemini.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import _common as C  # noqa: E402

MODEL = "gemini-2.5-flash"
KEY = "bench-gemini-key"


def provider_for(model: str, base: str) -> Any:
    from director_litellm import LiteLLMConfig, LiteLLMProvider

    key = KEY if model.startswith("gemini/") else None
    return LiteLLMProvider(LiteLLMConfig(chat_model=model, api_base=base, api_key=key))


def wire_check(route: str, messages: Any, tools: Any, litellm: Any) -> str:
    """Both sides' bodies at the strict fake: equal, and accepted."""
    from tests.fakes import FakeGemini, FakeVertex, running

    cls = FakeGemini if route == "gemini" else FakeVertex
    with running(cls) as fake, tempfile.TemporaryDirectory() as tmp:
        if route == "vertex":
            os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = fake.service_account_file(tmp)
            os.environ["VERTEXAI_PROJECT"], os.environ["VERTEXAI_LOCATION"] = fake.project, fake.location
        base = fake.url if route == "gemini" else fake.model_url(MODEL)
        provider = provider_for(f"{route if route == 'gemini' else 'vertex_ai'}/{MODEL}", base)
        first = provider.chat_completions(messages, tools=tools)
        if not first.status:
            raise SystemExit(f"{route}: the provider's call failed at the strict fake: {first.content}")
        litellm.completion(**C.raw_kwargs(provider, messages, tools))
        bodies = [r.body for r in fake.requests]
        diff = C.wire_diff(*bodies[-2:])
        violations = fake.violations
    return "bodies identical, accepted" if not diff and not violations else f"DIFFER {diff} {violations}"


def measure(route: str, url: str, messages: Any, tools: Any, litellm: Any, rounds: int, tmp: str) -> dict[str, Any]:
    if route == "vertex":
        info = {
            "type": "service_account",
            "project_id": "bench",
            "private_key_id": "k",
            "client_email": "bench@bench.iam.gserviceaccount.com",
            "client_id": "1",
            "token_uri": url + "/token",
            "private_key": _key(),
        }
        path = os.path.join(tmp, "sa.json")
        with open(path, "w") as f:
            json.dump(info, f)
        os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = path
        os.environ["VERTEXAI_PROJECT"], os.environ["VERTEXAI_LOCATION"] = "bench", "us-central1"
        base = f"{url}/v1/projects/bench/locations/us-central1/publishers/google/models/{MODEL}"
        provider = provider_for(f"vertex_ai/{MODEL}", base)
    else:
        provider = provider_for(f"gemini/{MODEL}", url + "/v1beta")
    kwargs = C.raw_kwargs(provider, messages, tools)
    fns = {
        "provider": lambda: provider.chat_completions(messages, tools=tools),
        "raw": lambda: litellm.completion(**kwargs),
    }
    check = fns["provider"]()
    if not check.status:
        raise SystemExit(f"{route}: the provider's call failed at the light server: {check.content}")
    samples = C.interleaved(fns, rounds, warmup=5)
    return C.paired(samples["provider"], samples["raw"])


def _key() -> str:
    from tests.fakes.google_auth import service_account_info

    return service_account_info("http://unused", "bench")["private_key"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    litellm = C.import_litellm()
    version = litellm.__version__ if hasattr(litellm, "__version__") else _version()
    messages, tools = C.director_request()
    # figure 1's history ends on the assistant's answer; Director's next reasoning call adds the user's
    # message (Gemini refuses a conversation that ends on the model's turn)
    messages = [*messages, {"role": "user", "content": "Now make a short summary clip of it."}]
    routes = ["vertex"] + (["gemini"] if tuple(int(p) for p in version.split(".")[:2]) >= (1, 61) else [])
    print(f"litellm {version}; Director's request: 25 tools, {len(messages)} messages; {args.rounds} rounds")
    with C.server("light") as light, tempfile.TemporaryDirectory() as tmp:
        url = light.url.removesuffix("/v1")
        for route in routes:
            wire = wire_check(route, messages, tools, litellm)
            got = measure(route, url, messages, tools, litellm, args.rounds, tmp)
            ratio, diff = got["ratio"], got["diff"]
            print(
                f"G1 {route:6s} chat_completions {got['a'].median * 1e3:7.2f} ms | litellm.completion "
                f"{got['b'].median * 1e3:7.2f} ms | ratio {ratio.median:.3f}x ({diff.median * 1e6:+.0f} us) "
                f"IQR {ratio.p25:.2f}-{ratio.p75:.2f}x | target <=1.05x: {'met' if ratio.median <= 1.05 else 'MISSED'}"
                f" | wire: {wire}"
            )
    return 0


def _version() -> str:
    from importlib.metadata import version

    return version("litellm")


if __name__ == "__main__":
    raise SystemExit(main())
