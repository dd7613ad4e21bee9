"""JSON files, as HTTP and database feeds are stored: an array of objects, or JSON Lines (one object a line)."""

from __future__ import annotations

import decimal
import functools
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from citycredit.core.cell_text import cell_text
from citycredit.normalize.header_rows import unique_name
from citycredit.normalize.tables import MAX_COLUMNS, Table, UnreadableFile, chunked_frames, too_many_columns
from citycredit.normalize.text_encodings import LINES, SAMPLE_BYTES, detect_encoding

JSON_MAX_RECORD_CHARS = 64 * 1024**2  # one record larger than this is a broken file, not a record
_JSON_BLOCK = 1 << 20
_JSON_BROKEN = "JSON内容不完整或格式有误（可能被截断）：第{n}条记录处无法解析；请重新导出后报送"
_JSON_NOT_OBJECT = "JSON文件的第{n}条记录不是对象（应为“字段名: 值”的形式）；请按对象数组或每行一个对象重新导出"


def open_json(path: Path, encoding_hint: str | None, chunksize: int) -> Table:
    """A JSON array of objects, or JSON Lines (one object a line). The header is every key that occurs, in order
    of first occurrence, so finding it reads the whole file once; a record's ``_source_row`` is its position and
    ``header_row`` is 0 (there is no header line)."""
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
        at_eof = not fh.read(1)
    label, codec, bom = detect_encoding(sample, at_eof, encoding_hint)
    if codec == LINES:  # JSON is not read by lines (a whole array may be one line): one encoding for the file
        codec = "gb18030" if label == "gb18030" else "utf-8"
    keys: dict[str, None] = {}
    for _, record in _json_records(path, codec, bom):
        keys.update(dict.fromkeys(record))
        if len(keys) > MAX_COLUMNS:
            raise too_many_columns(len(keys), "JSON记录中的字段名（各条记录合计）至少")
    if not keys:
        raise UnreadableFile("文件为空：JSON中没有任何记录")
    headers = [k if k.strip() else unique_name(f"第{i}列", list(keys)) for i, k in enumerate(keys, start=1)]
    notes = [f"第{i}个字段名为空，记为“{h}”" for i, h in enumerate(headers, start=1) if h not in keys]
    return Table(
        path=path,
        format="json",
        headers=headers,
        header_row=0,
        encoding=label,
        sheet=None,
        notes=notes,
        _rows=functools.partial(_json_chunks, path, codec, bom, list(keys), headers, chunksize),
    )


def _json_chunks(
    path: Path, codec: str, bom: int, keys: list[str], headers: list[str], chunksize: int
) -> Iterator[pd.DataFrame]:
    numbered = ((n, [cell_text(record.get(k)) for k in keys]) for n, record in _json_records(path, codec, bom))
    yield from chunked_frames(numbered, headers, chunksize)


def _json_records(path: Path, codec: str, bom: int) -> Iterator[tuple[int, dict]]:
    """(1-based position, object) of every record. Decimals keep the digits as written."""
    decoder = json.JSONDecoder(parse_float=decimal.Decimal)
    raw = path.open("rb")
    raw.seek(bom)
    with io.TextIOWrapper(raw, encoding=codec, newline="") as fh:
        try:
            first = fh.read(1)
            while first.isspace():
                first = fh.read(1)
            records = _array_items(fh, decoder) if first == "[" else _json_lines(first + fh.readline(), fh, decoder)
            for number, record in enumerate(records, start=1):
                if not isinstance(record, dict):
                    raise UnreadableFile(_JSON_NOT_OBJECT.format(n=number))
                yield number, record
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"文件中途出现无法按{codec}解码的内容：可能混用了多种编码，或文件已损坏；请统一另存为UTF-8编码后重新报送"
            ) from exc


def _json_lines(first_line: str, fh: io.TextIOWrapper, decoder: json.JSONDecoder) -> Iterator[object]:
    number = 0
    for line in _chain_first(first_line, fh):
        if not line.strip():
            continue
        number += 1
        try:
            yield decoder.decode(line)
        except json.JSONDecodeError as exc:
            raise UnreadableFile(_JSON_BROKEN.format(n=number)) from exc


def _chain_first(first: str, rest: io.TextIOWrapper) -> Iterator[str]:
    yield first
    yield from rest


def _array_items(fh: io.TextIOWrapper, decoder: json.JSONDecoder) -> Iterator[object]:
    """The items of a JSON array whose "[" was just read, decoded one at a time from a sliding buffer."""
    buffer, pos, number = "", 0, 0

    def skip_blanks() -> None:
        nonlocal buffer, pos
        while True:
            while pos < len(buffer) and buffer[pos].isspace():
                pos += 1
            if pos < len(buffer):
                return
            buffer, pos = fh.read(_JSON_BLOCK), 0
            if not buffer:
                raise UnreadableFile(_JSON_BROKEN.format(n=number + 1))

    while True:
        skip_blanks()
        if buffer[pos] == "]":
            if fh.read(_JSON_BLOCK).strip() or buffer[pos + 1 :].strip():
                raise UnreadableFile(f"JSON数组结束后还有多余内容（第{number}条记录之后）；请重新导出后报送")
            return
        if number:
            if buffer[pos] != ",":
                raise UnreadableFile(_JSON_BROKEN.format(n=number + 1))
            pos += 1
            skip_blanks()
        while True:
            try:
                item, end = decoder.raw_decode(buffer, pos)
                break
            except json.JSONDecodeError as exc:
                more = fh.read(_JSON_BLOCK)
                if not more or len(buffer) - pos > JSON_MAX_RECORD_CHARS:
                    raise UnreadableFile(_JSON_BROKEN.format(n=number + 1)) from exc
                buffer, pos = buffer[pos:] + more, 0
        number += 1
        pos = end
        yield item
