"""The ``director-litellm`` command: ``providers``, ``doctor``, ``chat`` and ``demo``.

::

    director-litellm providers [--check] [--json]
    director-litellm doctor [--model M] [--site-packages DIR]... [--json]
    director-litellm chat PROMPT [--model M] [--system S] [--api-base URL] [--temperature T]
                                 [--max-tokens N] [--timeout S] [--tools FILE] [--stream] [--json]
    director-litellm demo
    director-litellm -V | --version

``python -m director_litellm`` is the same command. ``chat`` lives in ``cli/chat.py``.

Exit codes (every command)::

    0    success; for doctor: the setup can work (warnings allowed)
    1    the setup cannot work, the call failed, or a provider failed its check
    2    usage error (unknown option, bad flag value)
    130  interrupted

stdout carries only the command's own output, so ``--json`` is always parseable (see
``console``). No ``litellm.*`` global is assigned. Secrets are masked in everything printed.

Each command is one ``Command`` in ``COMMANDS``: its help texts, a function adding its
arguments and the function running it. A new command is one more entry.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from director_litellm import __version__
from director_litellm import _supply_chain as supply_chain
from director_litellm.cli import _chat as chat
from director_litellm.cli._console import (
    EXIT_FAIL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    Console,
    environment_secrets,
    logging_configured,
    mask,
    short,
    stdout_caught,
    terminal_width,
)
from director_litellm.cli._doctor import cmd_doctor
from director_litellm.cli._help_texts import (
    CHAT_EPILOG,
    CHAT_HELP,
    DEMO_EPILOG,
    DEMO_HELP,
    DESCRIPTION,
    DOCTOR_EPILOG,
    DOCTOR_HELP,
    EPILOG,
    PROVIDERS_EPILOG,
    PROVIDERS_HELP,
)

# the widest the help is laid out, whatever the terminal
HELP_WIDTH = 80
# where argparse starts an option's help text
HELP_POSITION = 30


# --------------------------------------------------------------------------- providers


def cmd_providers(args: argparse.Namespace, console: Console) -> int:
    from director_litellm import discovery

    rows = []
    failed = 0
    for info in discovery.available_providers():
        row: dict[str, Any] = {
            "name": info.name,
            "target": info.value,
            "distribution": info.distribution,
            "version": info.version,
        }
        if args.check:
            try:
                discovery.load_provider(info.name)
                row["status"], row["reason"] = "OK", None
            except (Exception, SystemExit) as exc:  # a plugin's import may do anything
                failed += 1
                row["status"], row["reason"] = "FAILED", f"{type(exc).__name__}: {short(exc, 400)}"
        rows.append(row)

    if args.json:
        console.json({"group": discovery.ENTRY_POINT_GROUP, "providers": rows})
    elif not rows:
        console.line(f"No LLM providers are installed in the entry-point group {discovery.ENTRY_POINT_GROUP!r}.")
    else:
        table = [[r["name"], r["target"], f"{r['distribution']}=={r['version']}"] for r in rows]
        console.table(["NAME", "TARGET", "DISTRIBUTION"], table, shrink=1)
        if args.check:
            console.line()
            console.line("Loaded one at a time:")
            width = max(len(r["name"]) for r in rows) + 4
            for r in rows:
                text = r["status"] + (f": {r['reason']}" if r["reason"] else "")
                console.line(console.wrap(text, width, f"  {r['name']}"))
    return EXIT_FAIL if failed or not rows else EXIT_OK


# --------------------------------------------------------------------------- demo


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    """The offline demo (``director_litellm.cli._demo``), its lines on our stdout; its exit code."""
    from director_litellm.cli import _demo as demo

    return demo.run(console.line, loading=console.loading)


# --------------------------------------------------------------------------- argument parsing


def _providers_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--check", action="store_true", help="import each provider on its own and report OK or why not")
    p.add_argument("--json", action="store_true", help="print JSON for machines")


def _doctor_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", metavar="M", help="check this model instead of LITELLM_CHAT_MODEL")
    p.add_argument(
        "--site-packages",
        metavar="DIR",
        action="append",
        help="look for stray .pth files in DIR instead of this interpreter's "
        "site-packages (repeatable; e.g. another environment's)",
    )
    p.add_argument("--json", action="store_true", help="print JSON for machines (stdout is only JSON)")


def _no_arguments(p: argparse.ArgumentParser) -> None:
    """A command with no options of its own (``-v`` and ``--help`` only)."""


@dataclass(frozen=True)
class Command:
    """One subcommand: its help, its arguments and what runs it (returns the exit code)."""

    name: str
    summary: str
    description: str
    epilog: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Console], int]


COMMANDS: tuple[Command, ...] = (
    Command(
        "providers",
        "list the LLM providers Director can discover",
        PROVIDERS_HELP,
        PROVIDERS_EPILOG,
        _providers_arguments,
        cmd_providers,
    ),
    Command(
        "doctor",
        "check whether this setup can work (no network)",
        DOCTOR_HELP,
        DOCTOR_EPILOG,
        _doctor_arguments,
        cmd_doctor,
    ),
    Command(
        "chat",
        "make one completion with the configured model",
        CHAT_HELP,
        CHAT_EPILOG,
        chat.add_arguments,
        chat.cmd_chat,
    ),
    Command(
        "demo",
        "run one Director turn offline: no key, no network",
        DEMO_HELP,
        DEMO_EPILOG,
        _no_arguments,
        cmd_demo,
    ),
)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=HELP_POSITION, width=min(terminal_width(), HELP_WIDTH))


class _CommandParser(argparse.ArgumentParser):
    """A subcommand's parser: an unknown argument is reported with the subcommand's own usage.

    (argparse leaves a subcommand's unknown arguments to the top-level parser, which would print
    the top-level usage for ``chat --bogus``.)
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


def _version() -> str:
    litellm = supply_chain.installed_version() or "not installed"
    return f"{PROG} {__version__} (litellm {litellm}, Python {platform.python_version()})"


def build_parser() -> argparse.ArgumentParser:
    common = _CommandParser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="show logs and litellm's own output on stderr (-vv: debug)",
    )
    parser = argparse.ArgumentParser(
        prog=PROG, description=DESCRIPTION, epilog=EPILOG, formatter_class=_Formatter, parents=[common]
    )
    parser.add_argument("-V", "--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", parser_class=_CommandParser)
    for command in COMMANDS:
        p = commands.add_parser(
            command.name,
            parents=[common],
            formatter_class=_Formatter,
            help=command.summary,
            description=command.description,
            epilog=command.epilog,
        )
        command.arguments(p)
        p.set_defaults(run=command.run)
    return parser


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``director-litellm`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace, Console], int] | None = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return EXIT_USAGE
    console = Console(
        out=sys.stdout,
        err=sys.stderr,
        verbose=getattr(args, "verbose", 0) or 0,
        width=terminal_width(),
        secrets=environment_secrets(),
        # a person is watching (stderr is a terminal) and no machine reads stdout
        progress=_is_terminal(sys.stderr) and not getattr(args, "json", False),
    )
    try:
        # whatever litellm (or anything else) prints goes to the buffer, never to our stdout
        with logging_configured(console), stdout_caught(console):
            return run(args, console)
    except KeyboardInterrupt:
        console.error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `director-litellm doctor | head`
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stop the interpreter's flush error
        return EXIT_OK
    finally:
        with contextlib.suppress(Exception):
            console.out.flush()


__all__ = ["COMMANDS", "Command", "build_parser", "main", "mask"]
