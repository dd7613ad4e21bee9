"""Text cells a person may open in a spreadsheet program: formula injection neutralized (OWASP "CSV Injection").

A cell beginning with = + - @, or with a tab, CR or LF (some programs skip those before reading a formula), is
read as a formula by Excel and LibreOffice when the file is opened: `=HYPERLINK(...)`, `=cmd|' /C calc'!A0`,
`@SUM(...)`. Such a cell gets a leading apostrophe, which spreadsheet programs show as text and which a reader
sees as a mark. Only files meant for people go through here (the outbox CSV, the workbooks): machine-read files
(the outbox JSON, the province push) keep the exact text, so nothing a department sent is lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a frame is written: the workbooks need only `neutralize`
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(text: str) -> str:
    """`text`, with an apostrophe in front when a spreadsheet program would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def frame_to_csv(frame: pd.DataFrame, *, lineterminator: str = "\r\n") -> str:
    """The CSV text of `frame` for a person to open: every text cell neutralized, missing values empty.

    The one writer of CSV files meant for people; values that are not text (numbers) are written as they are.
    """
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        s = safe[column]
        if s.dtype.kind in "OSUT" or isinstance(s.dtype, pd.StringDtype):
            formula = s.astype(object).str.startswith(FORMULA_STARTS, na=False).astype(bool)
            if formula.any():
                safe.loc[formula, column] = "'" + s[formula]
    return safe.to_csv(index=False, lineterminator=lineterminator)
