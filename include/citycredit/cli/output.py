"""What every command shares: the migrated warehouse it starts from, JSON and plain-text tables on stdout.

Text that departments chose (file names above all) is shown with 身份证 numbers masked and escaped: a newline, a
terminal escape sequence or a right-to-left override in a name must not forge a line or repaint the operator's
terminal. The JSON output is masked too.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from citycredit.core import privacy
from citycredit.core.printable import printable


def migrated_engine():
    """The configured warehouse with every pending migration applied; what each command starts from."""
    from citycredit.core import migrations, warehouse

    engine = warehouse.engine()
    migrations.upgrade(engine)
    return engine


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value))


def _masked(value):
    if isinstance(value, str):
        return privacy.mask_ids_in_text(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


def print_json(data) -> None:
    print(json.dumps(_masked(data), ensure_ascii=False, indent=2, default=_json_default))


def shown(text: str) -> str:
    """Department text as a terminal shows it: 身份证 numbers masked (before escaping, which would split them), then
    escaped."""
    return printable(privacy.mask_ids_in_text(text))


TERMINAL_WIDTH = 120
_GAP = "  "


def width(text: str) -> int:
    """Terminal columns: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def clip(text: str, columns: int) -> str:
    """At most ``columns`` terminal columns: the start and the end kept (a file name's date and extension)."""
    if width(text) <= columns:
        return text
    head, tail = "", ""
    budget = columns - 1  # the ellipsis
    for c in text:
        if width(head + c) > budget - budget // 2:
            break
        head += c
    for c in reversed(text):
        if width(head + c + tail) > budget:
            break
        tail = c + tail
    return f"{head}…{tail}"


def wrap(text: str, columns: int = TERMINAL_WIDTH, indent: str = "") -> str:
    """A paragraph broken into lines of at most ``columns`` terminal columns (CJK text has no spaces to break at)."""
    lines, line = [], ""
    for c in shown(text):
        if width(line + c) > columns:
            lines.append(line.rstrip())
            line = indent + c.lstrip()
        else:
            line += c
    return "\n".join([*lines, line.rstrip()])


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return shown(str(value))


def fitting(rows: list[dict], columns: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """The leading columns that fit ``TERMINAL_WIDTH`` side by side, and the headers of those left out."""
    kept: list[tuple[str, str]] = []
    used = -len(_GAP)
    for key, header in columns:
        need = max([width(header)] + [width(_cell(r.get(key))) for r in rows]) + len(_GAP)
        if used + need > TERMINAL_WIDTH and len(kept) >= 2:
            return kept, [h for _, h in columns[len(kept) :]]
        kept.append((key, header))
        used += need
    return kept, []


def text_table(rows: list[dict], columns: list[tuple[str, str]], shrink: str | None = None) -> str:
    """A plain text table of printable cells. With ``shrink`` (a column key) that column is clipped so that the
    table fits ``TERMINAL_WIDTH``."""
    cells = [[h for _, h in columns]] + [[_cell(r.get(k)) for k, _ in columns] for r in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(columns))]
    if shrink is not None:
        i = [k for k, _ in columns].index(shrink)
        room = TERMINAL_WIDTH - (sum(widths) - widths[i]) - len(_GAP) * (len(columns) - 1)
        widths[i] = max(min(widths[i], room), width(cells[0][i]), 8)
        for row in cells:
            row[i] = clip(row[i], widths[i])
    lines = [_GAP.join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=False)) for row in cells]
    lines.insert(1, _GAP.join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)
