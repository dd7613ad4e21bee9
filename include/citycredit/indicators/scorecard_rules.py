"""The scorecard's data rules (include/config/scorecard.yaml ``rules``): what each reads and how it scores an item.

A rule takes a department of the registry, the item, the month's facts (``facts``) and its settings, and returns a
Score; a department without the feeds a rule reads gets a missing score, which the hand-entered one replaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from citycredit.core.months import add_months
from citycredit.feeds import registry
from citycredit.indicators import deliveries, periods

SHUANGGONGSHI = ("license", "penalty")


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    points: Decimal
    data: str | None = None
    extra: bool = False
    unmet: str | None = None  # "manual": when the data does not show the criterion met, the hand-entered score counts


@dataclass(frozen=True)
class Score:
    points: Decimal | None
    basis: str  # data | manual | missing
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str | None = None


def _all_or_nothing(item: Item, done: int, total: int, note: str) -> Score:
    return Score(item.points if total and done == total else Decimal(0), "data", Decimal(done), Decimal(total), note)


def _delivered(facts: dict, feeds) -> int:
    return sum(facts["by_deadline"].get(f.id, 0) > 0 for f in feeds)


def _shuanggongshi_on_time(dept: registry.Department, item: Item, facts: dict, rule: dict) -> Score:
    feeds = rule_feeds(dept, "shuanggongshi_on_time")
    if not feeds:
        return Score(None, "missing", note="该部门未登记双公示数据源，待人工评分")
    delivered = _delivered(facts, feeds)
    accuracy = facts["values"].get(("shuanggongshi_accuracy", dept.id))
    late = facts["values"].get(("shuanggongshi_late", dept.id))
    ok = (
        delivered == len(feeds)
        and accuracy is not None
        and accuracy >= Decimal(str(rule["min_accuracy"]))
        and late is not None
        and late <= Decimal(str(rule["max_late_rate"]))
    )
    note = f"截止前报送 {delivered}/{len(feeds)} 个数据源；准确率 {percent(accuracy)}；迟报率 {percent(late)}"
    return Score(item.points if ok else Decimal(0), "data", Decimal(delivered), Decimal(len(feeds)), note)


def _feeds_by_deadline(dept: registry.Department, item: Item, facts: dict, rule: dict) -> Score:
    done = _delivered(facts, dept.feeds)
    return _all_or_nothing(item, done, len(dept.feeds), f"截止前报送 {done}/{len(dept.feeds)} 个数据源")


def _credit_list_by_deadline(dept: registry.Department, item: Item, facts: dict, rule: dict) -> Score:
    feeds = rule_feeds(dept, "credit_list_by_deadline")
    if not feeds:
        return Score(None, "missing", note="该部门未登记信用名单数据源，待人工评分")
    done = _delivered(facts, feeds)
    return _all_or_nothing(item, done, len(feeds), f"截止前报送“红黑榜”数据源 {done}/{len(feeds)} 个")


def _credit_commitment_applied(dept: registry.Department, item: Item, facts: dict, rule: dict) -> Score:
    if not rule_feeds(dept, "credit_commitment_applied"):
        return Score(None, "missing", note="该部门未登记信用承诺数据源，待人工评分")
    found, needed = facts["commitments"].get(dept.id, 0), int(rule.get("min_records", 1))
    note = f"承诺日期在 {facts['year_start']} 至 {facts['month_end']} 的信用承诺 {found} 条（至少 {needed} 条得分）"
    return Score(item.points if found >= needed else Decimal(0), "data", Decimal(found), Decimal(needed), note)


RULES = {
    "shuanggongshi_on_time": _shuanggongshi_on_time,
    "feeds_by_deadline": _feeds_by_deadline,
    "credit_list_by_deadline": _credit_list_by_deadline,
    "credit_commitment_applied": _credit_commitment_applied,
}
# The datasets whose feeds each rule reads (None: every feed of the department).
RULE_DATASETS: dict[str, tuple[str, ...] | None] = {
    "shuanggongshi_on_time": SHUANGGONGSHI,
    "feeds_by_deadline": None,
    "credit_list_by_deadline": ("credit_list",),
    "credit_commitment_applied": ("credit_commitment",),
}
# How a year's monthly scores of a rule's item become the annual score (scorecard.yaml rules.<rule>.annual).
ROLLUPS = ("months", "best")


def rule_feeds(dept: registry.Department, rule: str) -> list:
    wanted = RULE_DATASETS[rule]
    return [f for f in dept.feeds if wanted is None or f.dataset in wanted]


def percent(value: Decimal | None) -> str:
    return "无数据" if value is None else f"{value * 100:.1f}%"


def facts(conn: sa.Connection, month: date) -> dict:
    """What the rules read: deliveries per feed from the month's start to the deadline, the month's
    department-level indicator values over all datasets, and each department's 信用承诺 dated in the year so far."""
    params = {**periods.month_params(month), "deadline": periods.reporting_deadline(month), **deliveries.params()}
    by_deadline: dict[str, int] = dict(
        conn.execute(
            sa.text(
                deliveries.reported("feed_id, count(*)", "received_at >= :start AND received_at <= :deadline")
                + " GROUP BY feed_id"
            ),
            params,
        ).all()
    )
    values = {
        (r.indicator, r.scope_id): r.value
        for r in conn.execute(
            sa.text(
                "SELECT indicator, scope_id, value FROM mart.indicator_values"
                " WHERE month = :month AND scope = 'department' AND dataset = 'all'"
            ),
            params,
        )
    }
    year_start, month_end = month.replace(month=1, day=1), add_months(month, 1) - timedelta(days=1)
    commitments: dict[str, int] = dict(
        conn.execute(
            sa.text(
                "SELECT department_id, count(*) FROM core.credit_commitment"
                " WHERE is_current AND cn_rq BETWEEN :a AND :b GROUP BY department_id"
            ),
            {"a": year_start, "b": month_end},
        ).all()
    )
    return {
        "by_deadline": by_deadline,
        "values": values,
        "commitments": commitments,
        "year_start": year_start,
        "month_end": month_end,
    }
