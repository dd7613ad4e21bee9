"""``citycredit check FILE``: a department's self-check with the pipeline's readers, normalization and suites.

No warehouse is needed. The dataset comes from ``--dataset`` or from the file's headers; the reporting date
(for the not-in-the-future and the 7-working-day rules) from ``--reported-on`` or today (Asia/Shanghai).
Output: a Chinese table of findings and a one-line verdict, or with ``--json`` one object
``{"file", "dataset", "rows", "findings": [{"row", "field", "rule", "category", "severity", "message"}]}``.
Exit status: 0 no error, 1 errors, 2 the file cannot be read (a Chinese reason, never a traceback).
Findings carry row numbers, never values; everything printed goes through ``privacy.mask_ids_in_text``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from citycredit import privacy

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
CITY_TZ = ZoneInfo("Asia/Shanghai")
DATASET_NAMES = {"license": "行政许可", "penalty": "行政处罚", "credit_list": "信用名单"}
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
PROGRESS_MIN_BYTES = 2 * 1024 * 1024  # smaller files finish before a progress bar would help


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
    findings: pd.DataFrame  # validation.FINDING_COLUMNS
    notes: list[str]

    @property
    def errors(self) -> int:
        return int((self.findings["severity"] == "error").sum())

    def as_json(self) -> dict:
        ordered = _ordered(self.findings)
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
            "findings": findings.where(findings.notna(), None).to_dict("records"),
        }


def _ordered(findings: pd.DataFrame) -> pd.DataFrame:
    """File-level findings first, then by row; errors before warnings; then by rule."""
    return findings.assign(_file=findings["source_row"].isna(), _sev=findings["severity"].ne("error")).sort_values(
        ["_file", "source_row", "_sev", "rule_id"], ascending=[False, True, True, True], kind="stable"
    )


def detect_dataset(headers: list[str]) -> str:
    """The dataset whose fields the headers match best; CheckFailed when none or two match equally."""
    from citycredit import normalize

    scores = {d: len(normalize.map_headers(headers, d).columns) for d in DATASET_NAMES}
    best = max(scores.values())
    winners = [d for d, n in scores.items() if n == best]
    if best == 0 or len(winners) > 1:
        raise CheckFailed(
            "无法从表头判断文件是行政许可、行政处罚还是信用名单；请用 --dataset license|penalty|credit_list 指定"
        )
    return winners[0]


def run_check(path: Path, dataset: str | None, reported_on: date, progress: bool = False) -> CheckResult:
    """Read, normalize and validate a department file; CheckFailed when it cannot be read."""
    from citycredit import normalize, readers, validation

    try:
        if not path.is_file():
            raise CheckFailed("找不到文件，或者它不是一个文件：请检查文件路径")
        if dataset is None:
            dataset = detect_dataset(readers.open_table(path).headers)
        table = readers.open_table(path, dataset=dataset)
        header_map = normalize.map_headers(table.headers, dataset)
        missing = tuple(header_map.missing_required)
        validator = validation.Validator(dataset)
        parts, rows = [], 0
        with _progress(path, table, progress) as bar:
            for raw in table.chunks():
                frame = normalize.normalize_frame(raw, dataset, header_map)
                frame["_reported_on"] = reported_on.isoformat()
                parts.append(validator.validate(frame, missing)[0])
                rows += len(frame)
                bar.update(len(frame))
    except readers.UnreadableFile as exc:
        raise CheckFailed(exc.reason) from exc
    except OSError as exc:
        raise CheckFailed(f"无法读取文件：{exc.strerror or '读取出错'}") from exc
    parts.append(validator.finish(missing)[0])
    if missing:
        parts.append(validator.missing_column_findings(missing))
    findings = pd.concat([p for p in parts if not p.empty] or [parts[0]], ignore_index=True)
    notes = list(table.notes)
    if header_map.unknown:
        notes.append("以下列不属于国家标准字段，未检查：" + "、".join(header_map.unknown))
    return CheckResult(str(path), dataset, rows, findings, notes)


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


def _progress(path: Path, table, enabled: bool):
    """A tqdm bar on stderr for large files (rows estimated from line breaks in text files)."""
    size = path.stat().st_size
    if not enabled or size < PROGRESS_MIN_BYTES:
        return _NoBar()
    from tqdm import tqdm

    total = None
    if table.format != "xlsx":
        with path.open("rb") as fh:
            total = max(sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b"")) - table.header_row, 0)
    return tqdm(total=total, unit="行", desc="检查进度", file=sys.stderr, leave=False, dynamic_ncols=True)


def verdict(result: CheckResult) -> str:
    f = result.findings
    error_rows = f.loc[(f["severity"] == "error") & f["source_row"].notna(), "source_row"].nunique()
    warning_rows = f.loc[(f["severity"] == "warning"), "source_row"].dropna().nunique()
    file_errors = int(((f["severity"] == "error") & f["source_row"].isna()).sum())
    name = DATASET_NAMES[result.dataset]
    if result.errors == 0:
        tail = f"，其中{warning_rows}条有警告（可以入库，请核实）" if warning_rows else ""
        return f"检查通过：{name}共{result.rows}条记录，没有错误{tail}。"
    head = f"文件有{file_errors}个整体问题（所有记录均无法入库）；" if file_errors else ""
    return (
        f"检查未通过：{head}{name}共{result.rows}条记录，{error_rows}条有错误（不能入库，请修改后重新报送），"
        f"{warning_rows}条有警告；共{result.errors}个错误、{len(f) - result.errors}个警告。"
    )


def render_table(result: CheckResult) -> str:
    from citycredit.cli import text_table

    rows = [
        {
            "row": "整个文件" if pd.isna(f.source_row) else int(f.source_row),
            "field": "" if pd.isna(f.label) else f.label,
            "severity": SEVERITY_NAMES[f.severity],
            "category": CATEGORY_NAMES[f.category],
            "rule": f.rule_id,
            "message": f.message,
        }
        for f in _ordered(result.findings).itertuples(index=False)
    ]
    columns = [
        ("row", "行号"),
        ("field", "字段"),
        ("severity", "级别"),
        ("category", "类别"),
        ("rule", "规则"),
        ("message", "说明"),
    ]
    return text_table(rows, columns)


def _reported_on(text: str) -> date:
    import argparse

    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"报送日期 {text!r} 格式不正确，应为 YYYY-MM-DD，例如 2025-09-30") from None


def cmd_check(args) -> int:
    privacy.install_log_masking()
    reported_on = args.reported_on or datetime.now(CITY_TZ).date()
    try:
        result = run_check(args.file, args.dataset, reported_on, progress=not args.json)
    except CheckFailed as exc:
        print(privacy.mask_ids_in_text(f"无法检查文件 {args.file}：{exc.reason}"), file=sys.stderr)
        return EXIT_UNREADABLE
    if args.json:
        text = json.dumps(result.as_json(), ensure_ascii=False)  # no indent: the C encoder, fast on 10⁶ findings
    else:
        lines = [
            f"文件：{result.file}",
            f"类型：{DATASET_NAMES[result.dataset]}（{result.dataset}），报送日期按 {reported_on} 计",
        ]
        lines += [f"注意：{note}" for note in result.notes]
        if not result.findings.empty:
            lines += ["", render_table(result)]
        lines += ["", verdict(result)]
        text = "\n".join(lines)
    print(privacy.mask_ids_in_text(text))
    return EXIT_ERRORS if result.errors else EXIT_OK


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "check",
        help="self-check a department file with the national rules (no warehouse needed)",
        description="用与市信用平台相同的规则检查一个报送文件（CSV或XLSX），不需要连接数据仓库。",
    )
    p.add_argument("file", type=Path, help="the CSV or XLSX file to check")
    p.add_argument("--dataset", choices=list(DATASET_NAMES), help="default: detected from the headers")
    p.add_argument("--reported-on", type=_reported_on, help="reporting date YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    p.set_defaults(func=cmd_check)
