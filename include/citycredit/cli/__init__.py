"""The ``citycredit`` command: the parser, one module per command group, shared output helpers (``output``).

Commands print; the modules they call return data or raise domain errors, which become a message and an exit code
here.
"""

from __future__ import annotations

import importlib
import os
import sys

from citycredit.cli import arguments

# Each command and the module (command group) that defines it. Only the group of the command run is imported:
# importing them all (the warehouse's, Airflow's, the report's libraries) cost a small self-check a third of its time.
COMMANDS = {
    "db": "db",
    "demo-data": "demo",
    "demo": "demo",
    "up": "stack",
    "down": "stack",
    "batches": "batches",
    "indicators": "indicators",
    "explain": "indicators",
    "export": "export",
    "check": "check",
    "bench": "bench",
    "report": "report",
    "scorecard": "scorecard",
    "credit-report": "credit_report",
    "list-check": "list_check",
    "web": "web",
}


def build_parser(argv: list[str] | None = None) -> arguments.Parser:
    """The parser of every command; of the command ``argv`` names alone, when it names one."""
    parser = arguments.Parser(prog="citycredit", description="City public-credit data pipeline.")
    sub = parser.add_subparsers(dest="command", required=True)
    command = next((a for a in argv or () if not a.startswith("-")), None)
    groups = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for group in groups:
        importlib.import_module(f"citycredit.cli.{group}").add_parser(sub)
    return parser


EXIT_CONFIG = arguments.EXIT_USAGE  # a mistake in configuration is answered as one on the command line
EXIT_CLOSED_PIPE = 141  # as a shell reports a command that SIGPIPE ended (128 + 13)
EXIT_INTERRUPTED = 130  # 128 + SIGINT


def main(argv: list[str] | None = None) -> int:
    from citycredit.core import config, privacy

    privacy.install_log_masking()
    args = build_parser(sys.argv[1:] if argv is None else argv).parse_args(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, while it can still be handled
        return status
    except config.ConfigError as exc:  # a mistake in a YAML file or an unknown name: the message says which
        print(f"citycredit {args.command}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except BrokenPipeError:  # `citycredit batches | head`: the reader has what it wanted
        # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLOSED_PIPE
    except KeyboardInterrupt:
        print(f"citycredit {args.command}: 已中断", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
