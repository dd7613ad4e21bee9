"""What every command shares: the migrated warehouse it starts from, JSON and plain-text tables on stdout."""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime
from decimal import Decimal


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


def print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def text_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """A plain text table; widths count CJK characters as two columns."""

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    cells = [[h for _, h in columns]] + [["" if r.get(k) is None else str(r[k]) for k, _ in columns] for r in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(columns))]
    lines = ["  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=False)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
