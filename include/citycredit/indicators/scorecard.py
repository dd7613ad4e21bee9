"""The department scorecard of 平信用办〔2020〕8号 附件1 / 附件2 (include/config/scorecard.yaml), every month.

Items the warehouse can answer are scored by a rule (``scorecard_rules.RULES``) from the month's indicator values,
the deliveries that reported data by the reporting deadline (``deliveries.reported``) and the 信用承诺 records; the
others, and a rule's item for a department without the feeds it reads, come from the hand-entered scores of the
config file. The year's assessment rolls the months up (``annual``).
Each item is written to mart.scorecard_items with the numerator and denominator a rule used, and each
department's total (附加分 capped, a grade once nothing is missing) to mart.scorecard_totals.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa

from citycredit.core import config
from citycredit.feeds import registry
from citycredit.indicators.scorecard_rules import ROLLUPS, RULES, Item, Score, facts, rule_feeds

__all__ = ["Item", "Score", "RULES", "compute", "load", "score_item"]

CONFIG_FILE = "scorecard.yaml"


@functools.cache
def load(path: Path | None = None) -> dict:
    """scorecard.yaml, checked: every item's rule exists with a known annual roll-up, every manual score names a
    known item within its points and is not for an item the department's data scores."""
    # a mapping by the file's layout; a malformed file fails on its first lookup below, as it always did
    raw = cast("dict[str, Any]", config.load_yaml(path.name if path else CONFIG_FILE, path.parent if path else None))
    name = path.name if path else CONFIG_FILE
    for rule, spec in (raw.get("rules") or {}).items():
        if rule not in RULES:
            raise config.ConfigError(f"{name}: rules.{rule}: not one of {', '.join(RULES)}")
        if (spec or {}).get("annual", "months") not in ROLLUPS:
            raise config.ConfigError(f"{name}: rules.{rule}.annual: must be one of {', '.join(ROLLUPS)}")
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
            if item.get("unmet") not in (None, "manual"):
                raise config.ConfigError(f"{where}.unmet: only 'manual' is known")
            items.append(
                Item(
                    str(item["id"]),
                    item["name"],
                    Decimal(str(item["points"])),
                    item.get("data"),
                    bool(item.get("extra")),
                    item.get("unmet"),
                )
            )
        annexes[annex] = {**spec, "items": items}
    departments = {d.id: d for d in registry.load().departments}
    for i, entry in enumerate(raw.get("manual") or []):
        where = f"{name}: manual[{i}]"
        annex = annexes.get(annex_of(raw, entry.get("department")))
        item = next((it for it in annex["items"] if it.id == str(entry.get("item"))), None) if annex else None
        if item is None:
            raise config.ConfigError(f"{where}.item: {entry.get('item')!r} is not an item of the department's annex")
        dept = departments.get(entry.get("department"))
        if item.data and not item.unmet and dept and rule_feeds(dept, item.data):
            raise config.ConfigError(f"{where}.item: {item.id!r} is scored from data ({item.data}), not by hand")
        if not 0 <= Decimal(str(entry.get("points"))) <= item.points:
            raise config.ConfigError(f"{where}.points: must be between 0 and {item.points}")
    return {**raw, "annexes": annexes}


def annex_of(raw: dict, department_id: str | None) -> str:
    departments = raw.get("departments") or {}
    return departments.get(department_id) or departments["default"]


def manual_entries(raw: dict, department_id: str, item: Item) -> list[dict]:
    return [e for e in raw.get("manual") or [] if e["department"] == department_id and str(e["item"]) == item.id]


def manual(raw: dict, department_id: str, item: Item, month: date) -> Score:
    """The hand-entered score for the month (a month entry before a year entry), or missing."""
    periods = (f"{month:%Y-%m}", f"{month:%Y}")
    entries = manual_entries(raw, department_id, item)
    for period in periods:
        for entry in entries:
            if str(entry["period"]) == period:
                return Score(Decimal(str(entry["points"])), "manual", note=entry.get("note"))
    return Score(None, "missing", note="待人工评分（材料审核）")


def score_item(raw: dict, dept: registry.Department, item: Item, facts: dict, month: date) -> Score:
    """One item of one department for the month: its rule, or the hand-entered score where the rule cannot score
    the department (no feed of the data it reads) or, for an ``unmet: manual`` item, the data shows no credit."""
    if not item.data:
        return manual(raw, dept.id, item, month)
    score = RULES[item.data](dept, item, facts, raw["rules"].get(item.data) or {})
    if score.basis == "missing" or (item.unmet == "manual" and score.points == 0):
        by_hand = manual(raw, dept.id, item, month)
        return Score(by_hand.points, by_hand.basis, note="；".join(n for n in (score.note, by_hand.note) if n))
    return score


def grade(raw: dict, points: Decimal) -> str:
    return next(g["grade"] for g in sorted(raw["grades"], key=lambda g: -g["min"]) if points >= g["min"])


def total(raw: dict, annex_name: str, scored: list[tuple[Item, Score]]) -> tuple[Decimal, int, str | None]:
    """Points (附加分 capped at the annex's extra_max_points), items missing, and the grade once none is."""
    base = sum((s.points for it, s in scored if s.points is not None and not it.extra), Decimal(0))
    extra = sum((s.points for it, s in scored if s.points is not None and it.extra), Decimal(0))
    points = base + min(extra, Decimal(str(raw["annexes"][annex_name]["extra_max_points"])))
    missing = sum(s.points is None for _, s in scored)
    return points, missing, None if missing else grade(raw, points)


def compute(conn: sa.Connection, month: date, path: Path | None = None) -> int:
    """Score every department of the registry for the month (replacing the month's scores); the number of items."""
    raw = load(path)
    month_facts = facts(conn, month)
    conn.execute(sa.text("DELETE FROM mart.scorecard_items WHERE month = :m"), {"m": month})
    conn.execute(sa.text("DELETE FROM mart.scorecard_totals WHERE month = :m"), {"m": month})
    items, totals = [], []
    for dept in registry.load().departments:
        annex_name = annex_of(raw, dept.id)
        annex = raw["annexes"][annex_name]
        scored = [(item, score_item(raw, dept, item, month_facts, month)) for item in annex["items"]]
        for item, score in scored:
            items.append(
                {"m": month, "d": dept.id, "a": annex_name, "i": item.id, "n": item.name, "max": item.points,
                 **{k: getattr(score, k) for k in ("points", "basis", "numerator", "denominator", "note")}}
            )  # fmt: skip
        points, missing, grade_ = total(raw, annex_name, scored)
        totals.append(
            {"m": month, "d": dept.id, "a": annex_name, "p": points, "max": Decimal(str(annex["max_points"])),
             "missing": missing, "g": grade_}
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
