"""Masking of 居民身份证 numbers in everything that leaves the warehouse core (docs/architecture.md, invariant 6).

- `mask_id` / `mask_id_series`: a value known to be an ID number (a 证件号码 column). 15 characters or more
  keep the first 4 and the last 4 (`4104**********0037`, `1101*******1002`); shorter values keep a quarter at
  each end, so a short passport number is never shown almost whole.
- `mask_ids_in_text`: free text (messages, log lines, exception text, cells). A number is masked when a
  person could read it as an ID number, however it is spelled:
    * 18 characters: 17 digits and a digit or X/x, positions 7-14 a real date 19000101-20991231;
    * 15 digits (legacy numbers): positions 7-12 a real date 19YYMMDD;
    * digits may be full-width; invisible characters between them (U+200B-U+200D, U+2060, U+FEFF, U+00AD),
      also as core.printable writes them (`\\u200b`), do not split a number;
    * a number may be split into groups by blanks, dashes or dots (`4104 0319 8503 1533 10`,
      `410403-19850315-3310`), or glued to letters (`sfz410403198503153310号`). Such a spelling is also how
      long amounts, timestamps and codes look, so an 18-character one is masked only when its check digit is
      right too (about 1 in 11 chance for a number that is no ID), and a split 15-digit one only when it is
      all the digits of its chain.
  A run of digits longer than the number (a timestamp, an amount) is never cut into one. A 统一社会信用代码
  with a letter anywhere stays as it is; an all-digit one stays unless positions 7-14 happen to form such a
  date, where masking it costs a readable code but never leaks a person's number (likewise a 15-digit
  工商注册号 whose positions 7-12 read as 19YYMMDD). For a plain number standing on its own the check digit is
  deliberately ignored: a mistyped ID number is still personal data.
- `IdMaskingFilter` / `install_log_masking`: the same for log records.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, overload

from citycredit.core.checkdigits import id_check_char

if TYPE_CHECKING:  # pandas is imported where a column is masked: DAG files import this module to mask logs
    import pandas as pd

MASK = "*"
_DIGIT = "0-9０-９"
# Invisible characters, also as core.printable writes them in logs and file names (`\u200b`, `\xad`), where a
# reader still sees the digits around them as one number.
_INVISIBLE = "(?:[\u200b\u200c\u200d\u2060\ufeff\u00ad]|\\\\u200[bcd]|\\\\u2060|\\\\ufeff|\\\\xad)"
_GROUP = f"[{_DIGIT}]+(?:{_INVISIBLE}+[{_DIGIT}]+)*(?:{_INVISIBLE}*[XxＸｘ])?"
# Digit groups joined by up to three blanks, dashes or dots; no lookahead, so a match never backtracks.
_SEPARATOR = f"(?:[\\s\\-‐‑‒–—―－.．·・]|{_INVISIBLE}){{1,3}}"
_CHAIN = re.compile(f"(?<![{_DIGIT}]){_GROUP}(?:{_SEPARATOR}{_GROUP})*")
_GROUPS = re.compile(_GROUP)
_DROP = re.compile(_INVISIBLE)
_LETTER = re.compile("[A-Za-zＡ-Ｚａ-ｚ]")
_ASCII = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")
_BIRTH_YEARS = range(1900, 2100)


def _kept(length: int) -> int:
    """Characters shown at each end of a masked value of this length."""
    return 4 if length >= 15 else length // 4


@overload
def mask_id(value: str) -> str: ...
@overload
def mask_id(value: None) -> None: ...
def mask_id(value: str | None) -> str | None:
    """`4104**********0037` for an 18-character number; None stays None."""
    if value is None:
        return None
    kept = _kept(len(value))
    return value[:kept] + MASK * (len(value) - 2 * kept) + value[len(value) - kept :]


def mask_id_series(s: pd.Series) -> pd.Series:
    """`mask_id` over a column; missing values stay missing, the index is kept.

    Vectorised per distinct value length (a 证件号码 column has a handful of lengths). A column that is
    not text (numbers read without dtype=str) is masked as text.
    """
    from citycredit.core.identifiers import as_text

    s = as_text(s)
    lengths = s.str.len()
    masked = s.copy()
    for length in lengths.dropna().unique():
        length, rows = int(length), lengths.eq(length).fillna(False).to_numpy(dtype=bool)
        kept = _kept(length)
        masked[rows] = s[rows].str.slice_replace(kept, length - kept, MASK * (length - 2 * kept))
    return masked


def _is_birth_date(yyyymmdd: str) -> bool:
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return born.year in _BIRTH_YEARS


def _is_id_number(number: str, checked: bool) -> bool:
    """`number` (ASCII digits, X last) reads as an ID number: a birth date where one belongs, the check digit
    right when `checked`."""
    if len(number) == 15:
        return "X" not in number and _is_birth_date("19" + number[6:12])
    if len(number) != 18 or "X" in number[:17] or not _is_birth_date(number[6:14]):
        return False
    return not checked or id_check_char(number[:17]) == number[17]


def _mask_chain(match: re.Match[str]) -> str:
    """The digit groups of one chain, with each run of whole groups that reads as an ID number masked."""
    chain, text, end = match.group(), match.string, match.end()
    if len(chain) < 15:
        return chain
    groups = [(g.start(), g.end(), _DROP.sub("", g.group())) for g in _GROUPS.finditer(chain)]
    numbers = [g[2].translate(_ASCII) for g in groups]
    ends = list(itertools.accumulate(len(n) for n in numbers))  # digits up to the end of each group
    x_ends = [k for k, n in enumerate(numbers) if n.endswith("X")]  # an X ends a number
    before, last = text[match.start() - 1 : match.start()], len(groups) - 1
    out, done, i = [], 0, 0
    while i <= last:
        for length in (18, 15):
            total = ends[i] - len(numbers[i]) + length
            j = bisect.bisect_left(ends, total, lo=i, hi=min(i + length, last + 1))
            if j > last or ends[j] != total:
                continue
            split = j > i
            x = bisect.bisect_left(x_ends, i)
            if (x < len(x_ends) and x_ends[x] < j) or (length == 15 and split and (i, j) != (0, last)):
                continue  # a split 15-digit number (no check digit) counts only as its whole chain
            after = chain[groups[j][1] : groups[j][1] + 1] or text[end : end + 1]
            glued = (i == 0 and bool(_LETTER.fullmatch(before))) or bool(_LETTER.fullmatch(after))
            if not after.isdigit() and _is_id_number("".join(numbers[i : j + 1]), checked=glued or split):
                out += [chain[done : groups[i][0]], mask_id("".join(g[2] for g in groups[i : j + 1]))]
                done, i = groups[j][1], j
                break
        i += 1
    return "".join(out) + chain[done:] if out else chain


def mask_ids_in_text(text: str) -> str:
    """Every number in `text` a person could read as an ID number masked (see the module docstring)."""
    return _CHAIN.sub(_mask_chain, text)


class IdMaskingFilter(logging.Filter):
    """Masks ID numbers in a record's message, its arguments, its exception text and its stack text.

    Never drops a record. A message that needs masking is formatted here (`record.msg` becomes the masked
    text and `record.args` is emptied); other records keep their lazy arguments. Attach it to handlers:
    a filter on a logger does not see records that propagate up from child loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - malformed arguments: the handler reports them, masked
            record.msg = mask_ids_in_text(str(record.msg))
            record.args = _mask_args(record.args)
        else:
            masked = mask_ids_in_text(message)
            if masked != message:
                record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_ids_in_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_ids_in_text(record.stack_info)
        return True


