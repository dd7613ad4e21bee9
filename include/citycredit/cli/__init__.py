"""The ``citycredit`` command: the parser, one module per command group, shared output helpers (``output``).

Commands print; the modules they call return data or raise domain errors, which become a message and an exit code
here.
"""

from __future__ import annotations

import argparse
import sys

from citycredit.cli import batches, bench, check, db, demo, export, indicators, report

COMMAND_GROUPS = (db, demo, batches, indicators, export, check, bench, report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citycredit", description="City public-credit data pipeline.")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.add_parser(sub)
    return parser


EXIT_CONFIG = 2  # as argparse exits for a mistake on the command line


def main(argv: list[str] | None = None) -> int:
    from citycredit.core import config, privacy

    privacy.install_log_masking()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except config.ConfigError as exc:  # a mistake in a YAML file or an unknown name: the message says which
        print(f"citycredit {args.command}: {exc}", file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
