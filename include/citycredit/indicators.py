"""Monthly indicators, defined in include/config/indicators.yaml and computed by set-based SQL into the mart.

An indicator is a row set (``sql/indicators/rows/<rows>.sql``: one row per record that can count, with boolean
role columns) and an aggregate over it (``sql/indicators/<query>.sql``, reading the row set as ``rows``). The
aggregate gives scope, scope_id, dataset, numerator, denominator and value; ``compute_month`` writes them into
mart.indicator_values, replacing the month's earlier values (re-runs and backfills give the same mart).
``explain_rows`` lists the rows behind a value from the same row set, so every figure leads to its batch, file
hash and source row (design.md invariant 5). Row sets select records by indexed month or window columns, so a
month costs what its own data costs, not the history's; the exceptions are the stock measures that are defined
over the whole stock: the subject register and the open listing periods, and the city's 统一社会信用代码 stock,
which is read from a summary per code and name (quality.uscc_pairs, sql/migrations/0007), so it costs what the
stock holds, not every observation ever made.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from citycredit import config, settings

log = logging.getLogger(__name__)

INDICATORS_DIR = settings.SQL_DIR / "indicators"
ROWS_DIR = INDICATORS_DIR / "rows"
CONFIG_FILE = "indicators.yaml"
_ROLE = re.compile(r"^[a-z_]+$")
_COMMENT = re.compile(r"^\s*--.*\n", re.MULTILINE)


def _sql(path) -> str:
    """A SQL file without its comment lines (they document, and may name parameters that are not bound)."""
    return _COMMENT.sub("", path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Definition:
    id: str
    name: str
    source: str
    rows: str
    query: str
    numerator: str
    denominator: str | None
    count_distinct: str | None = None
    measure: str | None = None
    params: dict = field(default_factory=dict, compare=False)

    def rows_sql(self) -> str:
        return _sql(ROWS_DIR / f"{self.rows}.sql")

    def aggregate_sql(self) -> str:
        """The aggregate with its placeholders ({numerator_count}, {denominator_count}, {value}) filled in."""
        counted = f"DISTINCT {self.count_distinct}" if self.count_distinct else "*"
        num = f"count({counted}) FILTER (WHERE {self.numerator})"
        if self.measure:
            num = f"sum({self.measure}) FILTER (WHERE {self.numerator})"
        if self.denominator is None:
            den, value = "NULL::bigint", num
        else:
            den = f"count({counted}) FILTER (WHERE {self.denominator})"
            value = f"CASE WHEN {den} > 0 THEN round({num}::numeric / {den}, 6) END"
        sql = _sql(INDICATORS_DIR / f"{self.query}.sql")
        return sql.replace("{numerator_count}", num).replace("{denominator_count}", den).replace("{value}", value)


@functools.cache
def settings_file() -> dict:
    raw = config.load_yaml(CONFIG_FILE)
    if not isinstance(raw, dict) or not isinstance(raw.get("indicators"), dict):
        raise config.ConfigError(f"{CONFIG_FILE}: expected a mapping with 'indicators'")
    return raw


@functools.cache
def definitions() -> dict[str, Definition]:
    """Every indicator of indicators.yaml, checked: its SQL files exist and its role columns are plain names."""
    result = {}
    for ind_id, item in settings_file()["indicators"].items():
        where = f"{CONFIG_FILE}: indicators.{ind_id}"
        if not isinstance(item, dict):
            raise config.ConfigError(f"{where}: expected a mapping")
        for key in ("name", "source", "rows", "query", "numerator"):
            if not item.get(key):
                raise config.ConfigError(f"{where}.{key}: missing")
        for key in ("numerator", "denominator", "count_distinct", "measure"):
            if item.get(key) is not None and not _ROLE.match(str(item[key])):
                raise config.ConfigError(f"{where}.{key}: {item[key]!r} is not a column name")
        definition = Definition(
            id=ind_id,
            name=item["name"],
            source=" ".join(str(item["source"]).split()),
            rows=item["rows"],
            query=item["query"],
            numerator=item["numerator"],
            denominator=item.get("denominator"),
            count_distinct=item.get("count_distinct"),
            measure=item.get("measure"),
            params=dict(item.get("params") or {}),
        )
        for path in (ROWS_DIR / f"{definition.rows}.sql", INDICATORS_DIR / f"{definition.query}.sql"):
            if not path.is_file():
                raise config.ConfigError(f"{where}: {path.relative_to(settings.PROJECT_ROOT)} does not exist")
        result[ind_id] = definition
    return result


def definition(indicator: str) -> Definition:
    try:
        return definitions()[indicator]
    except KeyError:
        raise config.ConfigError(f"未知指标 {indicator!r}；可用指标：{', '.join(definitions())}") from None


def suite_timeliness_rules(dataset: str) -> tuple[list[str], list[str]]:
    """The rule ids of a dataset's late and unknown-calendar rules, read from its suite (invariant 2)."""
    spec = settings_file()["timeliness"]
    suite = json.loads((settings.EXPECTATIONS_DIR / f"{dataset}.json").read_text(encoding="utf-8"))
    by_type = {
        kind: [e["meta"]["rule_id"] for e in suite.get("expectations", []) if e.get("type") == spec[kind]]
        for kind in ("late_expectation_type", "indeterminate_expectation_type")
    }
    return by_type["late_expectation_type"], by_type["indeterminate_expectation_type"]