def _mask_args(
    args: tuple[object, ...] | Mapping[str, object] | None,
) -> tuple[object, ...] | Mapping[str, object] | None:
    if isinstance(args, dict):
        return {key: mask_ids_in_text(str(value)) for key, value in args.items()}
    if isinstance(args, tuple):
        return tuple(mask_ids_in_text(str(value)) for value in args)
    return args


_FILTER = IdMaskingFilter()


def install_log_masking() -> None:
    """Mask ID numbers in every log record of this process; calling it again changes nothing.

    Two layers, because a filter only acts where it is attached:
    - the root logger's current handlers get an `IdMaskingFilter`; they see every record that propagates,
      including records rebuilt by `logging.makeLogRecord` (queue and socket listeners);
    - the log record factory is wrapped so each record is masked when it is created. That covers handlers
      added later (e.g. by a logging dictConfig, or pytest's caplog) and loggers that do not propagate.
    """
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, IdMaskingFilter) for f in handler.filters):
            handler.addFilter(_FILTER)
    factory = logging.getLogRecordFactory()
    if getattr(factory, "masks_ids", False):
        return

    def masking_factory(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _FILTER.filter(record)
        return record

    masking_factory.__dict__["masks_ids"] = True  # the mark checked above (a function attribute)
    logging.setLogRecordFactory(masking_factory)
