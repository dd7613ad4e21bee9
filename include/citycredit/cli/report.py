"""``citycredit report``: a month's quality report, 反馈表 and department feedback workbooks."""

from __future__ import annotations

from citycredit.cli import arguments
from citycredit.cli.output import migrated_engine
from citycredit.indicators.compute import compute_month
from citycredit.publish import month_files, monthly


def cmd_report(args) -> int:
    engine = migrated_engine()
    if args.recompute or not monthly.has_values(engine, args.month):
        compute_month(engine, args.month)
    published = month_files.publish(engine, args.month, pdf=args.pdf)
    print(f"质量报告：{published.report}")
    if published.pdf:
        print(f"质量报告（PDF）：{published.pdf}")
    elif args.pdf:
        print("未生成 PDF：未找到可用的 chromium")
    print(f"城市信用指标数据反馈表：{published.form}")
    for department, path in published.feedback.items():
        print(f"部门反馈表 {department}：{path}")
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("report", help="write a month's quality report, 反馈表 and department feedback files")
    p.add_argument("--month", required=True, type=arguments.month, help="YYYY-MM")
    p.add_argument("--recompute", action="store_true", help="recompute the month's indicators first")
    p.add_argument("--pdf", action="store_true", help="also print the report to PDF with a headless chromium")
    p.set_defaults(func=cmd_report)

