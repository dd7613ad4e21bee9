"""A month's figures for the quality report, read from the warehouse (mart, quality and landing tables).

Indicator values and scores come from the mart as citycredit.indicators.compute and .scorecard wrote them; this
module only selects, joins and labels them. Every text that may come from a department (subject names,
file names, reasons) is returned with 身份证 numbers masked; escaping is the renderer's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from citycredit.core import city, datasets, paths, privacy
from citycredit.core.months import add_months, month_start
from citycredit.core.printable import printable
from citycredit.feeds import registry
from citycredit.indicators import compute, definitions, periods, scorecard

TREND_MONTHS = 12
HEADLINE = (  # (indicator, how it reads): the city's figures the report follows month by month
    ("shuanggongshi_reported", "count"),
    ("shuanggongshi_accuracy", "rate"),
    ("shuanggongshi_late", "rate"),
    ("uscc_error_rate", "rate"),
    ("serious_list_share", "rate"),
    ("serious_list_exit_rate", "rate"),
)
LIST_INDICATORS = ("serious_list_share", "serious_list_exit_rate")
TOP_RULES = 3
USCC_LIST_LIMIT = 500
ZONE_NAMES = {"Asia/Shanghai": "北京时间"}  # what a clerk calls the city's time zone; others are shown by key
EMPTY = {"numerator": None, "denominator": None, "value": None}  # an indicator without a value this month


@dataclass
class MonthReport:
    month: date
    deadline: datetime
    generated_at: datetime
    city: str
    headline: list[dict]  # this month's city values with the indicator's name and kind
    trend: dict[str, list[tuple[date, Decimal | None]]]  # indicator → (month, value), see _trend
    departments: list[dict]
    uscc_issues: list[dict]
    uscc_issue_count: int
    list_ratios: list[dict]
    chase: list[dict]  # {"department": ..., "what": ...}
    totals: dict = field(default_factory=dict)


def zone_name() -> str:
    """What a clerk calls the city's time zone (北京时间 for Asia/Shanghai; others by their key)."""
    zone = city.timezone()
    return ZONE_NAMES.get(zone.key, zone.key)


def local_time(moment: datetime, layout: str = "%Y-%m-%d %H:%M", named: bool = True) -> str:
    """An instant in the city's time zone, followed by the zone's name unless a heading names it already."""
    text = moment.astimezone(city.timezone()).strftime(layout)
    return f"{text}（{zone_name()}）" if named else text


def mask(value):
    return privacy.mask_ids_in_text(value) if isinstance(value, str) else value


def rule_messages() -> dict[str, str]:
    """rule id → the Chinese message of its suite (expectations/ is the only statement of a rule)."""
    from citycredit.validate.suites import suite_definition

    messages = {}
    for path in sorted(paths.EXPECTATIONS_DIR.glob("*.json")):
        for exp in suite_definition(path.stem)["expectations"]:
            messages[exp["meta"]["rule_id"]] = exp["meta"]["message"]
    return messages


def query(conn: sa.Connection, sql: str, params: dict) -> list[dict]:
    return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


def _trend(conn: sa.Connection, first: date) -> dict[str, list[tuple[date, Decimal | None]]]:
    """Each headline indicator's city value by month, from the first month any of them has a value (at most
    TREND_MONTHS back) to ``first``; None where a month has no value."""
    months = [add_months(first, -i) for i in range(TREND_MONTHS - 1, -1, -1)]
    values = {
        (r["indicator"], r["month"]): r["value"]
        for r in query(
            conn,
            "SELECT indicator, month, value FROM mart.indicator_values WHERE scope = 'city' AND dataset = 'all'"
            " AND month BETWEEN :a AND :b AND indicator = ANY(:ids) AND value IS NOT NULL",
            {"a": months[0], "b": first, "ids": [i for i, _ in HEADLINE]},
        )
    }
    shown = months[min((months.index(m) for _, m in values), default=len(months) - 1) :]
    return {ind: [(m, values.get((ind, m))) for m in shown] for ind, _ in HEADLINE}


