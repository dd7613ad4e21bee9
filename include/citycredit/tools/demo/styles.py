"""How each department writes its files: encoding, headers, date formats, separators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from citycredit.core.config import Field, fields
from citycredit.feeds.registry import Feed
from citycredit.tools.demo.arrays import fullwidth, render


@dataclass(frozen=True)
class Style:
    headers: str  # labels | template | identifiers | local
    dates: tuple[str, ...]  # formats mixed row by row: iso | slash | cn | excel (XLSX date cells)
    file_name: str  # str.format with title, department, feed, prefix, at (the delivery datetime)
    encoding: str = "utf-8"
    xlsx: bool = False
    newline: str = "\n"
    quote_all: bool = False
    separator: str = ";"  # between 处罚类别 values


STYLES = (
    # Exported from a desktop spreadsheet on Windows: GBK, CRLF, the national labels, dates as 2025/9/30.
    Style("labels", ("slash",), "{title}{at:%Y%m%d}.csv", encoding="gbk", newline="\r\n"),
    # Saved by a web system "for Excel": UTF-8 with BOM.
    Style("labels", ("iso",), "{department}{title}信息{at:%Y-%m-%d}.csv", encoding="utf-8-sig",
          newline="\r\n"),
    # An Excel workbook with a merged title row above the header; mostly date cells, some typed as text.
    Style("template", ("excel", "excel", "excel", "cn"), "{title}双公示报送{at:%Y%m%d}.xlsx", xlsx=True),
    # A database export of the front-end library (前置库): XK_*/CF_* headers, every field quoted.
    Style("identifiers", ("iso",), "{prefix}_{at:%Y%m%d%H%M}.csv", quote_all=True),
    # A local system: its own header variants, full-width characters, whatever date format the clerk typed.
    Style("local", ("cn", "slash", "iso"), "{feed}_{at:%Y%m%d}.csv", separator="；"),
)  # fmt: skip


def _family(encoding: str) -> str:
    return "gb" if encoding.lower().startswith("gb") else "utf"


def style_for(feed: Feed, department_index: int) -> Style:
    """Departments take the styles in turn; an encoding hint in the registry picks a style in that encoding."""
    turn = department_index % len(STYLES)
    hint = feed.encoding
    style = next(s for s in STYLES[turn:] + STYLES[:turn] if hint is None or _family(s.encoding) == _family(hint))
    return style if hint is None or style.xlsx else replace(style, encoding=hint)


SUBJECT_CODES = ("shxym", "gszc", "zzjg", "swdj", "sydw", "shzz")  # 行政相对人代码_1 … _6


def _header(field: Field, style: str) -> str:
    if style == "identifiers":
        return field.name.upper()
    suffix = field.name.partition("_")[2]
    if style == "template" and suffix.startswith("xdr_") and suffix[4:] in SUBJECT_CODES:
        return f"行政相对人代码_{SUBJECT_CODES.index(suffix[4:]) + 1}({field.label})"
    if style == "local":
        local = [a for a in field.aliases if a.endswith(("_TYPE", "_SFZH"))]
        chinese = [a for a in field.aliases if not a.isascii()]
        header = (local or chinese or [field.label])[0]
        return header if header.isascii() else fullwidth(header)
    return field.label


DATE_FORMATS: dict[str, Callable[[dt.date], object]] = {
    "iso": lambda d: d.isoformat(),
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "cn": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "excel": lambda d: d,
}


def _dates_as(days: np.ndarray, formats: tuple[str, ...], rng: np.random.Generator, empty: object) -> np.ndarray:
    chosen = rng.integers(0, len(formats), len(days))
    number = np.where(np.isnat(days), -1, days.astype(np.int64))
    width = len(formats)

    def shown(key: int) -> object:
        day, k = divmod(key, width)
        if day < 0:
            return empty
        return DATE_FORMATS[formats[k]]((np.datetime64(0, "D") + day).astype(object))

    return render(number * width + chosen, shown)


def as_written(dataset: str, frame: dict[str, np.ndarray], style: Style, rng) -> tuple[list[str], list[np.ndarray]]:
    """Headers and columns as the department writes them."""
    headers, columns = [], []
    for field in fields(dataset):
        column = frame[field.name]
        if field.type == "date":
            column = _dates_as(column, style.dates, rng, None if style.xlsx else "")
        elif field.type == "multi_code" and style.separator != ";":
            column = np.array([v.replace(";", style.separator) for v in column.tolist()], dtype=object)
        if style.xlsx:
            column = np.array([_cell(v, field.type) for v in column.tolist()], dtype=object)
        headers.append(_header(field, style.headers))
        columns.append(column)
    return headers, columns


def _cell(value: object, kind: str) -> object:
    """Excel cells: amounts typed as numbers, empty cells left empty."""
    if value == "" or value is None:
        return None
    if kind == "amount" and isinstance(value, str) and value.isascii() and value.replace(".", "", 1).isdigit():
        return float(value)
    return value
