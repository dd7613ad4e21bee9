"""Command-line arguments: a parser that answers a mistake with one line, and the value types commands share.

argparse prints the usage block and then the error; a credit-center operator typing ``--month 2025-13`` should
see one line that says what was wrong and how to ask for help, with exit 2 as argparse uses.
"""

from __future__ import annotations

import argparse
import datetime
import re
from typing import NoReturn

EXIT_USAGE = 2

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line; sub-parsers inherit the class."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}（{self.prog} --help 查看用法）\n")


def month(value: str) -> str:
    """YYYY-MM (a month of 1 to 12) → the canonical 'YYYY-MM'."""
    match = _MONTH.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise argparse.ArgumentTypeError(f"月份应为 YYYY-MM（如 2025-09），收到 {value!r}")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def day(value: str) -> datetime.date:
    """YYYY-MM-DD, a day that exists."""
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为存在的 YYYY-MM-DD（如 2025-09-30），收到 {value!r}") from None


def port(value: str) -> int:
    """A TCP port a service can listen on."""
    number = int(value) if value.strip().isdigit() else 0
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"端口应为 1 到 65535 之间的整数，收到 {value!r}")
    return number


def count(value: str) -> int:
    """A whole number of zero or more."""
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"应为不小于 0 的整数，收到 {value!r}")
    return number
