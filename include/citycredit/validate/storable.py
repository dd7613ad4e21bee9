"""How the warehouse stores the typed field types of fields.yaml, declared once: a value validation accepts must be
one the load can store.

``STORED`` gives, for each field type the core tables do not keep as text, the SQL type of its core columns. The
load casts staged text with it (load/merge.py), the storable rule accepts only what it holds
(expectations/bounds.py), and tests/load/test_storable.py compares it with every typed column of the core tables
in information_schema, so a migration that changes a column's type fails that test until this follows.
Light on purpose (no pandas, no Great Expectations): the load imports it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# What normalization writes for a timestamp (normalize/values.parse_timestamp); the format rule asks for it.
ISO_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?[+-][0-9]{2}:[0-9]{2}")


@dataclass(frozen=True)
class Stored:
    sql: str  # the type as a cast writes it
    data_type: str  # as information_schema.columns names it
    precision: int | None = None
    scale: int | None = None

    def holds(self, text: str) -> bool:
        """Whether a value of the field's accepted format fits (text that is not a number passes: the format rule
        reports it). A numeric is rounded to its scale, half away from zero, before its precision is checked, as
        PostgreSQL does: 999999999999.9999995 does not fit numeric(18,6). A timestamp in the format must be a real
        instant: 2025-02-30T10:00:00+08:00 is not."""
        if self.data_type == "timestamp with time zone":
            return _real_instant(text)
        if self.precision is None or self.scale is None:
            return True
        try:
            value = abs(Decimal(text))
        except InvalidOperation:
            return True
        if not value.is_finite():
            return True
        limit = Decimal(10) ** (self.precision - self.scale)
        return value < limit and value.quantize(Decimal(1).scaleb(-self.scale), ROUND_HALF_UP) < limit


def _real_instant(text: str) -> bool:
    if not ISO_INSTANT.fullmatch(text):
        return True
    try:
        offset = datetime.datetime.fromisoformat(text).utcoffset()
    except ValueError:
        return False
    return offset is not None and abs(offset) < datetime.timedelta(hours=16)  # PostgreSQL's limit on an offset


# Dates: the format rule (expect_column_values_to_be_iso_dates) accepts years 0001-9999, all within date's range.
STORED = {
    "date": Stored("date", "date"),
    "amount": Stored("numeric(18,6)", "numeric", 18, 6),
    "timestamp": Stored("timestamptz", "timestamp with time zone"),
}


def sql_type(field_type: str) -> str | None:
    """The SQL type the core tables store a field type as; None for text (every other type)."""
    stored = STORED.get(field_type)
    return stored.sql if stored else None
