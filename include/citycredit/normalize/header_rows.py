"""The header row of a department table, found among its first rows, and the names of its columns."""

from __future__ import annotations

import re

from citycredit.core import config
from citycredit.normalize import standardize

HEADER_SEARCH_ROWS = 20
HEADER_MIN_MATCHES = 3


def label_matches(cells: list[str | None], dataset: str | None) -> int:
    """How many cells of a row are known field labels (of the dataset, or of the best-fitting dataset)."""
    labels = [c for c in cells if c and c.strip()]
    if not labels:
        return 0
    return max(len(standardize.map_headers(labels, d).columns) for d in ([dataset] if dataset else config.DATASETS))


def find_header(rows: list[list[str | None]], dataset: str | None) -> int | None:
    """Index of the header among the first rows; None when they are all empty."""
    scores = [label_matches(cells, dataset) for cells in rows]
    for i, score in enumerate(scores):
        if score >= HEADER_MIN_MATCHES:
            return i
    if max(scores, default=0) > 0:
        return scores.index(max(scores))
    return next((i for i, cells in enumerate(rows) if any(c and c.strip() for c in cells)), None)


def header_cells(rows: list[list[str | None]], index: int, dataset: str | None) -> tuple[list[str | None], int]:
    """The header's cells and the index of its last row: the row at ``index``, merged with the row below it when
    that is the header's second row (`two_row_header`)."""
    if index + 1 < len(rows) and (cells := two_row_header(rows[index], rows[index + 1], dataset)) is not None:
        return cells, index + 1
    return rows[index], index


def two_row_header(upper: list[str | None], lower: list[str | None], dataset: str | None) -> list[str | None] | None:
    """The header's cells when the row below the header row is its second row, else None.

    The national template's header takes two rows: 行政相对人代码 merged over 统一社会信用代码, 工商注册号, ...,
    有效期 over 自 and 至, and the other labels merged down over both rows (their text in the upper cell). A column
    is named by the first of: its lower cell, its group's label and the lower cell (有效期 + 自), its upper cell,
    whichever is a known label. The lower row is a second header row when the names it gives know at least two
    more fields than the upper row alone; a data row adds none.
    """
    if not any(c and c.strip() for c in lower):
        return None
    width = max(len(upper), len(lower))
    upper, lower = upper + [None] * (width - len(upper)), lower + [None] * (width - len(lower))
    cells: list[str | None] = []
    group = ""  # the upper label a merged group cell spreads to the right over the columns below it
    for top, below in zip(upper, lower, strict=True):
        group = (top or "").strip() or (group if below else "")
        choices = [c for c in (below, group + (below or "") if below else None, top) if c and c.strip()]
        cells.append(next((c for c in choices if _known(c, dataset)), choices[0] if choices else None))
    return cells if label_matches(cells, dataset) >= label_matches(upper, dataset) + 2 else None


def _known(text: str, dataset: str | None) -> bool:
    return any(standardize.map_headers([text], d).columns for d in ([dataset] if dataset else config.DATASETS))


_EDGE_INVISIBLE = re.compile(f"^[\\s{standardize.INVISIBLE}]+|[\\s{standardize.INVISIBLE}]+$")


def header_width(cells: list[str | None]) -> int:
    """The columns of a header row: up to its last cell that is not blank (as `column_names` counts them)."""
    return next((i for i in range(len(cells), 0, -1) if _EDGE_INVISIBLE.sub("", cells[i - 1] or "")), 0)


def columns_before_table(rows: list[list[str | None]], header: list[str | None]) -> int:
    """How many columns at the left edge lie outside the table: empty in the header and in every one of the first
    rows (a printed report's table often starts at C4, and its CSV export keeps the empty columns). A value in them
    further down is still read, as a column outside the header."""
    filled = [i for cells in (*rows, header) for i, c in enumerate(cells) if c and c.strip()]
    return min(filled, default=0)


def column_names(cells: list[str | None]) -> tuple[list[str], list[str]]:
    """Header names (trimmed, trailing empty cells dropped, the rest made unique) and notes about renames."""
    trimmed = [_EDGE_INVISIBLE.sub("", c) if c else "" for c in cells]
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    names: list[str] = []
    notes: list[str] = []
    for position, text in enumerate(trimmed, start=1):
        if not text:
            name = unique_name(f"第{position}列", names)
            notes.append(f"第{position}列的表头为空，该列记为“{name}”")
        else:
            name = unique_name(text, names)
            if name != text:
                notes.append(f"表头“{text}”重复出现，第{position}列记为“{name}”")
        names.append(name)
    return names, notes


def unique_name(name: str, taken: list[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}#{n}"
    return candidate


def overflow_names(headers: list[str], width: int) -> list[str]:
    names = list(headers)
    for position in range(len(headers) + 1, width + 1):
        names.append(unique_name(f"第{position}列", names))
    return names
