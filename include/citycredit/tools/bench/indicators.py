"""The indicators figure: compute_month over a small and a large history, built in the warehouse with the
set-based SQL of sql/bench/history_*.sql."""

from __future__ import annotations

import statistics
import time

import sqlalchemy as sa

from citycredit.core import city, paths
from citycredit.tools.bench.database import settle

HISTORY_GROWTH = 10  # the small indicator history holds history_rows / HISTORY_GROWTH records
HISTORY_MONTHS_SMALL = 20  # the small history spans this many months; the large one the same rows a month, longer
TARGET_MONTH = "2025-09"
SQL_DIR = paths.SQL_DIR / "bench"
# The statements that add history months, in order: the batches, their rows (a scratch table), then what the
# pipeline would have written for them.
HISTORY_STEPS = (
    "batches",
    "rows",
    "license",
    "penalty",
    "quarantine",
    "findings",
    "uscc_observations",
    "deliveries",
    "accounting",
)


def _sql(name: str) -> sa.TextClause:
    return sa.text((SQL_DIR / f"history_{name}.sql").read_text(encoding="utf-8"))


def extend_history(engine: sa.Engine, m_from: int, m_to: int, per_month: int) -> int:
    """Add history months ``m_from`` … ``m_to - 1`` before TARGET_MONTH (0 is TARGET_MONTH itself), each with
    ``per_month`` 双公示 records over one batch per feed, with their deliveries, quarantine, findings, code
    observations and accounting. Returns the number of records added."""
    from citycredit.core.months import month_start
    from citycredit.feeds import registry
    from citycredit.indicators import definitions

    feeds = [f for f in registry.load().feeds if f.dataset in ("license", "penalty")]
    per_batch = max(per_month // len(feeds), 1)
    late_rule = definitions.timeliness_rules()[0][0]
    with engine.begin() as conn:
        if not conn.execute(sa.text("SELECT to_regclass('bench_feeds')")).scalar():
            conn.execute(_sql("feeds"))
            conn.execute(
                sa.text("INSERT INTO bench_feeds VALUES (:n, :feed_id, :department_id, :dataset, :uscc)"),
                [
                    {"n": n, "feed_id": f.id, "department_id": f.department_id, "dataset": f.dataset,
                     "uscc": f.department_uscc}
                    for n, f in enumerate(feeds)
                ],
            )  # fmt: skip
        after = conn.execute(sa.text("SELECT COALESCE(max(batch_id), 0) FROM landing.batches")).scalar_one()
        params = {
            "target": month_start(TARGET_MONTH),
            "tz": city.timezone().key,
            "m_from": m_from,
            "m_to": m_to,
            "after_batch": after,
            "per_batch": per_batch,
            "subjects": max(per_month * HISTORY_MONTHS_SMALL // 3, 10),
            "late_rule": late_rule,
        }
        for step in HISTORY_STEPS:
            conn.execute(_sql(step), params)
        conn.execute(sa.text("DROP TABLE bench_rows"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    return (m_to - m_from) * per_batch * len(feeds)


def time_indicators(engine: sa.Engine, runs: int) -> float:
    """The median time of compute_month for TARGET_MONTH over ``runs`` runs."""
    from citycredit.indicators import compute

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        compute.compute_month(engine, TARGET_MONTH)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_indicators(url: str, small: int, large: int, runs: int) -> dict:
    """compute_month over ``small`` history records, then over ``large`` (older months added; the same
    records a month, so the month itself and its 12-month window are identical in both)."""
    from citycredit.core import warehouse

    engine = warehouse.engine(url)
    per_month = max(small // HISTORY_MONTHS_SMALL, 1)
    months_large = max(large // per_month, HISTORY_MONTHS_SMALL)
    start = time.perf_counter()
    rows_small = extend_history(engine, 0, HISTORY_MONTHS_SMALL, per_month)
    build_small = time.perf_counter() - start
    settle(url)  # the history's writes flushed before the timing, not during it (a spread checkpoint takes minutes)
    small_seconds = time_indicators(engine, runs)
    start = time.perf_counter()
    rows_large = rows_small + extend_history(engine, HISTORY_MONTHS_SMALL, months_large, per_month)
    build_large = time.perf_counter() - start
    settle(url)
    large_seconds = time_indicators(engine, runs)
    return {
        "month": TARGET_MONTH,
        "records_per_month": per_month,
        "small": {"records": rows_small, "months": HISTORY_MONTHS_SMALL, "seconds": small_seconds,
                  "build_seconds": build_small},
        "large": {"records": rows_large, "months": months_large, "seconds": large_seconds,
                  "build_seconds": build_large},
        "runs": runs,
    }  # fmt: skip
