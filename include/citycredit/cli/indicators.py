"""``citycredit indicators`` and ``citycredit explain``: a month's values, and the rows behind one."""

from __future__ import annotations

from citycredit.cli.output import migrated_engine, print_json, text_table
from citycredit.core import config
from citycredit.core.months import month_start
from citycredit.feeds import registry
from citycredit.indicators.compute import compute_month, explain_rows, month_values
from citycredit.indicators.definitions import definition, definitions


def _department_id(value: str | None) -> str | None:
    """A department given by id or by name → its id (names are what credit-center staff type)."""
    if value is None:
        return None
    departments = registry.load().departments
    for d in departments:
        if value in (d.id, d.name):
            return d.id
    raise config.ConfigError(f"未知部门：{value}；可用部门：{'、'.join(d.name for d in departments)}")


def cmd_indicators(args) -> int:
    department = _department_id(args.department)  # a mistyped name is told before the warehouse is touched
    engine = migrated_engine()
    if args.recompute:
        compute_month(engine, args.month)
    rows = month_values(engine, args.month)
    if department:
        rows = [r for r in rows if r["scope"] == "city" or r["scope_id"] == department]
    if args.json:
        print_json(rows)
        return 0
    names = {d.id: d.name for d in definitions().values()}
    for r in rows:
        r["name"] = names.get(r["indicator"], r["indicator"])
    print(
        text_table(
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
    d, department = definition(args.indicator), _department_id(args.department)
    rows = explain_rows(migrated_engine(), d.id, args.month, department, args.limit)
    if args.json:
        print_json(rows)
        return 0
    print(f"{d.name}（{d.id}），{month_start(args.month):%Y-%m}")
    print(f"口径：{d.source}")
    print(f"分子：{d.numerator}；分母：{d.denominator or '无'}")
    columns = [("in_numerator", "计入分子"), ("in_denominator", "计入分母")] + EXPLAIN_COLUMNS.get(
        d.rows, [(k, k) for k in (rows[0] if rows else {}) if not k.startswith("in_")]
    )
    print(text_table(rows, columns))
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
