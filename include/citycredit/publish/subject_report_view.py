"""What a person reads of a 公共信用信息报告: its document (subject_report) as sections of labelled values, in
Chinese, the same for the terminal, the HTML page and the PDF; and the HTML page (jinja2, autoescaped, no script).

Labels are those of include/config/fields.yaml, so the report names a field as the national template and the
departments' files do.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

from citycredit.core import city, config
from citycredit.publish import subject_report as sr

TEMPLATES = Path(__file__).parent / "templates"
TITLE = "公共信用信息报告"
SECTION_NAMES = {
    "subject": "主体基本信息",
    "licenses": "行政许可信息",
    "penalties": "行政处罚信息",
    "credit_lists": "信用名单信息",
    "commitments": "信用承诺信息",
    "joint_sanctions": "联合奖惩信息",
    "data_as_of": "数据截至时间",
}
_NUMERALS = "一二三四五六七八九十"
_RULES = {
    "licenses": "公示期内的行政许可：许可决定日期已到、有效期未满且当前状态为有效。",
    "penalties": "公示期内的行政处罚：处罚决定日期已到、公示截止期未过（未填公示截止期的，自处罚决定日期起按规定的"
    "公示期计）。依信用修复终止公示的处罚不再列出。",
    "credit_lists": "截至查询日期列入过的各类信用名单，当前在列的在前，已移出的列明移出日期和原因。",
    "commitments": "截至查询日期作出的信用承诺。",
    "joint_sanctions": "截至查询日期对该主体实施的联合奖惩措施。",
}
_STATUS = {"listed": "在列", "removed": "已移出"}
_OWN_LABELS = {  # keys that are no column of a dataset
    "status": "名单状态",
    "repair": "信用修复",
    "fulfilment": "履约情况",
}


@dataclass(frozen=True)
class Record:
    heading: str
    fields: list[tuple[str, str]]
    marks: list[str] = field(default_factory=list)  # what must catch the eye: 已信用修复, 在列


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rule: str
    records: list[Record]


@functools.cache
def _labels(dataset: str) -> dict[str, str]:
    return {f.name: f.label for f in config.fields(dataset)}


def _local(iso: str | None) -> str:
    if not iso:
        return "无"
    return f"{dt.datetime.fromisoformat(iso).astimezone(city.timezone()):%Y-%m-%d %H:%M:%S}"


def _repair(repair: dict | None) -> str | None:
    if repair is None:
        return None
    if repair["effect"] == "mask":
        return f"已信用修复，部分内容已屏蔽（办结日期 {repair['completed_on']}）"
    return f"已信用修复（办结日期 {repair['completed_on']}）"


def _value(key: str, value) -> str | None:
    if key == "valid_until" and value == sr.OPEN_END:
        return "长期"
    if key == "status":
        return _STATUS[value]
    if key == "repair":
        return _repair(value)
    if key == "fulfilment":
        return value or "未报送（承诺受理单位尚未报送该承诺的履约情况）"
    return None if value in (None, "") else str(value)


def _record(dataset: str, fields: dict[str, str], item: dict, heading: str) -> Record:
    labels, shown = _labels(dataset), []
    for key in (*fields, *(k for k in _OWN_LABELS if k in item)):
        value = _value(key, item.get(key))
        if value is not None:
            shown.append((labels[fields[key]] if key in fields else _OWN_LABELS[key], value))
    marks = [m for m in (_repair(item.get("repair")),) if m]
    return Record(heading, shown, marks)


def _list_record(item: dict) -> Record:
    kind = item["list_type"] + (f"（{item['list_class']}）" if item.get("list_class") else "")
    reason = item.get("removal_reason")
    if reason and item.get("removal_category") not in (None, reason):
        reason = f"{reason}（{item['removal_category']}）"
    record = _record("credit_list", sr.CREDIT_LIST_FIELDS, {**item, "list_type": kind, "removal_reason": reason}, kind)
    return Record(record.heading, record.fields, [_STATUS[item["status"]], *record.marks])


def _subject_record(document: dict) -> Record:
    s, reg = document["subject"], document["subject"].get("registration")
    fields = [("主体名称", s["name"])]
    fields += [("统一社会信用代码", s["code"])] if s["code"] else [("证件号码", s["id_number"])]
    fields += [(label, value) for label, value in (("主体类别", s["category"]), ("主体类型", s["type"]),
               ("法定代表人", s["legal_representative"])) if value]  # fmt: skip
    if reg:
        fields += [(_labels("subject_registry")[c], reg[k]) for k, c in (
            ("status", "zt_djzt"), ("founded_on", "zt_clrq"), ("closed_on", "zt_zxrq"), ("authority", "zt_djjg"),
            ("region_code", "zt_qhdm")) if reg[k]]  # fmt: skip
    elif s["code"]:
        fields.append(("市场主体登记", "未在本平台归集的市场主体登记信息中找到"))
    return Record(s["name"], fields)


def header(document: dict) -> list[tuple[str, str]]:
    """The lines above the sections: who, as of when, which report, its checksum."""
    s = document["subject"]
    return [
        ("报告编号", document["report_no"]),
        ("信用主体", s["name"]),
        ("统一社会信用代码" if s["code"] else "证件号码", s["code"] or s["id_number"]),
        ("查询截止日期", document["as_of"]),
        ("出具时间", _local(document["issued_at"])),
        ("数据截至", _local(document["data_as_of"]) + "（所列信息的最近入库时间）"),
        ("出具单位", document["issuer"]),
        ("校验码（SHA-256）", document["checksum"]),
    ]


def notes(document: dict) -> list[str]:
    return [
        f"本报告依据{document['issuer']}归集的公共信用信息出具，反映截至 {document['as_of']} 的情况。",
        "行政许可、行政处罚只列公示期内的信息；依法不得纳入信用记录的信息不列出。",
        "信用修复（平信用〔2021〕1号 第十二项）：终止公示的信息不再列出，屏蔽的信息只显示屏蔽后的内容，"
        "标注的信息注明“已信用修复”及办结日期。",
        "身份证号码已脱敏。",
        f"核验：运行 citycredit credit-report --verify 本报告的 PDF 文件，按报告编号 {document['report_no']}、"
        "查询截止日期和主体重新生成报告并比对校验码。",
    ]


def sections(document: dict) -> list[Section]:
    """The report's sections in reading order, numbered 一、二、…"""
    parts = [("subject", "", [_subject_record(document)])]
    parts.append(("licenses", _RULES["licenses"], [
        _record("license", sr.LICENSE_FIELDS, r, r["document_no"]) for r in document["licenses"]]))  # fmt: skip
    parts.append(("penalties", _RULES["penalties"], [
        _record("penalty", sr.PENALTY_FIELDS, r, r["document_no"]) for r in document["penalties"]]))  # fmt: skip
    parts.append(("credit_lists", _RULES["credit_lists"], [_list_record(r) for r in document["credit_lists"]]))
    parts.append(("commitments", _RULES["commitments"], [
        _record("credit_commitment", sr.COMMITMENT_FIELDS, r, r["commitment_no"])
        for r in document["commitments"]]))  # fmt: skip
    parts.append(("joint_sanctions", _RULES["joint_sanctions"], [
        _record("joint_sanction", sr.JOINT_SANCTION_FIELDS, r, r["case_no"])
        for r in document["joint_sanctions"]]))  # fmt: skip
    return [
        Section(key, f"{_NUMERALS[i]}、{SECTION_NAMES[key]}" + (f"（{len(records)} 条）" if key != "subject" else ""),
                rule, records)
        for i, (key, rule, records) in enumerate(parts)
    ]  # fmt: skip


@functools.cache
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )


def render_html(document: dict) -> str:
    """The report as one self-contained page: inline CSS, no script, prints on A4."""
    return (
        _environment()
        .get_template("subject_report.html")
        .render(title=TITLE, header=header(document), sections=sections(document), notes=notes(document),
                subject=document["subject"]["name"])  # fmt: skip
    )
