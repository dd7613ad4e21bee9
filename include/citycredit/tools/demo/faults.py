"""The faults real departments make, at the rates below (shares of the rows they can apply to), and the two
that apply to every feed: an emptied mandatory field and full-width characters (``with_faults``), and rows pasted
twice (``paste_twice``)."""

from __future__ import annotations

import numpy as np

from citycredit.core.config import fields
from citycredit.tools.demo.arrays import blank, fullwidth, quota

LATE_RATE = 0.09  # of all rows: delivered after the 7th working day following the decision
WRONG_USCC_CHECK_RATE = 0.02  # of rows carrying a real USCC: one character mistyped, the check digit fails
PLACEHOLDER_RATE = 0.15  # of 个体工商户 rows: USCC given as the placeholder 00000000000000000X
PLACEHOLDER_WITHOUT_REGNO_RATE = 0.30  # of placeholder rows: the 工商注册号 it requires is missing too
MISSING_MANDATORY_RATE = 0.02  # of all rows: one mandatory field left empty
DUPLICATE_RATE = 0.01  # of all rows: an exact copy of the row above (pasted twice)
FULLWIDTH_RATE = 0.03  # of all rows: codes, 文书号 and amounts typed with full-width characters
UNIT_ERROR_RATE = 0.01  # of rows with a fine: 罚款金额 entered in 元 instead of 万元
INVALID_ID_CHECK_RATE = 0.03  # of 自然人 rows: 身份证号码 with a wrong check digit
MISSING_AMOUNT_RATE = 0.02  # of penalty rows whose 处罚类别 needs an amount or 证照: it is missing
LOCAL_CODE_RATE = 0.02  # of 信用承诺 rows and concluded 异议 / 信用修复 cases: a code in the clerk's own words
SWAPPED_DATES_RATE = 0.01  # of concluded 异议 / 信用修复 cases: 受理日期 and 办结日期 typed in each other's column


def with_faults(dataset: str, built: dict[str, np.ndarray], n: int, rng) -> dict[str, np.ndarray]:
    """Every canonical column (fields.yaml order); MISSING_MANDATORY_RATE of the rows lose one mandatory field,
    FULLWIDTH_RATE have their codes, 文书号 and amounts typed in full-width characters."""
    columns = fields(dataset)
    frame = {f.name: built[f.name] if f.name in built else blank(n) for f in columns}
    required = [f.name for f in columns if f.required]
    emptied = quota(rng, np.ones(n, dtype=bool), MISSING_MANDATORY_RATE)
    which = rng.integers(0, len(required), n)
    for k, name in enumerate(required):
        rows = emptied & (which == k)
        frame[name][rows] = np.datetime64("NaT") if frame[name].dtype.kind == "M" else ""
    typed = quota(rng, np.ones(n, dtype=bool), FULLWIDTH_RATE)
    for f in columns:
        if f.type in ("identifier", "amount") or f.name.endswith("_wsh"):
            frame[f.name][typed] = [fullwidth(v) for v in frame[f.name][typed].tolist()]
    return frame


def paste_twice(columns: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """DUPLICATE_RATE of the rows, as written, become exact copies of the row above (odd rows: no chains)."""
    copies = np.flatnonzero(quota(rng, np.arange(len(columns[0])) % 2 == 1, 2 * DUPLICATE_RATE))
    for column in columns:
        column[copies] = column[copies - 1]
    return columns
