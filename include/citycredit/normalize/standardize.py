"""Raw department columns → the canonical columns of fields.yaml, still as text.

Headers are matched in ``headers``; dates, amounts and placeholders are read in ``values``. Cell normalization
(`normalize_frame`) never drops a row or a value that it cannot interpret:

- every cell: NFKC (full-width letters, digits and punctuation become ASCII, so "（" → "(" and "，" → ",";
  CJK punctuation without a compatibility form, such as 、。〔〕《》“”, stays; side effects accepted: "㎡" → "m2",
  "①" → "1"), except a full-width ＝＋－＠ at the start of a cell, which stays full-width so that folding never
  makes a formula trigger of it; invisible characters (U+200B, U+FEFF, soft hyphen, bidi marks, control
  characters) removed, runs of whitespace (line breaks included) collapsed to one space, trimmed; empty → missing;
- a placeholder or an Excel error value (values.placeholder_kind): kept as written in a required column, for
  validation to name it, else missing;
- identifier: also upper-cased, all blanks and dashes removed ("XXXXXXXX-X" → "XXXXXXXXX"), and the marks an
  export puts on a code to keep Excel from reading it as a number: a leading apostrophe, ="...";
- date: ISO "YYYY-MM-DD" (values.parse_date; 长期 where the field has an open-end date);
- timestamp: ISO 8601 with the city's offset (values.parse_timestamp);
- amount: the unit of the fields is 万元, so "1,500", "1500万元" and "1500万" become "1500"; a value in 元
  ("2000元") is kept as written, because converting it silently would hide the unit error the plausibility
  rule reports;
- code: synonyms mapped to the national value through include/config/code_tables.yaml;
- multi_code (处罚类别): split on ; ； 、 , ， ; each item mapped, "其他-xxx" → 其他; stored as the distinct items
  joined by ";" in the table's order, unknown items after them. Several columns of the field (处罚类别1,
  处罚类别2) are read as one list.

Anything not recognised is kept as its cleaned text so that validation reports it. Columns come back as the
pandas string dtype; missing cells are NA (test with ``pd.isna``). The work is done once per distinct value of a
column (with pyarrow compute over the distinct values), then taken back to the rows.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from citycredit.core import config
from citycredit.normalize import values
from citycredit.normalize.headers import ASCII_UPPER, INVISIBLE, HeaderMap, header_key, map_headers
from citycredit.normalize.values import date_parser, parse_amount, parse_date

__all__ = [
    "EXTRA",
    "INVISIBLE",
    "SOURCE_ROW",
    "HeaderMap",
    "code_table_for",
    "header_key",
    "map_headers",
    "normalize_frame",
    "parse_amount",
    "parse_date",
]

SOURCE_ROW = "_source_row"
EXTRA = "_extra"
# Whitespace that can survive NFKC (which already maps U+3000, NBSP and U+2000-U+200A to a space).
_BLANKS = "\t\n\x0b\x0c\r \x85\u1680\u2028\u2029"
_INVISIBLE_RE = f"[{INVISIBLE}]"
# A run to collapse: two or more blanks, or a single blank that is not a plain space.
_COLLAPSE_RE = f"[{_BLANKS}]{{2,}}|[{_BLANKS.replace(' ', '')}]"
# Strings NFKC leaves alone: ASCII and CJK unified ideographs, which are most of every file.
_NFKC_NEEDED_RE = r"[^\x00-\x7f" "\u4e00-\u9fff]"
# How exporting systems keep a code as text when Excel opens the file: a leading apostrophe ('9133...), or a
# formula giving the text (="9133..."). Neither is part of the code.
_TEXT_MARK_RE = '^(?:[\'\u2018\u2019`]+(.*)|="(.*)")$'
_IDENTIFIER_DROP_RE = f"[{_BLANKS}\\-\u2010-\u2015\u2212]"
# A full-width formula trigger first in a cell (after blanks): NFKC would make an ASCII one of it.
_WIDE_TRIGGER_RE = f"^[{_BLANKS}\u3000\u00a0{INVISIBLE}]*[\uff1d\uff0b\uff0d\uff20]"
_WIDE_TRIGGERS = dict(zip("=+-@", "\uff1d\uff0b\uff0d\uff20", strict=True))
_NOTHING_FILLED = pa.array(sorted(values.PLACEHOLDERS | values.EXCEL_ERRORS), pa.large_string())


# --- Vectorised text cleaning over pyarrow arrays ---------------------------------------------------------------


def _where_matching(arr: pa.Array, pattern: str, fn: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """fn applied only to the elements that contain a match of pattern (the rest are left untouched)."""
    mask = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    hits = pc.sum(mask).as_py() or 0
    if hits == 0:
        return arr
    if hits == len(arr):
        return fn(arr)
    return pc.replace_with_mask(arr, mask, fn(pc.filter(arr, mask)))


def _clean_text(arr: pa.Array) -> pa.Array:
    original = arr
    arr = _where_matching(arr, _NFKC_NEEDED_RE, lambda a: pc.utf8_normalize(a, "NFKC"))
    arr = _where_matching(arr, _INVISIBLE_RE, lambda a: pc.replace_substring_regex(a, _INVISIBLE_RE, ""))
    arr = _where_matching(arr, _COLLAPSE_RE, lambda a: pc.replace_substring_regex(a, _COLLAPSE_RE, " "))
    arr = pc.utf8_trim_whitespace(arr)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
    wide = pc.fill_null(pc.match_substring_regex(original, _WIDE_TRIGGER_RE), False)
    if not pc.any(wide).as_py():
        return arr
    rewidened = [_WIDE_TRIGGERS[v[0]] + v[1:] for v in pc.filter(arr, wide).to_pylist()]
    return pc.replace_with_mask(arr, wide, pa.array(rewidened, arr.type))


def _nothing_filled(arr: pa.Array) -> pa.Array:
    """Per cleaned value, whether it is a placeholder or an Excel error value (values.placeholder_kind)."""
    folded = pc.utf8_upper(pc.replace_substring_regex(arr, r"\s+", ""))
    return pc.fill_null(pc.is_in(folded, _NOTHING_FILLED.cast(arr.type)), False)


def _clean_identifier(arr: pa.Array) -> pa.Array:
    arr = _where_matching(arr, _TEXT_MARK_RE, lambda a: pc.replace_substring_regex(a, _TEXT_MARK_RE, r"\1\2"))
    arr = pc.utf8_upper(arr)
    arr = _where_matching(arr, _IDENTIFIER_DROP_RE, lambda a: pc.replace_substring_regex(a, _IDENTIFIER_DROP_RE, ""))
    # Dropping a blank can join a letter to the combining mark that followed it ("E ̄" → "Ē"): compose again, so
    # that a cleaned identifier cleans to itself.
    arr = _where_matching(arr, _NFKC_NEEDED_RE, lambda a: pc.utf8_normalize(a, "NFKC"))
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def _per_value(fn: Callable[[str], str | None]) -> Callable[[pa.Array], pa.Array]:
    """Lift a scalar parser to an array of distinct values: None keeps the value as it was, "" empties it."""

    def apply(arr: pa.Array) -> pa.Array:
        out = []
        for value in arr.to_pylist():
            parsed = None if value is None else fn(value)
            out.append(value if parsed is None else (parsed or None))
        return pa.array(out, type=arr.type)

    return apply


# --- Code tables --------------------------------------------------------------------------------------------


def _value_key(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text)).translate(ASCII_UPPER)


@dataclass(frozen=True)
class CodeTable:
    name: str
    lookup: dict[str, str]  # folded synonym → canonical value
    order: dict[str, int]  # canonical value → position in the table


@functools.cache
def code_table_for(field_name: str) -> CodeTable:
    """The code table bound to a canonical code column in code_tables.yaml."""
    doc = cast("dict[str, Any]", config.load_yaml("code_tables.yaml"))  # the repository's own file: a mapping
    table_name = doc.get("fields", {}).get(field_name)
    if table_name is None:
        raise config.ConfigError(f"code_tables.yaml: fields: no table for code column {field_name!r}")
    if table_name not in doc.get("tables", {}):
        raise config.ConfigError(f"code_tables.yaml: fields.{field_name}: unknown table {table_name!r}")
    values = doc["tables"][table_name]["values"]
    lookup: dict[str, str] = {}
    for canonical, synonyms in values.items():
        for text in (str(canonical), *map(str, synonyms or ())):
            taken = lookup.setdefault(_value_key(text), str(canonical))
            if taken != str(canonical):
                raise config.ConfigError(
                    f"code_tables.yaml: tables.{table_name}: {text!r} maps to both {taken} and {canonical}"
                )
    return CodeTable(table_name, lookup, {str(c): i for i, c in enumerate(values)})


_ITEM_SEPARATORS = re.compile(r"[;；、,，]")
_OTHER_WITH_TEXT = re.compile(r"其[他它]\s*[-—_:(]")  # 其他-xxx, 其它:xxx, 其他(xxx)


def _code_parser(table: CodeTable) -> Callable[[str], str | None]:
    return lambda text: table.lookup.get(_value_key(text))


def _multi_code_parser(table: CodeTable) -> Callable[[str], str | None]:
    def parse(text: str) -> str | None:
        known: set[str] = set()
        unknown: list[str] = []
        for item in _ITEM_SEPARATORS.split(text):
            item = item.strip()
            if not item:
                continue
            value = "其他" if _OTHER_WITH_TEXT.match(item) else table.lookup.get(_value_key(item))
            if value is not None:
                known.add(value)
            elif item not in unknown:
                unknown.append(item)
        return ";".join([*sorted(known, key=table.order.__getitem__), *unknown])

    return parse


# --- Frames -------------------------------------------------------------------------------------------------


def _typed(dataset: str, f: config.Field) -> Callable[[pa.Array], pa.Array]:
    """What a cleaned column of this field's type goes through, as a function over an array of distinct values."""
    if f.type == "text":
        return lambda arr: arr
    if f.type == "identifier":
        return _clean_identifier
    parse: Callable[[str], str | None] | None = {
        "date": date_parser(dataset, f.name),
        "timestamp": values.parse_timestamp,
        "amount": parse_amount,
    }.get(f.type)
    if parse is None:
        table = code_table_for(f.name)
        parse = _multi_code_parser(table) if f.type == "multi_code" else _code_parser(table)
    return _per_value(parse)


