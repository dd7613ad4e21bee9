"""Each department's feedback workbook for a month: what it sent that was rejected, why, and its warnings.

Sheets:
- 汇总: the department's files of the month (received, loaded, rejected, duplicate rows; unreadable files with the
  reason), its 准确率 and 迟报率, and how often each rule failed;
- 退回_<file>: per file with rejected rows (named after the file, see sheet_title), those rows exactly as the
  department sent them (its own header row, re-read from the stored file) with the source row number and a column
  of findings;
- 警告: the warnings on loaded rows (late reports, suspicious values), by file and source row.
Department text is neutralized (= + - @) and 身份证 numbers are masked (citycredit.publish.cells).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import config
from citycredit.core.months import month_start
from citycredit.feeds import registry
from citycredit.indicators import compute, periods
from citycredit.normalize import readers, standardize
from citycredit.publish import cells, monthly

log = logging.getLogger(__name__)

SUMMARY, WARNINGS, REJECTED_PREFIX = "汇总", "警告", "退回_"
SHEET_TITLE_MAX = 31
UNSAFE_IN_TITLE = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
STATUS = {"loaded": "已入库", "rejected": "无法读取", "landed": "待处理", "normalized": "待校验", "validated": "待入库"}


def sheet_title(source_name: str, taken: Sequence[str]) -> str:
    """退回_<the file's name without extension>, as Excel allows a sheet name: at most 31 characters, none of
    [ ] : * ? / \\ or control characters, no apostrophe at either end, and unlike every name in ``taken`` (Excel
    compares them ignoring case): a (2), (3), ... suffix tells apart files whose names agree that far."""
    stem = os.path.splitext(source_name)[0] or source_name
    base = REJECTED_PREFIX + (UNSAFE_IN_TITLE.sub("_", stem).strip("' ") or "文件")
    used = {t.casefold() for t in taken}
    title, n = _fit(base, SHEET_TITLE_MAX), 1
    while title.casefold() in used:
        n += 1
        title = _fit(base, SHEET_TITLE_MAX - len(f"({n})")) + f"({n})"
    return title


def _fit(text: str, limit: int) -> str:
    """The longest start of text within limit UTF-16 units (how Excel counts a sheet name's length)."""
    while len(text.encode("utf-16-le")) // 2 > limit:
        text = text[:-1]
    return text


def file_name(department_id: str, month: date) -> str:
    return f"数据质量反馈_{department_id}_{month:%Y-%m}.xlsx"


def _findings(conn: sa.Connection, batch_ids: list[int], severity: str | None = None) -> list[dict]:
    return monthly.query(
        conn,
        "SELECT f.batch_id, f.source_row, f.rule_id, f.label, f.severity, f.message FROM quality.findings f"
        " WHERE f.batch_id = ANY(:ids) AND (CAST(:sev AS text) IS NULL OR f.severity = :sev)"
        " ORDER BY f.batch_id, f.source_row NULLS FIRST, f.severity, f.rule_id",
        {"ids": batch_ids, "sev": severity},
    )


def finding_text(f: dict) -> str:
    kind = "错误" if f["severity"] == "error" else "警告"
    return f"[{kind}] {f['message']}（{f['rule_id']}）"


def _raw_rows(batch: dict, wanted: set[int]) -> tuple[list[str], dict[int, list]] | None:
    """The header and the wanted rows of the stored file, as the department sent them (cells beyond the header
    as "第N列"); None when the stored file cannot be read any more."""
    feed = next((f for f in registry.load().feeds if f.id == batch["feed_id"]), None)
    try:
        table = readers.open_table(
            Path(batch["stored_path"]), dataset=batch["dataset"], encoding_hint=feed.encoding if feed else None
        )
        found: dict[int, dict] = {}
        headers = list(table.headers)
        for chunk in table.chunks():
            hit = chunk[chunk["_source_row"].isin(wanted)]
            headers += [c for c in hit.columns if c != "_source_row" and c not in headers]
            for values in hit.to_dict("records"):
                found[int(values.pop("_source_row"))] = values
    except (OSError, readers.UnreadableFile) as exc:
        log.warning("batch %s: stored file not readable for feedback (%s)", batch["batch_id"], exc)
        return None
    return headers, {row: [None if missing(v.get(h)) else v.get(h) for h in headers] for row, v in found.items()}


def missing(value) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _rejected_sheet(wb, conn: sa.Connection, batch: dict, findings: list[dict]) -> int:
    quarantined = monthly.query(
        conn,
        "SELECT source_row, row_data FROM quality.quarantine WHERE batch_id = :b ORDER BY source_row",
        {"b": batch["batch_id"]},
    )
    if not quarantined:
        return 0
    by_row: dict[int | None, list[str]] = {}
    for f in findings:
        by_row.setdefault(f["source_row"], []).append(finding_text(f))
    # A file-level warning (an unknown column) is not why a row was sent back; a missing column is.
    file_level = [finding_text(f) for f in findings if f["source_row"] is None and f["severity"] == "error"]
    ws = wb.create_sheet(sheet_title(batch["source_name"], wb.sheetnames))
    cells.append_row(
        ws,
        [f"文件：{batch['source_name']}（{monthly.dataset_label(batch['dataset'])}）；"
         f"接收时间：{monthly.local_time(batch['received_at'])}"],
    )  # fmt: skip
    raw = _raw_rows(batch, {q["source_row"] for q in quarantined})
    if raw is not None:
        headers, rows = raw
        mapping = standardize.map_headers(headers, batch["dataset"]).columns
        canonical: Sequence[str | None] = [mapping.get(h) for h in headers]
        note = "以下为报送时的原始内容"
    else:
        canonical = config.field_names(batch["dataset"])
        headers = [config.label(batch["dataset"], c) for c in canonical]
        rows = {q["source_row"]: [q["row_data"].get(c) for c in canonical] for q in quarantined}
        note = "原始文件已不可读，以下为规范化后的内容"
    cells.append_row(ws, [note])
    cells.append_row(ws, ["源行号", "问题说明", *headers])
    ids = frozenset(i + 2 for i, c in enumerate(canonical) if cells.is_id_column(c))
    for q in quarantined:
        problems = "；".join(file_level + by_row.get(q["source_row"], [])) or "未记录原因"
        cells.append_row(ws, [q["source_row"], problems, *rows.get(q["source_row"], [])], ids)
    ws.freeze_panes = "C4"
    return len(quarantined)


def _summary(ws, dept: registry.Department, first: date, batches: list[dict], values: dict, rules: list[dict]):
    cells.append_row(ws, [f"{dept.name} {first:%Y年%m月} 数据质量反馈"])
    cells.append_row(ws, ["报送截止时间", monthly.local_time(periods.reporting_deadline(first))])
    cells.append_row(ws, ["双公示准确率", *_rate(values.get("shuanggongshi_accuracy"))])
    cells.append_row(ws, ["双公示迟报率", *_rate(values.get("shuanggongshi_late"))])
    ws.append([])
    cells.append_row(ws, [f"{first:%Y年%m月}接收的文件"])
    received = f"接收时间（{monthly.zone_name()}）"
    cells.append_row(ws, ["文件", "数据类型", received, "状态", "接收", "入库", "退回", "重复", "带警告", "说明"])
    for b in batches:
        cells.append_row(
            ws,
            [b["source_name"], monthly.dataset_label(b["dataset"]), monthly.local_time(b["received_at"], named=False),
             STATUS.get(b["status"], b["status"]), b["received"], b["loaded"], b["quarantined"], b["duplicate"],
             b["with_warnings"], b["status_reason"]],
        )  # fmt: skip
    if not batches:
        cells.append_row(ws, ["本月未收到该部门报送的文件"])
    ws.append([])
    cells.append_row(ws, ["规则", "说明", f"失败次数（{first:%Y年%m月}接收的文件）"])
    for r in rules:
        cells.append_row(ws, [r["rule_id"], r["message"], int(r["failed"])])
    if not rules:
        cells.append_row(ws, ["本月无规则失败"])
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 40


def _rate(value) -> list:
    return ["无数据"] if value is None else [f"{float(value) * 100:.1f}%"]


def write_department(engine: sa.Engine, dept: registry.Department, month: str | date, target: Path) -> Path:
    """The department's workbook for the month at target/<file_name>."""
    from openpyxl import Workbook

    first = month_start(month)
    params = periods.month_params(first)
    values = {
        v["indicator"]: v["value"]
        for v in compute.month_values(engine, first)
        if v["scope"] == "department" and v["scope_id"] == dept.id and v["dataset"] == "all"
    }
    wb = Workbook()
    with engine.connect() as conn:
        batches = monthly.query(
            conn,
            "SELECT b.*, a.received, a.loaded, a.quarantined, a.duplicate, a.with_warnings"
            " FROM landing.batches b LEFT JOIN quality.batch_accounting a USING (batch_id)"
            " WHERE b.department_id = :d AND b.received_at >= :start AND b.received_at < :end"
            " ORDER BY b.received_at, b.batch_id",
            {**params, "d": dept.id},
        )
        rules = monthly.failing_rules(conn, params).get(dept.id, [])
        _summary(wb.active, dept, first, batches, values, rules)
        wb.active.title = SUMMARY
        ids = [b["batch_id"] for b in batches]
        findings = _findings(conn, ids)
        for b in batches:
            own = sorted((f for f in findings if f["batch_id"] == b["batch_id"]), key=lambda f: f["severity"])
            _rejected_sheet(wb, conn, b, own)
    warnings = wb.create_sheet(WARNINGS)
    cells.append_row(warnings, ["文件", "源行号", "字段", "规则", "说明"])
    names = {b["batch_id"]: b["source_name"] for b in batches}
    loaded_warnings = [f for f in findings if f["severity"] == "warning"]
    for f in loaded_warnings:
        cells.append_row(warnings, [names[f["batch_id"]], f["source_row"], f["label"], f["rule_id"], f["message"]])
    if not loaded_warnings:
        cells.append_row(warnings, ["本月无警告"])
    target.mkdir(parents=True, exist_ok=True)
    path = target / file_name(dept.id, first)
    wb.save(path)
    return path


def write_all(engine: sa.Engine, month: str | date, root: Path) -> dict[str, Path]:
    """Every department's workbook under root/<dept id>/; {department id: path}."""
    return {d.id: write_department(engine, d, month, root / d.id) for d in registry.load().departments}
