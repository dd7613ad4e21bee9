"""``citycredit list-check``: 联合奖惩 核查 of subjects given by code or name, on the command line or in a file.

Output: a Chinese table on stdout (one line per listing, the measures that apply below it), or with ``--json`` one
object with English keys (publish.list_check.Report.as_json); ``--out`` also writes the result workbook.
Exit status: 0 when the check ran, whatever it found; 2 when it could not (no subject given, a file that cannot be
read, a result file that cannot be written, a mistake in the configuration), with a Chinese reason on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

from citycredit.cli import arguments
from citycredit.cli.output import migrated_engine, print_json, text_table, wrap

EXIT_OK = 0
COLUMNS = [("position", "序号"), ("asked", "查询名称或代码"), ("result", "核查结果"), ("kind", "名单类别"),
           ("listed_on", "列入日期"), ("authority", "认定单位")]  # fmt: skip


def _fail(message: str) -> int:
    print(f"citycredit list-check: {message}", file=sys.stderr)
    return arguments.EXIT_USAGE


def _screen_rows(answers) -> list[dict]:
    rows = []
    for a in answers:
        name, code = a.asked.name, a.asked.shown_code
        first = {"position": a.position, "asked": f"{name}（{code}）" if name and code else name or code,
                 "result": a.result_name}  # fmt: skip
        for i, x in enumerate(a.listings or [None]):
            listing = {} if x is None else {"kind": x.kind_label, "listed_on": x.listed_on, "authority": x.authority}
            rows.append({**(first if i == 0 else {}), **listing})
    return rows


def _print_measures(answers) -> None:
    """Each group of measures once, with the 序号 of the subjects it applies to."""
    from citycredit.publish.list_check import measures_by_position

    groups = measures_by_position(answers)
    if not groups:
        return
    print("\n适用措施：")
    for g, positions in groups:
        print(wrap(f"  {g.title}，序号 {'、'.join(map(str, positions))}：", indent="    "))
        for i, m in enumerate(g.measures, start=1):
            print(wrap(f"    {i}. {m.text}", indent="       "))
            if m.source:
                print(wrap(f"       依据：{m.source}", indent="       "))


def _noted(answer) -> bool:
    """Whether the answer's sentence says more than the table: why a code is invalid, which subject a name was
    answered for, a kind without a class. An ambiguous name has its own section."""
    from citycredit.publish.list_check import INVALID

    unsorted = any(x.list_class is None for x in answer.listings)
    return answer.result == INVALID or unsorted or (answer.party is not None and answer.asked.code is None)


def cmd_list_check(args) -> int:
    from citycredit.core import city
    from citycredit.normalize.readers import UnreadableFile
    from citycredit.publish import list_check, list_check_files, sanction_measures
    from citycredit.publish.list_check_subjects import typed

    measures = sanction_measures.load()  # a mistake in the file is told before the warehouse is touched
    subjects = [typed(text) for text in args.subjects]
    if args.file is not None:
        try:
            subjects += list_check_files.read_subjects(args.file)
        except UnreadableFile as exc:
            return _fail(f"无法读取文件 {args.file}：{exc.reason}")
        except FileNotFoundError:
            return _fail(f"无法读取文件 {args.file}：文件不存在")
        except OSError as exc:
            return _fail(f"无法读取文件 {args.file}：{exc.strerror or exc}")
    if not subjects:
        where = f"文件 {args.file} 中没有代码或名称" if args.file is not None else "没有给出要核查的代码或名称"
        return _fail(f"{where}（citycredit list-check 代码或名称 ... 或 --file 文件）")
    as_of = args.as_of or city.today()
    report = list_check.check(migrated_engine(), subjects, as_of, measures)
    if args.out is not None:
        try:
            list_check_files.write_workbook(report, args.out)
        except OSError as exc:
            return _fail(f"无法写入结果文件 {args.out}：{exc.strerror or exc}")
    if args.json:
        print_json(report.as_json())
    else:
        _print_report(report)
    if args.out is not None:
        print(f"核查结果已写入 {args.out}", file=sys.stderr if args.json else sys.stdout)
    return EXIT_OK


def _print_report(report) -> None:
    from citycredit.publish.list_check import RESULT_NAMES

    counts = report.counts()
    summary = "，".join(f"{RESULT_NAMES[r]} {n}" for r, n in counts.items() if n)
    print(f"联合奖惩核查：{len(report.answers)} 个主体，核查日期 {report.as_of}（{summary}）")
    if report.lists_reported_through is None:
        print("注意：仓库中还没有入库的信用名单数据，所有主体都只能答无记录")
    else:
        print(f"名单数据：截至最近一次入库的名单报送日 {report.lists_reported_through}")
    print(text_table(_screen_rows(report.answers), COLUMNS, shrink="asked"))
    noted = [a for a in report.answers if _noted(a)]
    if noted:
        print("\n说明：")
        for a in noted:
            print(wrap(f"  序号 {a.position}：{a.message}", indent="    "))
    ambiguous = [a for a in report.answers if a.candidates]
    if ambiguous:
        print("\n名称不唯一的候选主体：")
        for a in ambiguous:
            print(wrap(f"  序号 {a.position} {a.asked.name}：", indent="    "))
            for c in a.candidates:
                print(wrap(f"    {c.label}", indent="      "))
    _print_measures(report.answers)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "list-check",
        help="联合奖惩 核查: are these subjects on a credit list on a day, and which measures apply",
        description="核查主体（统一社会信用代码、身份证号码或名称）在某日是否在严重失信、重点关注、红名单等信用名单中，"
        "及适用的惩戒或激励措施。",
    )
    p.add_argument("subjects", nargs="*", metavar="CODE_OR_NAME", help="统一社会信用代码、身份证号码或主体名称")
    p.add_argument("--file", type=Path, help="a CSV or XLSX file with a column of codes and/or names")
    p.add_argument("--as-of", type=arguments.day, help="YYYY-MM-DD: the day the lists are checked for (default today)")
    p.add_argument("--json", action="store_true", help="one JSON object (English keys) instead of the table")
    p.add_argument("--out", type=Path, help="also write the result workbook (XLSX) here")
    p.set_defaults(func=cmd_list_check)
