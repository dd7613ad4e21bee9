"""CSV files a person opens in a spreadsheet: a cell that would be read as a formula is written as text."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from citycredit.core.csv_cells import FORMULA_STARTS, frame_to_csv, neutralize

FORMULAS = [
    '=HYPERLINK("http://evil.example","点我")',
    "=cmd|' /C calc'!A0",
    "+86 375 1234567",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
]
PLAIN = ["平顶山市示例有限公司", "a=b", " =1+1", "＝1+1", "2025-09-01", "", "'already quoted"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_starts_get_an_apostrophe(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("text", PLAIN)
def test_other_text_is_unchanged(text):
    assert neutralize(text) == text


def test_the_csv_holds_every_formula_as_text_and_everything_else_exactly():
    frame = pd.DataFrame(
        {
            "text": FORMULAS + PLAIN[:4],
            "typed": pd.Series(PLAIN[:4] + FORMULAS, dtype="string"),
            "mixed": [None, np.nan, 1.5, -2, "=x", "-y", "ok", None, "@", "", "z", "+"],
        }
    )
    rows = list(csv.reader(io.StringIO(frame_to_csv(frame), newline="")))
    assert rows[0] == ["text", "typed", "mixed"]
    body = rows[1:]
    assert [r[0] for r in body] == ["'" + f for f in FORMULAS] + PLAIN[:4]
    assert [r[1] for r in body] == PLAIN[:4] + ["'" + f for f in FORMULAS]
    assert [r[2] for r in body] == ["", "", "1.5", "-2", "'=x", "'-y", "ok", "", "'@", "", "z", "'+"]
    for row in body:
        assert not any(cell.startswith(FORMULA_STARTS) for cell in row[:2]), row
    assert frame["text"].tolist() == FORMULAS + PLAIN[:4], "the frame itself is not changed"
