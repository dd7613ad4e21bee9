"""Writing department-provided text into XLSX safely: every text can be written, no cell becomes a formula, no
身份证 number leaves whole. Every cell of a workbook we publish comes from `append_row`.

- Characters an XLSX cannot hold (XML 1.0 forbids them, openpyxl raises IllegalCharacterError) never make a
  workbook fail. A C0 control character becomes its Unicode control picture (ESC → ␛ U+241B, SOH → ␁, BS → ␈):
  visible, one character for one, and it names the character, so a department can find it in its own file,
  which U+FFFD could not tell; U+FFFE, U+FFFF and lone surrogates become U+FFFD. Text beyond Excel's 32,767
  characters per cell is cut with a visible mark (openpyxl would cut it silently).
  Each changed cell carries a comment saying what was replaced and how many characters: the count a reader sees.
- Formula injection (the CSV files use the same rule, citycredit.core.csv_cells): see `neutralize`.
- ID numbers are masked: whole values in 证件号码 columns, anything readable as one in any other text.
"""

from __future__ import annotations

import re

from citycredit.core import privacy
from citycredit.core.csv_cells import neutralize

ID_NUMBER_SUFFIX = "zjhm"  # canonical 证件号码 columns: xk_xdr_zjhm, cf_fr_zjhm, md_zjhm, ...
MAX_CELL = 32_767  # characters Excel keeps in one cell
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
NOTE_AUTHOR = "citycredit"


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


def _writable(text: str) -> tuple[str, str | None]:
    """The text as a cell can hold it, and the Chinese note on what was changed (None: nothing)."""
    notes = []
    text, replaced = _UNWRITABLE.subn(_picture, text)
    if replaced:
        notes.append(f"原内容含 {replaced} 个 Excel 无法保存的控制字符，已替换为可见符号（如 ␛ 表示 ESC）")
    if len(text) > MAX_CELL:
        mark = f"……（已截断，原文共 {len(text)} 个字符）"
        notes.append(f"原内容共 {len(text)} 个字符，超过 Excel 单元格上限 {MAX_CELL}，已截断")
        text = text[: MAX_CELL - len(mark)] + mark
    return text, "；".join(notes) or None


def cell_text(value, *, id_number: bool = False) -> tuple[str | None, str | None]:
    """The text to put in a cell and the note to attach (None: none): ID numbers masked, formula starts
    neutralized, unwritable characters replaced visibly."""
    if value is None:
        return None, None
    text = str(value)
    text = privacy.mask_id(text) if id_number else privacy.mask_ids_in_text(text)
    return _writable(neutralize(text))


def is_id_column(canonical: str | None) -> bool:
    return canonical is not None and canonical.endswith(ID_NUMBER_SUFFIX)


def append_row(ws, values: list, id_columns: frozenset[int] = frozenset()) -> None:
    """Append a row of department-provided values as text cells (numbers we computed may pass as numbers), to a
    worksheet or to a write-only one (a streamed workbook)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment

    row: list = []
    for i, v in enumerate(values):
        if isinstance(v, int | float) and not isinstance(v, bool):
            row.append(v)
            continue
        text, note = cell_text(v, id_number=i in id_columns)
        cell = WriteOnlyCell(ws, value=text)
        if text is not None:
            cell.data_type = "s"  # never a formula, whatever the text starts with
        if note:
            cell.comment = Comment(note, NOTE_AUTHOR, width=320, height=80)
        row.append(cell)
    ws.append(row)
