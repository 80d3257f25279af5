"""``python -m director_litellm.director_check``: print the Director check's result, or ``--patch-path``.

The command-line face of :mod:`director_litellm.director_check` (which only finds things out).
"""

from __future__ import annotations

import json
import sys

from director_litellm import director_check


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--patch-path"]:
        path = director_check.patch_path()
        if path is None:
            print("director-litellm: the Director patch is not in this installation", file=sys.stderr)
            return 1
        print(path)
        return 0
    status = director_check.check_director()
    print(json.dumps(status.as_dict(), indent=2))
    return 0 if status.honours_default_llm else 1
