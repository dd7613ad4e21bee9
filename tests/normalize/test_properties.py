"""Property tests (hypothesis): normalization keeps every row and value and is stable; check digits catch typos.

(Agreement of the vectorised checks with the scalar ones and python-stdnum is in test_identifiers.py.)
"""

from __future__ import annotations

import datetime
import re
import string
import unicodedata
from decimal import Decimal

import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from citycredit.core import checkdigits, config, identifiers
from citycredit.normalize import standardize, values

DATASET = "license"
FIELDS = config.fields(DATASET)
LABELS = [f.label for f in FIELDS]
_NO_TEXT = re.compile(f"[\\s{standardize.INVISIBLE}]")
# In an identifier, dashes are separators ("410402-1990…") and a lone dash marks "none": they are not its text.
_NO_IDENTIFIER_TEXT = re.compile(f"[\\s{standardize.INVISIBLE}\\-\u2010-\u2015\u2212]")

# Cells as departments type them: Chinese, ASCII, full-width forms, blanks, line breaks, invisible characters,
# plus values close to what each field type parses (dates, amounts, codes).
cell_text = st.one_of(
    st.text(
        alphabet=st.sampled_from(
            list("平顶山市公司有限〔〕（）()-/年月日号 \t\r\n\u3000\u200b\ufeff")
            + list(string.ascii_letters + string.digits)
            + list("０１２３４５６７８９ＡＢＸ")
        ),
        max_size=24,
    ),
    st.dates(datetime.date(1950, 1, 1), datetime.date(2099, 12, 31)).map(lambda d: f"{d.year}/{d.month}/{d.day}"),
    st.sampled_from(["普通", "特许", "法人及非法人组织", "自然人", "1", "2", "有效", "警告；罚款", "1,500万元"]),
    st.text(max_size=12),  # anything at all
)


# How Excel users keep a code as text: a leading apostrophe or backtick, or ="…" around it; not the code's text.
_TEXT_MARK = re.compile("^(?:['\u2018\u2019`]+(.*)|=\"(.*)\")$")


def has_text(value: str | None, field_type: str = "text") -> bool:
    """Anything but blanks and characters that carry no text (standardize.INVISIBLE); in an identifier, dashes and
    the marks that keep a code as text too."""
    if not isinstance(value, str):
        return False
    text = unicodedata.normalize("NFKC", value)
    if field_type == "identifier":
        text = " ".join(_NO_TEXT.sub(" ", text).split())
        text = _NO_IDENTIFIER_TEXT.sub("", _TEXT_MARK.sub(r"\1\2", text))
    return _NO_TEXT.sub("", text) != ""


def kept_expected(value: str | None, field: config.Field) -> bool:
    """Whether normalization keeps a value in the field: a placeholder ("无", "-", "#N/A") only in a required field,
    where validation names it; anything else when it has text."""
    if isinstance(value, str) and placeholder(value):
        return field.required
    return has_text(value, field.type)


def placeholder(value: str) -> bool:
    return values.placeholder_kind(_NO_TEXT.sub("", unicodedata.normalize("NFKC", value))) is not None


def raw_frame(rows: list[list[str | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=LABELS, dtype="str")
    frame[standardize.SOURCE_ROW] = range(2, len(rows) + 2)
    return frame


rows_strategy = st.lists(st.lists(st.one_of(st.none(), cell_text), min_size=len(LABELS), max_size=len(LABELS)),
                         min_size=1, max_size=8)  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(rows_strategy)
def test_normalization_keeps_every_row_and_every_value_that_has_text(rows):
    raw = raw_frame(rows)
    header_map = standardize.map_headers(LABELS, DATASET)
    out = standardize.normalize_frame(raw, DATASET, header_map)
    assert list(out[standardize.SOURCE_ROW]) == list(raw[standardize.SOURCE_ROW])
    for f in FIELDS:
        expected = raw[f.label].map(lambda v, f=f: kept_expected(v, f))
        kept = out[f.name].notna()
        # A cell with text keeps a value (interpreted or as cleaned text); an empty one stays empty, and so does a
        # placeholder ("无", "/", "#N/A") outside a required column.
        assert not (expected & ~kept).any(), (f.name, raw[f.label][expected & ~kept].tolist())
        assert not (~expected & kept).any(), (f.name, raw[f.label][~expected & kept].tolist())


@settings(max_examples=80, deadline=None)
@given(rows_strategy)
def test_normalizing_normalized_values_changes_nothing(rows):
    header_map = standardize.map_headers(LABELS, DATASET)
    once = standardize.normalize_frame(raw_frame(rows), DATASET, header_map)
    again_raw = once.rename(columns={f.name: f.label for f in FIELDS})[[*LABELS, standardize.SOURCE_ROW]]
    twice = standardize.normalize_frame(again_raw, DATASET, header_map)
    for f in FIELDS:
        assert once[f.name].tolist() == twice[f.name].tolist(), f.name


@given(st.dates(datetime.date(1950, 1, 1), datetime.date(2099, 12, 31)))
def test_every_supported_date_spelling_gives_the_same_day(day):
    spellings = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day:%Y%m%d}",
        f"{day.year}年{day.month}月{day.day}日",
        str((day - datetime.date(1899, 12, 30)).days),  # Excel serial
    ]
    assert {standardize.parse_date(s) for s in spellings} == {day.isoformat()}


