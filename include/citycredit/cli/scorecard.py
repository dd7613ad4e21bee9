"""``citycredit scorecard``: a month's or a year's department scorecard (平信用办〔2020〕8号); and the scorecard side
of ``citycredit explain scorecard:<item>``: the facts an item's score rests on."""

from __future__ import annotations

import argparse
from datetime import date, datetime

from citycredit.cli import arguments
from citycredit.cli.output import migrated_engine, print_json, shown, text_table, wrap
from citycredit.core.months import month_start

BASIS = {"data": "数据", "manual": "人工", "missing": "待人工评分"}
ROLLUP = {"months": "按月累计", "best": "全年最好月份", "manual": "人工评分"}


def department_id(value: str | None) -> str | None:
    """A department given by id or by name → its id (names are what credit-center staff type)."""
    if value is None:
        return None
    from citycredit.feeds import registry

    departments = registry.load().departments
    for d in departments:
        if value in (d.id, d.name):
            return d.id
    from citycredit.core import config

    raise config.ConfigError(f"未知部门：{value}；可用部门：{'、'.join(d.name for d in departments)}")


def year(value: str) -> int:
    """YYYY: an assessment year."""
    if not (value.strip().isdigit() and 2000 <= int(value) <= 2100):
        raise argparse.ArgumentTypeError(f"年份应为 YYYY（如 2025），收到 {value!r}")
    return int(value)


def _points(value) -> str:
    return "" if value is None else f"{value:g}"


def _scored(points, basis: str | None = None) -> str:
    """'7.5 分，数据' / '待人工评分'."""
    if points is None:
        return BASIS["missing"]
    return f"{_points(points)} 分" + (f"，{BASIS[basis]}" if basis else "")


def _when(value: datetime | None) -> str:
    return "（本月无报送）" if value is None else f"{value.astimezone(_city()):%Y-%m-%d %H:%M}"


def _city():
    from citycredit.core import city

    return city.timezone()


def _month_rows(engine, first: date, department: str | None) -> dict:
    import sqlalchemy as sa

    where = " WHERE month = :m AND (CAST(:d AS text) IS NULL OR department_id = :d)"
    params = {"m": first, "d": department}
    with engine.connect() as conn:
        totals = [dict(r) for r in conn.execute(sa.text("SELECT * FROM mart.scorecard_totals" + where
                  + " ORDER BY points DESC, department_id"), params).mappings()]  # fmt: skip
        items = [dict(r) for r in conn.execute(sa.text("SELECT * FROM mart.scorecard_items" + where
                 + " ORDER BY department_id"), params).mappings()]  # fmt: skip
    return {"totals": totals, "items": items}


def cmd_scorecard(args) -> int:
    from citycredit.feeds import registry

    department = department_id(args.department)
    engine = migrated_engine()
    if args.year:
        from citycredit.indicators import annual

        if args.recompute:
            with engine.begin() as conn:
                annual.compute(conn, args.year)
        data = annual.year_rows(engine, args.year, department)
        period, hint = f"{args.year} 年度考核", f"citycredit scorecard --year {args.year} --recompute"
    else:
        from citycredit.indicators.compute import compute_month

        if args.recompute:
            compute_month(engine, args.month)
        data = _month_rows(engine, month_start(args.month), department)
        period, hint = f"{args.month} 月度评分", f"citycredit scorecard --month {args.month} --recompute"
    if args.json:
        print_json(data)
        return 0
    if not data["totals"]:
        print(f"{period}尚未计算：运行 {hint}。")
        return 0
    names = {d.id: d.name for d in registry.load().departments}
    totals = [{**t, "name": names.get(t["department_id"], t["department_id"]), "shown": _points(t["points"]),
               "grade": t["grade"] or "待人工评分完成"} for t in data["totals"]]  # fmt: skip
    print(f"平顶山市社会信用体系建设工作考核（平信用办〔2020〕8号），{period}")
    columns = [("name", "部门"), ("annex", "附件"), ("shown", "得分"), ("max_points", "满分"),
               ("items_missing", "待评项"), ("grade", "等级")]  # fmt: skip
    if args.year:
        columns.append(("months_scored", "已评月数"))
    print(text_table(totals, columns))
    if args.year and any(t["months_scored"] < 12 for t in totals):
        print(wrap("（已评月数不足 12 的部门：缺少的月份按未得分计；先补算这些月份的月度评分再重新计算年度考核）"))
    if department:
        items = [{**i, "basis_name": BASIS[i["basis"]], "shown": _points(i["points"]),
                  "rollup_name": ROLLUP.get(i.get("rollup", ""), "")} for i in data["items"]]  # fmt: skip
        cols = [("item_id", "项"), ("item", "考核项"), ("max_points", "分值"), ("shown", "得分"),
                ("basis_name", "依据")]  # fmt: skip
        print()
        print(text_table(items, cols + ([("rollup_name", "汇总方式")] if args.year else []) + [("note", "说明")],
                         shrink="note"))  # fmt: skip
        print(wrap(f"（每项的依据：citycredit explain scorecard:<项> --department {department} "
                   + (f"--year {args.year}）" if args.year else f"--month {args.month}）")))  # fmt: skip
    return 0


