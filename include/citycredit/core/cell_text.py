"""A value delivered in a workbook or an API record as the text of a cell: what a clerk would read there.

Shared by the feeds (a pulled record's values written as JSON) and by normalize (workbook cells and JSON values).
"""

from __future__ import annotations

import datetime
import decimal
import json

import numpy as np


def cell_text(value: object) -> str | None:
    """The text of a workbook cell (or a JSON value, or a database column) as the clerk would read it."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else np.format_float_positional(value, trim="-")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)
