"""``citycredit export``: the provincial export, its outbox files and HTTP push, and its batches."""

from __future__ import annotations

import datetime
import sys

from citycredit.cli.output import migrated_engine, print_json
from citycredit.publish import export, outbox, province_push


def cmd_export_run(args) -> int:
    engine = migrated_engine()
    as_of = datetime.date.fromisoformat(args.as_of) if args.as_of else export.today()
    reports = []
    if args.to in (export.OUTBOX, "all"):
        reports += outbox.export_outbox(engine, as_of)
    if args.to in (export.PROVINCE, "all"):
        try:
            reports += province_push.push_to_province(engine, as_of)
        except (province_push.NotConfigured, province_push.PushFailed) as exc:
            print(str(exc), file=sys.stderr)
            return 1
    if args.json:
        print_json([r.__dict__ for r in reports])
    else:
        print("\n".join(export.describe(r) for r in reports) or f"没有需要报送的新数据（公示日 {as_of.isoformat()}）")
    return 0


def cmd_export_batches(args) -> int:
    reports = export.batch_list(migrated_engine())
    if args.json:
        print_json([r.__dict__ for r in reports])
    else:
        print("\n".join(export.describe(r) for r in reports) or "还没有导出批次")
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("export", help="export to the provincial platform (files and HTTP push)")
    sub = p.add_subparsers(dest="export_command", required=True)
    run = sub.add_parser("run", help="write the outbox files and/or push to the province what is new")
    run.add_argument("--to", choices=(export.OUTBOX, export.PROVINCE, "all"), default="all")
    run.add_argument("--as-of", help="YYYY-MM-DD: the day publication windows are evaluated for (default today)")
    run.add_argument("--json", action="store_true")
    run.set_defaults(func=cmd_export_run)
    batches = sub.add_parser("batches", help="list export batches with counts, held-back records and receipts")
    batches.add_argument("--json", action="store_true")
    batches.set_defaults(func=cmd_export_batches)
