"""The department scorecard of 平信用办〔2020〕8号 附件1 / 附件2 (include/config/scorecard.yaml), every month.

Items the warehouse can answer are scored by a rule (``RULES``) from the month's indicator values and the
deliveries that reported data by the reporting deadline (``deliveries.reported``); the others come from the
hand-entered scores of the config file.
Each item is written to mart.scorecard_items with the numerator and denominator a rule used, and each
department's total (附加分 capped, a grade once nothing is missing) to mart.scorecard_totals.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa

from citycredit.core import config
from citycredit.feeds import registry
from citycredit.indicators import deliveries, periods

CONFIG_FILE = "scorecard.yaml"
SHUANGGONGSHI = ("license", "penalty")


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    points: Decimal
    data: str | None = None
    extra: bool = False


@dataclass(frozen=True)
class Score:
    points: Decimal | None
    basis: str  # data | manual | missing
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str | None = None


@functools.cache
def load(path: Path | None = None) -> dict:
    """scorecard.yaml, checked: every item's rule exists, every manual score names a known item within its points."""
    # a mapping by the file's layout; a malformed file fails on its first lookup below, as it always did
    raw = cast("dict[str, Any]", config.load_yaml(path.name if path else CONFIG_FILE, path.parent if path else None))
    name = path.name if path else CONFIG_FILE
    annexes = {}
    for annex, spec in (raw.get("annexes") or {}).items():
        items = []
        for i, item in enumerate(spec.get("items") or []):
            where = f"{name}: annexes.{annex}.items[{i}]"
            for key in ("id", "name", "points"):
                if item.get(key) in (None, ""):
                    raise config.ConfigError(f"{where}.{key}: missing")
            if item.get("data") and item["data"] not in RULES:
                raise config.ConfigError(f"{where}.data: {item['data']!r} is not one of {', '.join(RULES)}")
            items.append(
                Item(
                    str(item["id"]),
                    item["name"],
                    Decimal(str(item["points"])),
                    item.get("data"),
                    bool(item.get("extra")),
                )
            )
        annexes[annex] = {**spec, "items": items}
    for i, entry in enumerate(raw.get("manual") or []):
        where = f"{name}: manual[{i}]"
        annex = annexes.get(annex_of(raw, entry.get("department")))
        item = next((it for it in annex["items"] if it.id == str(entry.get("item"))), None) if annex else None
        if item is None:
            raise config.ConfigError(f"{where}.item: {entry.get('item')!r} is not an item of the department's annex")
        if item.data:
            raise config.ConfigError(f"{where}.item: {item.id!r} is scored from data ({item.data}), not by hand")
        if not 0 <= Decimal(str(entry.get("points"))) <= item.points:
            raise config.ConfigError(f"{where}.points: must be between 0 and {item.points}")
    return {**raw, "annexes": annexes}


def annex_of(raw: dict, department_id: str | None) -> str:
    departments = raw.get("departments") or {}
    return departments.get(department_id) or departments["default"]


def _manual(raw: dict, department_id: str, item: Item, month: date) -> Score:
    """The hand-entered score for the month (a month entry before a year entry), or missing."""
    periods = (f"{month:%Y-%m}", f"{month:%Y}")
    entries = [e for e in raw.get("manual") or [] if e["department"] == department_id and str(e["item"]) == item.id]
    for period in periods:
        for entry in entries:
            if str(entry["period"]) == period:
                return Score(Decimal(str(entry["points"])), "manual", note=entry.get("note"))
    return Score(None, "missing", note="待人工评分（材料审核）")


# --- rules: (department, item, facts, rule config) → Score ------------------------------------------------


def _all_or_nothing(item: Item, done: int, total: int, note: str) -> Score:
    return Score(item.points if total and done == total else Decimal(0), "data", Decimal(done), Decimal(total), note)


