"""The rules of the 联合奖惩 and 城市上报案例 suites (issue #19), as a department's self-check applies them: the
real-shaped files pass (their synonyms mapped to the code values), and each bad row breaks one rule, named in
Chinese."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from citycredit.core import config, paths
from citycredit.normalize import standardize
from citycredit.validate import selfcheck

SHAPES = Path(__file__).parents[1] / "data" / "real_shapes"
REPORTED_ON = dt.date(2025, 11, 3)


def check(path: Path, dataset: str | None = None) -> selfcheck.CheckResult:
    return selfcheck.run_check(path, dataset, REPORTED_ON)


def suite_messages(dataset: str) -> dict[str, str]:
    suite = json.loads((paths.EXPECTATIONS_DIR / f"{dataset}.json").read_text(encoding="utf-8"))
    return {e["meta"]["rule_id"]: e["meta"]["message"] for e in suite["expectations"]}


def write(path: Path, dataset: str, rows: list[dict]) -> Path:
    """A file under the national labels of fields.yaml; rows give canonical columns."""
    fields = config.fields(dataset)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([f.label for f in fields])
        out.writerows([[row.get(f.name, "") for f in fields] for row in rows])
    return path


def findings_by_rule(result: selfcheck.CheckResult) -> dict[str, set[int]]:
    rows: dict[str, set[int]] = {}
    for rule, row in zip(result.findings["rule_id"], result.findings["source_row"], strict=True):
        rows.setdefault(rule, set()).add(int(row))
    return rows


# --- real shapes -----------------------------------------------------------------------------------------------
def test_a_joint_sanction_feedback_sheet_is_told_from_its_headers_and_passes():
    result = check(SHAPES / "joint_sanction_cases.csv")
    assert (result.dataset, result.rows, result.errors, len(result.findings)) == ("joint_sanction", 6, 0, 0)


def test_the_case_register_in_the_wording_of_the_notice_is_told_from_its_headers_and_passes():
    result = check(SHAPES / "case_register_cases.csv")
    assert (result.dataset, result.rows, result.errors, len(result.findings)) == ("case_register", 7, 0, 0)


def test_the_seven_kinds_as_the_notice_words_them_map_to_the_code_values():
    table = standardize.code_table_for("al_lb")
    with (SHAPES / "case_register_cases.csv").open(encoding="utf-8") as fh:
        written = [row["上报事项"] for row in csv.DictReader(fh)]
    parse = standardize._code_parser(table)
    assert [parse(w) for w in written] == list(table.order)  # one case of each kind, in the notice's order
    assert [parse(w) for w in ("失信惩戒", "守信激励")] == [None, None]  # not case kinds
    kinds = standardize._code_parser(standardize.code_table_for("jc_jclx"))
    assert [kinds(w) for w in ("失信联合惩戒", "守信激励", "联合惩戒", "激励")] == ["惩戒", "激励", "惩戒", "激励"]


def test_the_list_rules_follow_the_classes_of_credit_lists_yaml():
    classes = yaml.safe_load((paths.CONFIG_DIR / "credit_lists.yaml").read_text(encoding="utf-8"))["list_classes"]
    suite = json.loads((paths.EXPECTATIONS_DIR / "joint_sanction.json").read_text(encoding="utf-8"))
    sets = {e["meta"]["rule_id"]: e["kwargs"]["value_set"] for e in suite["expectations"] if "value_set" in e["kwargs"]}
    assert set(sets["JC-CONS-JL-MDLX"]) == set(classes["红名单"])
    assert set(sets["JC-CONS-CJ-MDLX"]) == set(classes["严重失信"] + classes["重点关注"])
    assert set(sets["JC-CODE-MDLX"]) == set(classes["严重失信"] + classes["重点关注"] + classes["红名单"])
    seven = json.loads((paths.EXPECTATIONS_DIR / "case_register.json").read_text(encoding="utf-8"))
    code = next(e for e in seven["expectations"] if e["meta"]["rule_id"] == "AL-CODE-LB")
    assert code["kwargs"]["value_set"] == list(standardize.code_table_for("al_lb").order)


# --- one bad row per rule --------------------------------------------------------------------------------------
SANCTION = {
    "jc_bh": "LHJC-001", "jc_zt_mc": "平顶山市鑫华商贸有限公司", "jc_zt_lb": "法人及非法人组织",
    "jc_shxym": "91410489MA8PBRNY21", "jc_mdlx": "失信被执行人", "jc_jclx": "惩戒", "jc_cs": "限制担任法定代表人",
    "jc_ssbm": "平顶山市市场监督管理局", "jc_ssbmdm": "11410400005260186J", "jc_ssrq": "2025-09-03",
    "jc_fkrq": "2025-10-28",
}  # fmt: skip
PERSON = {"jc_zt_mc": "张伟", "jc_zt_lb": "自然人", "jc_shxym": "", "jc_zjhm": "410402198001011236"}
SANCTION_FAULTS = [  # (rule, change of the good row)
    ("JC-REQ-BH", {"jc_bh": ""}),
    ("JC-REQ-ZT_MC", {"jc_zt_mc": ""}),
    ("JC-REQ-SHXYM-ZJHM", {"jc_zt_lb": "", "jc_shxym": ""}),
    ("JC-CODE-ZT_LB", {"jc_zt_lb": "公司"}),
    ("JC-REQ-SHXYM-ORG", {"jc_shxym": "", "jc_zjhm": "410402198001011236"}),
    ("JC-FMT-SHXYM", {"jc_shxym": "9141048MA8PBRNY21"}),
    ("JC-ID-SHXYM", {"jc_shxym": "91410489MA8PBRNY22"}),
    ("JC-ID-ZJHM", {**PERSON, "jc_zjhm": "410402198001011237"}),
    ("JC-REQ-MDLX", {"jc_mdlx": ""}),
    ("JC-CODE-MDLX", {"jc_mdlx": "限制高消费人员"}),
    ("JC-REQ-JCLX", {"jc_jclx": ""}),
    ("JC-CODE-JCLX", {"jc_jclx": "奖励性措施"}),
    ("JC-CONS-JL-MDLX", {"jc_jclx": "激励"}),
    ("JC-CONS-CJ-MDLX", {"jc_mdlx": "红名单"}),
    ("JC-REQ-CS", {"jc_cs": ""}),
    ("JC-REQ-SSBM", {"jc_ssbm": ""}),
    ("JC-FMT-SSBMDM", {"jc_ssbmdm": "1141040000526018"}),
    ("JC-ID-SSBMDM", {"jc_ssbmdm": "11410400005260187J"}),
    ("JC-REQ-SSRQ", {"jc_ssrq": ""}),
    ("JC-DATE-SSRQ", {"jc_ssrq": "2025-02-30"}),
    ("JC-DATE-MIN-SSRQ", {"jc_ssrq": "1900-01-01"}),
    ("JC-DATE-FUTURE-SSRQ", {"jc_ssrq": "2025-11-04", "jc_fkrq": ""}),
    ("JC-DATE-FKRQ", {"jc_fkrq": "2025/13/01"}),
    ("JC-DATE-FUTURE-FKRQ", {"jc_fkrq": "2025-11-05"}),
    ("JC-DATE-ORDER-SSRQ-FKRQ", {"jc_fkrq": "2025-09-02"}),
]
CASE = {
    "al_bh": "AL-001", "al_lb": "联合惩戒案例", "al_mc": "某公司被多部门联合惩戒",
    "al_zt_mc": "平顶山市鑫华商贸有限公司",
    "al_shxym": "91410489MA8PBRNY21", "al_bsdw": "平顶山市发展和改革委员会", "al_bsdwdm": "11410400005260178P",
    "al_fsrq": "2025-09-12", "al_zy": "市场监管、住建部门联合惩戒", "al_lj": "http://www.xypds.gov.cn/a.html",
}  # fmt: skip
CASE_FAULTS = [
    ("AL-REQ-BH", {"al_bh": ""}),
    ("AL-REQ-LB", {"al_lb": ""}),
    ("AL-CODE-LB", {"al_lb": "典型案例"}),
    ("AL-REQ-MC", {"al_mc": ""}),
    ("AL-REQ-ZT_MC", {"al_zt_mc": "", "al_shxym": ""}),
    ("AL-FMT-SHXYM", {"al_shxym": "91410489MA8PBRNY2"}),
    ("AL-ID-SHXYM", {"al_shxym": "91410489MA8PBRNY22"}),
    ("AL-ID-ZJHM", {"al_shxym": "", "al_zjhm": "410402198001011237"}),
    ("AL-REQ-BSDW", {"al_bsdw": ""}),
    ("AL-FMT-BSDWDM", {"al_bsdwdm": "11410400005260178"}),
    ("AL-ID-BSDWDM", {"al_bsdwdm": "11410400005260179P"}),
    ("AL-REQ-FSRQ", {"al_fsrq": ""}),
    ("AL-DATE-FSRQ", {"al_fsrq": "2025-09-31"}),
    ("AL-DATE-MIN-FSRQ", {"al_fsrq": "1900-01-01"}),
    ("AL-DATE-FUTURE-FSRQ", {"al_fsrq": "2025-12-01"}),
    ("AL-REQ-ZY", {"al_zy": ""}),
    ("AL-FMT-LJ", {"al_lj": "www.xypds.gov.cn/a.html"}),
]
# A value outside the code table is outside the 惩戒 class as well: both rules name it.
ALSO = {"JC-CODE-MDLX": {"JC-CONS-CJ-MDLX"}}


@pytest.mark.parametrize(
    ("dataset", "good", "faults"), [("joint_sanction", SANCTION, SANCTION_FAULTS), ("case_register", CASE, CASE_FAULTS)]
)
def test_each_bad_row_breaks_its_rule_and_says_so_in_chinese(tmp_path, dataset, good, faults):
    number = next(iter(good))  # 案例编号: one case a row, so that no two rows share a key
    rows = [good] + [{**good, number: f"BAD-{k}", **change} for k, (_, change) in enumerate(faults)]
    result = check(write(tmp_path / f"{dataset}.csv", dataset, rows), dataset)
    found = findings_by_rule(result)
    expected: dict[str, set[int]] = {}
    for k, (rule, _) in enumerate(faults):
        for r in {rule} | ALSO.get(rule, set()):
            expected.setdefault(r, set()).add(k + 3)  # the header is line 1, the good row line 2
    assert found == expected
    messages = suite_messages(dataset)
    shown = dict(zip(result.findings["rule_id"], result.findings["message"], strict=True))
    assert all(shown[rule] == messages[rule] for rule in expected)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in messages[rule]) for rule in expected)


def test_the_case_kind_must_be_one_of_the_seven_with_a_message_that_lists_them(tmp_path):
    result = check(write(tmp_path / "kinds.csv", "case_register", [{**CASE, "al_lb": "诚信典型"}]), "case_register")
    (message,) = result.findings.loc[result.findings["rule_id"] == "AL-CODE-LB", "message"]
    assert "七类案例" in message and all(k in message for k in standardize.code_table_for("al_lb").order)
    # the kinds that name no subject need none
    fine = [
        {**CASE, "al_bh": kind, "al_lb": kind, "al_zt_mc": "", "al_shxym": ""}
        for kind in ("行业信用监管领域", "地方红黑名单")
    ]
    assert check(write(tmp_path / "fine.csv", "case_register", fine), "case_register").findings.empty


def test_rows_of_one_key_with_different_content_are_named(tmp_path):
    twice = [SANCTION, {**SANCTION, "jc_cs": "在招标投标中依法予以限制"}]
    result = check(write(tmp_path / "twice.csv", "joint_sanction", twice), "joint_sanction")
    assert findings_by_rule(result) == {"JC-DUP-KEY": {2, 3}}
