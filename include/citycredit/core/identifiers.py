"""Check digits of Chinese identifiers (docs/domain.md §2).

- 统一社会信用代码, GB 32100-2015: 18 characters, mod-31 check over the 31-character alphabet;
  positions 9-17 are the 组织机构代码 with its own GB 11714 mod-11 check.
- 居民身份证号码, GB 11643-1999: mod-11 check, "10X98765432".
- 工商注册号 (15 digits), GB/T 17710 hybrid MOD 11,10.
- 组织机构代码, GB 11714-1997: 8 body characters and a mod-11 check, printed "XXXXXXXX-X".

The scalar check-character functions live in `citycredit.core.checkdigits` and are re-exported here. The
vectorised functions (`uscc_format_ok`, `uscc_check_ok`, `id_card_ok`, `regno_ok`, `org_code_ok`) check whole
columns and back the custom GX expectations in `citycredit.validate.expectations.identifiers`.
"""

from __future__ import annotations

import datetime
import string

import numpy as np
import pandas as pd

from citycredit.core.checkdigits import (  # noqa: F401 - re-exported: one import for every identifier need
    ID_CHECK,
    ID_WEIGHTS,
    ORG_WEIGHTS,
    USCC_ALPHABET,
    USCC_PLACEHOLDER,
    USCC_WEIGHTS,
    id_check_char,
    org_check_char,
    regno_check_char,
    uscc_check_char,
)

# --- Vectorised column checks -------------------------------------------------------------------------------
#
# Each function takes a pandas Series of strings and returns a bool Series on the same index. Absent values
# (None, NaN, pd.NA, "") are "not applicable" and come out True: whether a value must be present is the
# business of the required-field rules. Patterns use [0-9], never \d, which in Python also matches full-width
# and other Unicode digits.

USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
ID18_PATTERN = r"^[0-9]{17}[0-9Xx]$"
ID15_PATTERN = r"^[0-9]{15}$"
REGNO_PATTERN = r"^[0-9]{15}$"
ORG_PATTERN = r"^[0-9A-Z]{8}[0-9X]$"  # after normalization, which drops the dash of "XXXXXXXX-X"
BIRTH_DATE_FLOOR = 19000101


def _lookup(values: dict[str, int]) -> np.ndarray:
    """A 256-entry table from an ASCII byte to its numeric value (0 for bytes the patterns exclude).

    int16 keeps the looked-up matrices small; weighted sums are taken against int64 weights.
    """
    table = np.zeros(256, dtype=np.int16)
    for ch, value in values.items():
        table[ord(ch)] = value
    return table


_USCC_VALUE = _lookup({c: i for i, c in enumerate(USCC_ALPHABET)})
_ORG_VALUE = _lookup(
    {c: int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in string.digits + string.ascii_uppercase}
)
_ID_VALUE = _lookup({**{c: int(c) for c in string.digits}, "X": 10, "x": 10})
# GB 11714: 11 - (sum mod 11) lies in 1..11; index it to get the expected byte (10 -> X, 11 -> 0).
_ORG_CHECK_BYTE = np.frombuffer(b"?123456789X0", dtype=np.uint8)
_ID_CHECK_VALUE = np.array([_ID_VALUE[ord(c)] for c in ID_CHECK])
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_DATE_PLACES = np.array([10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1])
_USCC_W = np.array(USCC_WEIGHTS, dtype=np.int64)
_ORG_W = np.array(ORG_WEIGHTS, dtype=np.int64)
_ID_W = np.array(ID_WEIGHTS, dtype=np.int64)


def as_text(s: pd.Series) -> pd.Series:
    """The column as strings; a column read without dtype=str (all empty -> float, numbers -> int) is cast."""
    return s if s.dtype == object or isinstance(s.dtype, pd.StringDtype) else s.astype("str")


def _present(s: pd.Series) -> np.ndarray:
    return (s.notna() & s.ne("")).to_numpy(dtype=bool, na_value=False)


def _matches(s: pd.Series, pattern: str) -> np.ndarray:
    return s.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)


def _char_matrix(s: pd.Series, rows: np.ndarray, width: int) -> np.ndarray:
    """The selected rows, all ASCII strings of exactly `width` characters, as an (n, width) uint8 matrix."""
    raw = "".join(s.to_numpy(dtype=object)[rows]).encode("ascii")
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, width)


def _result(s: pd.Series, ok: np.ndarray) -> pd.Series:
    return pd.Series(ok, index=s.index, name=s.name, dtype=bool)


