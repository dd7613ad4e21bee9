"""Writing department-provided text into XLSX safely: no cell becomes a formula, no 身份证 number leaves whole.

A text beginning with = + - @ (or a tab, CR or LF, which some spreadsheet programs skip before reading a
formula) gets a leading apostrophe, the usual neutralization of CSV/XLSX formula injection, and every cell is
written as a string. ID numbers are masked: whole values in 证件号码 columns, ID-shaped runs in any other text.
"""

from __future__ import annotations

from citycredit.core import privacy

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
ID_NUMBER_SUFFIX = "zjhm"  # canonical 证件号码 columns: xk_xdr_zjhm, cf_fr_zjhm, md_zjhm, ...


def neutralize(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_text(value, *, id_number: bool = False) -> str | None:
    """The text to put in a cell: None stays empty; ID numbers masked; formula starts neutralized."""
    if value is None:
        return None
    text = str(value)
    text = privacy.mask_id(text) if id_number else privacy.mask_ids_in_text(text)
    return neutralize(text)


def is_id_column(canonical: str | None) -> bool:
    return canonical is not None and canonical.endswith(ID_NUMBER_SUFFIX)


def append_row(ws, values: list, id_columns: frozenset[int] = frozenset()) -> None:
    """Append a row of department-provided values as text cells (numbers we computed may pass as numbers)."""
    ws.append(
        [v if isinstance(v, int | float) and not isinstance(v, bool) else safe_text(v, id_number=i in id_columns)
         for i, v in enumerate(values)]
    )  # fmt: skip
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
