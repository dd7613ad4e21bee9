"""Cell values as real files and API pulls write them (issue #17): zoned timestamps, epoch numbers, 长期,
placeholders and Excel error values, full-width formula triggers."""

from __future__ import annotations

import pandas as pd
import pytest

from citycredit.normalize import standardize


def column(dataset: str, header: str, values: list[str | None]) -> list[str | None]:
    raw = pd.DataFrame({header: pd.array(values, dtype="str"), "_source_row": range(2, 2 + len(values))})
    header_map = standardize.map_headers([header], dataset)
    frame = standardize.normalize_frame(raw, dataset, header_map)
    return [None if pd.isna(v) else v for v in frame[header_map.columns[header]]]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2022-05-16T00:00:00.000+08:00", "2022-05-16"),
        ("2022-05-16T23:59:59+08:00", "2022-05-16"),
        ("2022-05-16 00:00:00 +0800", "2022-05-16"),
        # an instant: the city's day (Asia/Shanghai), as a date stored as local midnight and sent in UTC
        ("2022-05-15T16:00:00Z", "2022-05-16"),
        ("2022-05-15T15:59:59.999Z", "2022-05-15"),
        ("2022-05-16T01:00:00+09:00", "2022-05-16"),
        ("1652630400000", "2022-05-16"),  # epoch milliseconds: 2022-05-15T16:00Z
        ("1652630399999", "2022-05-15"),
        ("1652630400000.0", "2022-05-16"),
        ("1652630400", "2022-05-16"),  # epoch seconds
    ],
)
def test_timestamps_with_a_zone_and_epoch_numbers_are_the_citys_day(text, iso):
    assert column("penalty", "处罚决定日期", [text]) == [iso]


@pytest.mark.parametrize("text", ["165263040000", "16526304000000", "2022-05-16T25:00:00+08:00", "9999999999999"])
def test_other_long_numbers_and_broken_timestamps_are_not_dates(text):
    assert column("penalty", "处罚决定日期", [text]) == [text]


@pytest.mark.parametrize("text", ["长期", "长期有效", "永久", "永久 有效"])
def test_long_term_validity_is_the_open_end_date(text):
    assert column("license", "有效期至", [text]) == ["2099-12-31"]


def test_long_term_is_no_date_where_the_field_has_no_open_end():
    assert column("license", "许可决定日期", ["长期"]) == ["长期"]  # validation reports it as not a date
    assert column("penalty", "处罚有效期", ["长期"]) == ["长期"]


PLACEHOLDERS = ["— —", "—", "/", "无", "-", "空", "null", "NULL", "N/A"]
EXCEL_ERRORS = ["#N/A", "#REF!", "#NAME?", "#VALUE!", "#DIV/0!"]


@pytest.mark.parametrize("text", PLACEHOLDERS + EXCEL_ERRORS)
def test_placeholders_stay_in_required_columns_and_are_emptied_elsewhere(text):
    assert column("penalty", "行政相对人名称", [text]) == [text]  # kept, for validation to name it
    assert column("penalty", "法定代表人", [text]) == [None]  # never a name
    assert column("penalty", "统一社会信用代码", [text]) == [None]
    assert column("penalty", "公示截止期", [text]) == [None]


def test_words_that_merely_contain_a_placeholder_are_kept():
    assert column("penalty", "法定代表人", ["无名氏", "N/A公司", "-张三"]) == ["无名氏", "N/A公司", "-张三"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("＝SUM(A1)", "＝SUM(A1)"),
        ("＋86 123", "＋86 123"),
        ("－1", "－1"),
        ("＠x", "＠x"),
        ("\u3000＝1", "＝1"),  # leading blanks go, the trigger stays full-width
        ("1＝1", "1=1"),  # not at the start: folded as usual
        ("=1", "=1"),  # an ASCII trigger is the CSV writers' to neutralise, not normalization's
    ],
)
def test_a_leading_full_width_formula_trigger_stays_full_width(text, kept):
    assert column("penalty", "违法事实", [text]) == [kept]