def _print_manual(entries: list[dict]) -> None:
    if not entries:
        print("  人工评分记录：无（scorecard.yaml manual）")
    for e in entries:
        print(wrap(f"  人工评分 {e['period']}：{_points(e['points'])} 分" + (f"，{e['note']}" if e.get("note") else ""),
                   indent="    "))  # fmt: skip


def _print_month_department(entry: dict) -> None:
    stored = f"；已入库得分 {_scored(entry['stored_points'])}" if entry["stored"] else "；本月尚未入库评分"
    print(f"\n{shown(entry['department'])}（{entry['department_id']}）：{_scored(entry['points'], entry['basis'])}"
          f"{stored}")  # fmt: skip
    if entry.get("note"):
        print(wrap(f"  说明：{entry['note']}", indent="    "))
    for rate in entry.get("rates", []):
        value, sign = rate["value"], "≥" if rate["bound"] == "min" else "≤"
        low, high = (rate["threshold"], None) if rate["bound"] == "min" else (None, rate["threshold"])
        met = value is not None and (low is None or value >= low) and (high is None or value <= high)
        print(f"  {rate['indicator']}：{rate['numerator']}/{rate['denominator']} = "
              f"{'无数据' if value is None else f'{value:.1%}'}，要求 {sign} {rate['threshold']:.0%}："
              f"{'达到' if met else '未达到'}")  # fmt: skip
    if "deliveries" in entry:
        rows = [{**r, "when": _when(r["received_at"]), "counted": "计入" if r["counts"] else _why_not(r)}
                for r in entry["deliveries"]]  # fmt: skip
        cols = [("feed_id", "数据源"), ("when", "接收时间"), ("counted", "是否计入"), ("loaded", "入库行"),
                ("quarantined", "隔离行"), ("source_name", "文件")]  # fmt: skip
        print(text_table(rows, cols, shrink="source_name") if rows else "  该部门没有该项读取的数据源")
    if "commitments" in entry:
        print(f"  信用承诺共 {entry['commitments_total']} 条" + ("：" if entry["commitments"] else ""))
        if entry["commitments"]:
            cols = [("dated", "承诺日期"), ("commitment_type", "承诺类型"), ("document_no", "文书号"),
                    ("batch_id", "批次"), ("source_row", "源行号")]  # fmt: skip
            print(text_table(entry["commitments"], cols))
    if entry["basis"] != "data":
        _print_manual(entry["manual"])


def _why_not(r: dict) -> str:
    if r["outcome"] == "none":
        return "未报送"
    if r["outcome"] != "new":
        return {"duplicate": "重复文件，不计", "rejected": "无法读取，不计"}.get(r["outcome"], "不计")
    if not r["reported"]:
        return "无入库数据，不计"
    return "截止后报送，不计"


def explain(args, department: str | None) -> int:
    """``citycredit explain scorecard:<item>`` for a month (--month) or a year (--year)."""
    from citycredit.indicators import scorecard
    from citycredit.indicators import scorecard_evidence as evidence

    evidence.resolve(scorecard.load(), args.indicator, department)  # a mistyped item is told before the warehouse
    engine = migrated_engine()
    if args.year:
        result = evidence.year_evidence(engine, args.indicator, args.year, department)
    else:
        result = evidence.month_evidence(engine, args.indicator, month_start(args.month), department, args.limit)
    if args.json:
        print_json(result)
        return 0
    when = f"{args.year} 年度" if args.year else f"{args.month}，报送截止 {_when(result['deadline'])}"
    print(f"{result['annex']} {result['item_id']} {result['item']}（{_points(result['max_points'])} 分），{when}")
    print(wrap(f"评分标准：{result['criterion']}", indent="      "))
    if args.year:
        print(wrap(f"年度汇总：{ROLLUP[result['rollup']]}（scorecard.yaml）", indent="      "))
    if not result["departments"]:
        print(f"没有按{result['annex']}考核的部门" + (f"（部门 {department}）" if department else "") + "。")
        return 0
    for entry in result["departments"]:
        if not args.year:
            _print_month_department(entry)
            continue
        stored = f"；已入库 {_scored(entry['stored_points'])}" if entry["stored"] else "；年度考核尚未入库"
        print(f"\n{shown(entry['department'])}（{entry['department_id']}）：年度 {_scored(entry['points'])}，"
              f"{ROLLUP[entry['rollup']]}{stored}")  # fmt: skip
        if entry.get("note"):
            print(wrap(f"  说明：{entry['note']}", indent="    "))
        months = [{**m, "month": f"{m['month']:%Y-%m}", "shown": _points(m["points"]), "basis": BASIS[m["basis"]]}
                  for m in entry["months"]]  # fmt: skip
        cols = [("month", "月份"), ("shown", "得分"), ("basis", "依据"), ("note", "说明")]
        print(text_table(months, cols, shrink="note") if months else "  本年没有月度评分")
        if entry["rollup"] == "manual":
            _print_manual(entry["manual"])
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("scorecard", help="the department scorecard of a month or the annual assessment")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", type=arguments.month, help="YYYY-MM: the month's scores")
    when.add_argument("--year", type=year, help="YYYY: the annual assessment (done by the end of February)")
    p.add_argument("--department", help="department id or name: its items, each with its basis")
    p.add_argument("--recompute", action="store_true", help="recompute (a year: from the stored months) first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_scorecard)
