"""The cells of a worksheet that hold a value, row by row: never the empty cells between them.

openpyxl's read-only rows pad each row with an empty value for every column up to its last cell, so one value in
column XFD makes 16,384 values a row (a 0.7 MB workbook of 8,000 such rows took 4.5 GB). The sheet parser those
rows are built from yields only the cells the sheet holds; this module reads its rows as {column: text}. It uses
the parser as openpyxl 3.1's ``ReadOnlyWorksheet._cells_by_row`` does (the version is pinned in
requirements/constraints.txt; tests/normalize/test_sheet_limits.py holds the behaviour).
"""

from __future__ import annotations

from collections.abc import Iterator

from citycredit.core.cell_text import cell_text

# A plain number (no date format) in a date column is an Excel serial; only five-digit ones are taken for dates,
# as normalize does for a 1900-based workbook (20250901 is a date written as digits, not a serial).
_SERIALS = range(10_000, 100_000)


def sheet_rows(
    ws, first_row: int = 1, last_row: int | None = None, date_columns: frozenset[int] = frozenset()
) -> Iterator[tuple[int, dict[int, str]]]:
    """(row number, {column number: cell text}) of each row from ``first_row`` holding a value, in sheet order.

    Rows numbered out of order (a repeated or decreasing ``r``) are skipped, as openpyxl's rows skip them.
    ``date_columns``: columns whose plain numbers are dates; in a 1904-based workbook (old Mac Excel) their
    serials count from 1904-01-01, so they are turned into dates here, where the workbook's date system is known.
    Cells with a date format are already dates in the workbook's own system.
    """
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, from_excel
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = ws.parent
    mac_dates = date_columns if workbook.epoch == CALENDAR_MAC_1904 else frozenset()
    previous = 0
    with ws._get_source() as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            if last_row is not None and number > last_row:
                return
            if number <= previous or number < first_row:
                continue
            previous = number
            texts: dict[int, str] = {}
            for cell in cells:
                value = cell["value"]
                if cell["column"] in mac_dates and _is_serial(value):
                    value = from_excel(value, CALENDAR_MAC_1904)
                if (text := cell_text(value)) is not None:
                    texts[cell["column"]] = text
            if texts:
                yield number, texts


def _is_serial(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and int(value) in _SERIALS


def dense(cells: dict[int, str]) -> list[str | None]:
    """The cells of a row as a list from column A to its last cell holding a value."""
    row: list[str | None] = [None] * max(cells, default=0)
    for column, text in cells.items():
        row[column - 1] = text
    return row
