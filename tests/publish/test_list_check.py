"""联合奖惩 核查 on a real PostgreSQL: what an approving department is told about each subject it asks about, from
the credit-list periods the pipeline loaded (exits included), with the measures of sanction_measures.yaml."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.credit_report_rows import load
from support.listings import COURT, SAMR, TAX, entry, load_entries, person, register

from citycredit.core import config, paths
from citycredit.publish import list_check, sanction_measures
from citycredit.publish.list_check import AMBIGUOUS, INVALID, LISTED, NOT_LISTED, Subject
from citycredit.tools.demo.subjects import uscc_code

A = ("平顶山市鑫华建材有限公司", "914403001922038216")
B = ("平顶山市恒德物流有限公司", "91330100799655058B")
C = ("平顶山市瑞丰食品有限公司", "91110108551385082Q")
SAME_NAME = "平顶山市恒达商贸有限公司"
D1, D2 = "91440300708461136T", "9144030071526726XG"
PERSON_ID = "11010519491231002X"


def answer(engine, subject: Subject, day: str) -> list_check.Answer:
    return list_check.check(engine, [subject], date.fromisoformat(day)).answers[0]


def titles(a: list_check.Answer) -> list[str]:
    return [g.title for g in a.measure_groups()]


@pytest.mark.db
def test_a_serious_listing_counts_inside_its_period_and_is_no_record_from_its_exit_day(engine):
    listed = entry(*A, "失信被执行人", "2025-03-01", COURT)
    load_entries(engine, [listed])
    load_entries(engine, [{**listed, "md_ycrq": "2025-08-30", "md_ycyy": "履行完毕"}], day="2025-09-02")

    inside = answer(engine, Subject.of(code=A[1]), "2025-05-01")
    assert (inside.result, inside.result_name) == (LISTED, "在列")
    (listing,) = inside.listings
    assert (listing.kind_label, listing.listed_on, listing.authority) == ("失信被执行人（严重失信）", date(2025, 3, 1),
                                                                          COURT)  # fmt: skip
    assert titles(inside) == ["惩戒措施（严重失信）", "惩戒措施（失信被执行人）"]
    assert inside.message == f"列入主体：{A[0]}（{A[1]}）"

    for day in ("2025-08-30", "2025-09-30", "2025-02-28"):  # the exit day itself, after it, before the entry
        after = answer(engine, Subject.of(code=A[1]), day)
        assert (after.result_name, after.listings, after.measure_groups()) == ("无记录", (), [])
        assert after.message == f"截至{day}不在严重失信、重点关注、红名单等信用名单中"


@pytest.mark.db
def test_a_subject_on_two_lists_gets_both_with_the_measures_of_each_class(engine):
    load_entries(engine, [entry(*B, "经营异常名录", "2025-01-10"), entry(*B, "严重违法失信名单", "2024-06-01")])
    a = answer(engine, Subject.of(code=B[1], name=B[0]), "2025-09-30")
    assert a.result == LISTED
    assert [(x.kind_label, str(x.listed_on), x.authority) for x in a.listings] == [
        ("严重违法失信名单（严重失信）", "2024-06-01", SAMR),
        ("经营异常名录（重点关注）", "2025-01-10", SAMR),
    ]
    assert titles(a) == ["惩戒措施（严重失信）", "监管措施（重点关注）"]


@pytest.mark.db
def test_a_red_list_brings_its_incentives_with_their_source(engine):
    load_entries(engine, [entry(*C, "纳税信用A级纳税人", "2025-04-01", TAX), entry(*C, "红名单", "2025-05-01")])
    a = answer(engine, Subject.of(code=C[1]), "2025-09-30")
    (group,) = a.measure_groups()
    assert (a.result_name, group.title) == ("在列", "激励措施（红名单）")
    assert [x.kind_label for x in a.listings] == ["纳税信用A级纳税人（红名单）", "红名单"]  # its own class: once
    assert "1. 行政审批和公共服务事项优先办理、简化程序（依据：平信用办〔2020〕2号 一（五））" in group.lines()


@pytest.mark.db
def test_a_name_of_several_codes_is_ambiguous_and_lists_each_candidate_with_its_lists(engine):
    load_entries(engine, [
        entry(SAME_NAME, D1, "严重失信主体名单", "2025-02-01"),
        entry(SAME_NAME, D2, "经营异常名录", "2024-01-01", md_ycrq="2025-01-01", md_ycyy="补报年度报告"),
        entry(*A, "经营异常名录", "2025-01-05"),
    ])  # fmt: skip
    register(engine, [(A[0], A[1]), ("平顶山市鑫华建材有限公司", "91110000600037341L")])  # a second subject of A's name

    a = answer(engine, Subject.of(name="平顶山市 恒达商贸有限公司"), "2025-09-30")  # spaced as a clerk may type it
    assert (a.result, a.result_name, a.listings) == (AMBIGUOUS, "名称不唯一", ())
    assert [c.label for c in a.candidates] == [
        f"{SAME_NAME}（{D1}），在列：严重失信主体名单", f"{SAME_NAME}（{D2}），无记录"
    ]  # fmt: skip
    assert a.message.startswith("名称对应2个主体，请按统一社会信用代码核查：")

    in_register = answer(engine, Subject.of(name=A[0]), "2025-09-30")
    assert [c.label for c in in_register.candidates] == [
        f"{A[0]}（{A[1]}），在列：经营异常名录",
        f"{A[0]}（91110000600037341L），无记录",
    ]

    earlier = answer(engine, Subject.of(name=SAME_NAME), "2024-06-01")  # only D2 was on a list that day
    assert [c.label for c in earlier.candidates] == [
        f"{SAME_NAME}（{D2}），在列：经营异常名录", f"{SAME_NAME}（{D1}），无记录"
    ]  # fmt: skip


@pytest.mark.db
def test_a_unique_name_is_answered_for_its_subject(engine):
    load_entries(engine, [entry(*B, "严重违法失信名单", "2024-06-01")])
    register(engine, [C])
    listed = answer(engine, Subject.of(name=B[0]), "2025-09-30")
    assert (listed.result_name, listed.message) == ("在列", f"列入主体：{B[0]}（{B[1]}）")
    clear = answer(engine, Subject.of(name=C[0]), "2025-09-30")
    assert clear.result_name == "无记录"
    assert clear.message == f"{C[0]}（{C[1]}）截至2025-09-30不在严重失信、重点关注、红名单等信用名单中"
    nobody = answer(engine, Subject.of(name="平顶山市不存在的公司"), "2025-09-30")
    assert (nobody.result_name, nobody.party) == ("无记录", None)


@pytest.mark.db
def test_a_listing_without_a_code_is_found_by_its_name(engine):
    # A 个体工商户 without a 统一社会信用代码 is delivered under the placeholder code; some departments leave it empty.
    shop = "平顶山市新华区老王副食店"
    load_entries(engine, [entry(shop, "00000000000000000X", "经营异常名录", "2025-02-01"),
                          entry(B[0], None, "严重违法失信名单", "2024-06-01")])  # fmt: skip
    register(engine, [B])
    alone = answer(engine, Subject.of(name=shop), "2025-09-30")
    assert (alone.result_name, alone.message) == ("在列", f"列入主体：{shop}（无代码）")
    assert [x.list_type for x in alone.listings] == ["经营异常名录"]
    # one subject of that name in the register: it is the one answered about, with the entry that has no code
    named = answer(engine, Subject.of(name=B[0]), "2025-09-30")
    assert (named.result_name, named.party.label) == ("在列", f"{B[0]}（{B[1]}）")
    assert [(x.list_type, x.party.label) for x in named.listings] == [("严重违法失信名单", f"{B[0]}（无代码）")]
    # by code, an entry without one is not the subject's
    assert answer(engine, Subject.of(code=B[1]), "2025-09-30").result_name == "无记录"


@pytest.mark.db
def test_an_invalid_code_is_answered_as_such_in_chinese_beside_valid_ones(engine):
    load_entries(engine, [entry(*A, "失信被执行人", "2025-03-01", COURT)])
    asked = [
        Subject.of(code="91110108717809965C", name="某某科技有限公司"),
        Subject.of(code="00000000000000000X"),
        Subject.of(code="9141040012345"),
        Subject.of(code="110105194912310021"),
        Subject.of(code="９１４４０３００１９２２０３８２１６"),  # full-width, as typed with a Chinese input method
        Subject.of(code="91440300192203821O"),
        Subject.of(code=" ", name=""),  # what an empty request field gives
    ]
    answers = list_check.check(engine, asked, date(2025, 9, 30)).answers
    assert [a.result_name for a in answers] == ["代码无效"] * 4 + ["在列"] + ["代码无效"] * 2
    assert [a.message for a in answers if a.result == INVALID] == [
        "统一社会信用代码校验位不符（可能有字符输错）；可去掉代码按名称核查",
        "00000000000000000X 是个体工商户没有统一社会信用代码时的占位代码，不能据以核查；请按名称核查",
        "代码应为18位（统一社会信用代码或身份证号码），收到13位",
        "身份证号码校验位不符（可能有数字输错）",
        "统一社会信用代码含不使用的字符“O”（代码不用 I、O、Z、S、V 和标点）",
        "没有给出代码或名称",
    ]
    assert answers[3].as_json()["query"]["code"] == "1101**********0021"  # a mistyped ID number is still personal


@pytest.mark.db
def test_a_natural_persons_listing_is_named_only_by_the_masked_id_number(engine):
    load_entries(engine, [person("张伟", PERSON_ID, "失信被执行人", "2025-01-15")])
    for subject in (Subject.of(code=PERSON_ID.lower()), Subject.of(name="张伟")):
        a = answer(engine, subject, "2025-09-30")
        (listing,) = a.listings
        assert (a.result_name, listing.party.label, listing.basis) == ("在列", "自然人 1101**********002X", None)
        assert a.message == "列入主体：自然人 1101**********002X"
        shown = a.as_json()
        assert shown["listings"][0]["subject"] == {"code": "1101**********002X", "name": None, "natural_person": True}
        assert PERSON_ID not in json.dumps(shown, ensure_ascii=False)
        assert "张伟" not in json.dumps({**shown, "query": None}, ensure_ascii=False)  # only where it was asked


@pytest.mark.db
def test_ten_thousand_subjects_are_answered_by_one_statement(engine):
    load_entries(engine, [entry(*A, "失信被执行人", "2025-03-01", COURT), entry(*C, "红名单", "2025-01-01"),
                          entry(SAME_NAME, D1, "经营异常名录", "2025-02-01")])  # fmt: skip
    codes = [uscc_code("91", "410400", f"{i:08d}") for i in range(7_000)]
    names = [f"平顶山市第{i}号商贸有限公司" for i in range(2_997)]
    asked = [Subject.of(code=c) for c in codes] + [Subject.of(name=n) for n in names]
    asked += [Subject.of(code=A[1]), Subject.of(name=C[0]), Subject.of(name=SAME_NAME)]
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    report = list_check.check(engine, asked, date(2025, 9, 30))
    # one query, whatever the number asked (the transaction's settings are none)
    assert len([s for s in statements if not s.startswith("SET LOCAL ")]) == 1
    assert len(report.answers) == 10_000 and [a.position for a in report.answers] == list(range(1, 10_001))
    assert report.counts() == {LISTED: 3, NOT_LISTED: 9_997, AMBIGUOUS: 0, INVALID: 0}
    assert [a.result_name for a in report.answers[-3:]] == ["在列"] * 3


def test_the_shipped_measures_table_covers_every_list_class():
    table = sanction_measures.load()
    assert table.headings == {"严重失信": "惩戒措施", "重点关注": "监管措施", "红名单": "激励措施"}
    assert all(m.source for m in table.by_class["严重失信"])  # every 惩戒措施 names what it rests on


GOOD = (paths.CONFIG_DIR / sanction_measures.CONFIG_FILE).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("  红名单:\n    heading: 激励措施\n", "  守信:\n    heading: 激励措施\n"),
         "sanction_measures.yaml: classes.守信: 不是 credit_lists.yaml 中的名单类别"
         "（应为 严重失信、重点关注、红名单）"),
        (("  重点关注:\n    heading: 监管措施\n    measures:\n", "  重点关注:\n    heading: 监管措施\n    mesures:\n"),
         "sanction_measures.yaml: classes.重点关注: 不认识的键 mesures（只有 heading 和 measures）"),
        (("      - text: 开辟“绿色通道”\n", "      - text:\n"),
         "sanction_measures.yaml: classes.红名单.measures[1].text: 缺少措施内容"),
        (("kinds:\n  失信被执行人:\n", "kinds:\n  被执行人:\n"),
         "sanction_measures.yaml: kinds.被执行人: 不是 credit_lists.yaml 中某个名单类别下的名单类型"),
        (("classes:\n", "classes: [\n"), "sanction_measures.yaml: not valid YAML"),
    ],
)  # fmt: skip
def test_a_mistake_in_the_measures_table_names_the_file_and_the_key(tmp_path: Path, change, message):
    old, new = change
    assert old in GOOD
    (tmp_path / sanction_measures.CONFIG_FILE).write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(config.ConfigError) as caught:
        sanction_measures.load(tmp_path)
    assert message in str(caught.value)


def test_a_class_without_measures_is_a_mistake(tmp_path: Path):
    start, end = GOOD.index("  红名单:\n"), GOOD.index("\nkinds:")
    (tmp_path / sanction_measures.CONFIG_FILE).write_text(GOOD[:start] + GOOD[end:], encoding="utf-8")
    with pytest.raises(config.ConfigError, match="sanction_measures.yaml: classes: 缺少 红名单 的措施"):
        sanction_measures.load(tmp_path)


@pytest.mark.db
def test_a_listing_a_granted_repair_withdraws_is_no_record_from_the_repairs_conclusion(engine):
    # The national 信用修复 record names the list entry by the 认定文书号 that its 列入依据 quotes (export.yaml
    # credit_repair: 信用名单 withdraws, matched as "contains"), as the export and the subject report read it.
    load_entries(engine, [entry(*B, "严重违法失信名单", "2025-03-01", md_lryj="平市监列〔2025〕7号：食品安全严重违法")])
    load(engine, "credit_repair", [{
        "xf_bh": "XF2025101", "xf_zt_mc": B[0], "xf_shxym": B[1], "xf_xxlx": "严重失信主体名单",
        "xf_xxbh": "平市监列〔2025〕7号", "xf_slbm": "平顶山市发展和改革委员会", "xf_slrq": "2025-10-05",
        "xf_bjrq": "2025-10-10", "xf_jg": "准予修复",
    }], day="2025-10-11")  # fmt: skip

    before = answer(engine, Subject.of(code=B[1]), "2025-10-09")
    assert before.result_name == "在列"
    assert titles(before) == ["惩戒措施（严重失信）"]

    after = answer(engine, Subject.of(code=B[1]), "2025-10-10")
    assert (after.result_name, after.listings, after.measure_groups()) == ("无记录", (), [])
    shown = json.dumps(after.as_json(), ensure_ascii=False)
    assert "严重违法失信名单" not in shown and "平市监列" not in shown  # the repair ended its sharing: never named