def timeliness_rules() -> tuple[list[str], list[str]]:
    """The late and the unknown-calendar rule ids of every 双公示 suite."""
    late, indeterminate = [], []
    for dataset in settings_file()["timeliness"]["datasets"]:
        more_late, more_indeterminate = suite_timeliness_rules(dataset)
        late += more_late
        indeterminate += more_indeterminate
    if not late:
        log.warning("no suite has a late rule: nothing counts as late")
    return late, indeterminate


def month_start(value: str | date) -> date:
    """'2025-09' or any date in the month → the first day of that month."""
    if isinstance(value, date):
        return value.replace(day=1)
    try:
        year, month = (int(x) for x in value.split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        raise ValueError(f"month must look like YYYY-MM, got {value!r}") from None


def add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_params(month: str | date, params: dict | None = None) -> dict:
    """Bind parameters of a month (indicators.yaml names them): its first and last day, its bounds as instants in
    the city's time zone, the population, the timeliness rule ids, the definition's constants and its windows."""
    from citycredit import registry

    first = month_start(month)
    city = registry.load().city
    zone = ZoneInfo(city.get("timezone") or "Asia/Shanghai")
    late, indeterminate = timeliness_rules()
    values = {
        "month": first,
        "month_end": add_months(first, 1) - timedelta(days=1),
        "tz": zone.key,
        "start": datetime.combine(first, time(), zone),
        "end": datetime.combine(add_months(first, 1), time(), zone),
        "population": (city.get("population") or {}).get("count"),
        "late_rules": late,
        "indeterminate_rules": indeterminate,
        **(params or {}),
    }
    if values.get("window_months"):
        values["window_from"] = add_months(first, 1 - int(values["window_months"]))
        values["window_before"] = values["window_from"] - timedelta(days=1)
    if values.get("previous_months"):
        values["previous_start"] = datetime.combine(add_months(first, -int(values["previous_months"])), time(), zone)
    if values.get("working_day_calendar"):
        values.update(working_day_params(first.year - CALENDAR_YEARS_BACK, first.year))
    return values


CALENDAR_YEARS_BACK = 5  # a case open longer than this many years is indeterminate


def working_day_params(first_year: int, last_year: int) -> dict:
    """The official calendar of these years for SQL: :calendar_years (those the calendar knows), :holidays (rest
    weekdays) and :makeup_workdays (调休 working weekend days)."""
    from citycredit import workdays

    calendar = workdays.default_calendar()
    years = [y for y in range(first_year, last_year + 1) if y in calendar.years]
    days = [date(y, 1, 1) + timedelta(days=i) for y in years for i in range((date(y + 1, 1, 1) - date(y, 1, 1)).days)]
    return {
        "calendar_years": years,
        "holidays": [d for d in days if d.weekday() < 5 and not calendar.is_workday(d)],
        "makeup_workdays": [d for d in days if d.weekday() >= 5 and calendar.is_workday(d)],
    }


def reporting_deadline(month: str | date) -> datetime:
    """The instant by which departments deliver a month's data (indicators.yaml reporting_deadline)."""
    spec = settings_file()["reporting_deadline"]
    hour, minute = (int(x) for x in str(spec["time"]).split(":"))
    day = month_start(month).replace(day=int(spec["day"]))
    return datetime.combine(day, time(hour, minute), ZoneInfo(spec["timezone"]))


def deadline_cron() -> tuple[str, str]:
    """The reporting deadline as a monthly cron expression and its time zone, for the monthly DAG's schedule."""
    spec = settings_file()["reporting_deadline"]
    hour, minute = (int(x) for x in str(spec["time"]).split(":"))
    return f"{minute} {hour} {int(spec['day'])} * *", spec["timezone"]


RANDOM_PAGE_COST = 2


def compute_month(engine: sa.Engine, month: str | date) -> int:
    """Recompute every indicator of a month, then the department scorecard that reads them, in one transaction;
    returns the number of indicator values written."""
    from citycredit import scorecard

    first = month_start(month)
    written = 0
    with engine.begin() as conn:
        # Each statement reads one month (or window) through indexes; JIT compilation would cost seconds a statement
        # as soon as the history makes the planner's estimates large, and save nothing.
        conn.execute(sa.text("SET LOCAL jit = off"))
        # The window's records are read by reported_on. A month's records were loaded together and lie together
        # on disk, which the default page cost (4, made for spinning disks) cannot know: over a long history it
        # then reads the whole table for a 12-month window. At 2 the planner takes the bitmap index scan (10M
        # history records: 10.1 s -> 5.0 s a month on PostgreSQL 15; 1.1 picks plain index scans, 11.7 s).
        conn.execute(sa.text(f"SET LOCAL random_page_cost = {RANDOM_PAGE_COST}"))
        conn.execute(sa.text("DELETE FROM mart.indicator_values WHERE month = :m"), {"m": first})
        for d in definitions().values():
            sql = (
                "INSERT INTO mart.indicator_values (month, indicator, scope, scope_id, dataset, numerator,"
                f" denominator, value) WITH rows AS ({d.rows_sql()})"
                " SELECT :month, :indicator, a.scope, a.scope_id, a.dataset, a.numerator, a.denominator, a.value"
                f" FROM ({d.aggregate_sql()}) a"
            )
            n = conn.execute(sa.text(sql), {**month_params(first, d.params), "indicator": d.id}).rowcount
            log.info("indicator %s for %s: %s values", d.id, first, n)
            written += n
        scorecard.compute(conn, first)
    return written


def month_values(engine: sa.Engine, month: str | date, indicator: str | None = None) -> list[dict]:
    query = (
        "SELECT month, indicator, scope, scope_id, dataset, numerator, denominator, value"
        " FROM mart.indicator_values WHERE month = :m AND (:i IS NULL OR indicator = :i)"
        " ORDER BY indicator, scope, scope_id, dataset"
    )
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(query), {"m": month_start(month), "i": indicator}).mappings()]


