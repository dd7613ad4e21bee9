"""``citycredit export``: the provincial export, its outbox files and HTTP push, and its batches."""

from __future__ import annotations

import sys

from citycredit.cli import arguments
from citycredit.cli.output import migrated_engine, print_json
from citycredit.core import city
from citycredit.publish import export, outbox, province_push


def cmd_export_run(args) -> int:
    engine = migrated_engine()
    as_of = args.as_of or city.today()
    reports = []
    if args.to in (export.OUTBOX, "all"):
        reports += outbox.export_outbox(engine, as_of)
    if args.to in (export.PROVINCE, "all"):
        try:
            reports += province_push.push_to_province(engine, as_of)
        except province_push.NotConfigured as exc:
            if args.to == export.PROVINCE or not isinstance(exc, province_push.NoEndpoint):
                print(f"citycredit export run: {exc}", file=sys.stderr)  # asked for the push, or a wrong URL
                return arguments.EXIT_USAGE
            # The outbox files are the export; a city that has no push interface yet hands them over itself.
            print(f"警告：未推送到省级平台（{exc}）；已写入 outbox 的文件可人工报送。", file=sys.stderr)
        except province_push.PushFailed as exc:
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
    run.add_argument(
        "--as-of", type=arguments.day, help="YYYY-MM-DD: the day publication windows are evaluated for (default today)"
    )
    run.add_argument("--json", action="store_true")
    run.set_defaults(func=cmd_export_run)
    batches = sub.add_parser("batches", help="list export batches with counts, held-back records and receipts")
    batches.add_argument("--json", action="store_true")
    batches.set_defaults(func=cmd_export_batches)
