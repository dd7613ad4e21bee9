"""``citycredit demo`` and ``citycredit demo-data``: sample feeds, and the whole pipeline run on them.

The demo covers the thirteen months up to the last one (by today's date in the city): the last month as
departments deliver it, every file feed weekly (up to yesterday), and the twelve before it as a monthly history
(``generate_history``). It runs the ingest, the indicators of every month, the monthly DAG (the last month's
reports) and the export to the outbox, then summarises the last month as its quality report counts it.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import sys
from pathlib import Path

from citycredit.cli.output import migrated_engine, text_table
from citycredit.core import city, paths

HISTORY_MONTHS = 12  # before the month the demo reports on: thirteen months of data in all
DEFAULT_SEED = 20250930
# Rows per feed and month. Each batch costs seconds of validation whatever its size, but the export and the load
# take time per row: thirteen months at 400 a feed made a first export of 42,000 records.
DEFAULT_RECORDS = 200


def cmd_demo_data(args) -> int:
    from citycredit.tools.demo.feeds import generate_feeds

    target = paths.data_path("landing", "inbox") if args.out is None else args.out
    month = args.month or demo_months(city.today())[-1]
    yesterday = city.today() - dt.timedelta(days=1)  # a delivery time is never in the future
    files = generate_feeds(target, month=month, seed=args.seed, records_per_feed=args.records, until=yesterday)
    print(f"wrote {len(files)} files, {sum(f.rows for f in files)} records, into {target}")
    return 0


def demo_months(today: dt.date) -> list[str]:
    """The months the demo covers, oldest first: HISTORY_MONTHS and then the last month before today's."""
    from citycredit.core.months import add_months, month_start

    last = add_months(month_start(today), -1)
    return [add_months(last, -k).strftime("%Y-%m") for k in range(HISTORY_MONTHS, -1, -1)]


def cmd_demo(args) -> int:
    from citycredit.core import airflow_env, warehouse
    from citycredit.indicators import compute
    from citycredit.publish import month_files
    from citycredit.tools.demo.feeds import generate_feeds, generate_history

    today = city.today()
    *history, month = demo_months(today)
    inbox = paths.data_path("landing", "inbox")
    # Airflow's metadata database is made by its own processes while the files are written: about 10 s each.
    with concurrent.futures.ThreadPoolExecutor(1) as background:
        airflow_ready = background.submit(airflow_env.initialize)
        engine = migrated_engine()
        files = generate_history(inbox, months=history, seed=args.seed, records_per_feed=args.records)
        files += generate_feeds(
            inbox, month=month, seed=args.seed, records_per_feed=args.records, until=today - dt.timedelta(days=1)
        )
        print(
            f"[1/7] sample feeds for {history[0]} to {month}: {len(files)} files, {sum(f.rows for f in files)} records"
        )
        print("[2/7] Airflow metadata database and pools")
        airflow_ready.result()
    print("[3/7] airflow dags test citycredit_ingest")
    _dags_test("citycredit_ingest", verbose=args.verbose)
    print(f"[4/7] indicators of {history[0]} to {history[-1]}")
    for earlier in history:  # the monthly DAG's task body; the DAG itself computes the month asked for
        compute.compute_month(engine, earlier)
    print(f"[5/7] airflow dags test citycredit_monthly (month {month}: indicators and reports)")
    _dags_test("citycredit_monthly", "--conf", json.dumps({"month": month}), verbose=args.verbose)
    print(f"[6/7] export to the outbox (publication windows as of {today.isoformat()})")
    exported = _export(engine, today)
    print("[7/7] web front door: demo accounts and a subject to look up")
    front_door = _front_door(engine)
    print()
    print(summary(engine, month))
    print()
    print("Where the results are:")
    print(f"  warehouse        {warehouse.describe(str(engine.url))}")
    print(f"  data directory   {paths.home()}")
    print(f"  delivered files  {paths.data_path('landing', 'archive')} (rejected: landing/rejected)")
    print(f"  quality report   {month_files.report_path(month)} (department feedback under feedback/{month}/)")
    print(f"  outbox           {paths.data_path('outbox')} ({exported})")
    print(f"  Airflow home     {paths.data_path('airflow')} (`make up` starts the Airflow UI on it)")
    print(f"  commands         citycredit batches | citycredit indicators --month {month} | citycredit export batches")
    print("                   (after `source .venv/bin/activate`)")
    print(front_door)
    return 0


