"""The facts a scorecard item's score rests on, for ``citycredit explain scorecard:<item>``.

For a month: the item's criterion, and per department the score the rule gives now (beside the one stored in the
mart), the deliveries of the feeds the rule reads with their times against the deadline and whether each counts,
the rates against their thresholds, the 信用承诺 records; or, for a hand-scored item, the manual entries and notes.
For a year: each month's score and the roll-up. Data only; the command prints it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from citycredit.core import config
from citycredit.feeds import registry
from citycredit.indicators import annual, deliveries, periods, scorecard, scorecard_rules
from citycredit.indicators.scorecard_rules import Item

PREFIX = "scorecard:"
RATES = {"shuanggongshi_accuracy": "min_accuracy", "shuanggongshi_late": "max_late_rate"}


def resolve(raw: dict, ref: str, department_id: str | None) -> tuple[str, Item]:
    """``scorecard:2.1`` (the department's annex, else the default one) or ``scorecard:附件2:5.2`` → annex, item."""
    parts = ref.removeprefix(PREFIX).split(":")
    annex_name = parts[0] if len(parts) == 2 else scorecard.annex_of(raw, department_id)
    if annex_name not in raw["annexes"]:
        raise config.ConfigError(f"未知考核附件：{annex_name}；可用：{'、'.join(raw['annexes'])}")
    items = raw["annexes"][annex_name]["items"]
    item = next((it for it in items if it.id == parts[-1]), None)
    if item is None:
        known = "、".join(it.id for it in items)
        raise config.ConfigError(f"{annex_name} 没有考核项 {parts[-1]!r}；可用：{known}（如 scorecard:2.1）")
    if department_id and scorecard.annex_of(raw, department_id) != annex_name:
        own = scorecard.annex_of(raw, department_id)
        raise config.ConfigError(f"部门 {department_id} 按{own}考核，不按{annex_name}")
    return annex_name, item


def criterion(raw: dict, item: Item, month: date | None) -> str:
    """The item's scoring rule as staff read it."""
    rule = raw["rules"].get(item.data) or {}
    deadline = f"{periods.reporting_deadline(month):%Y-%m-%d %H:%M} " if month else "每月报送截止时间"
    counted = "有效报送（新文件，且至少入库一行或仍在处理中）"
    full = f"得 {item.points:g} 分，否则 0 分"
    text = {
        None: "人工评分（材料审核），见 scorecard.yaml manual",
        "shuanggongshi_on_time": f"{deadline}前每个双公示数据源都有{counted}，准确率不低于 "
        f"{scorecard_rules.percent(Decimal(str(rule.get('min_accuracy', 0))))}、迟报率不高于 "
        f"{scorecard_rules.percent(Decimal(str(rule.get('max_late_rate', 0))))}：得 {item.points:g} 分，否则 0 分",
        "feeds_by_deadline": f"{deadline}前该部门每个数据源都有{counted}：{full}",
        "credit_list_by_deadline": f"{deadline}前每个信用名单（红黑榜）数据源都有{counted}：{full}",
        "credit_commitment_applied": f"当年 1 月 1 日至月末承诺日期的信用承诺不少于 {rule.get('min_records', 1)} 条："
        f"得 {item.points:g} 分，否则 0 分",
    }[item.data]
    if item.data and item.unmet == "manual":
        text = text.replace("，否则 0 分", "，否则按人工评分")
    if item.data:
        text += "；未登记相应数据源的部门按人工评分"
    return text


def _departments(raw: dict, annex_name: str, department_id: str | None) -> list[registry.Department]:
    return [
        d
        for d in registry.load().departments
        if (department_id is None or d.id == department_id) and scorecard.annex_of(raw, d.id) == annex_name
    ]


def _deliveries(conn: sa.Connection, dept: registry.Department, rule: str, month: date) -> list[dict]:
    feeds = [f.id for f in scorecard_rules.rule_feeds(dept, rule)]
    params = {**periods.month_params(month), "deadline": periods.reporting_deadline(month), **deliveries.params()}
    counted = deliveries.reported("1", "reported.feed_id = d.feed_id AND reported.received_at = d.received_at")
    sql = (
        "SELECT d.feed_id, d.dataset, d.received_at, d.source_name, d.outcome, b.status, a.loaded, a.quarantined,"
        f" a.duplicate, d.received_at <= :deadline AS by_deadline, EXISTS ({counted}) AS reported"
        " FROM landing.deliveries d LEFT JOIN landing.batches b ON b.batch_id = d.batch_id"
        " LEFT JOIN quality.batch_accounting a ON a.batch_id = d.batch_id"
        " WHERE d.feed_id = ANY(:feeds) AND d.received_at >= :start AND d.received_at < :end"
        " ORDER BY d.received_at, d.delivery_id"
    )
    rows = [dict(r) for r in conn.execute(sa.text(sql), {**params, "feeds": feeds}).mappings()]
    for r in rows:
        r["counts"] = r["reported"] and r["by_deadline"]
    # A feed without any delivery this month is a fact too: it is why the item scores 0.
    silent = [f for f in feeds if not any(r["feed_id"] == f for r in rows)]
    return rows + [{"feed_id": f, "received_at": None, "outcome": "none", "counts": False} for f in silent]


def _rates(conn: sa.Connection, dept_id: str, rule: dict, month: date) -> list[dict]:
    rows = conn.execute(
        sa.text(
            "SELECT indicator, numerator, denominator, value FROM mart.indicator_values WHERE month = :m"
            " AND scope = 'department' AND scope_id = :d AND dataset = 'all' AND indicator = ANY(:i)"
        ),
        {"m": month, "d": dept_id, "i": list(RATES)},
    ).mappings()
    found = {r["indicator"]: dict(r) for r in rows}
    return [
        {"indicator": i, "threshold": Decimal(str(rule[key])), "bound": "min" if key.startswith("min") else "max",
         **{k: found.get(i, {}).get(k) for k in ("numerator", "denominator", "value")}}
        for i, key in RATES.items()
    ]  # fmt: skip


def _commitments(conn: sa.Connection, dept_id: str, month: date, limit: int | None) -> list[dict]:
    sql = (
        "SELECT cn_rq AS dated, cn_lx AS commitment_type, cn_wsh AS document_no, batch_id, source_row"
        " FROM core.credit_commitment WHERE is_current AND department_id = :d AND cn_rq BETWEEN :a AND :b"
        " ORDER BY cn_rq, batch_id, source_row" + (" LIMIT :limit" if limit else "")
    )
    params = {"d": dept_id, "a": month.replace(month=1), "b": periods.month_params(month)["month_end"], "limit": limit}
    return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


def month_evidence(
    engine: sa.Engine, ref: str, month: date, department_id: str | None = None, limit: int | None = 50
) -> dict:
    """The item, its criterion and, per department of its annex, the score and the facts it rests on."""
    raw = scorecard.load()
    annex_name, item = resolve(raw, ref, department_id)
    rule = raw["rules"].get(item.data) or {}
    result: dict = {"annex": annex_name, "item_id": item.id, "item": item.name, "max_points": item.points,
                    "rule": item.data, "criterion": criterion(raw, item, month), "month": month,
                    "deadline": periods.reporting_deadline(month), "departments": []}  # fmt: skip
    with engine.connect() as conn:
        facts = scorecard_rules.facts(conn, month)
        stored: dict[str, Decimal | None] = dict(
            conn.execute(
                sa.text("SELECT department_id, points FROM mart.scorecard_items WHERE month = :m AND item_id = :i"),
                {"m": month, "i": item.id},
            ).all()
        )
        for dept in _departments(raw, annex_name, department_id):
            score = scorecard.score_item(raw, dept, item, facts, month)
            entry = {"department_id": dept.id, "department": dept.name, "points": score.points, "basis": score.basis,
                     "numerator": score.numerator, "denominator": score.denominator, "note": score.note,
                     "stored_points": stored.get(dept.id),
                     "stored": dept.id in stored,
                     "manual": scorecard.manual_entries(raw, dept.id, item)}  # fmt: skip
            if not (item.data and scorecard_rules.rule_feeds(dept, item.data)):
                pass  # no feed the rule reads: the manual entries are the facts
            elif item.data == "credit_commitment_applied":
                entry["commitments"] = _commitments(conn, dept.id, month, limit)
                entry["commitments_total"] = facts["commitments"].get(dept.id, 0)
            elif item.data:
                entry["deliveries"] = _deliveries(conn, dept, item.data, month)
            if item.data == "shuanggongshi_on_time":
                entry["rates"] = _rates(conn, dept.id, rule, month)
            result["departments"].append(entry)
    return result


def year_evidence(engine: sa.Engine, ref: str, year: int, department_id: str | None = None) -> dict:
    """The item's monthly scores of the year and their roll-up, per department of its annex."""
    raw = scorecard.load()
    annex_name, item = resolve(raw, ref, department_id)
    rule = raw["rules"].get(item.data) or {}
    rollup = rule.get("annual", "months") if item.data else "manual"
    result: dict = {"annex": annex_name, "item_id": item.id, "item": item.name, "max_points": item.points,
                    "rule": item.data, "rollup": rollup, "criterion": criterion(raw, item, None), "year": year,
                    "departments": []}  # fmt: skip
    with engine.connect() as conn:
        monthly = conn.execute(
            sa.text(
                "SELECT month, department_id, points, max_points, basis, note FROM mart.scorecard_items"
                " WHERE item_id = :i AND month BETWEEN :a AND :b ORDER BY month"
            ),
            {"i": item.id, "a": date(year, 1, 1), "b": date(year, 12, 1)},
        ).all()
        stored: dict[str, Decimal | None] = dict(
            conn.execute(
                sa.text(
                    "SELECT department_id, points FROM mart.scorecard_annual_items WHERE year = :y AND item_id = :i"
                ),
                {"y": year, "i": item.id},
            ).all()
        )
    for dept in _departments(raw, annex_name, department_id):
        months = [r for r in monthly if r.department_id == dept.id]
        rolled = annual.roll_up(raw, dept.id, item, months, year)
        result["departments"].append(
            {"department_id": dept.id, "department": dept.name, "points": rolled.score.points,
             "basis": rolled.score.basis, "rollup": rolled.rollup, "note": rolled.score.note,
             "months": [{"month": r.month, "points": r.points, "basis": r.basis, "note": r.note} for r in months],
             "stored": dept.id in stored, "stored_points": stored.get(dept.id),
             "manual": scorecard.manual_entries(raw, dept.id, item)}
        )  # fmt: skip
    return result
