"""The vectorised checks behind the project's own rules (citycredit.validate.rules), value by value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from citycredit.validate.rules import conditions
from citycredit.validate.rules.values import add_months, day_numbers


def col(*values) -> pd.Series:
    return pd.Series(pd.array(values, dtype="str"))


def days(*isos) -> np.ndarray:
    return np.array(isos, dtype="datetime64[D]").astype(np.int64)


def test_dates_are_real_calendar_days_written_iso_in_any_year():
    values = col("2025-09-30", "2024-02-29", "2025-02-29", "2025-13-01", "0025-09-30", "9999-12-31", "2025/9/30",
                 None)  # fmt: skip
    assert conditions.iso_dates_ok(values).tolist() == [True, True, False, False, True, True, False, True]
    numbers, valid = day_numbers(col("1970-01-02", "1949-10-01"))
    assert valid.tolist() == [True, True]
    assert numbers.tolist() == days("1970-01-02", "1949-10-01").tolist()


def test_month_arithmetic_keeps_the_day_and_clamps_at_the_month_end():
    start = days("2025-11-30", "2024-01-31", "2025-09-26", "2023-02-28")
    assert add_months(start, 3).tolist() == days("2026-02-28", "2024-04-30", "2025-12-26", "2023-05-28").tolist()
    assert add_months(days("2024-02-29"), 12).tolist() == days("2025-02-28").tolist()
    assert add_months(days("2024-01-31"), 1).tolist() == days("2024-02-29").tolist()


def test_date_order_treats_the_long_term_date_as_open_ended_and_skips_what_is_not_a_date():
    first = col("2025-09-26", "2025-09-26", "2025-09-26", "garbage", None)
    then = col("2025-09-25", "2025-09-26", "2099-12-31", "2025-01-01", "2025-01-01")
    assert conditions.dates_in_order_ok(first, then, None).tolist() == [False, True, True, True, True]
    late_start = col("2100-01-01")
    assert conditions.dates_in_order_ok(late_start, col("2099-12-31"), "2099-12-31").tolist() == [True]
    assert conditions.dates_in_order_ok(late_start, col("2099-12-31"), None).tolist() == [False]


def test_publication_window_boundaries_and_the_special_domains():
    frame = pd.DataFrame(
        {
            "jdrq": col("2025-09-26", "2025-09-26", "2025-09-26", "2025-09-26", "2025-09-26", "2025-09-26"),
            "gsjzq": col("2025-12-26", "2025-12-25", "2028-09-26", "2028-09-27", "2026-09-25", "2026-09-26"),
            "wfxw": col("价格违法行为", "价格违法行为", "价格违法行为", "价格违法行为", "消防违法行为", "其他"),
            "yj": col(None, None, None, None, None, "依据《中华人民共和国安全生产法》第九十七条"),
        }
    )
    ok = conditions.publication_window_ok(frame, 3, 36, 12, ["特种设备", "安全生产", "消防"])
    assert ok.tolist() == [True, False, True, False, False, True]


def test_every_item_of_a_multi_valued_code_is_checked():
    ok = conditions.items_in_set_ok(col("警告;罚款", "罚款;吊销执照", "其他", None), ["警告", "罚款", "其他"], ";")
    assert ok.tolist() == [True, False, True, True]


def test_a_listed_penalty_type_needs_its_value():
    frame = pd.DataFrame(
        {"cflb": col("罚款", "罚款", "罚款", "罚款", "警告", None), "fk": col("0.5", None, "0", "5000元", None, None)}
    )
    assert conditions.listed_items_have_value_ok(frame, ["罚款"], True).tolist() == [
        True,
        False,
        False,
        True,
        True,
        True,
    ]
    assert conditions.listed_items_have_value_ok(frame, ["罚款"], False).tolist() == [
        True,
        False,
        True,
        True,
        True,
        True,
    ]


@pytest.mark.parametrize(
    ("content", "amount", "plausible"),
    [
        ("罚款5000元", "5000", False),
        ("罚款5,000元", "5000", False),
        ("警告，罚款人民币2000元", "2000", False),
        ("罚款5000元", "0.5", True),
        ("罚款5万元", "5", True),
        ("警告", None, True),
        ("没收违法所得2000元", "2000", True),
    ],
)
def test_a_fine_written_in_yuan_and_entered_as_wan_yuan_is_suspicious(content, amount, plausible):
    frame = pd.DataFrame({"nr": col(content), "fk": col(amount)})
    assert conditions.fine_unit_plausible_ok(frame).tolist() == [plausible]


def test_rows_sharing_a_key_must_share_their_content():
    keys = pd.Series(pd.array([1, 1, 2, 2, 3, None], dtype="Int64"))
    contents = pd.Series(pd.array([10, 11, 20, 20, 30, 40], dtype="Int64"))
    assert conditions.one_content_per_key_ok(keys, contents).tolist() == [False, False, True, True, True, True]
