"""`citycredit credit-report`: a subject's 公共信用信息报告 on the terminal, as JSON, HTML and PDF; the answers to a
name several subjects go by, an unknown subject and a natural person; and `--verify` of a PDF."""

from __future__ import annotations

import hashlib
import json
import re

import pypdf
import pytest
from support import credit_report_rows as h

from citycredit import cli
from citycredit.core.city import today
from citycredit.publish import repairs
from citycredit.publish import subject_report as sr
from citycredit.publish import subject_report_pdf as pdf

pytestmark = pytest.mark.db
OTHER_CODE = "91330100799655058B"


@pytest.fixture
def company(engine, tmp_path, monkeypatch):
    h.company_history(engine)
    rules = h.three_effects(tmp_path)
    monkeypatch.setattr(repairs, "load_rules", lambda directory=None: rules)
    return engine


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(["credit-report", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


def test_the_text_report_names_the_subject_number_checksum_and_each_section(company, capsys):
    status, out, err = run(capsys, h.CODE, "--as-of", "2025-10-10")

    assert (status, err) == (0, "")
    assert out.startswith("公共信用信息报告\n")
    number = re.search(r"^报告编号：(XYBG-20251010-[0-9a-f]{8})$", out, re.M)
    checksum = re.search(r"^校验码（SHA-256）：([0-9a-f]{64})$", out, re.M)
    assert number and checksum
    for line in ("信用主体：平顶山市示例商贸有限公司", "查询截止日期：2025-10-10", "法定代表人：赵一",
                 "二、行政许可信息（1 条）", "三、行政处罚信息（3 条）",
                 "  1. 平市监罚〔2025〕4号【已信用修复（办结日期 2025-10-10）】", "违法事实：已屏蔽（信用修复）",
                 "  1. 严重违法失信名单（严重失信）【在列】", "移出原因：补报年度报告（信用修复）",
                 "移出日期：2024-09-01", "履约情况：未报送（承诺受理单位尚未报送该承诺的履约情况）",
                 "奖惩措施：限制参与政府采购"):  # fmt: skip
        assert line in out
    assert h.WITHDRAWN["cf_wsh"] not in out and h.PAST_WINDOW["cf_wsh"] not in out


def test_without_as_of_the_report_is_as_of_today_in_the_city(company, capsys):
    status, out, _ = run(capsys, h.NAME)
    assert status == 0 and f"查询截止日期：{today().isoformat()}" in out
    assert f"报告编号：XYBG-{today():%Y%m%d}-" in out


def test_a_name_several_subjects_go_by_lists_them_and_exits_2(company, capsys):
    h.register(company, [(h.NAME, OTHER_CODE)])

    status, out, err = run(capsys, h.NAME)

    assert (status, out) == (cli.EXIT_CONFIG, "")
    assert f"名称“{h.NAME}”对应 2 个主体，请改用统一社会信用代码" in err
    assert re.search(rf"^{OTHER_CODE}\s+{h.NAME}\s+有限责任公司$", err, re.M)
    assert re.search(rf"^{h.CODE}\s+{h.NAME}\s+法人及非法人组织$", err, re.M)


def test_an_unknown_subject_is_not_found_with_exit_3(company, capsys):
    status, out, err = run(capsys, "91110000600037341L")
    assert (status, out) == (3, "")
    assert err.startswith("citycredit credit-report: 未找到主体“91110000600037341L”")


def test_a_natural_persons_report_needs_the_flag_and_masks_the_id_number(company, capsys):
    status, out, err = run(capsys, h.PERSON)
    assert (status, out) == (2, "")
    assert "该主体为自然人" in err and "--allow-natural-person" in err

    status, out, err = run(capsys, h.PERSON, "--allow-natural-person", "--as-of", "2025-10-10")

    assert (status, err) == (0, "")
    assert "证件号码：4104**********1234" in out and "当事人（身份证号 4104**********1234）无证经营。" in out
    assert h.PERSON_ID not in out


def test_json_has_stable_english_keys_iso_dates_and_a_checksum_anyone_can_recompute(company, capsys):
    status, out, _ = run(capsys, h.CODE, "--as-of", "2025-10-10", "--json")

    document = json.loads(out)
    assert status == 0 and set(document) == {
        "format", "report_no", "as_of", "issued_at", "issuer", "subject", "licenses", "penalties", "credit_lists",
        "commitments", "joint_sanctions", "data_as_of", "checksum",
    }  # fmt: skip
    assert set(document["penalties"][0]) == set(sr.PENALTY_FIELDS) | {"repair"}
    assert set(document["credit_lists"][0]) == set(sr.CREDIT_LIST_FIELDS) | {"status", "list_class",
                                                                              "removal_category", "repair"}  # fmt: skip
    assert document["as_of"] == "2025-10-10" and document["penalties"][0]["decided_on"] == "2025-09-01"
    content = {k: v for k, v in document.items() if k != "checksum"}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    assert document["checksum"] == hashlib.sha256(canonical).hexdigest()


def tampered(source, target, change) -> None:
    """A copy of a report PDF whose embedded document `change` altered (its checksum left as it was)."""
    writer = pypdf.PdfWriter(clone_from=source)
    document, _ = pdf.read(source)
    change(document)
    for attached in writer.attachment_list:
        attached.delete()
    writer.add_attachment(pdf.ATTACHMENT, json.dumps(document, ensure_ascii=False).encode())
    writer.write(target)


def test_a_pdf_verifies_until_its_content_or_the_warehouse_changes(company, capsys, tmp_path):
    path = tmp_path / "报告.pdf"
    status, out, _ = run(capsys, h.CODE, "--as-of", "2025-10-10", "--pdf", str(path))
    assert status == 0 and f"公共信用信息报告（PDF）：{path}" in out
    number = re.search(r"报告编号：(\S+)", out).group(1)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    assert h.NAME in text and number in text

    status, out, _ = run(capsys, "--verify", str(path))
    checksum = pdf.read(path)[0]["checksum"]
    assert (status, out) == (0, f"校验通过：报告 {number} 与按查询截止日期 2025-10-10 从数据仓库重新生成的内容一致。\n"
                                f"校验码（SHA-256）：{checksum}\n")  # fmt: skip

    altered = tmp_path / "改过的报告.pdf"
    tampered(path, altered, lambda d: d["penalties"].pop())
    status, out, _ = run(capsys, "--verify", str(altered))
    assert (status, out) == (1, "校验未通过：PDF 内嵌的报告内容与其校验码不符，报告已被改动。\n")

    h.load(company, "penalty", [{**h.IN_WINDOW, "cf_sy": "更正后的违法事实。"}], day="2025-10-20")
    status, out, _ = run(capsys, "--verify", str(path))
    assert status == 1
    first, stated, again, end = out.split("\n")
    assert first.startswith(f"校验未通过：按数据仓库当前数据重新生成的报告 {number} 与该 PDF 不一致，")
    assert "不一致的部分：行政处罚信息" in first and "行政许可" not in first
    assert first.endswith("报告出具后数据已更新或更正，请重新出具报告。") and end == ""
    assert stated == f"PDF 的校验码：{checksum}" and re.fullmatch(r"重新生成的校验码：[0-9a-f]{64}", again)
    assert again[-64:] != checksum


def test_verifying_a_file_that_is_no_report_says_so(company, capsys, tmp_path):
    not_pdf = tmp_path / "x.pdf"
    not_pdf.write_text("hello", encoding="utf-8")
    status, out, err = run(capsys, "--verify", str(not_pdf))
    assert (status, out) == (2, "") and "无法读取 PDF 文件 x.pdf" in err

    plain = tmp_path / "plain.pdf"
    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    writer.write(plain)
    status, out, err = run(capsys, "--verify", str(plain))
    assert (status, out) == (2, "") and "plain.pdf 不是本平台出具的公共信用信息报告" in err


def test_html_and_pdf_together_share_one_report_and_escape_a_hostile_name(company, capsys, tmp_path):
    hostile = "<script>alert(1)</script>公司"
    h.register(company, [(hostile, OTHER_CODE)])
    page, document = tmp_path / "r.html", tmp_path / "r.pdf"

    status, out, _ = run(capsys, OTHER_CODE, "--html", str(page), "--pdf", str(document))

    assert status == 0 and f"公共信用信息报告（HTML）：{page}" in out
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;公司" in html
    embedded, _ = pdf.read(document)
    assert embedded["report_no"] in html and embedded["checksum"] in html and embedded["checksum"] in out


def test_a_subject_and_verify_together_are_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["credit-report", h.CODE, "--verify", "x.pdf"])
    assert exited.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_a_file_that_cannot_be_written_is_said_in_chinese(company, capsys, tmp_path):
    status, out, err = run(capsys, h.CODE, "--pdf", str(tmp_path / "missing" / "r.pdf"))
    assert (status, out) == (2, "") and f"无法写入 {tmp_path / 'missing' / 'r.pdf'}：No such file or directory" in err
