"""Reading one cell's text as a date, an amount, or as no value at all.

Dates: ISO "YYYY-MM-DD" from 2025-09-30, 2025/9/30, 2025.9.30, 20250930, 2025年9月30日, the same with a time
of day, an Excel serial number between 1950 and 2100, an ISO timestamp with a zone (2022-05-16T00:00:00.000+08:00,
…Z) or epoch milliseconds / seconds (what API pulls deliver). A timestamp with a zone or an epoch number is an
instant: its date is the city's calendar day at that instant (the city's time zone, core.city), because a decision
is dated by the day it was made where it was made. An API that stores a date as local midnight and serialises
it in UTC ("2022-05-15T16:00:00Z") thereby still gives 2022-05-16; for a +08:00 timestamp the city's day and the
written day agree. A time of day without a zone is wall-clock time as written: its date part is taken.

Timestamps (数据更新时间戳): the same spellings read as an instant, written back as ISO 8601 with the city's UTC
offset ("2022-05-16T10:30:00+08:00"): a time without a zone (or a date alone, at midnight) is wall-clock time in
the city, an Excel serial's fraction is its time of day.

Open-ended validity: in a field with ``open_end`` in fields.yaml (有效期至), 长期 / 长期有效 / 永久 / 永久有效 become
that date (2099-12-31: the national template's 填写说明 says 2099/12/31 means 长期, and the warehouse column is a
date), so the date-order rules treat it as open-ended.

Placeholders: "— —", "—", "/", "无", "-", "空", "null", "N/A" … and Excel's cached error values (#N/A, #REF!,
#NAME? …) say that nothing was filled in. ``placeholder_kind`` names them; normalization keeps one in a required
column as written (validation reports it by value and treats it as missing) and empties it elsewhere, so it never
loads as a name or a fact.
"""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Context, Decimal, InvalidOperation
from typing import Any, cast

from citycredit.core import city, config

# --- Placeholders -------------------------------------------------------------------------------------------

