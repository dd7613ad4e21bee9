"""``citycredit demo`` and ``citycredit demo-data``: sample feeds, and the whole pipeline run on them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from citycredit.cli.batches import batch_rows
from citycredit.cli.output import migrated_engine, text_table
from citycredit.core import paths

DEMO_MONTH = "2025-09"


def cmd_demo_data(args) -> int:
    from citycredit.tools.demo.feeds import generate_feeds

    target = paths.data_path("landing", "inbox") if args.out is None else args.out
    files = generate_feeds(target, month=args.month, seed=args.seed, records_per_feed=args.records)
    print(f"wrote {len(files)} files, {sum(f.rows for f in files)} records, into {target}")
    return 0


def cmd_demo(args) -> int:
    from citycredit.core import airflow_env, warehouse
    from citycredit.tools.demo.feeds import generate_feeds

    engine = migrated_engine()
    inbox = paths.data_path("landing", "inbox")
    files = generate_feeds(inbox, month=DEMO_MONTH, seed=args.seed, records_per_feed=args.records)
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
    print(f"  data directory   {paths.home()}")
    print(f"  delivered files  {paths.data_path('landing', 'archive')} (rejected: landing/rejected)")
    print(f"  Airflow home     {paths.data_path('airflow')} (logs under logs/)")
    from citycredit.publish import month_files

    report = month_files.report_path(DEMO_MONTH)
    print(f"  quality report   {report} (department feedback under feedback/{DEMO_MONTH}/)")
    print("  commands         citycredit batches | citycredit indicators --month " + DEMO_MONTH)
    return 0


def _dags_test(dag_id: str, *extra: str, verbose: bool) -> None:
    from citycredit.core import airflow_env

    result = airflow_env.run("dags", "test", dag_id, *extra, check=False, capture=not verbose)
    if result.returncode != 0:
        if not verbose:
            print("\n".join((result.stdout + result.stderr).splitlines()[-40:]), file=sys.stderr)
        raise SystemExit(f"{dag_id} failed (exit {result.returncode}); rerun with --verbose for Airflow's output")


def summary(engine, month: str) -> str:
    from citycredit.feeds import registry
    from citycredit.indicators import compute

    rows = batch_rows(engine)
    loaded = [r for r in rows if r["received"] is not None]
    totals = {k: sum(r[k] for r in loaded) for k in ("received", "loaded", "quarantined", "duplicate")}
    names = {d.id: d.name for d in registry.load().departments}
    accuracy = [
        {"department": names.get(r["scope_id"], "全市"), **r}
        for r in compute.month_values(engine, month, "shuanggongshi_accuracy")
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


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("demo-data", help="write realistic sample department feeds")
    p.add_argument("--out", type=Path, default=None, help="target folder (default: the landing inbox)")
    p.add_argument("--month", default=DEMO_MONTH)
    p.add_argument("--seed", type=int, default=20250930)
    p.add_argument("--records", type=int, default=400, help="records per feed")
    p.set_defaults(func=cmd_demo_data)

    p = subparsers.add_parser("demo", help="generate sample feeds and run the whole pipeline with Airflow")
    p.add_argument("--seed", type=int, default=20250930)
    p.add_argument("--records", type=int, default=400, help="records per feed")
    p.add_argument("--verbose", action="store_true", help="show Airflow's output")
    p.set_defaults(func=cmd_demo)