def _real_date(yyyymmdd: np.ndarray) -> np.ndarray:
    """Whether each YYYYMMDD integer is a date of the proleptic Gregorian calendar."""
    year, month, day = yyyymmdd // 10_000, yyyymmdd // 100 % 100, yyyymmdd % 100
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    last_day = _DAYS_IN_MONTH[np.where(month_ok, month, 0)] + ((month == 2) & leap)
    return month_ok & (day >= 1) & (day <= last_day)


def _plausible_birth_date(yyyymmdd: np.ndarray, today: datetime.date) -> np.ndarray:
    today_int = today.year * 10_000 + today.month * 100 + today.day
    return _real_date(yyyymmdd) & (yyyymmdd >= BIRTH_DATE_FLOOR) & (yyyymmdd <= today_int)


def uscc_format_ok(s: pd.Series) -> pd.Series:
    """18 characters of the GB 32100 alphabet, positions 3-8 digits (USCC_PATTERN). Absent values: True."""
    s = as_text(s)
    return _result(s, ~_present(s) | _matches(s, USCC_PATTERN))


def uscc_check_ok(s: pd.Series) -> pd.Series:
    """Both check characters of a 统一社会信用代码 are right.

    Position 18 is the GB 32100 mod-31 check over positions 1-17; position 17 is the GB 11714 mod-11 check of
    the embedded 组织机构代码 over positions 9-16. True for absent values, for values that fail
    `uscc_format_ok` (the format rule reports those) and for the placeholder USCC_PLACEHOLDER (whether it is
    allowed for the row's 行政相对人类别 is another rule's business).
    """
    s = as_text(s)
    rows = _matches(s, USCC_PATTERN) & s.ne(USCC_PLACEHOLDER).to_numpy(dtype=bool, na_value=False)
    ok = np.ones(len(s), dtype=bool)
    codes = _char_matrix(s, rows, 18)
    values = _USCC_VALUE[codes]
    uscc_ok = (31 - values[:, :17] @ _USCC_W % 31) % 31 == values[:, 17]
    org_sum = _ORG_VALUE[codes[:, 8:16]] @ _ORG_W
    org_ok = _ORG_CHECK_BYTE[11 - org_sum % 11] == codes[:, 16]
    ok[rows] = uscc_ok & org_ok
    return _result(s, ok)


def id_card_ok(s: pd.Series, *, today: datetime.date | None = None) -> pd.Series:
    """居民身份证号码 (GB 11643): True for a well-formed number with a plausible birth date.

    18 characters: 17 digits and a check character (digit, X or x) that matches; the birth date (positions
    7-14) a real date between 1900-01-01 and `today` (default: the local date). 15 characters (legacy, no
    check digit): digits only, positions 7-12 a real date 19YYMMDD. Anything else is False; absent values
    are True.
    """
    s, today = as_text(s), today or datetime.date.today()
    ok = ~_present(s)

    long_rows = _matches(s, ID18_PATTERN)
    digits = _ID_VALUE[_char_matrix(s, long_rows, 18)]
    check_ok = _ID_CHECK_VALUE[digits[:, :17] @ _ID_W % 11] == digits[:, 17]
    ok[long_rows] = check_ok & _plausible_birth_date(digits[:, 6:14] @ _DATE_PLACES, today)

    short_rows = _matches(s, ID15_PATTERN)
    digits = _ID_VALUE[_char_matrix(s, short_rows, 15)]
    ok[short_rows] = _plausible_birth_date(19_000_000 + digits[:, 6:12] @ _DATE_PLACES[2:], today)
    return _result(s, ok)


def regno_ok(s: pd.Series) -> pd.Series:
    """15-digit 工商注册号 whose last digit is the GB/T 17710 MOD 11,10 check over the first 14.

    Values that are not 15 digits are False; absent values are True.
    """
    s = as_text(s)
    rows = _matches(s, REGNO_PATTERN)
    ok = ~_present(s)
    digits = _ID_VALUE[_char_matrix(s, rows, 15)]
    p = np.full(len(digits), 10)
    for column in digits[:, :14].T:
        total = (p + column) % 10
        p = np.where(total == 0, 10, total) * 2 % 11
    ok[rows] = (11 - p) % 10 == digits[:, 14]
    return _result(s, ok)


def org_code_ok(s: pd.Series) -> pd.Series:
    """组织机构代码 (GB 11714): 8 digits or upper-case letters and the mod-11 check character (0-9 or X).

    The dash of the printed form "XXXXXXXX-X" must be gone (normalization drops it). Anything else is False;
    absent values are True.
    """
    s = as_text(s)
    rows = _matches(s, ORG_PATTERN)
    ok = ~_present(s)
    codes = _char_matrix(s, rows, 9)
    total = _ORG_VALUE[codes[:, :8]] @ _ORG_W
    ok[rows] = _ORG_CHECK_BYTE[11 - total % 11] == codes[:, 8]
    return _result(s, ok)
