"""Findings the validation runner adds around the suites' rules: about the file's columns, and about cells whose
value says nothing was filled in.

- A file-level finding per required column the file lacks (FILE-MISSING-COLUMN, error), per header that matches
  no field (FILE-UNKNOWN-COLUMN, warning: the column is neither checked nor loaded as a field, its values are kept
  as the row's extra data) and per header whose field an earlier column already gives (FILE-DUPLICATE-COLUMN,
  warning).
- A required-field rule that fails on every row of a file of two rows or more (the column is absent or empty) is
  one file-level finding of that rule, not one per row: the rows are rejected all the same (a file-level error
  rejects every row), and the clerk reads one line instead of one per row.
- A placeholder ("无", "/", "— —") or an Excel error value (#N/A) in a required column counts as missing: the
  rules see it empty, and the required-field finding names the value.
- TRUE / FALSE in a text field (a workbook's boolean cell, or a JSON true) is a format error, not a name.
- A row repeated exactly within the file (every canonical column equal) is named with the row it repeats
  (DUP-EXACT-ROW, warning: the load counts it once).

Messages are Chinese; they name the placeholder or the boolean, never a value from the department's data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from citycredit.normalize import values
from citycredit.normalize.headers import HeaderMap

FINDING_COLUMNS = ["source_row", "rule_id", "field", "label", "category", "severity", "message"]
MISSING_COLUMN_RULE = "FILE-MISSING-COLUMN"
UNKNOWN_COLUMN_RULE = "FILE-UNKNOWN-COLUMN"
DUPLICATE_COLUMN_RULE = "FILE-DUPLICATE-COLUMN"
BOOLEAN_RULE = "FMT-BOOLEAN"
EXACT_ROW_RULE = "DUP-EXACT-ROW"
RULES = {MISSING_COLUMN_RULE, UNKNOWN_COLUMN_RULE, DUPLICATE_COLUMN_RULE, BOOLEAN_RULE, EXACT_ROW_RULE}
FOLD_MIN_ROWS = 2  # one row failing a rule is that row's finding
# The spellings of values.placeholder_kind as normalized text (single spaces, any common case), for a hash lookup
# instead of folding every cell: "— —", "null", "Null", "n/a".
_NOTHING_FILLED = pa.array(
    sorted(
        {
            variant
            for text in values.PLACEHOLDERS | values.EXCEL_ERRORS
            for spaced in {text, " ".join(text)}
            for variant in (spaced, spaced.lower(), spaced.title(), spaced.capitalize())
            if values.placeholder_kind(variant)
        }
    ),
    pa.large_string(),
)
_BOOLEANS = [case(b) for b in ("TRUE", "FALSE") for case in (str.upper, str.lower, str.title)]


def frame(rows, rule_id, field, label, category, severity, message) -> pd.DataFrame:
    """Findings in FINDING_COLUMNS; ``rows`` are source rows (None: the whole file); scalars or one per row."""
    rows = pd.array(list(rows), dtype="Int64")
    return pd.DataFrame(
        {
            "source_row": rows,
            "rule_id": rule_id,
            "field": field,
            "label": label,
            "category": category,
            "severity": severity,
            "message": message,
        },
        index=range(len(rows)),
    )[FINDING_COLUMNS]


def concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Findings frames as one, source rows as nullable integers (None: the whole file)."""
    parts = [p for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FINDING_COLUMNS)
    return out.astype({"source_row": "Int64"})


def header_findings(header_map: HeaderMap, labels: dict[str, str]) -> pd.DataFrame:
    """The file-level findings about the file's header row."""
    missing = header_map.missing_required
    unknown, duplicates = header_map.unknown, header_map.duplicates
    taken_by = {name: header for header, name in reversed(header_map.columns.items())}
    return concat(
        [
            frame(
                [None] * len(missing), MISSING_COLUMN_RULE, missing, [labels.get(c, c) for c in missing],
                "required", "error", [f"文件缺少必填列“{labels.get(c, c)}”，所有行均无法入库" for c in missing],
            ),
            frame(
                [None] * len(unknown), UNKNOWN_COLUMN_RULE, None, None, "format", "warning",
                [f"表头“{h}”不是国家标准字段，也不是已知的别名：该列未检查，也不作为任何字段入库（原样保存）；"
                 "如是标准字段请改用标准名称" for h in unknown],
            ),
            frame(
                [None] * len(duplicates), DUPLICATE_COLUMN_RULE, list(duplicates.values()),
                [labels.get(n, n) for n in duplicates.values()], "format", "warning",
                [f"表头“{h}”与前面的“{taken_by.get(n, n)}”都是“{labels.get(n, n)}”，只使用了前面一列，"
                 "该列未检查（原样保存）" for h, n in duplicates.items()],
            ),
        ]
    )  # fmt: skip


