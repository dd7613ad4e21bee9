"""The annual assessment of 平信用办〔2020〕8号: a year's monthly scorecard rolled up per item (scorecard.yaml, after
``rules``), totalled with the 附加分 cap and graded, into mart.scorecard_annual_items / _totals.

"原则上每年2月底前完成上年度的考核工作": the monthly DAG computes the year before when it computes a January, and again
in February (January is then the previous month), so December's late deliveries are in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import sqlalchemy as sa

from citycredit.feeds import registry
from citycredit.indicators import scorecard
from citycredit.indicators.scorecard_rules import Item, Score

MONTHS = 12
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rolled:
    score: Score
    rollup: str  # months | best | manual
    months_earned: int | None = None
    months_scored: int | None = None


def manual_for_year(raw: dict, department_id: str, item: Item, year: int) -> Score:
    """The year's hand-entered score (period YYYY), else the year's latest month entry, else missing."""
    entries = scorecard.manual_entries(raw, department_id, item)
    of_year = [e for e in entries if str(e["period"]) == str(year)]
    months = sorted((e for e in entries if str(e["period"]).startswith(f"{year}-")), key=lambda e: str(e["period"]))
    if of_year or months:
        entry = (of_year or months[::-1])[0]
        note = f"{entry['period']} 人工评分" + (f"：{entry['note']}" if entry.get("note") else "")
        return Score(Decimal(str(entry["points"])), "manual", note=note)
    return Score(None, "missing", note="待人工评分（材料审核）")


def roll_up(raw: dict, department_id: str, item: Item, monthly: list, year: int) -> Rolled:
    """One item of one department for the year from its monthly rows (``month``, ``points``, ``max_points``,
    ``basis``): by the rule's ``annual`` roll-up where the rule scored the department, else by hand."""
    data = [r for r in monthly if r.basis == "data"]
    if item.data and data:
        method = (raw["rules"].get(item.data) or {}).get("annual", "months")
        earned = sum(r.points == r.max_points for r in data)
        unscored = sorted(f"{m:%m}" for m in _months(year) - {r.month for r in data})
        if method == "months":
            points = (item.points * earned / MONTHS).quantize(CENT, ROUND_HALF_UP)
            note = f"{earned}/{MONTHS} 个月按时按要求得满分：{item.points} × {earned}/{MONTHS}"
        else:
            points = max(r.points for r in data)
            note = f"全年最高月得分 {points:g}（{earned} 个月得满分）"
        if unscored:
            note += f"；{len(unscored)} 个月无数据评分（{'、'.join(unscored)} 月），计为未得分"
        if not (item.unmet == "manual" and points == 0):
            return Rolled(Score(points, "data", Decimal(earned), Decimal(MONTHS), note), method, earned, len(data))
    return Rolled(manual_for_year(raw, department_id, item, year), "manual")


def _months(year: int) -> set[date]:
    return {date(year, m, 1) for m in range(1, MONTHS + 1)}


def compute(conn: sa.Connection, year: int, path: Path | None = None) -> int:
    """The year's assessment of every department of the registry (replacing the year's); the number of items."""
    raw = scorecard.load(path)
    bounds = {"a": date(year, 1, 1), "b": date(year, 12, 1), "y": year}
    monthly: dict[tuple[str, str], list] = defaultdict(list)
    for r in conn.execute(
        sa.text(
            "SELECT month, department_id, item_id, points, max_points, basis FROM mart.scorecard_items"
            " WHERE month BETWEEN :a AND :b"
        ),
        bounds,
    ):
        monthly[(r.department_id, r.item_id)].append(r)
    months_scored: dict[str, int] = dict(
        conn.execute(
            sa.text(
                "SELECT department_id, count(*) FROM mart.scorecard_totals WHERE month BETWEEN :a AND :b"
                " GROUP BY department_id"
            ),
            bounds,
        ).all()
    )
    conn.execute(sa.text("DELETE FROM mart.scorecard_annual_items WHERE year = :y"), bounds)
    conn.execute(sa.text("DELETE FROM mart.scorecard_annual_totals WHERE year = :y"), bounds)
    items, totals = [], []
    for dept in registry.load().departments:
        annex_name = scorecard.annex_of(raw, dept.id)
        annex = raw["annexes"][annex_name]
        rolled = [(it, roll_up(raw, dept.id, it, monthly[(dept.id, it.id)], year)) for it in annex["items"]]
        for it, one in rolled:
            items.append(
                {"y": year, "d": dept.id, "a": annex_name, "i": it.id, "n": it.name, "max": it.points,
                 "p": one.score.points, "basis": one.score.basis, "rollup": one.rollup, "earned": one.months_earned,
                 "scored": one.months_scored, "note": one.score.note}
            )  # fmt: skip
        points, missing, grade = scorecard.total(raw, annex_name, [(it, one.score) for it, one in rolled])
        totals.append(
            {"y": year, "d": dept.id, "a": annex_name, "p": points, "max": Decimal(str(annex["max_points"])),
             "missing": missing, "g": grade, "months": months_scored.get(dept.id, 0)}
        )  # fmt: skip
    conn.execute(
        sa.text(
            "INSERT INTO mart.scorecard_annual_items (year, department_id, annex, item_id, item, max_points, points,"
            " basis, rollup, months_earned, months_scored, note) VALUES (:y, :d, :a, :i, :n, :max, :p, :basis,"
            " :rollup, :earned, :scored, :note)"
        ),
        items,
    )
    conn.execute(
        sa.text(
            "INSERT INTO mart.scorecard_annual_totals (year, department_id, annex, points, max_points, items_missing,"
            " grade, months_scored) VALUES (:y, :d, :a, :p, :max, :missing, :g, :months)"
        ),
        totals,
    )
    return len(items)


def year_rows(engine: sa.Engine, year: int, department: str | None = None) -> dict[str, list[dict]]:
    """The stored assessment of a year: ``totals`` and ``items``, in the annexes' order, of one department or all."""
    order = {(a, it.id): i for a, spec in scorecard.load()["annexes"].items() for i, it in enumerate(spec["items"])}
    params = {"y": year, "d": department}
    where = " WHERE year = :y AND (CAST(:d AS text) IS NULL OR department_id = :d)"
    with engine.connect() as conn:
        totals = [
            dict(r)
            for r in conn.execute(
                sa.text("SELECT * FROM mart.scorecard_annual_totals" + where + " ORDER BY points DESC, department_id"),
                params,
            ).mappings()
        ]
        items = [dict(r) for r in conn.execute(sa.text("SELECT * FROM mart.scorecard_annual_items" + where), params)
                 .mappings()]  # fmt: skip
    items.sort(key=lambda r: (r["department_id"], order.get((r["annex"], r["item_id"]), len(order))))
    return {"totals": totals, "items": items}
