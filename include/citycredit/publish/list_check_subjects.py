"""What a 联合奖惩 核查 is asked about: subjects given by code and/or name, as a person typed them or a file held them,
and whether a code can be right (check digits, core.checkdigits), said in Chinese when it cannot."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from citycredit.core import checkdigits, identifiers, privacy
from citycredit.core.identifiers import USCC_PATTERN
from citycredit.normalize.headers import INVISIBLE

USCC, ID_NUMBER = "uscc", "id_number"
_DROP = re.compile(f"[\\s{INVISIBLE}]")
_USCC = re.compile(USCC_PATTERN)
_ID = re.compile(r"^[0-9]{17}[0-9X]$")
_USCC_CHARS = frozenset(checkdigits.USCC_ALPHABET)
# Typed text that is a code: letters and digits only, at least 8, with a digit; anything else is a name.
_TYPED_CODE = re.compile(r"^(?=.*[0-9])[0-9A-Za-z]{8,}$")


def clean(text: object) -> str | None:
    """What a person typed or a cell held, as text to look up: NFKC (full-width forms), trimmed; None when empty."""
    if text is None:
        return None
    value = unicodedata.normalize("NFKC", str(text)).strip()
    return value or None


def clean_code(text: object) -> str | None:
    """A code as typed: full-width forms folded, blanks and invisible characters dropped, upper case."""
    value = _DROP.sub("", clean(text) or "").upper()
    return value or None


def _birth_date(yyyymmdd: str) -> bool:
    try:
        return dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])).year >= 1900
    except ValueError:
        return False


def identify(code: str) -> tuple[str, str | None]:
    """What a cleaned code is (USCC or ID_NUMBER) and, when it cannot be right, why not, in Chinese."""
    if code == checkdigits.USCC_PLACEHOLDER:
        return USCC, f"{code} 是个体工商户没有统一社会信用代码时的占位代码，不能据以核查；请按名称核查"
    if len(code) != 18:
        return USCC, f"代码应为18位（统一社会信用代码或身份证号码），收到{len(code)}位"
    id_like = bool(_ID.match(code)) and _birth_date(code[6:14])
    if id_like and checkdigits.id_check_char(code[:17]) == code[17]:
        return ID_NUMBER, None
    problem = _uscc_problem(code)
    if problem and id_like:
        return ID_NUMBER, "身份证号码校验位不符（可能有数字输错）"
    return USCC, problem


def problems(codes: Sequence[str]) -> dict[str, str | None]:
    """What identify says is wrong with each code (None: nothing). A 核查 asks thousands of codes at once, most of
    them valid 统一社会信用代码: the vectorised checks of core.identifiers find those together, and only the rest
    are identified one by one, for their kind and message."""
    column = pd.Series(list(dict.fromkeys(codes)), dtype=object)
    valid = identifiers.uscc_format_ok(column) & identifiers.uscc_check_ok(column)
    return {
        code: None if ok and code != checkdigits.USCC_PLACEHOLDER else identify(code)[1]
        for code, ok in zip(column, valid, strict=True)
    }


def _uscc_problem(code: str) -> str | None:
    odd = "".join(sorted(set(code) - _USCC_CHARS))
    if odd:
        return f"统一社会信用代码含不使用的字符“{odd}”（代码不用 I、O、Z、S、V 和标点）"
    if not _USCC.match(code):
        return "统一社会信用代码第3-8位应为行政区划代码（6位数字）"
    if checkdigits.uscc_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不符（可能有字符输错）"
    if checkdigits.org_check_char(code[8:16]) != code[16]:
        return "统一社会信用代码第9-17位（组织机构代码）校验位不符（可能有字符输错）"
    return None


@dataclass(frozen=True, slots=True)
class Subject:
    """A subject asked about: a code and/or a name, as given (cleaned)."""

    code: str | None = None
    name: str | None = None

    @classmethod
    def of(cls, code: object = None, name: object = None) -> Subject:
        return cls(clean_code(code), clean(name))

    @property
    def kind(self) -> str | None:
        return identify(self.code)[0] if self.code else None

    @property
    def shown_code(self) -> str | None:
        """The code as an answer may show it: a 身份证号码 masked."""
        return privacy.mask_id(self.code) if self.code and self.kind == ID_NUMBER else self.code


def subjects_of(pairs: Iterable[tuple[object, object]]) -> list[Subject]:
    """Subjects from (code, name) pairs as a file or a request holds them; pairs with neither are left out."""
    out = [Subject.of(code, name) for code, name in pairs]
    return [s for s in out if s.code or s.name]


def typed(text: str) -> Subject:
    """What a person typed (a command-line argument, a line of the 核查 page): a code when it looks like one (after
    clean_code: full-width forms folded), else a name."""
    code = clean_code(text)
    if code and _TYPED_CODE.match(code):
        return Subject.of(code=code)
    return Subject.of(name=text)