def _column_transform(dataset: str, f: config.Field) -> Callable[[pa.Array], pa.Array]:
    """Cleaning, then the field's type; a placeholder stays as written in a required column, else is emptied."""
    typed = _typed(dataset, f)

    def transform(arr: pa.Array) -> pa.Array:
        arr = _clean_text(arr)
        nothing = _nothing_filled(arr)
        if not pc.any(nothing).as_py():
            return typed(arr)
        kept = arr if f.required else pa.nulls(len(arr), arr.type)
        return pc.if_else(nothing, kept, typed(arr))

    return transform


def _by_distinct_value(column: pd.Series, transform: Callable[[pa.Array], pa.Array]) -> pd.Series:
    """transform run once over the distinct values of a column, then taken back to its rows."""
    codes, uniques = pd.factorize(column)
    distinct = pa.array(pd.array(uniques, dtype="str")).cast(pa.large_string())
    values = pc.take(transform(distinct), pa.array(codes, mask=codes < 0))
    return pd.Series(pd.array(values, dtype="str"), index=column.index, name=column.name)


def _extra_json(columns: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    """Per row, a JSON object of the non-empty values of the given (already cleaned) columns, or NA."""

    def text(value: str) -> pa.Scalar:
        return pa.scalar(value, pa.large_string())

    joined = None
    for header, column in columns.items():
        arr = pa.array(column.array)
        escaped = pc.replace_substring(pc.replace_substring(arr, "\\", "\\\\"), '"', '\\"')
        fragment = pc.binary_join_element_wise(
            text(json.dumps(header, ensure_ascii=False) + ':"'), escaped, text('"'), text("")
        )
        joined = (
            fragment
            if joined is None
            else pc.coalesce(pc.binary_join_element_wise(joined, fragment, text(",")), joined, fragment)
        )
    if joined is None:
        return pd.Series(pd.array(np.full(len(index), None), dtype="str"), index=index)
    wrapped = pc.binary_join_element_wise(text("{"), joined, text("}"), text(""))
    return pd.Series(pd.array(wrapped, dtype="str"), index=index)


def _joined(raw: pd.DataFrame, headers: list[str]) -> pd.Series:
    """The one column of a field several headers feed (a multi_code field): their non-empty values joined by ";"."""
    if len(headers) == 1:
        return raw[headers[0]]
    arrays = [pa.array(raw[h].array).cast(pa.large_string()) for h in headers]
    arrays = [pc.if_else(pc.equal(pc.utf8_trim_whitespace(a), ""), pa.scalar(None, a.type), a) for a in arrays]
    joined = pc.binary_join_element_wise(*arrays, pa.scalar(";", pa.large_string()), null_handling="skip")
    joined = pc.if_else(pc.equal(joined, ""), pa.scalar(None, joined.type), joined)
    return pd.Series(pd.array(joined, dtype="str"), index=raw.index, name=headers[0])


def normalize_frame(raw: pd.DataFrame, dataset: str, header_map: HeaderMap) -> pd.DataFrame:
    """Every canonical column of the dataset (absent → NA), ``_source_row`` and ``_extra``.

    ``_extra`` holds, as a compact JSON object, the non-empty values of every raw column that feeds no canonical
    column: unknown headers, duplicate headers and cells beyond the header row.
    """
    sources = header_map.sources()
    empty = pd.Series(pd.array(np.full(len(raw), None), dtype="str"), index=raw.index)
    out: dict[str, pd.Series] = {}
    for f in config.fields(dataset):
        present = [h for h in sources.get(f.name, ()) if h in raw.columns]
        column = _joined(raw, present) if present else None
        out[f.name] = empty if column is None else _by_distinct_value(column, _column_transform(dataset, f))
    out[SOURCE_ROW] = raw[SOURCE_ROW]
    leftovers = [c for c in raw.columns if c != SOURCE_ROW and c not in header_map.columns]
    out[EXTRA] = _extra_json({c: _by_distinct_value(raw[c], _clean_text) for c in leftovers}, raw.index)
    return pd.DataFrame(out, index=raw.index)
