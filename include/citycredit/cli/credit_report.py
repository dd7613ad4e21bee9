"""``citycredit credit-report``: a subject's 公共信用信息报告 as text, JSON, an HTML page or a PDF; and
``--verify FILE.pdf``: whether a report's checksum still holds against the warehouse (docs/subject_report.md).

Exit codes: 0 done (or verified); 1 the verification failed; 2 a usage mistake, a name several subjects go by, or a
natural person's report without --allow-natural-person; 3 no such subject.
"""

from __future__ import annotations

import sys
from pathlib import Path

from citycredit.cli import arguments
from citycredit.cli.output import migrated_engine, print_json, shown, text_table, wrap
from citycredit.core import city

EXIT_MISMATCH = 1
EXIT_NOT_FOUND = 3
PROG = "citycredit credit-report"


def _error(message: str) -> None:
    print(shown(f"{PROG}: {message}"), file=sys.stderr)


def _subject(engine, query: str, allow_natural_person: bool):
    """The subject `query` names, or the exit code after saying why there is none."""
    from citycredit.publish import subject_report as sr

    try:
        subject = sr.find(engine, query)
    except sr.SubjectNotFound:
        _error(f"未找到主体“{query}”：数据仓库中没有以此统一社会信用代码、证件号码或名称登记或被记录的主体。")
        return EXIT_NOT_FOUND
    except sr.AmbiguousSubject as exc:
        _error(f"名称“{query}”对应 {len(exc.candidates)} 个主体，请改用统一社会信用代码（自然人用证件号码）指定：")
        rows = [{**c.shown(), "identifier": c.code or c.shown()["id_number"], "type": c.category or c.kind}
                for c in exc.candidates]  # fmt: skip
        print(text_table(rows, [("identifier", "统一社会信用代码/证件号码"), ("name", "名称"), ("type", "主体类别")]),
              file=sys.stderr)  # fmt: skip
        return arguments.EXIT_USAGE
    if subject.natural_person and not allow_natural_person:
        _error("该主体为自然人。自然人的公共信用信息报告涉及个人信息，命令行默认不出具；"
               "经授权确需出具的，加 --allow-natural-person（今后由 Web 端按用户角色授权）。")  # fmt: skip
        return arguments.EXIT_USAGE
    return subject


def print_text(document: dict) -> None:
    from citycredit.publish import subject_report_view as view

    print(view.TITLE)
    for label, value in view.header(document):
        print(wrap(f"{label}：{value}", indent="    "))
    for section in view.sections(document):
        print(f"\n{section.title}")
        if section.rule:
            print(wrap(f"  （{section.rule}）", indent="    "))
        if not section.records:
            print("  无")
        for i, record in enumerate(section.records, start=1):
            if section.key != "subject":
                print(shown(f"  {i}. {record.heading}" + "".join(f"【{m}】" for m in record.marks)))
            for label, value in record.fields:
                print(wrap(f"     {label}：{value}", indent="       "))
    print("\n说明")
    for i, note in enumerate(view.notes(document), start=1):
        print(wrap(f"  {i}. {note}", indent="     "))


def cmd_credit_report(args) -> int:
    if args.verify:
        return _verify(args)
    from citycredit.publish import subject_report as sr

    engine = migrated_engine()
    subject = _subject(engine, args.subject, args.allow_natural_person)
    if isinstance(subject, int):
        return subject
    document = sr.gather(engine, subject, args.as_of or city.today())
    if args.json:
        print_json(document)
        return 0
    if not (args.pdf or args.html):
        print_text(document)
        return 0
    from citycredit.publish import subject_report_pdf, subject_report_view

    try:
        if args.html:
            args.html.write_text(subject_report_view.render_html(document), encoding="utf-8")
            print(f"公共信用信息报告（HTML）：{args.html}")
        if args.pdf:
            subject_report_pdf.write(document, args.pdf)
            print(f"公共信用信息报告（PDF）：{args.pdf}")
    except OSError as exc:
        _error(f"无法写入 {exc.filename}：{exc.strerror}")
        return arguments.EXIT_USAGE
    print(f"报告编号：{document['report_no']}\n校验码（SHA-256）：{document['checksum']}")
    return 0


def _verify(args) -> int:
    from citycredit.publish import subject_report as sr
    from citycredit.publish import subject_report_pdf as pdf
    from citycredit.publish import subject_report_view as view

    try:
        document, info = pdf.read(args.verify)
    except pdf.NotAReport as exc:
        _error(str(exc))
        return arguments.EXIT_USAGE
    if document.get("format") != sr.FORMAT:
        _error(f"{args.verify.name} 的报告格式（{document.get('format')}）不是本版本出具的格式，无法核验。")
        return arguments.EXIT_USAGE
    number = document["report_no"]
    stated = (info.get(pdf.NUMBER_KEY), info.get(pdf.AS_OF_KEY), info.get(pdf.CHECKSUM_KEY))
    if sr.checksum(document) != document.get("checksum") or stated != (number, document["as_of"], document["checksum"]):
        return _verdict(args, document, None, [], "校验未通过：PDF 内嵌的报告内容与其校验码不符，报告已被改动。")
    verdict = sr.verify(migrated_engine(), document)
    if verdict.ok:
        message = (f"校验通过：报告 {number} 与按查询截止日期 {document['as_of']} 从数据仓库重新生成的内容一致。\n"
                   f"校验码（SHA-256）：{verdict.checksum}")  # fmt: skip
    elif verdict.checksum is None:
        message = "校验未通过：数据仓库中已找不到报告所列的主体（或其名称已变更、重名无法区分）。"
    else:
        parts = "、".join(view.SECTION_NAMES[s] for s in verdict.differing) or "报告内容"
        message = (f"校验未通过：按数据仓库当前数据重新生成的报告 {number} 与该 PDF 不一致，不一致的部分：{parts}。"
                   "报告出具后数据已更新或更正，请重新出具报告。\n"
                   f"PDF 的校验码：{document['checksum']}\n重新生成的校验码：{verdict.checksum}")  # fmt: skip
    return _verdict(args, document, verdict.checksum, verdict.differing, message, verdict.ok)


def _verdict(args, document: dict, again: str | None, differing: list, message: str, ok: bool = False) -> int:
    if args.json:
        print_json({"valid": ok, "report_no": document["report_no"], "as_of": document["as_of"],
                    "checksum": document.get("checksum"), "recomputed_checksum": again, "differing": differing,
                    "message": message})  # fmt: skip
    else:
        for line in message.split("\n"):  # each line on its own: shown() writes a newline as \n
            print(shown(line))
    return 0 if ok else EXIT_MISMATCH


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("credit-report", help="a subject's 公共信用信息报告, or verify one's PDF")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("subject", nargs="?", help="统一社会信用代码 (a natural person: 证件号码) or name")
    what.add_argument("--verify", type=Path, metavar="FILE.pdf", help="check a report PDF against the warehouse")
    p.add_argument("--as-of", type=arguments.day, help="YYYY-MM-DD: the day the report is as of (default today)")
    p.add_argument("--pdf", type=Path, metavar="FILE", help="write the report as PDF")
    p.add_argument("--html", type=Path, metavar="FILE", help="write the report as an HTML page")
    p.add_argument("--json", action="store_true", help="the report's document (keys in English, dates ISO)")
    p.add_argument("--allow-natural-person", action="store_true", help="a natural person's report (authorised use)")
    p.set_defaults(func=cmd_credit_report)
