"""`citycredit list-check`: subjects from the command line or a department's file (a GBK CSV, an XLSX), answered in a
Chinese table, as JSON, and in a result workbook read back here as a person would open it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from support.listings import COURT, entry, load_entries, person

from citycredit import cli
from citycredit.core import paths
from citycredit.publish import list_check_files

A = ("平顶山市鑫华建材有限公司", "914403001922038216")
B = ("平顶山市恒德物流有限公司", "91330100799655058B")
SAME_NAME = "平顶山市恒达商贸有限公司"
PERSON_ID = "11010519491231002X"


@pytest.fixture
def listed(engine):
    """A on a serious list until 2025-08-30; B on two lists; one name carried by two codes; a natural person."""
    a = entry(*A, "失信被执行人", "2025-03-01", COURT)
    load_entries(engine, [
        a, entry(*B, "严重违法失信名单", "2024-06-01"), entry(*B, "经营异常名录", "2025-01-10"),
        entry(SAME_NAME, "91440300708461136T", "严重失信主体名单", "2025-02-01"),
        entry(SAME_NAME, "9144030071526726XG", "纳税信用A级纳税人", "2025-02-01"),
        person("张伟", PERSON_ID, "失信被执行人", "2025-01-15"),
    ])  # fmt: skip
    load_entries(engine, [{**a, "md_ycrq": "2025-08-30", "md_ycyy": "履行完毕"}], day="2025-09-02")
    return engine


@pytest.mark.db
def test_codes_and_names_on_the_command_line_are_answered_in_a_chinese_table(listed, capsys):
    argv = ["list-check", A[1], "平顶山市不存在的公司", "91110108717809965C", B[1], PERSON_ID, "--as-of", "2025-05-01"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("联合奖惩核查：5 个主体，核查日期 2025-05-01（在列 3，无记录 1，代码无效 1）\n")
    assert PERSON_ID not in out and "张伟" not in out
    person_row = next(line for line in out.splitlines() if line.startswith("5     1101**********002X"))
    assert "失信被执行人（严重失信）" in person_row
    assert "名单数据：截至最近一次入库的名单报送日 2025-09-02" in out
    lines = out.splitlines()
    row = next(line for line in lines if line.startswith("1 "))
    assert all(t in row for t in (A[1], "在列", "失信被执行人（严重失信）", "2025-03-01", COURT))
    assert "无记录" in next(line for line in lines if line.startswith("2 "))
    assert "代码无效" in next(line for line in lines if line.startswith("3 "))
    b_rows = lines[lines.index(next(line for line in lines if line.startswith("4 "))) :][:2]
    assert "严重违法失信名单（严重失信）" in b_rows[0] and "经营异常名录（重点关注）" in b_rows[1]
    assert "说明：\n  序号 3：统一社会信用代码校验位不符（可能有字符输错）\n" in out
    measures = out[out.index("适用措施：") :]
    assert "惩戒措施（严重失信），序号 1、4、5：" in measures and "惩戒措施（失信被执行人），序号 1、5：" in measures
    assert "监管措施（重点关注），序号 4：" in measures
    assert "1. 按国家、省联合奖惩措施清单实施失信惩戒，措施与失信行为的性质和严重程度相当\n" in measures
    assert "依据：济信用办〔2020〕14号（二十三）；平信用〔2021〕1号 二.11\n" in measures

    assert cli.main(["list-check", A[1], "--as-of", "2025-09-01"]) == 0  # after its exit
    assert "（无记录 1）" in capsys.readouterr().out


@pytest.mark.db
def test_a_gbk_csv_is_checked_into_a_result_workbook(listed, tmp_path, capsys):
    source = tmp_path / "审批申请人.csv"
    source.write_bytes(
        "审批申请人名单（2025年9月）\n"
        "序号,统一社会信用代码,企业名称,证件号码,申请事项\n"
        f"1,{A[1]},{A[0]},,食品经营许可\n"
        f"2,{B[1]},{B[0]},,建筑业企业资质\n"
        f'3,,=HYPERLINK("http://example.invalid"),,演出许可\n'
        f"4,,,{PERSON_ID},个人独资企业设立\n"
        "5,91110108717809965C,某某科技有限公司,,道路运输许可\n".encode("gbk")
    )
    result = tmp_path / "out" / "核查结果.xlsx"
    assert cli.main(["list-check", "--file", str(source), "--as-of", "2025-05-01", "--out", str(result)]) == 0
    assert f"核查结果已写入 {result}" in capsys.readouterr().out

    ws = load_workbook(result).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert ws.title == "核查结果" and rows[0] == list_check_files.COLUMNS
    assert [r[:4] for r in rows[1:]] == [
        [1, A[0], A[1], "在列"],
        [2, B[0], B[1], "在列"],
        [3, '\'=HYPERLINK("http://example.invalid")', None, "无记录"],  # a formula sent as a name stays text
        [4, None, "1101**********002X", "在列"],
        [5, "某某科技有限公司", "91110108717809965C", "代码无效"],
    ]
    by_column = dict(zip(rows[0], rows[2], strict=True))
    assert by_column["名单类别"] == "严重违法失信名单（严重失信）\n经营异常名录（重点关注）"
    assert (by_column["列入日期"], by_column["核查日期"]) == ("2024-06-01\n2025-01-10", "2025-05-01")
    assert by_column["适用措施"].startswith("惩戒措施（严重失信）：\n1. 按国家、省联合奖惩措施清单实施失信惩戒")
    assert "\n监管措施（重点关注）：\n1. 加强事中事后监管" in by_column["适用措施"]
    assert rows[3][9] == "截至2025-05-01不在严重失信、重点关注、红名单等信用名单中"
    assert rows[4][9] == "列入主体：自然人 1101**********002X"
    assert rows[5][9] == "统一社会信用代码校验位不符（可能有字符输错）；可去掉代码按名称核查"
    everything = json.dumps(rows, ensure_ascii=False)
    assert PERSON_ID not in everything and "张伟" not in everything


@pytest.mark.db
def test_an_xlsx_of_names_is_answered_as_json(listed, tmp_path, capsys):
    source = tmp_path / "names.xlsx"
    wb = Workbook()
    wb.active.append(["主体名称", "备注"])
    for name in (SAME_NAME, B[0], "张伟"):
        wb.active.append([name, "招标投标"])
    wb.save(source)
    assert cli.main(["list-check", "--file", str(source), "--as-of", "2025-05-01", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["as_of"], report["counts"]) == (
        "2025-05-01", {"listed": 2, "not_listed": 0, "ambiguous_name": 1, "invalid_code": 0}
    )  # fmt: skip
    ambiguous, b, somebody = report["results"]
    assert (ambiguous["result"], ambiguous["result_zh"]) == ("ambiguous_name", "名称不唯一")
    assert [(c["code"], c["lists"]) for c in ambiguous["candidates"]] == [
        ("91440300708461136T", ["严重失信主体名单"]), ("9144030071526726XG", ["纳税信用A级纳税人"])
    ]  # fmt: skip
    assert [x["list_type"] for x in b["listings"]] == ["严重违法失信名单", "经营异常名录"]
    assert b["listings"][0]["measures"][0] == {
        "heading": "惩戒措施", "scope": "严重失信",
        "text": "按国家、省联合奖惩措施清单实施失信惩戒，措施与失信行为的性质和严重程度相当",
        "source": "济信用办〔2020〕14号（二十三）；平信用〔2021〕1号 二.11",
    }  # fmt: skip
    assert somebody["listings"][0]["subject"] == {"code": "1101**********002X", "name": None, "natural_person": True}


@pytest.mark.db
def test_a_result_file_that_cannot_be_written_is_a_chinese_error(listed, tmp_path, capsys):
    assert cli.main(["list-check", A[1], "--out", str(tmp_path)]) == 2  # a folder, not a file
    assert capsys.readouterr().err.startswith(f"citycredit list-check: 无法写入结果文件 {tmp_path}：")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "文件不存在"),
        ("申请事项,金额\n食品经营许可,100\n", "文件中没有可识别的统一社会信用代码列或名称列"),
        ("统一社会信用代码,企业名称\n", "文件 {} 中没有代码或名称"),
        ("", "文件为空（0字节）"),
    ],
)
def test_a_file_without_subjects_is_a_chinese_error(tmp_path, capsys, content, message):
    source = tmp_path / "list.csv"
    if content is not None:
        source.write_text(content, encoding="utf-8")
    assert cli.main(["list-check", "--file", str(source)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("citycredit list-check: ") and message.format(source) in err and "Traceback" not in err


def test_nothing_to_check_is_a_usage_error(capsys):
    assert cli.main(["list-check"]) == 2
    assert capsys.readouterr().err == (
        "citycredit list-check: 没有给出要核查的代码或名称（citycredit list-check 代码或名称 ... 或 --file 文件）\n"
    )


def test_a_mistake_in_the_measures_table_stops_the_check_with_its_key(tmp_path, monkeypatch, capsys):
    config_dir = tmp_path / "config"
    shutil.copytree(paths.CONFIG_DIR, config_dir)
    measures = config_dir / "sanction_measures.yaml"
    measures.write_text(measures.read_text(encoding="utf-8").replace("    heading: 激励措施\n", ""), encoding="utf-8")
    monkeypatch.setattr(paths, "CONFIG_DIR", Path(config_dir))
    assert cli.main(["list-check", A[1]]) == cli.EXIT_CONFIG
    assert capsys.readouterr().err == (
        "citycredit list-check: sanction_measures.yaml: classes.红名单.heading: 缺少措施名称（如 惩戒措施、激励措施）\n"
    )