PLACEHOLDERS = frozenset(
    {"—", "——", "-", "--", "\uff0d", "\uff0d\uff0d", "/", "\\", "无", "空", "NULL", "N/A", "NA", "NONE"}
)
EXCEL_ERRORS = frozenset(
    {"#N/A", "#REF!", "#NAME?", "#VALUE!", "#DIV/0!", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)
_FOLD_PLACEHOLDER = re.compile(r"\s+")


def placeholder_kind(text: str) -> str | None:
    """What a cell says when its (cleaned) text means nothing was filled in: "excel_error", "placeholder" or None."""
    folded = _FOLD_PLACEHOLDER.sub("", text).upper()
    if folded in EXCEL_ERRORS:
        return "excel_error"
    return "placeholder" if folded in PLACEHOLDERS else None


# --- Dates --------------------------------------------------------------------------------------------------

_DATE = re.compile(
    r"(?:([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})"
    r"|([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?"
    r"|([0-9]{4})([0-9]{2})([0-9]{2}))"
    r"(?:[ T]?[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)
_ZONED = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?\s?(?:Z|[+-][0-9]{2}:?[0-9]{2})"
)
_SERIAL = re.compile(r"([0-9]{5})(?:\.[0-9]+)?")
# Epoch seconds (10 digits) or milliseconds (13 digits), as API pulls give them (from 2001-09-09 on); maybe ".0".
_EPOCH = re.compile(r"([0-9]{10}|[0-9]{13})(?:\.0+)?")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Excel serials accepted in a date column: 1950-01-01 .. 2100-12-31. Other five-digit numbers are not dates.
_SERIAL_RANGE = (
    (datetime.date(1950, 1, 1) - _EXCEL_EPOCH).days,
    (datetime.date(2100, 12, 31) - _EXCEL_EPOCH).days,
)
_EPOCH_RANGE = (datetime.date(1970, 1, 2), datetime.date(2100, 12, 31))
OPEN_END_WORDS = frozenset({"长期", "长期有效", "永久", "永久有效"})


def _city_day(instant: datetime.datetime) -> str | None:
    day = instant.astimezone(city.timezone()).date()
    return day.isoformat() if _EPOCH_RANGE[0] <= day <= _EPOCH_RANGE[1] else None


def parse_date(text: str) -> str | None:
    """ISO "YYYY-MM-DD" for a date written any supported way; None when it is not one."""
    match = _DATE.fullmatch(text)
    if match:
        groups = [g for i, g in enumerate(match.groups()) if g is not None and i != 1]
        try:
            return datetime.date(*map(int, groups)).isoformat()
        except ValueError:
            return None
    if _ZONED.fullmatch(text):
        try:
            return _city_day(datetime.datetime.fromisoformat(text.replace(" ", "T", 1).replace(" ", "")))
        except ValueError:
            return None
    serial = _SERIAL.fullmatch(text)
    if serial and _SERIAL_RANGE[0] <= int(serial.group(1)) <= _SERIAL_RANGE[1]:
        return (_EXCEL_EPOCH + datetime.timedelta(days=int(serial.group(1)))).isoformat()
    epoch = _EPOCH.fullmatch(text)
    if epoch:
        digits = epoch.group(1)
        seconds = int(digits) / 1000 if len(digits) > 10 else int(digits)
        return _city_day(datetime.datetime.fromtimestamp(seconds, datetime.UTC))
    return None


@functools.cache
def open_end(dataset: str, name: str) -> str | None:
    """The date that stands for 长期 in a field (fields.yaml ``open_end``), or None when the field has no such date."""
    catalogue = cast("dict[str, Any]", config.load_yaml("fields.yaml"))  # the repository's own file: a mapping
    item: dict[str, Any] = next((i for i in catalogue.get(dataset, ()) if i.get("name") == name), {})
    value = item.get("open_end")
    if value is not None and parse_date(str(value)) != str(value):
        raise config.ConfigError(f"fields.yaml: {dataset}.{name}.open_end: {value!r} is not a YYYY-MM-DD date")
    return None if value is None else str(value)


def date_parser(dataset: str, name: str):
    """parse_date, with 长期 read as the field's open-end date where it has one."""
    end = open_end(dataset, name)
    if end is None:
        return parse_date
    return lambda text: end if text.replace(" ", "") in OPEN_END_WORDS else parse_date(text)


# --- Timestamps -------------------------------------------------------------------------------------------

_TIME_OF_DAY = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6})[0-9]*)?)?$")


def _instant(text: str) -> datetime.datetime | None:
    zone = city.timezone()
    if _ZONED.fullmatch(text):
        return datetime.datetime.fromisoformat(text.replace(" ", "T", 1).replace(" ", ""))
    epoch = _EPOCH.fullmatch(text)
    if epoch:
        digits = epoch.group(1)
        return datetime.datetime.fromtimestamp(int(digits) / 1000 if len(digits) > 10 else int(digits), datetime.UTC)
    serial = _SERIAL.fullmatch(text)
    if serial and _SERIAL_RANGE[0] <= int(serial.group(1)) <= _SERIAL_RANGE[1]:
        wall = datetime.datetime.combine(_EXCEL_EPOCH, datetime.time()) + datetime.timedelta(days=float(text))
        return wall.replace(microsecond=0, tzinfo=zone)
    day = parse_date(text) if _DATE.fullmatch(text) else None
    if day is None:
        return None
    clock = _TIME_OF_DAY.search(text)
    hour, minute, second, fraction = clock.groups() if clock else ("0", "0", None, None)
    time = datetime.time(int(hour), int(minute), int(second or 0), int((fraction or "0").ljust(6, "0")))
    return datetime.datetime.combine(datetime.date.fromisoformat(day), time, zone)


def parse_timestamp(text: str) -> str | None:
    """ISO 8601 in the city's zone ("2022-05-16T10:30:00+08:00") for an instant written any supported way; None
    when it is not one. Sub-second digits are kept only when there are any, so the text of an instant is one."""
    try:
        instant = _instant(text)
        if instant is None:
            return None
        local = instant.astimezone(city.timezone())
    except (ValueError, OverflowError, OSError):
        return None
    digits = "seconds" if not local.microsecond else "milliseconds" if local.microsecond % 1000 == 0 else "auto"
    return local.isoformat(timespec=digits)


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
