"""Credit-list kinds and exit reasons: the spellings real feeds use are accepted, each kind has its class and each
reason its category (include/config/credit_lists.yaml), and what is not a credit list is told so."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from citycredit.core import config
from citycredit.load import creditlists
from citycredit.normalize import readers, standardize
from citycredit.validate.selfcheck import run_check
from citycredit.validate.suites import suite_definition

SHAPES = Path(__file__).parents[1] / "data" / "real_shapes"
REPORTED_ON = date(2025, 9, 30)
TABLES = config.load_yaml("code_tables.yaml")["tables"]
# 济信用办〔2020〕14号 item 二十四 (seed 004): the 14 kinds of 严重失信名单, as their publishers write them.
ITEM_24 = [
    "失信被执行人", "重大税收违法案件当事人", "安全生产黑名单", "严重质量失信企业", "统计上严重失信企业",
    "海关失信认证企业", "非法集资名单", "其他严重违法名单", "严重失信债务人名单", "严重失信 PEVC 企业名单",
    "恶意逃废债借款人名单", "涉电力领域失信关联黑名单", "慈善捐助失信问题领域黑名单", "拖欠农民工工资黑名单",
]  # fmt: skip
SAMR_EXITS = [
    "补报年度报告", "更正公示信息", "办理地址变更或恢复联系", "补公示企业信息", "履行相关义务",
    "注销", "吊销", "整改完成",
]  # fmt: skip


def normalized(path: Path, dataset: str) -> pd.DataFrame:
    table = readers.open_table(path, dataset=dataset)
    header_map = standardize.map_headers(table.headers, dataset)
    return pd.concat(standardize.normalize_frame(raw, dataset, header_map) for raw in table.chunks())


def canonical(field: str, values: list[str]) -> list[str]:
    """What normalization makes of the values written in the column of ``field`` (md_lx or md_ycyy)."""
    header = {"md_lx": "名单类型", "md_ycyy": "移出原因"}[field]
    raw = pd.DataFrame({header: values, "_source_row": range(2, len(values) + 2)})
    header_map = standardize.map_headers([header], "credit_list")
    return standardize.normalize_frame(raw, "credit_list", header_map)[field].tolist()


def test_every_kind_and_reason_of_the_code_tables_is_sorted_exactly_once():
    classes = creditlists.classes()
    assert set(classes.list_class) == set(map(str, TABLES["名单类型"]["values"]))
    assert set(classes.removal_category) == set(map(str, TABLES["移出原因"]["values"])) | {creditlists.UNSTATED_REMOVAL}
    assert set(classes.list_class.values()) == {"严重失信", "重点关注", "红名单", "不归集"}
    assert set(classes.removal_category.values()) == {"信用修复", "期满", "注销吊销", "司法", "其他"}


def test_the_scope_rule_rejects_exactly_the_kinds_that_are_not_credit_lists():
    rule = next(e for e in suite_definition("credit_list")["expectations"] if e["meta"]["rule_id"] == "MD-SCOPE-LX")
    assert rule["kwargs"]["value_set"] == creditlists.classes().kinds("不归集")
    assert rule["meta"]["severity"] == "error"


def test_the_kinds_of_item_24_are_serious_lists():
    kinds = canonical("md_lx", ITEM_24)
    assert len(set(kinds)) == 14
    assert {creditlists.classes().list_class.get(k) for k in kinds} == {"严重失信"}


@pytest.mark.parametrize(
    ("written", "kind", "list_class"),
    [
        ("严重违法失信企业名单", "严重违法失信名单", "严重失信"),  # 市场监管's name before 总局令第44号
        ("严重违法失信名单", "严重违法失信名单", "严重失信"),
        ("黑名单", "严重失信主体名单", "严重失信"),  # the stored value of before stays
        ("失信被执行人", "失信被执行人", "严重失信"),
        ("经营异常名录", "经营异常名录", "重点关注"),
        ("重点关注名单", "重点关注名单", "重点关注"),
        ("守信激励对象名单", "红名单", "红名单"),
        ("限制高消费人员", "限制消费人员", "不归集"),
    ],
)
def test_a_written_kind_becomes_its_kind_and_class(written, kind, list_class):
    assert canonical("md_lx", [written]) == [kind]
    assert creditlists.classes().list_class[kind] == list_class


@pytest.mark.parametrize(
    ("written", "reason", "category"),
    [
        *[(e, e, "注销吊销" if e in ("注销", "吊销") else "信用修复") for e in SAMR_EXITS],
        ("补报未报年份的年度报告并公示", "补报年度报告", "信用修复"),
        ("企业注销，自动移出", "注销", "注销吊销"),
        ("公示期满", "期满", "期满"),
        ("已履行生效法律文书确定的义务", "履行完毕", "司法"),
        ("撤销认定", "撤销", "其他"),
    ],
)
def test_a_written_exit_reason_becomes_its_reason_and_category(written, reason, category):
    assert canonical("md_ycyy", [written]) == [reason]
    assert creditlists.classes().removal_category[reason] == category


def test_a_real_list_feed_passes_with_every_kind_and_exit_reason():
    result = run_check(SHAPES / "samr_credit_lists.csv", "credit_list", REPORTED_ON)
    assert result.rows == 36
    assert result.findings.empty, result.findings.groupby("rule_id").size().to_dict()
    frame = normalized(SHAPES / "samr_credit_lists.csv", "credit_list")
    classes = creditlists.classes()
    assert {classes.list_class[k] for k in frame["md_lx"]} == {"严重失信", "重点关注", "红名单"}
    reasons = frame["md_ycyy"].dropna()
    assert set(SAMR_EXITS) <= set(reasons)
    assert {classes.removal_category[r] for r in reasons} == {"信用修复", "期满", "注销吊销", "司法"}


def test_what_is_not_a_credit_list_is_rejected_with_a_message_saying_so():
    result = run_check(SHAPES / "samr_not_credit_lists.csv", "credit_list", REPORTED_ON)
    findings = result.findings
    assert sorted(findings["source_row"]) == [2, 3, 4]
    assert set(findings["rule_id"]) == {"MD-SCOPE-LX"} and set(findings["severity"]) == {"error"}
    assert "不是信用名单" in findings["message"].iloc[0]