def take_placeholders(rows: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """The rows with placeholders and Excel error values in ``columns`` emptied, and per column the values taken
    (indexed by source row)."""
    taken: dict[str, pd.Series] = {}
    emptied = {}
    for column in columns:
        cells = rows[column].astype("str")  # a no-op for normalized text; an all-missing column may be object
        arr = pa.array(cells.array)
        found = pc.fill_null(pc.is_in(arr, value_set=_NOTHING_FILLED.cast(arr.type)), False)
        hit = found.to_numpy(zero_copy_only=False)
        if hit.any():
            taken[column] = pd.Series(cells[hit].to_numpy(), index=rows["_source_row"].to_numpy()[hit])
            kept = pc.if_else(found, pa.scalar(None, arr.type), arr)  # faster than Series.mask on Arrow strings
            emptied[column] = pd.Series(pd.array(kept, dtype="str"), index=cells.index)
    return (rows.assign(**emptied) if emptied else rows), taken


def name_placeholders(findings: pd.DataFrame, taken: dict[str, pd.Series]) -> pd.DataFrame:
    """Required-field findings on a cell that held a placeholder say which value was there."""
    if findings.empty or not taken:
        return findings
    findings = findings.copy()
    for column, held in taken.items():
        at = (findings["category"] == "required") & (findings["field"] == column)
        at &= findings["source_row"].isin(held.index)
        for i in findings.index[at]:
            value = held[findings.at[i, "source_row"]]
            label = findings.at[i, "label"] or column
            findings.at[i, "message"] = (
                f"必填项“{label}”是Excel错误值“{value}”（公式出错后留下的），视为未填写"
                if values.placeholder_kind(value) == "excel_error"
                else f"必填项“{label}”填写了占位符“{value}”，视为未填写，请填写实际内容"
            )
    return findings


def boolean_findings(rows: pd.DataFrame, columns: list[str], labels: dict[str, str]) -> pd.DataFrame:
    """TRUE / FALSE in text columns."""
    parts = []
    for column in columns:
        cells = rows[column]
        hit = cells[cells.isin(_BOOLEANS).to_numpy(dtype=bool, na_value=False)]
        if len(hit):
            label = labels[column]
            parts.append(
                frame(
                    rows.loc[hit.index, "_source_row"], BOOLEAN_RULE, column, label, "format", "error",
                    [f"「{label}」填写的是逻辑值“{v}”，不是名称或文字，请检查是否从勾选框或公式结果复制而来"
                     for v in hit],
                )
            )  # fmt: skip
    return concat(parts)


def exact_repeats(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows whose content (``_content_hash``) repeats an earlier row's, each naming the first row of that content.

    ``rows`` must hold every row of each content (keyed_rows: a content's rows share their natural key)."""
    ordered = rows[["_source_row", "_content_hash"]].sort_values("_source_row", kind="stable")
    first = ordered.groupby("_content_hash", sort=False)["_source_row"].transform("first")
    repeat = ordered["_source_row"].to_numpy() != first.to_numpy()
    if not repeat.any():
        return concat([])
    later, earlier = ordered["_source_row"].to_numpy()[repeat], first.to_numpy()[repeat]
    return frame(
        later, EXACT_ROW_RULE, None, None, "duplicate", "warning",
        [f"第{a}行与第{b}行完全重复，入库时只计一条" for a, b in zip(later, earlier, strict=True)],
    )  # fmt: skip


class AllRowsFailing:
    """Holds back the findings of required-field rules while each has failed on every row so far; ``finish``
    makes one file-level finding of each rule that failed on every row of the file."""

    def __init__(self, messages: dict[str, str]):
        self._messages = messages  # rule id → the rule's own message
        self._candidates = set(messages)
        self._held: dict[str, list[pd.DataFrame]] = {r: [] for r in messages}
        self.rows = 0

    def sift(self, findings: pd.DataFrame, chunk_rows: int) -> pd.DataFrame:
        """The findings of a chunk to report now: all but those held back (plus any released)."""
        self.rows += chunk_rows
        if not self._candidates or chunk_rows == 0:
            return findings
        out, keep = [], np.ones(len(findings), dtype=bool)
        for rule_id in list(self._candidates):
            own = (findings["rule_id"] == rule_id).to_numpy()
            if own.sum() == chunk_rows:
                self._held[rule_id].append(findings[own])
                keep &= ~own
            else:
                self._candidates.discard(rule_id)
                out += self._held.pop(rule_id)
        return concat([*out, findings[keep]])

    def finish(self, absent: set[str]) -> pd.DataFrame:
        """The rules still held: one file-level finding each (per row in a file of one row)."""
        parts = []
        for rule_id in self._candidates:
            held = concat(self._held[rule_id])
            if held.empty or self.rows < FOLD_MIN_ROWS:
                parts.append(held)
                continue
            first = held.iloc[0]
            label = first["label"] or first["field"]
            cause = (
                f"文件没有“{label}”列"
                if first["field"] in absent
                else f"“{label}”列全部{self.rows}行均未填写（空白或占位符）"
            )
            parts.append(
                frame(
                    [None], rule_id, first["field"], first["label"], first["category"], first["severity"],
                    f"{cause}：{self._messages[rule_id].rstrip('。')}。所有行均无法入库，请补全该列后重新报送",
                )
            )  # fmt: skip
        return concat(parts)
