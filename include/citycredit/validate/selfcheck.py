"""A department's self-check of a file with the pipeline's readers, normalization and suites.

No warehouse is needed. The dataset comes from ``--dataset`` or from the file's headers; the reporting date
(for the not-in-the-future and the 7-working-day rules) is the caller's: ``citycredit check`` takes
``--reported-on`` or today in the city's time zone.
Findings carry row numbers, never values. The rules are evaluated without Great Expectations (the Validator's
default, citycredit.validate.rules): importing GX alone took longer than checking a small file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from citycredit.core import datasets

Progress = Callable[[Path, Any], contextlib.AbstractContextManager]
DATASET_NAMES = {d.name: d.label for d in datasets.ALL.values()}  # every dataset a department reports
CATEGORY_NAMES = {
    "required": "必填",
    "format": "格式",
    "identifier": "代码校验",
    "code_table": "代码表",
    "consistency": "一致性",
    "timeliness": "及时性",
    "duplicate": "重复",
    "plausibility": "合理性",
}
SEVERITY_NAMES = {"error": "错误", "warning": "警告"}
FIRST_ROWS = 5  # rows named per rule in the summary


class CheckFailed(Exception):
    """The file cannot be checked; ``reason`` is the Chinese explanation for the clerk."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class CheckResult:
    file: str
    dataset: str
    rows: int
    findings: pd.DataFrame  # suites.FINDING_COLUMNS
    notes: list[str]

    @property
    def errors(self) -> int:
        return int((self.findings["severity"] == "error").sum())

    def as_json(self) -> dict:
        ordered = in_reading_order(self.findings)
        findings = pd.DataFrame(
            {
                "row": ordered["source_row"].astype("Int64").astype(object),
                "field": ordered["label"].astype(object),
                "rule": ordered["rule_id"].astype(object),
                "category": ordered["category"].astype(object),
                "severity": ordered["severity"].astype(object),
                "message": ordered["message"].astype(object),
            }
        )
        return {
            "file": self.file,
            "dataset": self.dataset,
            "rows": self.rows,
            "summary": self.summary(),
            "findings": findings.where(findings.notna(), None).to_dict("records"),
        }

    def summary(self) -> list[dict]:
        """Per rule and field: how many findings and the first rows (None: the whole file), errors first."""
        f = in_reading_order(self.findings)
        out = []
        for (rule, label), group in f.groupby(["rule_id", f["label"].fillna("")], sort=False):
            rows = group["source_row"]
            first: list[int | None] = [None] if rows.isna().any() else []
            first += sorted(int(r) for r in rows.dropna().unique())[: FIRST_ROWS - len(first)]
            out.append(
                {
                    "rule": rule,
                    "field": label or None,
                    "category": group["category"].iloc[0],
                    "severity": group["severity"].iloc[0],
                    "count": len(group),
                    "first_rows": first,
                }
            )
        return sorted(out, key=lambda r: (r["severity"] != "error", -r["count"], r["rule"]))


def in_reading_order(findings: pd.DataFrame) -> pd.DataFrame:
    """File-level findings first, then by row; errors before warnings; then by rule."""
    return findings.assign(_file=findings["source_row"].isna(), _sev=findings["severity"].ne("error")).sort_values(
        ["_file", "source_row", "_sev", "rule_id"], ascending=[False, True, True, True], kind="stable"
    )


def detect_dataset(headers: list[str]) -> str:
    """The dataset whose fields the headers match best; CheckFailed when none or two match equally."""
    from citycredit.normalize import standardize

    scores = {d: len(standardize.map_headers(headers, d).columns) for d in DATASET_NAMES}
    best = max(scores.values())
    winners = [d for d, n in scores.items() if n == best]
    if best == 0 or len(winners) > 1:
        raise CheckFailed(
            f"无法从表头判断文件是{'、'.join(DATASET_NAMES.values())}中的哪一类；请用 --dataset "
            f"{'|'.join(DATASET_NAMES)} 指定"
        )
    return winners[0]


def run_check(path: Path, dataset: str | None, reported_on: date, progress: Progress | None = None) -> CheckResult:
    """Read, normalize and validate a department file; CheckFailed when it cannot be read.

    ``progress(path, table)``, when given, is a context manager whose ``update(rows)`` is told of every chunk.
    """
    from citycredit.normalize import readers, standardize
    from citycredit.validate import suites

    try:
        if not path.is_file():
            raise CheckFailed("找不到文件，或者它不是一个文件：请检查文件路径")
        if dataset is None:
            dataset = detect_dataset(readers.open_table(path).headers)
        table = readers.open_table(path, dataset=dataset)
        header_map = standardize.map_headers(table.headers, dataset)
        validator = suites.Validator(dataset, header_map)
        rows = 0

        def frames(bar) -> Iterator[pd.DataFrame]:
            nonlocal rows
            for raw in table.chunks():
                frame = standardize.normalize_frame(raw, dataset, header_map)
                frame["_reported_on"] = reported_on.isoformat()
                rows += len(frame)
                if bar is not None:
                    bar.update(len(frame))
                yield frame

        with progress(path, table) if progress else contextlib.nullcontext() as bar:
            parts = list(validator.run(frames(bar)))
    except readers.UnreadableFile as exc:
        raise CheckFailed(exc.reason) from exc
    except OSError as exc:
        raise CheckFailed(f"无法读取文件：{exc.strerror or '读取出错'}") from exc
    findings = pd.concat([p for p in parts if not p.empty] or [parts[0]], ignore_index=True)
    return CheckResult(str(path), dataset, rows, findings, list(table.notes))
