"""The annotated workbook of a department's self-check (`citycredit check --out`, the web self-check's download):
the file's rows as the department sent them, each with its findings, so the clerk corrects them in one place.

Sheets, in Chinese: 检查结果 (the verdict, what concerns the whole file, and the findings per rule and field, as
`citycredit check` summarises them) and 逐行标注 (源行号, 检查结果, 问题说明, then every column of the file). Every
cell goes through citycredit.publish.cells (no formula, 身份证 numbers masked, unwritable characters shown). The
rows are streamed (openpyxl write-only): the file is read twice, first for its columns (cells beyond the header
appear as 第N列 only where they occur), never held whole in memory.
"""

from __future__ import annotations

from pathlib import Path

from citycredit.normalize import readers, standardize
from citycredit.publish import cells
from citycredit.publish.feedback import finding_text, missing
from citycredit.validate import selfcheck


def file_name(source: str) -> str:
    """What the download is called: the checked file's name with 自查标注 before its suffix, always .xlsx."""
    return f"{Path(source).stem}_自查标注.xlsx"


def write(result: selfcheck.CheckResult, source: Path, target: Path, shown_name: str | None = None) -> Path:
    """Write the annotated workbook of `result`, the check of the file `source`, to `target`."""
    from openpyxl import Workbook

    f = selfcheck.in_reading_order(result.findings)
    per_row: dict[int, list[dict]] = {}
    for finding in f[f["source_row"].notna()].to_dict("records"):
        per_row.setdefault(int(finding["source_row"]), []).append(finding)
    whole_file = [finding_text(x) for x in f[f["source_row"].isna()].to_dict("records")]

    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:  # opened first: a target that cannot be written stops before any streaming
        wb = Workbook(write_only=True)
        _fill(wb, result, source, shown_name or source.name, per_row, whole_file)
        wb.save(out)
    return target


def _fill(wb, result: selfcheck.CheckResult, source: Path, name: str, per_row: dict, whole_file: list[str]) -> None:
    _summary(wb.create_sheet("检查结果"), result, name, whole_file)
    table = readers.open_table(source, dataset=result.dataset)
    headers = _columns(table)
    mapping = standardize.map_headers(list(table.headers), result.dataset).columns
    ids = frozenset(i + 3 for i, h in enumerate(headers) if cells.is_id_column(mapping.get(h)))
    ws = wb.create_sheet("逐行标注")
    cells.append_row(ws, ["源行号", "检查结果", "问题说明", *headers])
    for chunk in table.chunks():
        for values in chunk.to_dict("records"):
            row = int(values["_source_row"])
            found = per_row.get(row, [])
            verdict = "错误" if any(x["severity"] == "error" for x in found) else "警告" if found else "通过"
            sent = [None if missing(values.get(h)) else values.get(h) for h in headers]
            cells.append_row(ws, [row, verdict, "；".join(finding_text(x) for x in found), *sent], ids)


def _columns(table) -> list[str]:
    """The file's header, then the columns beyond it in the order they first hold a value."""
    headers = list(table.headers)
    for chunk in table.chunks():
        headers += [c for c in chunk.columns if c != "_source_row" and c not in headers]
    return headers


def _summary(ws, result: selfcheck.CheckResult, name: str, whole_file: list[str]) -> None:
    label = selfcheck.DATASET_NAMES[result.dataset]
    cells.append_row(ws, [f"文件：{name}（{label}）"])
    warnings = len(result.findings) - result.errors
    cells.append_row(ws, [f"共 {result.rows} 条记录；{result.errors} 个错误、{warnings} 个警告"])
    for note in result.notes:
        cells.append_row(ws, [note])
    for text in whole_file:
        cells.append_row(ws, [f"整个文件：{text}"])
    cells.append_row(ws, [])
    cells.append_row(ws, ["规则", "字段", "类别", "级别", "数量", "首见行"])
    for r in result.summary():
        first = "、".join("整个文件" if n is None else str(n) for n in r["first_rows"])
        category = selfcheck.CATEGORY_NAMES[r["category"]]
        cells.append_row(ws, [r["rule"], r["field"], category, selfcheck.SEVERITY_NAMES[r["severity"]], r["count"],
                              first])  # fmt: skip
