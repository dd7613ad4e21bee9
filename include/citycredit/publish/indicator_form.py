"""The month's 城市信用指标数据反馈表 (XLSX), the city's and one per department: every item of the configured
version (citycredit.publish.form_config), prefilled with the value of the indicators that answer it (numerator,
denominator, value as computed into mart.indicator_values: the city's, or the department's own), each with its
口径说明 and the document and item its definition comes from; the items the data cannot answer are left empty,
marked 待人工填报 and highlighted. Indicators no item lists follow in an appendix, so every computed one shows."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from citycredit.core import city
from citycredit.core.months import month_start
from citycredit.feeds import registry
from citycredit.indicators import compute, definitions
from citycredit.publish import cells, form_config, monthly

HEADERS = ["序号", "类别", "指标项", "指标", "填报值", "分子", "分母", "填报方式", "口径说明", "定义来源"]
HEADER_ROW = 6  # the rows above it: title, 填报单位, 统计期 and deadline, 依据, 报送要求
PREFILLED, MANUAL, NO_DATA = "系统预填（数据仓库）", "待人工填报", "系统预填：本月无数据，请核实"
NO_DEPARTMENT_DATA = "系统预填：本单位本月无数据，请核实"
CITY_ONLY = "全市指标，由市信用办汇总填报"
APPENDIX_NUMBER, APPENDIX_GROUP = "附", "其他系统计算指标（未列入本表项目）"
NO_EXPLANATION = "口径说明待补充，见定义来源"
ENTRY_FILL = "FFF2CC"
Values = dict[tuple[str, str | None], dict[str, dict]]  # (scope, scope_id) -> indicator -> mart row

form = form_config.form  # the current version (tests and the report read it here)
explanation = form_config.explanation
citation = form_config.citation


def file_name(month: date, department: str | None = None) -> str:
    return f"城市信用指标数据反馈表_{department + '_' if department else ''}{month_start(month):%Y-%m}.xlsx"


def month_values(engine: sa.Engine, month: str | date) -> Values:
    """The month's values under dataset 'all' (where every output reads them), by scope."""
    values: Values = {}
    for v in compute.month_values(engine, month):
        if v["dataset"] == "all":
            values.setdefault((v["scope"], v["scope_id"] if v["scope"] != "city" else None), {})[v["indicator"]] = v
    return values


def _per_department(values: Values) -> set[str]:
    return {ind for (scope, _), by in values.items() if scope == "department" for ind in by}


def _line(number: str, group: str, item: str, ind: str, values: Values, department: str | None) -> dict:
    d = definitions.definition(ind)
    own = values.get(("department", department) if department else ("city", None), {}).get(ind) or {}
    if own.get("value") is not None:
        how = PREFILLED
    elif department is None:
        how = NO_DATA
    else:
        how = NO_DEPARTMENT_DATA if ind in _per_department(values) else CITY_ONLY
    return {
        "no": number,
        "group": group,
        "item": item,
        "id": ind,
        "name": d.name,
        "value": own.get("value") if how == PREFILLED else None,
        "numerator": own.get("numerator") if how == PREFILLED else None,
        "denominator": own.get("denominator") if how == PREFILLED else None,
        "how": how,
        "source": explanation(ind) or NO_EXPLANATION,
        "citation": citation(ind),
        "format": form()["number_formats"].get(ind) or ("0" if d.denominator is None else "0.00%"),
    }


def rows(
    engine: sa.Engine, month: str | date, department: str | None = None, values: Values | None = None
) -> list[dict]:
    """The form's lines (the city's, or the department's): one per indicator of an item, one per item without
    indicators, then one per indicator no item lists (APPENDIX_NUMBER)."""
    values = month_values(engine, month) if values is None else values
    lines = []
    for item in form()["items"]:
        if not item["indicators"]:
            lines.append({"no": item["number"], "group": item["group"], "item": item["name"], "name": None,
                          "how": MANUAL})  # fmt: skip
        for ind in item["indicators"]:
            lines.append(_line(item["number"], item["group"], item["name"], ind, values, department))
    listed = {ind for item in form()["items"] for ind in item["indicators"]}
    for ind in definitions.definitions():
        if ind not in listed:
            lines.append(_line(APPENDIX_NUMBER, APPENDIX_GROUP, definitions.definition(ind).name, ind, values,
                               department))  # fmt: skip
    return lines