@given(st.decimals(min_value=-(10**11), max_value=10**11, places=6, allow_nan=False, allow_infinity=False))
def test_amounts_keep_their_value(value):
    for text in (str(value), f"{value}万元", f"{value}万"):
        parsed = standardize.parse_amount(text)
        assert parsed is not None and Decimal(parsed) == value, text
        assert standardize.parse_amount(parsed) == parsed


@given(st.sampled_from(LABELS), st.lists(st.sampled_from([" ", "\u3000", "\u200b", "\t"]), max_size=3), st.booleans())
def test_headers_match_through_blanks_and_required_markers(label, blanks, starred):
    spaced = "".join(ch + (blanks[i % len(blanks)] if blanks else "") for i, ch in enumerate(label))
    header = ("*" if starred else "") + spaced
    canonical = standardize.map_headers([label], DATASET).columns[label]
    assert standardize.map_headers([header], DATASET).columns == {header: canonical}


# --- check digits ---------------------------------------------------------------------------------------------

ALPHABET = checkdigits.USCC_ALPHABET
ORG_CHARS = string.digits + "ABCDEFGHJKLMNPQRTUWXY"


@st.composite
def valid_uscc(draw) -> str:
    head = draw(st.sampled_from(["91", "92", "93", "11", "12", "51", "52", "N1", "Y1"]))
    region = draw(st.text(alphabet=string.digits, min_size=6, max_size=6))
    org = draw(st.text(alphabet=ORG_CHARS, min_size=8, max_size=8))
    body = head + region + org + checkdigits.org_check_char(org)
    assume(all(c in ALPHABET for c in body))
    return body + checkdigits.uscc_check_char(body)


@st.composite
def valid_id_card(draw) -> str:
    born = draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31)))
    body = draw(st.text(alphabet=string.digits, min_size=6, max_size=6)) + f"{born:%Y%m%d}"
    body += draw(st.text(alphabet=string.digits, min_size=3, max_size=3))
    return body + checkdigits.id_check_char(body)


def uscc_accepted(code: str) -> bool:
    """What validation lets through: the format rule and the check-character rule together."""
    s = pd.Series([code])
    return bool((identifiers.uscc_format_ok(s) & identifiers.uscc_check_ok(s)).iloc[0])


@settings(max_examples=300)
@given(valid_uscc(), st.integers(0, 17), st.sampled_from(ALPHABET))
def test_one_mistyped_character_of_a_uscc_is_caught(code, position, typed):
    assume(code[position] != typed)
    wrong = code[:position] + typed + code[position + 1 :]
    assert uscc_accepted(code)
    assert not uscc_accepted(wrong)


@settings(max_examples=300)
@given(valid_uscc(), st.integers(0, 16))
def test_two_swapped_neighbours_of_a_uscc_are_caught(code, position):
    assume(code[position] != code[position + 1])
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert not uscc_accepted(swapped)


@settings(max_examples=300)
@given(valid_id_card(), st.integers(0, 16), st.sampled_from(string.digits))
def test_one_mistyped_digit_of_an_id_number_is_caught(number, position, typed):
    assume(number[position] != typed)
    wrong = number[:position] + typed + number[position + 1 :]
    today = datetime.date(2026, 1, 1)
    assert identifiers.id_card_ok(pd.Series([number]), today=today).tolist() == [True]
    assert identifiers.id_card_ok(pd.Series([wrong]), today=today).tolist() == [False]
