"""The lookup figures (issue #20 item 7), over the large history of the indicators figure: a subject report
(``subject_report.gather``) and a 10,000-subject 联合奖惩 核查 (``list_check.check``), each against a bare indexed
lookup of the same rows in the same run.

What the history lacks is added with the set-based SQL of sql/bench/lookups_*.sql: a market-subject register of
``history_rows`` / REGISTER_SHARE subjects (at least MIN_SUBJECTS) with valid codes, credit-list periods of two in
five of them (current versions, earlier versions of exited periods, every kind of credit_lists.yaml, natural persons
among them), and for the report's subject (a subject of the history, with 行政许可 and 行政处罚 records) a register
entry and a listing period.

"Bare" is what a program that knew exactly which rows to read would run, with none of the module's work around it:
- report: one plain ``SELECT *`` per table the report reads (core.license, core.penalty, core.credit_list,
  core.credit_commitment, core.joint_sanction by the subject's 统一社会信用代码 column, core.subject_registry by its
  key), current versions only, in one connection: no publication rules, exclusions, repairs, masking or checksum;
- 核查: one statement for all subjects: the current credit-list rows whose 统一社会信用代码 or 证件号码 is one of the
  codes asked, plus the current credit-list and register rows whose ``quality.name_key`` of the name is one of those
  of the names asked: no check digits, classes, repairs, in-force test or answer building.
Both are timed warm (a run first, not counted), median of RUNS, alternating with the code they are the floor of.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

import sqlalchemy as sa

from citycredit.core import paths

SQL_DIR = paths.SQL_DIR / "bench"
REGISTER_SHARE = 25  # the register holds history_rows / REGISTER_SHARE subjects: 400,000 for 10M records
MIN_SUBJECTS = 5 * 10_000  # a group of five subjects for each one asked (s % 5: listed or not)
CHECK_SUBJECTS = 10_000
RUNS = 5
AS_OF = dt.date(2025, 9, 30)  # the last day of the indicators figure's target month
DAY = "2025-09-30"  # the reporting day of the register and the credit lists
# The report's subject: subject 1 of the history's pool (sql/bench/history_rows.sql), an organisation with a code.
REPORT_SUBJECT = 1
REPORT_CODE = "9141040" + format(REPORT_SUBJECT, "X").rjust(10, "0") + str(REPORT_SUBJECT % 10)
REPORT_NAME = f"平顶山市鑫华{REPORT_SUBJECT}商贸有限公司"
# The tables the report reads, each by its subject column (bare lookup of the report).
REPORT_TABLES = {
    "core.license": "xk_xdr_shxym",
    "core.penalty": "cf_xdr_shxym",
    "core.credit_list": "md_shxym",
    "core.credit_commitment": "cn_shxym",
    "core.joint_sanction": "jc_shxym",
    "core.subject_registry": "subject_key",
}
# The tables the report's subject has records in (the others hold none in the bench).
REPORT_SUBJECT_TABLES = ("core.license", "core.penalty", "core.credit_list", "core.subject_registry")
BARE_CHECK = """
SELECT record_id, md_shxym, md_zjhm, md_zt_mc, md_lx, md_rdbm, md_lrrq, md_ycrq FROM core.credit_list
WHERE is_current AND (md_shxym = ANY(CAST(:codes AS text[])) OR md_zjhm = ANY(CAST(:codes AS text[])))
UNION ALL
SELECT record_id, md_shxym, md_zjhm, md_zt_mc, md_lx, md_rdbm, md_lrrq, md_ycrq FROM core.credit_list
WHERE is_current AND quality.name_key(md_zt_mc) = ANY(ARRAY(SELECT quality.name_key(n) FROM unnest(CAST(:names AS text[])) n))
UNION ALL
SELECT record_id, zt_shxym, NULL, zt_mc, NULL, NULL, NULL, NULL FROM core.subject_registry
WHERE is_current AND quality.name_key(zt_mc) = ANY(ARRAY(SELECT quality.name_key(n) FROM unnest(CAST(:names AS text[])) n))
"""  # noqa: E501


def _sql(name: str) -> sa.TextClause:
    return sa.text((SQL_DIR / f"lookups_{name}.sql").read_text(encoding="utf-8"))


def build(engine: sa.Engine, history_rows: int) -> dict:
    """Add the register and the credit-list periods (see the module docstring); their row counts."""
    from citycredit.load import creditlists

    subjects = max(history_rows // REGISTER_SHARE, MIN_SUBJECTS)
    kinds = sorted(creditlists.classes().list_class)
    subject = {"report_code": REPORT_CODE, "report_name": REPORT_NAME, "day": DAY}
    with engine.begin() as conn:
        conn.execute(_sql("subjects"), {"subjects": subjects})
        batch = conn.execute(
            _sql("batch"),
            {"department_id": "scjg", "feed_id": "scjg_subjects", "dataset": "subject_registry", "day": DAY},
        ).scalar_one()
        conn.execute(_sql("register"), {**subject, "batch_id": batch})
        batch = conn.execute(
            _sql("batch"),
            {"department_id": "scjg", "feed_id": "scjg_credit_list", "dataset": "credit_list", "day": DAY},
        ).scalar_one()
        conn.execute(_sql("credit_list"), {**subject, "batch_id": batch, "kinds": kinds})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE core.subject_registry"))
        conn.execute(sa.text("VACUUM ANALYZE core.credit_list"))
    with engine.connect() as conn:
        count = conn.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM core.subject_registry WHERE is_current),"
                " (SELECT count(*) FROM core.credit_list WHERE is_current), (SELECT count(*) FROM core.credit_list)"
            )
        ).one()
    return {"register": count[0], "list_periods": count[1], "list_versions": count[2], "subjects": subjects}


def asked(engine: sa.Engine, subjects: int) -> list:
    """CHECK_SUBJECTS subjects to check: half codes of listed subjects, three in ten codes of unlisted ones (in the
    register), one in ten a code the warehouse has never seen, one in ten the name of a listed subject (one in
    ten of those names carried by two codes)."""
    from citycredit.core import checkdigits
    from citycredit.publish.list_check import Subject

    stride = subjects // 5 // CHECK_SUBJECTS  # a code asked is taken from its own group of five subjects
    picks = []
    for i in range(CHECK_SUBJECTS):
        if i % 10 == 9:  # a name, of a listed subject (s % 5 = 0); one in ten of them shared by subject s + 1
            k = i // 10
            picks.append((i, 50 * k + (0 if k % 10 == 0 else 5)))
        else:  # s % 5 < 2: listed
            picks.append((i, 5 * i * stride + (i % 2 if i % 10 < 5 else 2 + i % 3)))
    with engine.connect() as conn:
        found = conn.execute(
            sa.text("SELECT s, code, name FROM bench_subjects WHERE s = ANY(:s)"), {"s": [s for _, s in picks]}
        ).all()
    rows = {s: (code, name) for s, code, name in found}
    out = []
    for i, s in picks:
        code, name = rows[s]
        if i % 10 == 8:  # a valid code of no subject the warehouse holds
            body = "91410403" + str(i).rjust(8, "0")
            body += checkdigits.org_check_char(body[8:16])
            code = body + checkdigits.uscc_check_char(body)
        out.append(Subject(name=name) if i % 10 == 9 else Subject(code=code))
    return out


def _median_pair(first, second, runs: int) -> tuple[float, float]:
    """Each callable once untimed (warm), then ``runs`` times alternately; their median times."""
    first(), second()
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        for f, times in ((first, a), (second, b)):
            start = time.perf_counter()
            f()
            times.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def time_report(engine: sa.Engine, runs: int) -> dict:
    from citycredit.publish import subject_report as sr

    start = time.perf_counter()
    subject = sr.find(engine, REPORT_CODE)
    find_seconds = time.perf_counter() - start
    document = sr.gather(engine, subject, AS_OF)  # as the CLI calls it: the repair rules read by each report

    def bare() -> dict[str, int]:
        with engine.connect() as conn:
            return {
                t: len(conn.execute(sa.text(f"SELECT * FROM {t} WHERE is_current AND {c} = :code"),
                                    {"code": REPORT_CODE}).all())
                for t, c in REPORT_TABLES.items()
            }  # fmt: skip

    seconds, bare_seconds = _median_pair(lambda: sr.gather(engine, subject, AS_OF), bare, runs)
    tables = bare()
    return {
        "subject": REPORT_CODE,
        "as_of": AS_OF.isoformat(),
        "rows": sum(tables.values()),
        "tables": {t: n for t, n in tables.items() if t in REPORT_SUBJECT_TABLES},
        "sections": {k: len(document[k]) for k in ("licenses", "penalties", "credit_lists")},
        "find_seconds": find_seconds,
        "seconds": seconds,
        "bare_seconds": bare_seconds,
    }


def time_check(engine: sa.Engine, subjects: int, runs: int) -> dict:
    from citycredit.publish import list_check

    ask = asked(engine, subjects)
    codes = [s.code for s in ask if s.code]
    names = [s.name for s in ask if s.code is None]

    def bare() -> int:
        with engine.connect() as conn:
            return len(conn.execute(sa.text(BARE_CHECK), {"codes": codes, "names": names}).all())

    report = list_check.check(engine, ask, AS_OF)
    seconds, bare_seconds = _median_pair(lambda: list_check.check(engine, ask, AS_OF), bare, runs)
    return {
        "subjects": len(ask),
        "codes": len(codes),
        "names": len(names),
        "counts": report.counts(),
        "rows": bare(),
        "seconds": seconds,
        "bare_seconds": bare_seconds,
    }


def run_lookups(url: str, history_rows: int, runs: int = RUNS) -> dict:
    """Build what the lookups need into the database of ``url`` (holding the large history), then time both."""
    from citycredit.core import warehouse

    engine = warehouse.engine(url)
    start = time.perf_counter()
    built = build(engine, history_rows)
    build_seconds = time.perf_counter() - start
    result = {
        **built,
        "build_seconds": build_seconds,
        "runs": runs,
        "report": time_report(engine, runs),
        "check": time_check(engine, built["subjects"], runs),
    }
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE bench_subjects"))
    return result
