"""The month's 城市信用指标数据反馈表 (XLSX): every item of indicator_form.yaml, prefilled with the city's value
of the indicators that answer it (numerator, denominator, value as computed into mart.indicator_values), and the
items the data cannot answer left empty, marked 待人工填报 and highlighted for the responsible department."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa

from citycredit.core import config
from citycredit.core.months import month_start
from citycredit.indicators import compute, definitions, periods
from citycredit.publish import cells, monthly

FORM_FILE = Path(__file__).with_name("indicator_form.yaml")
HEADERS = ["序号", "指标", "指标项", "填报值", "分子", "分母", "填报方式", "口径说明"]
PREFILLED, MANUAL, NO_DATA = "系统预填（数据仓库）", "待人工填报", "系统预填：本月无数据，请核实"
ENTRY_FILL = "FFF2CC"


@functools.cache
def form() -> dict:
    raw = cast("dict[str, Any]", config.load_yaml(FORM_FILE.name, FORM_FILE.parent))  # the package's own file
    known = definitions.definitions()
    texts = raw.get("explanations") or {}
    for i, item in enumerate(raw.get("items") or []):
        for ind in item.get("indicators") or []:
            if ind not in known:
                raise config.ConfigError(f"{FORM_FILE.name}: items[{i}]: unknown indicator {ind!r}")
            if not texts.get(ind):
                raise config.ConfigError(f"{FORM_FILE.name}: explanations.{ind}: missing")
    for ind, text in texts.items():
        if ind not in known:
            raise config.ConfigError(f"{FORM_FILE.name}: explanations: unknown indicator {ind!r}")
        try:
            str(text).format(**known[ind].params)
        except (KeyError, IndexError, ValueError) as exc:
            raise config.ConfigError(f"{FORM_FILE.name}: explanations.{ind}: not a text of its params: {exc}") from None
    return raw


def explanation(indicator: str) -> str:
    """The indicator's 口径说明 as the form states it, its params filled in."""
    return str(form()["explanations"][indicator]).format(**definitions.definition(indicator).params)


def file_name(month: date) -> str:
    return f"城市信用指标数据反馈表_{month:%Y-%m}.xlsx"


def _number_format(definition: definitions.Definition, formats: dict) -> str:
    if definition.id in formats:
        return formats[definition.id]
    return "0" if definition.denominator is None else "0.00%"


def rows(engine: sa.Engine, month: str | date) -> list[dict]:
    """The form's lines: one per indicator of an item, one per item without indicators."""
    spec = form()
    values = {
        v["indicator"]: v
        for v in compute.month_values(engine, month)
        if v["scope"] == "city" and v["dataset"] == "all"
    }
    lines = []
    for item in spec["items"]:
        if not item.get("indicators"):
            lines.append({"no": item["number"], "item": item["name"], "name": None, "how": MANUAL})
            continue
        for ind in item["indicators"]:
            d = definitions.definition(ind)
            v = values.get(ind) or {}
            lines.append(
                {
                    "no": item["number"],
                    "item": item["name"],
                    "name": d.name,
                    "value": v.get("value"),
                    "numerator": v.get("numerator"),
                    "denominator": v.get("denominator"),
                    "how": PREFILLED if v.get("value") is not None else NO_DATA,
                    "source": explanation(d.id),
                    "format": _number_format(d, spec.get("number_formats") or {}),
                }
            )
    return lines


def write(engine: sa.Engine, month: str | date, target: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    first = month_start(month)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{first:%Y-%m}"
    cells.append_row(ws, [f"{form()['title']}（{first:%Y年%m月}）"])
    ws["A1"].font = Font(bold=True, size=14)
    deadline = periods.reporting_deadline(first)
    cells.append_row(ws, [f"报送截止时间：{monthly.local_time(deadline, '%Y年%m月%d日 %H:%M')}；黄色单元格待人工填报"])
    cells.append_row(ws, HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    fill = PatternFill("solid", fgColor=ENTRY_FILL)
    for line in rows(engine, first):
        value = line.get("value")
        cells.append_row(
            ws,
            [line["no"], line["item"], line.get("name"), None if value is None else float(value),
             _plain(line.get("numerator")), _plain(line.get("denominator")), line["how"], line.get("source")],
        )  # fmt: skip
        row = ws[ws.max_row]
        if value is not None:
            row[3].number_format = line["format"]
        if line["how"] != PREFILLED:
            row[3].fill = fill
        row[7].alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEFGH", (10, 44, 36, 14, 12, 12, 26, 50), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A4"
    target.mkdir(parents=True, exist_ok=True)
    path = target / file_name(first)
    wb.save(path)
    return path


def _plain(value):
    return None if value is None else float(value)
