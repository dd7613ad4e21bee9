"""The ``citycredit`` command."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from citycredit import settings

DEMO_MONTH = "2025-09"


def migrated_engine():
    """The configured warehouse with every pending migration applied; what each command starts from."""
    from citycredit import migrations, warehouse

    engine = warehouse.engine()
    migrations.upgrade(engine)
    return engine


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value))


def print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def text_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """A plain text table; widths count CJK characters as two columns."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    cells = [[h for _, h in columns]] + [["" if r.get(k) is None else str(r[k]) for k, _ in columns] for r in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(columns))]
    lines = ["  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=False)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_db_upgrade(args) -> int:
    from citycredit import migrations, warehouse

    engine = warehouse.engine()
    applied = migrations.upgrade(engine)
    print(f"warehouse: {warehouse.describe(str(engine.url))}")
    print(f"applied {len(applied)} migration(s); schema version {migrations.current_version(engine)}")
    return 0


def cmd_demo_data(args) -> int:
    from citycredit import demo_data

    target = settings.data_path("landing", "inbox") if args.out is None else args.out
    files = demo_data.generate_feeds(target, month=args.month, seed=args.seed, records_per_feed=args.records)
    print(f"wrote {len(files)} files, {sum(f.rows for f in files)} records, into {target}")
    return 0


def batch_rows(engine) -> list[dict]:
    import sqlalchemy as sa

    query = """
        SELECT b.batch_id, b.department_id, b.feed_id, b.dataset, b.source_name, b.sha256, b.status,
               b.received_at, a.received, a.loaded, a.quarantined, a.duplicate, a.revised, a.with_warnings,
               a.corrected, a.inferred_exits
        FROM landing.batches b LEFT JOIN quality.batch_accounting a USING (batch_id)
        ORDER BY b.batch_id"""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(query)).mappings()]


def cmd_batches(args) -> int:
    rows = batch_rows(migrated_engine())
    if args.json:
        print_json(rows)
        return 0
    print(
        text_table(
            rows,
            [
                ("batch_id", "批次"),
                ("department_id", "部门"),
                ("feed_id", "数据源"),
                ("source_name", "文件"),
                ("sha256", "SHA-256"),
                ("status", "状态"),
                ("received", "接收"),
                ("loaded", "入库"),
                ("quarantined", "隔离"),
                ("duplicate", "重复"),
                ("corrected", "纠正"),
            ],
        )
    )
    return 0


def cmd_demo(args) -> int:
    from citycredit import airflow_env, demo_data, warehouse

    engine = migrated_engine()
    inbox = settings.data_path("landing", "inbox")
    files = demo_data.generate_feeds(inbox, month=DEMO_MONTH, seed=args.seed, records_per_feed=args.records)
    print(f"[1/4] sample feeds: {len(files)} files, {sum(f.rows for f in files)} records in {inbox}")
    print("[2/4] Airflow metadata database and pools")
    airflow_env.initialize()
    print("[3/4] airflow dags test citycredit_ingest")
    _dags_test("citycredit_ingest", verbose=args.verbose)
    print(f"[4/4] airflow dags test citycredit_monthly (month {DEMO_MONTH})")
    _dags_test("citycredit_monthly", "--conf", json.dumps({"month": DEMO_MONTH}), verbose=args.verbose)
    print()
    print(summary(engine, DEMO_MONTH))
    print()
    print("Where the results are:")
    print(f"  warehouse        {warehouse.describe(str(engine.url))}")
    print(f"  data directory   {settings.home()}")
    print(f"  delivered files  {settings.data_path('landing', 'archive')} (rejected: landing/rejected)")
    print(f"  Airflow home     {settings.data_path('airflow')} (logs under logs/)")
    from citycredit.reports import publish

    print(f"  quality report   {publish.report_path(DEMO_MONTH)} (department feedback under feedback/{DEMO_MONTH}/)")
    print("  commands         citycredit batches | citycredit indicators --month " + DEMO_MONTH)
    return 0


def _dags_test(dag_id: str, *extra: str, verbose: bool) -> None:
    from citycredit import airflow_env

    result = airflow_env.run("dags", "test", dag_id, *extra, check=False, capture=not verbose)
    if result.returncode != 0:
        if not verbose:
            print("\n".join((result.stdout + result.stderr).splitlines()[-40:]), file=sys.stderr)
        raise SystemExit(f"{dag_id} failed (exit {result.returncode}); rerun with --verbose for Airflow's output")


def summary(engine, month: str) -> str:
    from citycredit import indicators, registry

    rows = batch_rows(engine)
    loaded = [r for r in rows if r["received"] is not None]
    totals = {k: sum(r[k] for r in loaded) for k in ("received", "loaded", "quarantined", "duplicate")}
    names = {d.id: d.name for d in registry.load().departments}
    accuracy = [
        {"department": names.get(r["scope_id"], "全市"), **r}
        for r in indicators.month_values(engine, month, "shuanggongshi_accuracy")
        if r["dataset"] == "all"
    ]
    for r in accuracy:
        r["rate"] = "-" if r["value"] is None else f"{float(r['value']) * 100:.1f}%"
    return "\n".join(
        [
            f"Batches: {len(rows)} ({len(loaded)} loaded, {sum(r['status'] == 'rejected' for r in rows)} rejected)",
            "Rows: received {received} = loaded {loaded} + quarantined {quarantined} + duplicate {duplicate}".format(
                **totals
            ),
            "",
            f"双公示上报数据准确率, {month}:",
            text_table(
                accuracy,
                [
                    ("department", "部门"),
                    ("numerator", "正确数据量"),
                    ("denominator", "报送数据量"),
                    ("rate", "准确率"),
                ],
            ),
        ]
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citycredit", description="City public-credit data pipeline.")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="warehouse administration")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply pending migrations").set_defaults(func=cmd_db_upgrade)

    p = sub.add_parser("demo-data", help="write realistic sample department feeds")
    p.add_argument("--out", type=Path, default=None, help="target folder (default: the landing inbox)")
    p.add_argument("--month", default=DEMO_MONTH)
    p.add_argument("--seed", type=int, default=20250930)
    p.add_argument("--records", type=int, default=400, help="records per feed")
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("demo", help="generate sample feeds and run the whole pipeline with Airflow")
    p.add_argument("--seed", type=int, default=20250930)
    p.add_argument("--records", type=int, default=400, help="records per feed")
    p.add_argument("--verbose", action="store_true", help="show Airflow's output")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("batches", help="list batches with their accounting")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_batches)

    from citycredit import indicators

    indicators.add_parser(sub)
    from citycredit import export

    export.add_parser(sub)
    from citycredit import selfcheck

    selfcheck.add_parser(sub)
    from citycredit import bench

    bench.add_parser(sub)
    from citycredit.reports import publish

    publish.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from citycredit import privacy

    privacy.install_log_masking()
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
