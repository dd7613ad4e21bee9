"""Delivered files: CSV in the department's encoding, XLSX with a title row, the delivery time as mtime."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

from citycredit.feeds.registry import Feed
from citycredit.tools.demo.faults import paste_twice
from citycredit.tools.demo.styles import Style, as_written
from citycredit.tools.demo.vocabulary import DATASET_TITLES, PREFIXES


@dataclass(frozen=True)
class DeliveredFile:
    path: Path
    department_id: str
    feed_id: str
    dataset: str
    delivered_at: dt.datetime
    rows: int


def _csv_text(rows: Iterable[tuple[str, ...]], newline: str, quote_all: bool) -> str:
    """CSV lines. Generated values never hold commas, quotes or line breaks, so quoting is a matter of style."""
    if not quote_all:
        return newline.join(map(",".join, rows)) + newline
    return '"' + f'"{newline}"'.join(map('","'.join, rows)) + '"' + newline


def write_csv(path: Path, header: list[str], blocks: Iterable[list[np.ndarray]], style: Style) -> int:
    written = 0
    with path.open("w", encoding=style.encoding, newline="") as fh:
        fh.write(_csv_text([tuple(header)], style.newline, style.quote_all))
        for columns in blocks:
            fh.write(_csv_text(zip(*[c.tolist() for c in columns], strict=False), style.newline, style.quote_all))
            written += len(columns[0])
    return written


def _write_xlsx(path: Path, title: str, header: list[str], columns: list[np.ndarray], at: dt.datetime) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(header)
    for row in zip(*[c.tolist() for c in columns], strict=False):
        sheet.append(row)
    stamp = at.astimezone(dt.UTC).replace(tzinfo=None)
    workbook.properties.creator = workbook.properties.lastModifiedBy = "citycredit demo-data"
    workbook.properties.created = workbook.properties.modified = stamp
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()  # keeps `modified`
    path.write_bytes(_stable_zip(buffer.getvalue(), at))


def _stable_zip(data: bytes, at: dt.datetime) -> bytes:
    """The same archive with every member dated `at`, so equal workbooks are equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=at.timetuple()[:6])
            target.writestr(member, source.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def feed_folder(inbox: Path, feed: Feed) -> Path:
    """inbox/<department>/<feed>/, where the feed's files are delivered (created)."""
    folder = inbox / feed.department_id / feed.id
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def deliver(path: Path, at: dt.datetime) -> None:
    """The pipeline takes a file's mtime as the time it reached the city platform."""
    os.utime(path, (at.timestamp(), at.timestamp()))


def write_delivery(
    folder: Path,
    feed: Feed,
    style: Style,
    part: dict,
    at: dt.datetime,
    batch: int,
    rng: np.random.Generator,
    pasted: bool = True,
) -> DeliveredFile:
    title = DATASET_TITLES[feed.dataset]
    prefix = PREFIXES[feed.dataset].upper()
    path = folder / style.file_name.format(
        title=title, department=feed.department_name, feed=feed.id, prefix=prefix, at=at
    )
    header, columns = as_written(feed.dataset, part, style, rng)
    if pasted:
        paste_twice(columns, rng)
    if style.xlsx:
        _write_xlsx(path, f"{feed.department_name}{at.year}年{at.month}月{title}信息公示表（第{batch}批）",
                    header, columns, at)  # fmt: skip
    else:
        write_csv(path, header, [columns], style)
    deliver(path, at)
    return DeliveredFile(path, feed.department_id, feed.id, feed.dataset, at, len(columns[0]))