def _batches(conn: sa.Connection, params: dict) -> list[dict]:
    return query(
        conn,
        "SELECT b.batch_id, b.department_id, b.feed_id, b.dataset, b.source_name, b.status, b.status_reason,"
        " b.received_at, a.received, a.loaded, a.quarantined, a.duplicate, a.with_warnings"
        " FROM landing.batches b LEFT JOIN quality.batch_accounting a USING (batch_id)"
        " WHERE b.received_at >= :start AND b.received_at < :end ORDER BY b.department_id, b.received_at, b.batch_id",
        params,
    )


def failing_rules(conn: sa.Connection, params: dict) -> dict[str, list[dict]]:
    messages = rule_messages()
    result: dict[str, list[dict]] = {}
    for r in query(
        conn,
        "SELECT b.department_id, o.rule_id, sum(o.failed) AS failed FROM quality.rule_outcomes o"
        " JOIN landing.batches b USING (batch_id) WHERE b.received_at >= :start AND b.received_at < :end"
        " AND o.failed > 0 GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2",
        params,
    ):
        result.setdefault(r["department_id"], []).append(r)
    # Rules outside the suites (file-level findings, the load's) have no fixed text: their findings of the month
    # say what they found, e.g. which columns are missing.
    found: dict[tuple[str, str], list[str]] = {
        (r["department_id"], r["rule_id"]): r["messages"]
        for r in query(
            conn,
            "SELECT b.department_id, f.rule_id, array_agg(DISTINCT f.message ORDER BY f.message) AS messages"
            " FROM quality.findings f JOIN landing.batches b USING (batch_id)"
            " WHERE b.received_at >= :start AND b.received_at < :end AND f.rule_id = ANY(:ids) GROUP BY 1, 2",
            {**params, "ids": sorted({r["rule_id"] for rules in result.values() for r in rules} - messages.keys())},
        )
    }
    for department, rules in result.items():
        for r in rules:
            texts = found.get((department, r["rule_id"]), [])
            r["message"] = messages.get(r["rule_id"]) or "；".join(texts[:3]) + ("等" if len(texts) > 3 else "")
    return result


def _deadline_items(conn: sa.Connection, first: date) -> dict[str, dict]:
    """Each department's scorecard item that scores delivering every feed by the deadline (feeds_by_deadline)."""
    raw = scorecard.load()
    ids = {it.id for annex in raw["annexes"].values() for it in annex["items"] if it.data == "feeds_by_deadline"}
    rows = query(
        conn,
        "SELECT department_id, points, max_points, note FROM mart.scorecard_items WHERE month = :m"
        " AND item_id = ANY(:ids)",
        {"m": first, "ids": sorted(ids)},
    )
    return {r["department_id"]: r for r in rows}


def scores(conn: sa.Connection, first: date) -> dict[str, dict]:
    """Each department's scorecard for the month as the report shows it: the items scored from data (points and
    their maximum), those scored by hand, and those awaiting manual scoring (name, maximum, 附加分 or not); the
    total and grade once nothing awaits."""
    items = [((name, it.id), it) for name, annex in scorecard.load()["annexes"].items() for it in annex["items"]]
    position = {key: i for i, (key, _) in enumerate(items)}  # the annex's own order
    extra = {key for key, it in items if it.extra}
    rows = query(
        conn,
        "SELECT i.department_id, i.annex, i.item_id, i.item, i.max_points, i.points, i.basis, t.points AS total,"
        " t.max_points AS total_max, t.grade FROM mart.scorecard_items i"
        " JOIN mart.scorecard_totals t USING (month, department_id) WHERE i.month = :m",
        {"m": first},
    )
    result: dict[str, dict] = {}
    for r in sorted(rows, key=lambda r: position.get((r["annex"], r["item_id"]), len(position))):
        card = result.setdefault(
            r["department_id"],
            {**{basis: {"points": Decimal(0), "max": Decimal(0), "count": 0} for basis in ("data", "manual")},
             "awaiting": [], "total": r["total"], "total_max": r["total_max"], "grade": r["grade"]},
        )  # fmt: skip
        if r["basis"] == "missing":
            card["awaiting"].append(
                {"name": r["item"], "max_points": r["max_points"], "extra": (r["annex"], r["item_id"]) in extra}
            )
        else:
            tally = card[r["basis"]]
            tally["points"] += r["points"]
            tally["max"] += r["max_points"]
            tally["count"] += 1
    return result


