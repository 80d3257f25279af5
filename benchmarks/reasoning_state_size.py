"""How large a tool-call turn's packed reasoning state gets (docs/reasoning.md "How large it gets").

    python benchmarks/reasoning_state_size.py

The thinking text is real English prose that does not repeat (the standard library's own docstrings, taken
in order until the length a budget of N tokens can fill at ~4 characters per token), with a 600-character
signature, the size of Claude's. Prints the characters Director stores per id, and per turn (the id is
stored twice: in the assistant turn and in the first tool result). Also times pack + unpack per turn.
"""

from __future__ import annotations

import inspect
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from director_litellm._reasoning_state import MAX_STATE_CHARS, State, encode, unpack


def prose(chars: int) -> str:
    text: list[str] = []
    import decimal  # noqa: F401 more prose

    for name in sorted(sys.modules):
        module = sys.modules[name]
        for _, obj in inspect.getmembers(module):
            doc = inspect.getdoc(obj)
            if doc and doc not in text:
                text.append(doc)
            if sum(map(len, text)) >= chars:
                return "\n".join(text)[:chars]
    return "\n".join(text)[:chars]


def main() -> None:
    signature = "EqQBCkYIBRgCKkA" + "x" * 585
    print(f"{'budget (tokens)':>16} {'thinking chars':>15} {'id chars':>9} {'per turn':>9} {'pack+unpack':>12}")
    for budget in (1024, 4096, 16000, 32000, 64000):
        text = prose(budget * 4)
        state = State(
            model="anthropic/claude-sonnet-4-5",
            blocks=({"type": "thinking", "thinking": text, "signature": signature},),
        )
        packed = encode("toolu_01A09q90qw90lq917835lq9", state)
        start = time.perf_counter()
        for _ in range(20):
            unpack(encode("toolu_01A09q90qw90lq917835lq9", state) or "")
        per = (time.perf_counter() - start) / 20 * 1000
        size = len(packed) if packed else f">{MAX_STATE_CHARS}"
        turn = 2 * len(packed) if packed else "not kept"
        print(f"{budget:>16} {len(text):>15} {size:>9} {turn:>9} {per:>10.2f}ms")


if __name__ == "__main__":
    main()
