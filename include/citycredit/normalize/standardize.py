"""Raw department columns → the canonical columns of fields.yaml, still as text.

Header matching (`header_key`, `map_headers`) folds what departments vary (full-width forms, blanks, invisible
characters, bracket styles, case, the ``_n`` numbering of 行政相对人代码) and looks the folded key up among the
labels, names and aliases of fields.yaml. Spellings and typos belong in that alias list, not here.

Cell normalization (`normalize_frame`) never drops a row or a value that it cannot interpret:

- every cell: NFKC (full-width letters, digits and punctuation become ASCII, so "（" → "(" and "，" → ",";
  CJK punctuation without a compatibility form, such as 、。〔〕《》“”, stays; side effects accepted: "㎡" → "m2",
  "①" → "1"), invisible characters (U+200B, U+FEFF, soft hyphen, bidi marks, control characters) removed, runs
  of whitespace (line breaks included) collapsed to one space, trimmed; empty → missing;
- identifier: also upper-cased, all blanks and dashes removed ("XXXXXXXX-X" → "XXXXXXXXX");
- date: ISO "YYYY-MM-DD" from 2025-09-30, 2025/9/30, 2025.9.30, 20250930, 2025年9月30日, the same with a time
  of day, or an Excel serial number between 1950 and 2100; "2099/12/31" (长期) becomes "2099-12-31";
- amount: the unit of the fields is 万元, so "1,500", "1500万元" and "1500万" become "1500"; a value in 元
  ("2000元") is kept as written, because converting it silently would hide the unit error the plausibility
  rule reports;
- code: synonyms mapped to the national value through include/config/code_tables.yaml;
- multi_code (处罚类别): split on ; ； 、 , ， ; each item mapped, "其他-xxx" → 其他; stored as the distinct items
  joined by ";" in the table's order, unknown items after them.

Anything not recognised is kept as its cleaned text so that validation reports it. Columns come back as the
pandas string dtype; missing cells are NA (test with ``pd.isna``). The work is done once per distinct value of a
column (with pyarrow compute over the distinct values), then taken back to the rows.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from citycredit.core import config

SOURCE_ROW = "_source_row"
EXTRA = "_extra"

# Characters that carry no text: soft hyphen, zero-width and bidi marks, word joiners, BOM, C0/C1 controls
# other than the whitespace ones. Literal characters, or \xhh escapes (never \uhhhh, which RE2 lacks), so that
# Python re and RE2 (pyarrow compute) read the same class.
INVISIBLE = "\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff" r"\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"
# Whitespace that can survive NFKC (which already maps U+3000, NBSP and U+2000-U+200A to a space).
_BLANKS = "\t\n\x0b\x0c\r \x85\u1680\u2028\u2029"
_INVISIBLE_RE = f"[{INVISIBLE}]"
# A run to collapse: two or more blanks, or a single blank that is not a plain space.
_COLLAPSE_RE = f"[{_BLANKS}]{{2,}}|[{_BLANKS.replace(' ', '')}]"
# Strings NFKC leaves alone: ASCII and CJK unified ideographs, which are most of every file.
_NFKC_NEEDED_RE = r"[^\x00-\x7f" "\u4e00-\u9fff]"
_IDENTIFIER_DROP_RE = f"[{_BLANKS}\\-\u2010-\u2015\u2212]"


# --- Headers ------------------------------------------------------------------------------------------------

_HEADER_DROP = re.compile(f"[\\s{INVISIBLE}*※]")  # \s in Python re is Unicode-aware; * and ※ mark 必填
_BRACKETS = str.maketrans("[]【】〔〕", "()()()")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NUMBERED = re.compile(r"^[^()]*_[0-9]+\(([^()]+)\)$")  # 行政相对人代码_1(统一社会信用代码)
# A bracketed filling hint after a label: (必填), (选填), (YYYY-MM-DD), (格式:...). Units such as (万元) are
# part of the label and never stripped.
_HINT = re.compile(r"\([^()]*(?:必填|选填|可选|YYYY|格式)[^()]*\)")
_RENAMED = re.compile(r"#[0-9]+$")  # the reader's name for a repeated header: "许可类别#2"


def header_key(text: str) -> str:
    """The folded form of a header used for matching.

    NFKC, no whitespace or invisible characters, no required-field markers (* ※), ASCII round brackets,
    ASCII upper case; "X_n(Y)" becomes "Y" because the _n numbering differs between sources.
    """
    key = _HEADER_DROP.sub("", str(text))
    key = _HEADER_DROP.sub("", unicodedata.normalize("NFKC", key))
    key = key.translate(_BRACKETS).translate(_ASCII_UPPER)
    numbered = _NUMBERED.match(key)
    return numbered.group(1) if numbered else key


@dataclass
class HeaderMap:
    """How a file's headers map to a dataset's canonical columns."""

    columns: dict[str, str] = field(default_factory=dict)  # original header → canonical name
    unknown: list[str] = field(default_factory=list)  # headers that match no field
    missing_required: list[str] = field(default_factory=list)  # canonical names of absent required fields
    duplicates: list[str] = field(default_factory=list)  # headers whose field an earlier header already took


@functools.cache
def _header_lookup(dataset: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for f in config.fields(dataset):
        for text in (f.name, f.label, *f.aliases):
            key = header_key(text)
            if lookup.setdefault(key, f.name) != f.name:
                raise config.ConfigError(
                    f"fields.yaml: {dataset}: header {text!r} matches both {lookup[key]} and {f.name}"
                )
    return lookup


def map_headers(headers: list[str], dataset: str) -> HeaderMap:
    """Match each header to a canonical column: the exact folded key first, then without a filling hint.

    A header whose field an earlier header already took (also the reader's "X#2" for a repeated "X") is a
    duplicate; its values end up in ``_extra``.
    """
    lookup = _header_lookup(dataset)
    result = HeaderMap()
    taken: set[str] = set()
    for header in headers:
        key = header_key(header)
        name = lookup.get(key) or lookup.get(_HINT.sub("", key)) or lookup.get(_RENAMED.sub("", key))
        if name is None:
            result.unknown.append(header)
        elif name in taken:
            result.duplicates.append(header)
        else:
            taken.add(name)
            result.columns[header] = name
    result.missing_required = [f.name for f in config.fields(dataset) if f.required and f.name not in taken]
    return result


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
    arr = _where_matching(arr, _NFKC_NEEDED_RE, lambda a: pc.utf8_normalize(a, "NFKC"))
    arr = _where_matching(arr, _INVISIBLE_RE, lambda a: pc.replace_substring_regex(a, _INVISIBLE_RE, ""))
    arr = _where_matching(arr, _COLLAPSE_RE, lambda a: pc.replace_substring_regex(a, _COLLAPSE_RE, " "))
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def _clean_identifier(arr: pa.Array) -> pa.Array:
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


# --- Dates --------------------------------------------------------------------------------------------------

_DATE = re.compile(
    r"(?:([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})"
    r"|([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?"
    r"|([0-9]{4})([0-9]{2})([0-9]{2}))"
    r"(?:[ T]?[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)
_SERIAL = re.compile(r"([0-9]{5})(?:\.[0-9]+)?")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Excel serials accepted in a date column: 1950-01-01 .. 2100-12-31. Other five-digit numbers are not dates.
_SERIAL_RANGE = (
    (datetime.date(1950, 1, 1) - _EXCEL_EPOCH).days,
    (datetime.date(2100, 12, 31) - _EXCEL_EPOCH).days,
)


def parse_date(text: str) -> str | None:
    """ISO "YYYY-MM-DD" for a date written any supported way; None when it is not one."""
    match = _DATE.fullmatch(text)
    if match:
        groups = [g for i, g in enumerate(match.groups()) if g is not None and i != 1]
        try:
            return datetime.date(*map(int, groups)).isoformat()
        except ValueError:
            return None
    serial = _SERIAL.fullmatch(text)
    if serial and _SERIAL_RANGE[0] <= int(serial.group(1)) <= _SERIAL_RANGE[1]:
        return (_EXCEL_EPOCH + datetime.timedelta(days=int(serial.group(1)))).isoformat()
    return None


# --- Amounts ------------------------------------------------------------------------------------------------

_AMOUNT_CONTEXT = Context(prec=60)  # wider than decimal(18,6), so normalize() never rounds
_AMOUNT = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")


def parse_amount(text: str) -> str | None:
    """The canonical decimal text of an amount in 万元 ("0.20" → "0.2", "1,500万元" → "1500"); None if not one."""
    number = text.replace(" ", "").removesuffix("万元").removesuffix("万")
    if not _AMOUNT.fullmatch(number) or not any(c.isdigit() for c in number):
        return None
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    return "0" if value.is_zero() else format(value.normalize(_AMOUNT_CONTEXT), "f")


# --- Code tables --------------------------------------------------------------------------------------------


def _value_key(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text)).translate(_ASCII_UPPER)


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


def _column_transform(f: config.Field) -> Callable[[pa.Array], pa.Array]:
    """What a column of this field's type goes through, as a function over an array of distinct values."""
    if f.type == "text":
        return _clean_text
    if f.type == "identifier":
        return lambda arr: _clean_identifier(_clean_text(arr))
    parse: Callable[[str], str | None] | None = {"date": parse_date, "amount": parse_amount}.get(f.type)
    if parse is None:
        table = code_table_for(f.name)
        parse = _multi_code_parser(table) if f.type == "multi_code" else _code_parser(table)
    per_value = _per_value(parse)
    return lambda arr: per_value(_clean_text(arr))


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
    for header, values in columns.items():
        arr = pa.array(values.array)
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


def normalize_frame(raw: pd.DataFrame, dataset: str, header_map: HeaderMap) -> pd.DataFrame:
    """Every canonical column of the dataset (absent → NA), ``_source_row`` and ``_extra``.

    ``_extra`` holds, as a compact JSON object, the non-empty values of every raw column that feeds no canonical
    column: unknown headers, duplicate headers and cells beyond the header row.
    """
    source_of = {name: header for header, name in header_map.columns.items()}
    empty = pd.Series(pd.array(np.full(len(raw), None), dtype="str"), index=raw.index)
    out: dict[str, pd.Series] = {}
    for f in config.fields(dataset):
        header = source_of.get(f.name)
        out[f.name] = empty if header not in raw.columns else _by_distinct_value(raw[header], _column_transform(f))
    out[SOURCE_ROW] = raw[SOURCE_ROW]
    leftovers = [c for c in raw.columns if c != SOURCE_ROW and c not in header_map.columns]
    out[EXTRA] = _extra_json({c: _by_distinct_value(raw[c], _clean_text) for c in leftovers}, raw.index)
    return pd.DataFrame(out, index=raw.index)