def department_rows(engine: sa.Engine, month: str | date) -> list[dict]:
    """One row per department of the registry: received / loaded / quarantined, accuracy, late rate, top failing
    rules, whether it met the deadline (the scorecard's feeds_by_deadline item) and its scorecard (``scores``)."""
    first = month_start(month)
    params = periods.month_params(first)
    values = {
        (v["indicator"], v["scope_id"]): v["value"]
        for v in compute.month_values(engine, first)
        if v["scope"] == "department" and v["dataset"] == "all"
    }
    with engine.connect() as conn:
        batches = _batches(conn, params)
        rules = failing_rules(conn, params)
        deadline = _deadline_items(conn, first)
        cards = scores(conn, first)
        unreadable: dict[str, int] = dict(  # deliveries landing could not read (they have no batch)
            conn.execute(
                sa.text(
                    "SELECT department_id, count(*) FROM landing.deliveries WHERE outcome = 'rejected'"
                    " AND received_at >= :start AND received_at < :end GROUP BY 1"
                ),
                params,
            ).all()
        )
    result = []
    for dept in registry.load().departments:
        own = [b for b in batches if b["department_id"] == dept.id]
        counts = {k: sum(b[k] or 0 for b in own) for k in ("received", "loaded", "quarantined", "duplicate")}
        item = deadline.get(dept.id)
        result.append(
            {
                "id": dept.id,
                "name": dept.name,
                "batches": len(own),
                "rejected_files": sum(b["status"] == "rejected" for b in own) + unreadable.get(dept.id, 0),
                **counts,
                "accuracy": values.get(("shuanggongshi_accuracy", dept.id)),
                "late": values.get(("shuanggongshi_late", dept.id)),
                "top_rules": rules.get(dept.id, [])[:TOP_RULES],
                "met_deadline": None if item is None else item["points"] == item["max_points"],
                "deadline_note": None if item is None else item["note"],
                "score": cards.get(dept.id),
            }
        )
    return result


def uscc_issue_rows(engine: sa.Engine, day: date, limit: int = USCC_LIST_LIMIT) -> tuple[list[dict], int]:
    """The 错码 and 重码 in the stock at the end of ``day`` with the names, codes and departments behind each, and
    how many there are in all (only the first ``limit`` are detailed)."""
    sql = """
        WITH issues AS MATERIALIZED (SELECT * FROM quality.uscc_issues(:d))
        SELECT i.issue, i.code, i.first_seen, i.observations, (SELECT count(*) FROM issues) AS total,
               string_agg(DISTINCT o.subject_name, '；') AS names,
               string_agg(DISTINCT o.code, '；') AS codes,
               string_agg(DISTINCT o.department_id, '，') AS departments
        FROM issues i
        JOIN quality.uscc_observations o
          ON o.reported_on <= :d AND (o.withdrawn_on IS NULL OR o.withdrawn_on > :d)
         AND ((i.code IS NOT NULL AND o.code = i.code) OR (i.code IS NULL AND o.name_key = i.name_key))
        GROUP BY i.issue, i.code, i.name_key, i.first_seen, i.observations
        ORDER BY i.issue, i.code NULLS LAST, i.name_key LIMIT :n"""
    names = {d.id: d.name for d in registry.load().departments}
    with engine.connect() as conn:
        rows = query(conn, sql, {"d": day, "n": limit})
    total = rows[0]["total"] if rows else 0  # every issue has an observation: no rows, no issues
    for r in rows:
        del r["total"]
        r["departments"] = "，".join(names.get(d, d) for d in (r["departments"] or "").split("，") if d)
        for key in ("names", "codes", "code"):
            r[key] = mask(r[key])
    return rows, total


