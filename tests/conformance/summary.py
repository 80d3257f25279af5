"""The "Tested against recorded traffic" table, computed from the payload sidecars.

``python -m tests.conformance.summary`` prints it; test_readme.py checks that the README
in this folder carries the same table.
"""

from __future__ import annotations

from collections import Counter

from tests.conformance.replay import load_payloads

PROVIDERS = [
    "openai",
    "azure",
    "anthropic",
    "deepseek",
    "groq",
    "mistral",
    "cohere",
    "xai",
    "openrouter",
    "together",
    "ollama",
]
KINDS = [
    ("text", "text"),
    ("tool_calls", "tool calls"),
    ("parallel_tool_calls", "parallel tool calls"),
    ("reasoning", "reasoning"),
    ("refusal", "refusal"),
    ("length", "length / max_tokens"),
    ("length_in_tool_args", "cut inside tool JSON"),
    ("content_filter", "content filter"),
    ("usage_final_chunk", "usage in final chunk"),
    ("error", "error body"),
]


def table() -> str:
    payloads = load_payloads().values()
    order = PROVIDERS + sorted({p.provider for p in payloads} - set(PROVIDERS))
    lines = [
        "| Provider | Payloads | JSON | SSE | hand-written | " + " | ".join(label for _, label in KINDS) + " |",
        "|" + "---|" * (5 + len(KINDS)),
    ]
    totals: Counter[str] = Counter()
    for provider in [*order, "**total**"]:
        if provider == "**total**":
            row = totals
        else:
            row = Counter()
            for p in payloads:
                if p.provider != provider:
                    continue
                row.update(["all", p.format] + (["hand"] if p.meta["hand_written"] else []) + list(set(p.kinds)))
            totals.update(row)
        cells = [row["all"], row["json"], row["sse"], row["hand"]] + [row[kind] for kind, _ in KINDS]
        lines.append(f"| {provider} | " + " | ".join(str(c) if c else "·" for c in cells) + " |")
    statuses = Counter(p.status for p in payloads if p.status >= 400)
    lines.append("")
    lines.append("Error statuses: " + ", ".join(f"{s} ×{n}" for s, n in sorted(statuses.items())) + ".")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
