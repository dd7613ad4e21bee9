"""The monthly report's list of 错码 and 重码: the names, codes and departments behind each issue, as the city's
统一社会信用代码 stock stood at the end of the day asked (also a day in the past, when codes have since been
withdrawn or added)."""

from __future__ import annotations

from datetime import date

import pytest
from support.indicator_rows import batch, uscc_observation

from citycredit.publish import monthly

pytestmark = pytest.mark.db

A, B, C = "91440300708461136T", "9144030071526726XG", "91110108551385082Q"  # valid codes
MISTYPED = "91330100799655058C"  # 91330100799655058B with its check character changed
SCJG = "平顶山市市场监督管理局"
DING = "平顶山市丁记建材有限公司"


@pytest.fixture
def stock(engine):
    with engine.begin() as conn:
        september = batch(conn, "scjg", "license", "2025-09-05 10:00")
        october = batch(conn, "scjg", "license", "2025-10-05 10:00")
        uscc_observation(conn, september, A, DING, "2025-09-01", True)
        # In the stock at the end of September, replaced by a later version on 2025-10-15.
        uscc_observation(conn, september, B, DING, "2025-09-02", True, withdrawn="2025-10-15")
        uscc_observation(conn, september, MISTYPED, "平顶山市恒德物流有限公司", "2025-09-03", False)
        uscc_observation(conn, october, C, "平顶山市丁记建材（有限）公司", "2025-10-05", True)
        uscc_observation(conn, october, A, "平顶山市恒德物流有限公司", "2025-10-06", True)
    return engine


def listed(engine, day: str) -> list[tuple]:
    rows, total = monthly.uscc_issue_rows(engine, date.fromisoformat(day))
    assert total == len(rows)
    return [(r["issue"], r["codes"], r["names"], r["departments"]) for r in rows]


def test_each_issue_lists_the_codes_and_names_behind_it_on_the_day_asked(stock):
    assert listed(stock, "2025-09-30") == [
        ("一名多码", "；".join(sorted([A, B])), DING, SCJG),
        ("错码", MISTYPED, "平顶山市恒德物流有限公司", SCJG),
    ]
    # B withdrawn, C (the same name, written with full-width brackets) and A under a second name added.
    assert listed(stock, "2025-10-31") == [
        ("一名多码", "；".join(sorted([A, C])), "；".join(sorted([DING, "平顶山市丁记建材（有限）公司"])), SCJG),
        ("一码多名", A, "；".join(sorted([DING, "平顶山市恒德物流有限公司"])), SCJG),
        ("错码", MISTYPED, "平顶山市恒德物流有限公司", SCJG),
    ]


def test_the_count_covers_every_issue_when_only_the_first_are_listed(stock):
    rows, total = monthly.uscc_issue_rows(stock, date(2025, 10, 31), limit=1)
    assert [r["issue"] for r in rows] == ["一名多码"] and total == 3
    assert monthly.uscc_issue_rows(stock, date(2025, 8, 31)) == ([], 0)