def chase_list(engine: sa.Engine, month: str | date) -> list[dict]:
    """What to chase before the reporting deadline: feeds with nothing received this month, files that could not
    be read, files left in the inbox where no feed reads them (strays seen during the month), and rejected rows no
    later delivery has corrected yet."""
    first = month_start(month)
    params = periods.month_params(first)
    reg = registry.load()
    names = {d.id: d.name for d in reg.departments}
    with engine.connect() as conn:
        delivered = set(
            conn.execute(
                sa.text(
                    "SELECT DISTINCT feed_id FROM landing.deliveries WHERE received_at >= :start AND received_at < :end"
                ),
                params,
            ).scalars()
        )
        rejected = query(
            conn,
            "SELECT department_id, source_name, reason, received_at FROM landing.deliveries WHERE outcome = 'rejected'"
            " AND received_at >= :start AND received_at < :end ORDER BY received_at",
            params,
        )
        strays = query(
            conn,
            "SELECT path, department_id, reason, last_seen_at FROM landing.strays"
            " WHERE first_seen_at < :end AND last_seen_at >= :start ORDER BY department_id NULLS LAST, path",
            params,
        )
        open_rows = query(
            conn,
            "SELECT b.department_id, count(*) AS n FROM quality.quarantine q JOIN landing.batches b USING (batch_id)"
            " WHERE b.received_at >= :start AND b.received_at < :end AND NOT EXISTS (SELECT 1 FROM quality.corrections"
            " k WHERE k.quarantine_batch_id = q.batch_id AND k.quarantine_source_row = q.source_row)"
            " GROUP BY 1 ORDER BY 1",
            params,
        )
    chase = []
    for feed in reg.feeds:
        if feed.id not in delivered:
            what = f"{first:%Y年%m月}尚未报送{dataset_label(feed.dataset)}数据（数据源 {feed.id}）"
            chase.append({"department": feed.department_name, "what": what})
    for r in rejected:
        reason = r["reason"] or "原因未记录"
        ask = "" if "重新报送" in reason else "，请重新报送"  # most reasons already say how to send it again
        chase.append(
            {
                "department": names.get(r["department_id"], r["department_id"]),
                "what": mask(f"{local_time(r['received_at'])}接收的文件“{r['source_name']}”无法读取：{reason}{ask}"),
            }
        )
    for r in strays:
        chase.append(
            {
                "department": names.get(r["department_id"], r["department_id"]) or "未登记的部门",
                "what": mask(
                    f"收件箱中的文件“{printable(r['path'])}”未被接收：{r['reason']}；"
                    f"最近一次发现于 {local_time(r['last_seen_at'])}"
                ),
            }
        )
    for r in open_rows:
        chase.append(
            {
                "department": names.get(r["department_id"], r["department_id"]),
                "what": f"{r['n']} 条记录未通过校验且尚未更正，请按部门反馈表更正后重新报送",
            }
        )
    return chase


def gather(engine: sa.Engine, month: str | date, now: datetime | None = None) -> MonthReport:
    first = month_start(month)
    month_end = add_months(first, 1) - timedelta(days=1)
    defs = definitions.definitions()
    city_values = {
        v["indicator"]: v
        for v in compute.month_values(engine, first)
        if v["scope"] == "city" and v["dataset"] == "all"
    }
    headline = [
        {"id": ind, "kind": kind, "name": defs[ind].name, **EMPTY, **(city_values.get(ind) or {})}
        for ind, kind in HEADLINE
        if ind in defs
    ]
    with engine.connect() as conn:
        trend = _trend(conn, first)
    departments = department_rows(engine, first)
    issues, issue_count = uscc_issue_rows(engine, month_end)
    list_ratios = [
        {"id": ind, "name": defs[ind].name, **EMPTY, **(city_values.get(ind) or {})}
        for ind in LIST_INDICATORS
        if ind in defs
    ]
    totals = {k: sum(d[k] for d in departments) for k in ("received", "loaded", "quarantined", "duplicate")}
    return MonthReport(
        month=first,
        deadline=periods.reporting_deadline(first),
        generated_at=now or datetime.now(city.timezone()),
        city=registry.load().city.get("name", ""),
        headline=headline,
        trend=trend,
        departments=departments,
        uscc_issues=issues,
        uscc_issue_count=issue_count,
        list_ratios=list_ratios,
        chase=chase_list(engine, first),
        totals=totals,
    )


def has_values(engine: sa.Engine, month: str | date) -> bool:
    return bool(compute.month_values(engine, month, "shuanggongshi_reported"))


def dataset_label(name: str) -> str:
    return datasets.ALL[name].label if name in datasets.ALL else name
