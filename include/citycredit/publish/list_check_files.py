"""The files of a 联合奖惩 核查: the list of subjects a department sends (CSV or XLSX) and the result workbook.

The input is read with the pipeline's own readers (normalize.readers.open_table: GBK or UTF-8 CSV, XLSX, a title
row above the header, blank rows), so it may be any export of a department's system: the columns are found by
header, as the credit-list feeds' are (fields.yaml credit_list: 统一社会信用代码, 名称 / 主体名称 / 企业名称, 证件号码
and their aliases); other columns are ignored. A row gives a subject by its code (统一社会信用代码, else 证件号码)
and/or its name; a row with neither is no subject.

The result workbook has one row per subject asked, in the order asked; a subject on several lists has one line per
listing in its cells. Every cell goes through publish.cells (身份证 numbers masked, no formula, no character a
workbook cannot hold).
"""

from __future__ import annotations

from pathlib import Path

from citycredit.normalize import headers
from citycredit.normalize.readers import UnreadableFile, open_table
from citycredit.publish import cells
from citycredit.publish.list_check import Answer, Report
from citycredit.publish.list_check_subjects import Subject, subjects_of

INPUT_DATASET = "credit_list"  # whose header labels and aliases name the columns
CODE, ID_NUMBER, NAME = "md_shxym", "md_zjhm", "md_zt_mc"
SHEET = "核查结果"
COLUMNS = ["序号", "查询名称", "查询代码", "核查结果", "名单类别", "列入日期", "认定单位", "适用措施", "核查日期",
           "说明"]  # fmt: skip
WIDTHS = [6, 30, 22, 10, 34, 12, 28, 60, 12, 50]


def read_subjects(path: Path) -> list[Subject]:
    """The subjects of a CSV or XLSX file, in its row order. Raises `UnreadableFile` with a Chinese reason."""
    table = open_table(path, dataset=INPUT_DATASET)
    found: dict[str, str] = {}
    for header in table.headers:
        name = headers.match(header, INPUT_DATASET)
        if name in (CODE, ID_NUMBER, NAME):
            found.setdefault(name, header)
    if not found:
        raise UnreadableFile(
            "文件中没有可识别的统一社会信用代码列或名称列：表头应有“统一社会信用代码”“名称”“主体名称”“企业名称”"
            f"“证件号码”之一；读到的表头：{'、'.join(str(h) for h in table.headers) or '（无）'}"
        )
    pairs = []
    for chunk in table.chunks():
        columns = {name: chunk[header].tolist() for name, header in found.items()}
        empty = [None] * len(chunk)
        for code, id_number, name in zip(
            columns.get(CODE, empty), columns.get(ID_NUMBER, empty), columns.get(NAME, empty), strict=True
        ):
            pairs.append((_text(code) or _text(id_number), _text(name)))
    return subjects_of(pairs)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _row(answer: Answer) -> list:
    measures = [line for g in answer.measure_groups() for line in (f"{g.title}：", *g.lines())]
    return [
        answer.position,
        answer.asked.name,
        answer.asked.shown_code,
        answer.result_name,
        "\n".join(x.kind_label for x in answer.listings) or None,
        "\n".join(x.listed_on.isoformat() for x in answer.listings) or None,
        "\n".join(x.authority for x in answer.listings) or None,
        "\n".join(measures) or None,
        answer.as_of.isoformat(),
        answer.message,
    ]


def write_workbook(report: Report, path: Path) -> Path:
    """The result workbook at `path`: sheet 核查结果, a header row and one row per subject asked."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    cells.append_row(ws, COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for answer in report.answers:
        cells.append_row(ws, _row(answer))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