def _front_door(engine) -> str:
    """The lines of the summary that say how to open the web front door, with whom, and whom to look up."""
    from citycredit.feeds import registry
    from citycredit.publish import subject_report
    from citycredit.tools.demo import front_door
    from citycredit.web import server

    made = front_door.demo_accounts(engine, registry.load().departments[0].id)
    url = f"http://{server.DEFAULT_HOST}:{server.DEFAULT_PORT}/"
    lines = [f"  web front door   `citycredit web` serves {url}; sign in as"]
    for a in made:
        of = f"（{a.department_id}）" if a.department_id else ""
        lines.append(f"                   {a.role_name}{of}  {a.name} / {a.password or '（账户已存在，密码未变）'}")
    lines.append(f"                   (passwords kept in {paths.data_path() / front_door.ACCOUNTS_FILE})")
    found = front_door.rich_subject(engine)
    if found:
        code, sections = found
        name = subject_report.find(engine, code).name
        shown = "，".join(f"{section} {n} 条" for section, n in sections.items())
        lines.append(f"  look up          {name}（{code}）：{shown}")
    return "\n".join(lines)


def _dags_test(dag_id: str, *extra: str, verbose: bool) -> None:
    from citycredit.core import airflow_env

    result = airflow_env.run("dags", "test", dag_id, *extra, check=False, capture=not verbose)
    if result.returncode != 0:
        if not verbose:
            print("\n".join((result.stdout + result.stderr).splitlines()[-40:]), file=sys.stderr)
        raise SystemExit(f"{dag_id} failed (exit {result.returncode}); rerun with --verbose for Airflow's output")


def _export(engine, today: dt.date) -> str:
    """Write the outbox as the export DAG does; say in a warning that the push to the province is not configured.
    The demo never pushes, even where a provincial endpoint is configured: ``citycredit export run`` does."""
    from citycredit.publish import export, outbox, province_push

    reports = outbox.export_outbox(engine, today)
    for report in reports:
        print("  " + export.describe(report))
    try:
        province_push.resolve_endpoint()
        print("  the demo does not push to the provincial platform: `citycredit export run --to province` does")
    except province_push.NotConfigured as exc:
        print(f"  警告：未推送到省级平台（{exc}）；已写入 outbox 的文件可人工报送。")
    return f"{len(reports)} new export batches" if reports else "nothing new to export"


def summary(engine, month: str) -> str:
    """The month as its quality report counts it: files received in that month, per department."""
    from citycredit.publish import monthly

    rows = monthly.department_rows(engine, month)
    totals = {k: sum(r[k] for r in rows) for k in ("batches", "received", "loaded", "quarantined", "duplicate")}
    for r in rows:
        r["rate"] = "-" if r["accuracy"] is None else f"{float(r['accuracy']) * 100:.1f}%"
        r["late_rate"] = "-" if r["late"] is None else f"{float(r['late']) * 100:.1f}%"
    return "\n".join(
        [
            f"{month}: files received in the month, as the quality report of {month} counts them",
            "  {batches} files; rows received {received} = loaded {loaded} + quarantined {quarantined}"
            " + duplicate {duplicate}".format(**totals),
            "",
            text_table(
                rows,
                [
                    ("name", "部门"),
                    ("batches", "文件数"),
                    ("received", "接收行数"),
                    ("loaded", "入库"),
                    ("quarantined", "隔离"),
                    ("duplicate", "重复"),
                    ("rate", "双公示准确率"),
                    ("late_rate", "迟报率"),
                ],
            ),
        ]
    )


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("demo-data", help="write realistic sample department feeds")
    p.add_argument("--out", type=Path, default=None, help="target folder (default: the landing inbox)")
    p.add_argument("--month", default=None, help="YYYY-MM (default: last month)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--records", type=int, default=DEFAULT_RECORDS, help="records per feed")
    p.set_defaults(func=cmd_demo_data)

    p = subparsers.add_parser(
        "demo", help="generate 13 months of sample feeds up to last month and run the whole pipeline with Airflow"
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--records", type=int, default=DEFAULT_RECORDS, help="records per feed and month")
    p.add_argument("--verbose", action="store_true", help="show Airflow's output")
    p.set_defaults(func=cmd_demo)
