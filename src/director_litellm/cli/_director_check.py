"""``python -m director_litellm.director_check``: print the Director check's result, or a shipped file's path.

The command-line face of :mod:`director_litellm.director_check` (which only finds things out).
"""

from __future__ import annotations

import argparse
import json
import sys

from director_litellm import director_check

DESCRIPTION = (
    "Does the Director this Python imports honour DEFAULT_LLM=litellm? Imports it in a subprocess with "
    "DEFAULT_LLM=litellm and decoy keys (nothing is sent) and prints the result as JSON: exit 0 when "
    "get_default_llm() builds LiteLLMProvider, 1 when not (with the command that applies the patch)."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m director_litellm.director_check", description=DESCRIPTION)
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument(
        "--patch-path", action="store_true", help="print only where the shipped Director patch is, and exit"
    )
    shown.add_argument(
        "--constraints-path",
        action="store_true",
        help="print only where the shipped constraints file for Director's pins is (pip install -c FILE), and exit",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.patch_path or args.constraints_path:
        name = director_check.PATCH_NAME if args.patch_path else director_check.CONSTRAINTS_NAME
        path = director_check.shipped_file(name)
        if path is None:
            print(f"director-litellm: {name} is not in this installation", file=sys.stderr)
            return 1
        print(path)
        return 0
    status = director_check.check_director()
    print(json.dumps(status.as_dict(), indent=2))
    return 0 if status.honours_default_llm else 1
