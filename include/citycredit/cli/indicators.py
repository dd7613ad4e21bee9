"""``citycredit indicators`` and ``citycredit explain``: a month's values, and the rows behind one (or, for
``scorecard:<item>``, the facts behind a scorecard item's score: cli.scorecard)."""

from __future__ import annotations

from citycredit.cli import arguments, scorecard
from citycredit.cli.output import fitting, migrated_engine, print_json, text_table, wrap
from citycredit.cli.scorecard import department_id as _department_id
from citycredit.core import config, datasets
from citycredit.core.months import month_start
from citycredit.feeds import registry
from citycredit.indicators.compute import compute_month, explain_rows, month_values
from citycredit.indicators.definitions import definition, definitions


def _shown_value(row: dict, d) -> str:
    """A share as a percentage, a ratio or an average with two decimals, a count as a whole number."""
    value = row["value"]
    if value is None:
        return "无数据"
    unit = d.unit if d else "count"
    if unit == "percent":
        return f"{value:.1%}"
    return f"{value:,.0f}" if unit == "count" else f"{value:,.2f}"


def _for_screen(rows: list[dict], department_names: dict[str, str]) -> list[dict]:
    defined = definitions()
    return [
        {
            **r,
            "name": defined[r["indicator"]].name if r["indicator"] in defined else r["indicator"],
            "scope_name": "全市" if r["scope"] == "city" else department_names.get(r["scope_id"], r["scope_id"]),
            "dataset_name": DATASET_NAMES.get(r["dataset"], r["dataset"]),
            "shown": _shown_value(r, defined.get(r["indicator"])),
        }
        for r in rows
    ]


# Besides the datasets, values are split by population (subject_average_records).
DATASET_NAMES = {
    "all": "全部",
    "enterprise": "企业",
    "person": "自然人",
    **{d.name: d.label for d in datasets.ALL.values()},
}


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
    if not rows:
        print(
            f"{args.month} 还没有指标值：月度指标由 citycredit_monthly DAG 计算，"
            f"也可运行 citycredit indicators --month {args.month} --recompute"
            + (f"（部门 {args.department}）" if department else "")
            + "。"
        )
        return 0
    # A department × dataset with nothing to count has no value; listing every such pair buries the figures.
    empty = [r for r in rows if r["value"] is None]
    shown = rows if args.all else [r for r in rows if r["value"] is not None]
    names = {d.id: d.name for d in registry.load().departments}
    print(
        text_table(
            _for_screen(shown, names),
            [
                ("indicator", "指标"),
                ("name", "名称"),
                ("scope_name", "范围"),
                ("dataset_name", "数据类型"),
                ("numerator", "分子"),
                ("denominator", "分母"),
                ("shown", "值"),
            ],
            shrink="name",
        )
    )
    if empty and not args.all:
        print(f"（另有 {len(empty)} 个部门或数据类型本月无数据，未列出；加 --all 显示）")
    return 0


# The columns a person reads first, in order; those that do not fit the terminal are named below the table and
# are all in --json (the file's whole SHA-256 among them).
EXPLAIN_COLUMNS = {
    "shuanggongshi_rows": [
        ("department_id", "部门"),
        ("batch_id", "批次"),
        ("source_row", "源行号"),
        ("late", "迟报"),
        ("decision_date", "决定日期"),
        ("reported_on", "报送日期"),
        ("subject_name", "行政相对人名称"),
        ("subject", "统一社会信用代码/证件号码"),
        ("document_no", "决定文书号"),
        ("loaded", "入库"),
        ("indeterminate", "无法判定"),
        ("dataset", "类型"),
        ("sha256", "文件SHA-256"),
    ],
    "department_deliveries": [
        ("department_id", "部门"),
        ("batch_id", "批次"),
        ("outcome", "结果"),
        ("received_at", "接收时间"),
        ("month", "所属月份"),
        ("source_name", "文件"),
        ("delivery_id", "交付"),
        ("dataset", "类型"),
        ("sha256", "文件SHA-256"),
    ],
}


def cmd_explain(args) -> int:
    if args.indicator.startswith("scorecard:"):
        return scorecard.explain(args, _department_id(args.department))
    if args.year:
        raise config.ConfigError("指标按月解释：请用 --month YYYY-MM（--year 只用于 scorecard:<考核项>）")
    d, department = definition(args.indicator), _department_id(args.department)
    rows = explain_rows(migrated_engine(), d.id, args.month, department, args.limit)
    if args.json:
        print_json(rows)
        return 0
    print(f"{d.name}（{d.id}），{month_start(args.month):%Y-%m}")
    print(wrap(f"口径：{d.source}", indent="      "))
    print(f"分子：{d.numerator}；分母：{d.denominator or '无'}")
    if not rows:
        print("本月没有计入分子或分母的记录" + (f"（部门 {args.department}）" if department else "") + "。")
        return 0
    # One column for whichever code names the subject (the 身份证 number is masked already).
    rows = [{**r, "subject": r.get("subject_code") or r.get("id_number")} for r in rows]
    columns, left_out = fitting(
        rows,
        [("in_numerator", "计入分子"), ("in_denominator", "计入分母")]
        + EXPLAIN_COLUMNS.get(d.rows, [(k, k) for k in rows[0] if not k.startswith("in_")]),
    )
    print(text_table(rows, columns))
    if left_out:
        print(wrap(f"（未显示的列：{'、'.join(left_out)}；用 --json 查看全部）"))
    if args.limit and len(rows) == args.limit:
        print(f"（只显示前 {args.limit} 行，用 --limit 0 显示全部）")
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("indicators", help="a month's indicator values")
    p.add_argument("--month", required=True, type=arguments.month, help="YYYY-MM")
    p.add_argument("--department", help="department id or name")
    p.add_argument("--recompute", action="store_true", help="recompute the month before printing")
    p.add_argument("--all", action="store_true", help="also list departments and datasets without a value")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_indicators)

    p = subparsers.add_parser("explain", help="the rows behind an indicator value, the facts behind a scorecard item")
    p.add_argument(
        "indicator",
        help="indicator id (e.g. shuanggongshi_accuracy), or a scorecard item: scorecard:2.1 (the department's annex)"
        " or scorecard:附件2:5.2",
    )
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", type=arguments.month, help="YYYY-MM")
    when.add_argument("--year", type=scorecard.year, help="YYYY: a scorecard item's annual roll-up")
    p.add_argument("--department", help="department id or name")
    p.add_argument("--limit", type=arguments.count, default=200, help="rows to show (0: all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_explain)
