"""Record the request bodies the adapter sends for Director's call shapes (see test_prompt_cache.py).

Run against the code BEFORE prompt caching existed, once per litellm line, to produce the
recordings ``LITELLM_PROMPT_CACHING=off`` is compared with byte for byte::

    git archive <commit-before> src | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before/src:. python tests/data/record_off_bodies.py > tests/data/off_bodies_<litellm>.json
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from typing import Any

from tests.director_data import director_tools, history
from tests.fakes import FakeAnthropic, FakeOpenAI, running

KEY = "sk-test-key-0123456789abcdef"
SYSTEM = "You are Director's summary agent. Reply in JSON. " * 120  # ~6k characters


def shapes() -> dict[str, dict[str, Any]]:
    """Director's call shapes (shared/DESIGN.md), as chat_completions keyword arguments."""
    return {
        "reasoning": {"messages": [*history(), {"role": "user", "content": "Cut it."}], "tools": director_tools()},
        "agent_json": {
            "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Summarise video v1."}],
            "response_format": {"type": "json_object"},
        },
        "final_cut": {"messages": [*history(2), {"role": "system", "content": "Now write the final summary."}]},
    }


def record(provider_cls: Any, config_cls: Any, **config: Any) -> dict[str, str]:
    """``{"<wire>/<shape>[/stream]": raw request body}`` for every shape on both wires."""
    out: dict[str, str] = {}
    for fake_cls, model in ((FakeAnthropic, "anthropic/claude-sonnet-4-5"), (FakeOpenAI, "openai/gpt-4o-mini")):
        with running(fake_cls) as fake:
            cfg = config_cls(chat_model=model, api_base=fake.url, api_key=KEY, num_retries=0, **config)
            provider = provider_cls(cfg)
            wire = "anthropic" if fake_cls is FakeAnthropic else "openai"
            for name, kwargs in shapes().items():
                assert provider.chat_completions(**kwargs).status, (wire, name)
                out[f"{wire}/{name}"] = fake.requests[-1].raw.decode()
            events = list(provider.stream_chat_completions(**shapes()["reasoning"]))
            assert events[-1].response.status
            out[f"{wire}/reasoning/stream"] = fake.requests[-1].raw.decode()
            assert fake.violations == []
    return out


if __name__ == "__main__":
    from director_litellm import LiteLLMConfig, LiteLLMProvider

    bodies = record(LiteLLMProvider, LiteLLMConfig)
    json.dump({"litellm": version("litellm"), "bodies": bodies}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
