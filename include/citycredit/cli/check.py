"""``citycredit check FILE``: a department clerk's self-check, in Chinese; no warehouse needed.

Output: a Chinese summary per rule (rule, field, count, first rows), the table of findings and a one-line verdict,
or with ``--json`` one object ``{"file", "dataset", "rows", "summary": [{"rule", "field", "category", "severity",
"count", "first_rows"}], "findings": [{"row", "field", "rule", "category", "severity", "message"}]}`` (a
``first_rows`` or ``row`` of null: the whole file).
With ``--out FILE.xlsx`` also the annotated workbook (citycredit.publish.check_workbook): every row as sent with
its findings, and the summary.
Exit status: 0 no error, 1 errors, 2 the file cannot be read (a Chinese reason, never a traceback; so is a file
too large for the computer's memory), or the workbook cannot be written.
Findings carry row numbers, never values; everything printed goes through ``privacy.mask_ids_in_text``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from citycredit.cli.output import text_table
from citycredit.core import city, privacy
from citycredit.validate.selfcheck import (
    CATEGORY_NAMES,
    DATASET_NAMES,
    SEVERITY_NAMES,
    CheckFailed,
    CheckResult,
    in_reading_order,
    run_check,
)

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
OUT_OF_MEMORY = "内存不足，文件（或其中某个单元格）太大，这台电脑读不下；请把文件拆成几个较小的文件分别检查"
PROGRESS_MIN_BYTES = 2 * 1024 * 1024  # smaller files finish before a progress bar would help


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


def _progress(path: Path, table):
    """A tqdm bar on stderr for large files (rows estimated from line breaks in text files)."""
    size = path.stat().st_size
    if size < PROGRESS_MIN_BYTES:
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


def render_summary(result: CheckResult) -> str:
    rows = [
        {
            "rule": r["rule"],
            "field": r["field"] or "",
            "severity": SEVERITY_NAMES[r["severity"]],
            "category": CATEGORY_NAMES[r["category"]],
            "count": r["count"],
            "rows": "、".join("整个文件" if n is None else str(n) for n in r["first_rows"])
            + ("等" if r["count"] > len(r["first_rows"]) else ""),
        }
        for r in result.summary()
    ]
    columns = [
        ("rule", "规则"),
        ("field", "字段"),
        ("severity", "级别"),
        ("category", "类别"),
        ("count", "次数"),
        ("rows", "最先出现的行"),
    ]
    return text_table(rows, columns)


def render_table(result: CheckResult) -> str:
    rows = [
        {
            "row": "整个文件" if pd.isna(f.source_row) else int(f.source_row),
            "field": "" if pd.isna(f.label) else f.label,
            "severity": SEVERITY_NAMES[f.severity],
            "category": CATEGORY_NAMES[f.category],
            "rule": f.rule_id,
            "message": f.message,
        }
        for f in in_reading_order(result.findings).itertuples(index=False)
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
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"报送日期 {text!r} 格式不正确，应为 YYYY-MM-DD，例如 2025-09-30") from None


def cmd_check(args) -> int:
    privacy.install_log_masking()
    reported_on = args.reported_on or city.today()
    try:
        result = run_check(args.file, args.dataset, reported_on, progress=None if args.json else _progress)
    except CheckFailed as exc:
        print(privacy.mask_ids_in_text(f"无法检查文件 {args.file}：{exc.reason}"), file=sys.stderr)
        return EXIT_UNREADABLE
    except MemoryError:  # what was read is freed as the error unwinds, so the reason can still be printed
        print(privacy.mask_ids_in_text(f"无法检查文件 {args.file}：{OUT_OF_MEMORY}"), file=sys.stderr)
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
            lines += ["", "按规则汇总：", render_summary(result), "", "逐条明细：", render_table(result)]
        lines += ["", verdict(result)]
        text = "\n".join(lines)
    print(privacy.mask_ids_in_text(text))
    if args.out is not None:
        from citycredit.publish import check_workbook  # only here: the check itself stays quick to start

        try:
            check_workbook.write(result, args.file, args.out)
        except OSError as exc:
            print(f"无法写入标注工作簿 {args.out}：{exc.strerror or exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        print(f"标注工作簿：{args.out}（每行的检查结果和问题说明）", file=sys.stderr)
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
    p.add_argument(
        "--out", type=Path, metavar="FILE.xlsx", help="also write the annotated workbook: every row with its findings"
    )
    p.set_defaults(func=cmd_check)
