"""The quarterly 通报 (平信用办〔2020〕2号 三.1: "实行月考核、季通报制度"): beside the month's quality report of a
quarter's last month, one HTML page that ranks the departments by the points the data scored them over the
quarter's three months and names those whose work fell short (scorecard.yaml ``quarterly``).

    reports/<YYYY>Q<n>/季度通报_<YYYY>年第<n>季度.html

It reads only what the monthly run wrote: mart.scorecard_items, mart.indicator_values and mart.deadline_alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from citycredit.core import city, paths
from citycredit.core.months import add_months, month_start
from citycredit.feeds import registry
from citycredit.indicators import deadlines, definitions, scorecard
from citycredit.publish import quality_report

HEADLINE = ("shuanggongshi_accuracy", "shuanggongshi_late", "uscc_error_rate", "serious_list_share")


@dataclass
class QuarterReport:
    year: int
    quarter: int
    months: list[date]
    generated_at: datetime
    city: str
    departments: list[dict]  # ranked: the quarter's data-scored share, highest first
    headline: list[dict]  # {"name", "values": [per month]}
    rule: dict  # scorecard.yaml quarterly: when a department is named as falling short


def quarter_of(month: str | date) -> tuple[int, int]:
    first = month_start(month)
    return first.year, (first.month - 1) // 3 + 1


def is_quarter_end(month: str | date) -> bool:
    return month_start(month).month % 3 == 0


def report_path(month: str | date, home: Path | None = None) -> Path:
    year, quarter = quarter_of(month)
    return Path(home or paths.home()) / "reports" / f"{year}Q{quarter}" / f"季度通报_{year}年第{quarter}季度.html"


def _months(month: str | date) -> list[date]:
    year, quarter = quarter_of(month)
    first = date(year, 3 * quarter - 2, 1)
    return [add_months(first, k) for k in range(3)]


def _data_points(conn: sa.Connection, months: list[date]) -> dict[tuple[str, date], tuple[Decimal, Decimal]]:
    rows = conn.execute(
        sa.text(
            "SELECT department_id, month, sum(points), sum(max_points) FROM mart.scorecard_items"
            " WHERE month = ANY(:months) AND basis = 'data' GROUP BY 1, 2"
        ),
        {"months": months},
    ).all()
    return {(d, m): (p, mx) for d, m, p, mx in rows}


def _missed(conn: sa.Connection, months: list[date]) -> dict[str, list[tuple[date, str]]]:
    """department → the (month, deadline title) it missed, from the alerts the watch recorded."""
    titles = {d.kind: d.title for d in deadlines.watched()}
    rows = conn.execute(
        sa.text(
            "SELECT a.month, a.kind, d ->> 'id' FROM mart.deadline_alerts a, jsonb_array_elements(a.departments) d"
            " WHERE a.month = ANY(:months) ORDER BY 1, 2"
        ),
        {"months": months},
    ).all()
    missed: dict[str, list[tuple[date, str]]] = {}
    for month, kind, department in rows:
        missed.setdefault(department, []).append((month, titles.get(kind, kind)))
    return missed


def _values(conn: sa.Connection, months: list[date]) -> dict[tuple[str, str, date], Decimal | None]:
    rows = conn.execute(
        sa.text(
            "SELECT indicator, scope_id, month, value FROM mart.indicator_values WHERE month = ANY(:months)"
            " AND dataset = 'all'"
        ),
        {"months": months},
    ).all()
    return {(i, s, m): v for i, s, m, v in rows}


def gather(engine: sa.Engine, month: str | date, now: datetime | None = None) -> QuarterReport:
    months = _months(month)
    raw = scorecard.load()
    need = int(raw["quarterly"]["months"])
    min_accuracy = Decimal(str(raw["rules"]["shuanggongshi_on_time"]["min_accuracy"]))
    with engine.connect() as conn:
        points, missed, values = _data_points(conn, months), _missed(conn, months), _values(conn, months)
    departments: list[dict[str, Any]] = []
    for dept in registry.load().departments:
        scored = [points.get((dept.id, m)) for m in months]
        earned = sum((p for p, _ in filter(None, scored)), Decimal(0))
        possible = sum((mx for _, mx in filter(None, scored)), Decimal(0))
        accuracy = [values.get(("shuanggongshi_accuracy", dept.id, m)) for m in months]
        misses = missed.get(dept.id, [])
        low = sum(a is not None and a < min_accuracy for a in accuracy)
        reasons = []
        if len({m for m, _ in misses}) >= need:
            reasons.append(f"{len({m for m, _ in misses})}个月未按时完成报送事项")
        if low >= need:
            reasons.append(f"{low}个月双公示数据准确率低于{min_accuracy * 100:.0f}%")
        departments.append({
            "id": dept.id, "name": dept.name, "scored": scored, "earned": earned, "possible": possible,
            "share": earned / possible if possible else None, "accuracy": accuracy,
            "misses": misses, "short": reasons,
        })  # fmt: skip
    # equal shares: the department the data scored over more months first
    departments.sort(key=lambda d: (d["share"] is None, -(d["share"] or Decimal(0)), -d["earned"], d["id"]))
    names = {ind: defn.name for ind, defn in definitions.definitions().items()}
    headline = [{"name": names[ind], "values": [values.get((ind, "city", m)) for m in months]}
                for ind in HEADLINE if ind in names]  # fmt: skip
    year, quarter = quarter_of(month)
    return QuarterReport(year, quarter, months, now or datetime.now(city.timezone()),
                         registry.load().city.get("name", ""), departments, headline,
                         {"months": need, "min_accuracy": min_accuracy})  # fmt: skip


def write(engine: sa.Engine, month: str | date, home: Path | None = None, now: datetime | None = None) -> Path:
    """Write the 通报 of the quarter ``month`` ends (replacing an earlier one)."""
    target = report_path(month, home)
    target.parent.mkdir(parents=True, exist_ok=True)
    html = quality_report.environment().get_template("quarterly_report.html").render(r=gather(engine, month, now))
    partial = target.with_name(target.name + ".part")
    partial.write_text(html, encoding="utf-8")
    partial.replace(target)
    return target