def period_text(month: str | date) -> str:
    """统计期：2025年9月1日至9月30日；报送截止：2025年10月20日17:00（北京时间）"""
    first, last, due = form_config.period(month)
    local = due.astimezone(city.timezone())
    return (
        f"统计期：{first.year}年{first.month}月1日至{last.month}月{last.day}日；"
        f"报送截止：{local.year}年{local.month}月{local.day}日{local:%H:%M}（{monthly.zone_name()}）"
    )


def heading(month: str | date, department: str | None = None) -> list[str]:
    """The lines above the table, as a clerk reads them."""
    spec, first = form(), month_start(month)
    reg = registry.load()
    unit = reg.department(department).name if department else reg.city.get("name", "")
    scope = spec["scope"]["department" if department else "city"]
    system, document = spec["indicator_system"], spec["document"]
    return [
        f"{spec['title']}（{first.year}年{first.month}月）",
        f"填报单位：{unit}；填报范围：{scope}",
        period_text(first),
        f"依据：{document['number']}《{document['name']}》{document['attachment']}；指标体系：{system['name']}，"
        f"序号同{system['numbered_by']}",
        f"报送要求：{spec['wording']}。黄色单元格待人工填报。",
    ]


def write(
    engine: sa.Engine,
    month: str | date,
    target: Path,
    department: str | None = None,
    values: Values | None = None,
) -> Path:
    """Write the city's form (or the department's) into target; returns its path."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    first = month_start(month)
    wb = Workbook()
    ws: Any = wb.active
    ws.title = f"{first:%Y-%m}"
    for text in heading(first, department):
        cells.append_row(ws, [text])
    ws["A1"].font = Font(bold=True, size=14)
    cells.append_row(ws, HEADERS)
    for cell in ws[HEADER_ROW]:
        cell.font = Font(bold=True)
    fill = PatternFill("solid", fgColor=ENTRY_FILL)
    for line in rows(engine, first, department, values):
        value = line.get("value")
        cells.append_row(
            ws,
            [line["no"], line["group"], line["item"], line.get("name"), _plain(value), _plain(line.get("numerator")),
             _plain(line.get("denominator")), line["how"], line.get("source"), line.get("citation")],
        )  # fmt: skip
        row = ws[ws.max_row]
        if value is not None:
            row[4].number_format = line["format"]
        if line["how"] in (MANUAL, NO_DATA, NO_DEPARTMENT_DATA):
            row[4].fill = fill
        for cell in row[8:10]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.append([])
    cells.append_row(ws, [NOTE])
    for column, width in zip("ABCDEFGHIJ", (12, 18, 40, 32, 14, 12, 12, 26, 50, 30), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    target.mkdir(parents=True, exist_ok=True)
    path = target / file_name(first, department)
    wb.save(path)
    return path


NOTE = (
    "注：填报值、分子、分母由数据仓库按统计期计算预填，请核实；“口径说明”为计算口径，“定义来源”为该口径所依据的文件及项目序号；"
    "“全市指标”只按全市计算，部门表不填；序号“附”为系统已计算、本表项目未列出的指标，供参考。"
)


def write_departments(engine: sa.Engine, month: str | date, folders: dict[str, Path]) -> dict[str, Path]:
    """Each department's form, into its folder (folders: department id -> folder, e.g. beside its feedback
    workbook); returns department id -> path."""
    values = month_values(engine, month)
    return {dept: write(engine, month, folder, dept, values) for dept, folder in folders.items()}


def indicator_table(engine: sa.Engine, month: str | date) -> list[dict]:
    """Every indicator with its city value and the departments' values, 口径说明 and 定义来源, in form order (the
    report's appendix)."""
    values = month_values(engine, month)
    names = {d.id: d.name for d in registry.load().departments}
    table = []
    for line in rows(engine, month, None, values):
        if not line.get("name"):
            continue
        ind = line["id"]
        city_value = {**monthly.EMPTY, **(values.get(("city", None), {}).get(ind) or {})}
        by_department = [
            {"name": names.get(scope_id or "", scope_id), **by[ind]}
            for (scope, scope_id), by in sorted(values.items(), key=lambda kv: str(kv[0][1]))
            if scope == "department" and ind in by and by[ind]["value"] is not None
        ]
        kind = "rate" if definitions.definition(ind).unit == "percent" else "count"
        table.append({**line, "kind": kind, "city": city_value, "departments": by_department})
    return table


def _plain(value):
    return None if value is None else float(value)