def _shuanggongshi_on_time(dept: registry.Department, item: Item, facts: dict, rule: dict) -> Score:
    feeds = [f for f in dept.feeds if f.dataset in SHUANGGONGSHI]
    if not feeds:
        return Score(None, "missing", note="该部门未登记双公示数据源，待人工评分")
    delivered = sum(facts["by_deadline"].get(f.id, 0) > 0 for f in feeds)
    accuracy = facts["values"].get(("shuanggongshi_accuracy", dept.id))
    late = facts["values"].get(("shuanggongshi_late", dept.id))
    ok = (
        delivered == len(feeds)
        and accuracy is not None
        and accuracy >= Decimal(str(rule["min_accuracy"]))
        and late is not None
        and late <= Decimal(str(rule["max_late_rate"]))
    )
    note = f"截止前报送 {delivered}/{len(feeds)} 个数据源；准确率 {_percent(accuracy)}；迟报率 {_percent(late)}"
    return Score(item.points if ok else Decimal(0), "data", Decimal(delivered), Decimal(len(feeds)), note)


def _feeds_by_deadline(dept: registry.Department, item: Item, facts: dict, rule: dict) -> Score:
    done = sum(facts["by_deadline"].get(f.id, 0) > 0 for f in dept.feeds)
    return _all_or_nothing(item, done, len(dept.feeds), f"截止前报送 {done}/{len(dept.feeds)} 个数据源")


def _credit_list_by_deadline(dept: registry.Department, item: Item, facts: dict, rule: dict) -> Score:
    feeds = [f for f in dept.feeds if f.dataset == "credit_list"]
    if not feeds:
        return Score(None, "missing", note="该部门未登记信用名单数据源，待人工评分")
    done = sum(facts["by_deadline"].get(f.id, 0) > 0 for f in feeds)
    return _all_or_nothing(item, done, len(feeds), f"截止前报送“红黑榜”数据源 {done}/{len(feeds)} 个")


RULES = {
    "shuanggongshi_on_time": _shuanggongshi_on_time,
    "feeds_by_deadline": _feeds_by_deadline,
    "credit_list_by_deadline": _credit_list_by_deadline,
}


def _percent(value: Decimal | None) -> str:
    return "无数据" if value is None else f"{value * 100:.1f}%"


def _facts(conn: sa.Connection, month: date) -> dict:
    """What the rules read: deliveries per feed from the month's start to the deadline, and the month's
    department-level indicator values over all datasets."""
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
    return {"by_deadline": by_deadline, "values": values}


def grade(raw: dict, points: Decimal) -> str:
    return next(g["grade"] for g in sorted(raw["grades"], key=lambda g: -g["min"]) if points >= g["min"])


def compute(conn: sa.Connection, month: date, path: Path | None = None) -> int:
    """Score every department of the registry for the month (replacing the month's scores); the number of items."""
    raw = load(path)
    facts = _facts(conn, month)
    conn.execute(sa.text("DELETE FROM mart.scorecard_items WHERE month = :m"), {"m": month})
    conn.execute(sa.text("DELETE FROM mart.scorecard_totals WHERE month = :m"), {"m": month})
    items, totals = [], []
    for dept in registry.load().departments:
        annex_name = annex_of(raw, dept.id)
        annex = raw["annexes"][annex_name]
        base, extra, missing = Decimal(0), Decimal(0), 0
        for item in annex["items"]:
            if item.data:
                score = RULES[item.data](dept, item, facts, raw["rules"].get(item.data) or {})
            else:
                score = _manual(raw, dept.id, item, month)
            if score.points is None:
                missing += 1
            elif item.extra:
                extra += score.points
            else:
                base += score.points
            items.append(
                {"m": month, "d": dept.id, "a": annex_name, "i": item.id, "n": item.name, "max": item.points,
                 **{k: getattr(score, k) for k in ("points", "basis", "numerator", "denominator", "note")}}
            )  # fmt: skip
        total = base + min(extra, Decimal(str(annex["extra_max_points"])))
        totals.append(
            {"m": month, "d": dept.id, "a": annex_name, "p": total, "max": Decimal(str(annex["max_points"])),
             "missing": missing, "g": None if missing else grade(raw, total)}
        )  # fmt: skip
    conn.execute(
        sa.text(
            "INSERT INTO mart.scorecard_items (month, department_id, annex, item_id, item, max_points, points, basis,"
            " numerator, denominator, note) VALUES (:m, :d, :a, :i, :n, :max, :points, :basis, :numerator,"
            " :denominator, :note)"
        ),
        items,
    )
    conn.execute(
        sa.text(
            "INSERT INTO mart.scorecard_totals (month, department_id, annex, points, max_points, items_missing, grade)"
            " VALUES (:m, :d, :a, :p, :max, :missing, :g)"
        ),
        totals,
    )
    return len(items)