def explain_rows(
    engine: sa.Engine, indicator: str, month: str | date, department: str | None = None, limit: int | None = None
) -> list[dict]:
    """The rows of the indicator's row set that are in its numerator or its denominator, with both roles marked
    (``in_numerator``, ``in_denominator``); ``id_number`` masked. A department limits them to its rows."""
    from citycredit import privacy

    d = definition(indicator)
    den = d.denominator or "false"
    sql = (
        f"WITH rows AS ({d.rows_sql()}) SELECT {d.numerator} AS in_numerator, {den} AS in_denominator, rows.*"
        f" FROM rows WHERE ({d.numerator} OR {den})"
        " AND (CAST(:department AS text) IS NULL OR department_id = :department)"
        " ORDER BY 3, 4, 5" + (" LIMIT :limit" if limit else "")
    )
    params = {**month_params(month, d.params), "department": department, "limit": limit}
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]
    for row in rows:
        if row.get("id_number"):
            row["id_number"] = privacy.mask_id(row["id_number"])
        for key, value in row.items():
            if isinstance(value, str):
                row[key] = privacy.mask_ids_in_text(value)
    return rows


# --- the `citycredit indicators` and `citycredit explain` commands ---------------------------------------------


def _department_id(value: str | None) -> str | None:
    """A department given by id or by name → its id (names are what credit-center staff type)."""
    if value is None:
        return None
    from citycredit import registry

    for d in registry.load().departments:
        if value in (d.id, d.name):
            return d.id
    raise SystemExit(f"未知部门：{value}")


def cmd_indicators(args) -> int:
    from citycredit import cli

    engine = cli.migrated_engine()
    if args.recompute:
        compute_month(engine, args.month)
    department = _department_id(args.department)
    rows = month_values(engine, args.month)
    if department:
        rows = [r for r in rows if r["scope"] == "city" or r["scope_id"] == department]
    if args.json:
        cli.print_json(rows)
        return 0
    names = {d.id: d.name for d in definitions().values()}
    for r in rows:
        r["name"] = names.get(r["indicator"], r["indicator"])
    print(
        cli.text_table(
            rows,
            [
                ("indicator", "指标"),
                ("name", "名称"),
                ("scope_id", "范围"),
                ("dataset", "类型"),
                ("numerator", "分子"),
                ("denominator", "分母"),
                ("value", "值"),
            ],
        )
    )
    return 0


EXPLAIN_COLUMNS = {
    "shuanggongshi_rows": [
        ("department_id", "部门"),
        ("dataset", "类型"),
        ("batch_id", "批次"),
        ("sha256", "文件SHA-256"),
        ("source_row", "源行号"),
        ("loaded", "入库"),
        ("late", "迟报"),
        ("indeterminate", "无法判定"),
        ("subject_name", "行政相对人名称"),
        ("subject_code", "统一社会信用代码"),
        ("id_number", "证件号码"),
        ("document_no", "决定文书号"),
        ("decision_date", "决定日期"),
        ("reported_on", "报送日期"),
    ],
    "department_deliveries": [
        ("department_id", "部门"),
        ("dataset", "类型"),
        ("delivery_id", "交付"),
        ("batch_id", "批次"),
        ("sha256", "文件SHA-256"),
        ("source_name", "文件"),
        ("outcome", "结果"),
        ("received_at", "接收时间"),
        ("month", "所属月份"),
    ],
}


def cmd_explain(args) -> int:
    from citycredit import cli

    d = definition(args.indicator)
    rows = explain_rows(cli.migrated_engine(), d.id, args.month, _department_id(args.department), args.limit)
    if args.json:
        cli.print_json(rows)
        return 0
    print(f"{d.name}（{d.id}），{month_start(args.month):%Y-%m}")
    print(f"口径：{d.source}")
    print(f"分子：{d.numerator}；分母：{d.denominator or '无'}")
    columns = [("in_numerator", "计入分子"), ("in_denominator", "计入分母")] + EXPLAIN_COLUMNS.get(
        d.rows, [(k, k) for k in (rows[0] if rows else {}) if not k.startswith("in_")]
    )
    print(cli.text_table(rows, columns))
    if args.limit and len(rows) == args.limit:
        print(f"（只显示前 {args.limit} 行，用 --limit 0 显示全部）")
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("indicators", help="a month's indicator values")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--department", help="department id or name")
    p.add_argument("--recompute", action="store_true", help="recompute the month before printing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_indicators)

    p = subparsers.add_parser("explain", help="the rows behind an indicator value")
    p.add_argument("indicator", help="indicator id, e.g. shuanggongshi_accuracy")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--department", help="department id or name")
    p.add_argument("--limit", type=int, default=200, help="rows to show (0: all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_explain)
