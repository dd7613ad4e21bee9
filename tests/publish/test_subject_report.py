"""The 公共信用信息报告 of one subject (citycredit.publish.subject_report): what is public on the as-of day, each
信用修复 applied as export.yaml says from its 办结日期 on, 身份证 numbers masked, and a checksum that a rebuild from
the warehouse confirms until the warehouse changes."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import date
from pathlib import Path

import pypdf
import pytest
from support import credit_report_rows as h

from citycredit.publish import subject_report as sr
from citycredit.publish import subject_report_pdf as pdf
from citycredit.publish import subject_report_view as view

pytestmark = pytest.mark.db
HOSTILE = "<script>alert(1)</script>公司"
HOSTILE_CODE = "91110108551385082Q"


@pytest.fixture
def company(engine, tmp_path):
    """The company's history loaded, and the three repair effects configured; returns the rules."""
    h.company_history(engine)
    return h.three_effects(tmp_path)


def by_document(records: list[dict]) -> dict[str, dict]:
    return {r["document_no"]: r for r in records}


def test_the_report_shows_what_is_public_on_the_day_with_each_repair_applied(engine, company):
    subject = sr.find(engine, h.CODE)
    report = sr.gather(engine, subject, h.REPAIRED_ON, rules=company)

    assert re.fullmatch(r"XYBG-20251010-[0-9a-f]{8}", report["report_no"])
    assert report["checksum"] == hashlib.sha256(sr.canonical(report)).hexdigest()
    assert report["subject"] == {
        "code": h.CODE, "id_number": None, "name": h.NAME, "category": "法人及非法人组织", "type": "有限责任公司",
        "legal_representative": "赵一",
        "registration": {"name": h.NAME, "type": "有限责任公司", "status": "存续", "founded_on": "2015-06-01",
                         "closed_on": None, "authority": h.SAMR, "region_code": "410400"},
    }  # fmt: skip
    # The expired license and the penalty past its 公示截止期 are out of their windows; the withdrawn one is gone.
    assert [lic["document_no"] for lic in report["licenses"]] == ["平市监许〔2025〕1号"]
    penalties = by_document(report["penalties"])
    assert set(penalties) == {h.IN_WINDOW["cf_wsh"], h.MASKED["cf_wsh"], h.FLAGGED["cf_wsh"]}
    plain, masked, flagged = (penalties[p["cf_wsh"]] for p in (h.IN_WINDOW, h.MASKED, h.FLAGGED))
    assert (plain["facts"], plain["fine"], plain["repair"]) == (h.IN_WINDOW["cf_sy"], "0.2", None)
    assert (masked["facts"], masked["offence"], masked["content"]) == ("已屏蔽（信用修复）",) * 3
    assert masked["fine"] is None  # an amount cannot say 已屏蔽: it is left out
    assert (masked["decided_on"], masked["authority"], masked["penalty_types"]) == ("2025-09-01", h.SAMR, "警告;罚款")
    assert masked["repair"] == {"effect": "mask", "completed_on": "2025-10-10"}
    assert flagged["facts"] == h.FLAGGED["cf_sy"] and flagged["note"] == "原备注；已信用修复（2025-10-10）"
    assert flagged["repair"] == {"effect": "flag", "completed_on": "2025-10-10"}
    # Credit-list periods: the current one first, the ended one with its exit.
    assert [(p["list_type"], p["list_class"], p["status"], p["listed_on"], p["removed_on"], p["removal_reason"],
             p["removal_category"], p["authority"]) for p in report["credit_lists"]] == [
        ("严重违法失信名单", "严重失信", "listed", "2025-06-01", None, None, None, h.SAMR),
        ("经营异常名录", "重点关注", "removed", "2024-03-01", "2024-09-01", "补报年度报告", "信用修复", h.SAMR),
    ]  # fmt: skip
    assert report["commitments"] == [{"commitment_no": "CN2025-0801", "kind": "审批替代型",
                                      "matter": "食品经营许可告知承诺", "committed_on": "2025-08-01",
                                      "accepted_by": h.SAMR, "note": None, "fulfilment": None}]  # fmt: skip
    assert [(s["case_no"], s["measure"]) for s in report["joint_sanctions"]] == [("JC2025-001", "限制参与政府采购")]
    assert report["data_as_of"] is not None and report["as_of"] == "2025-10-10"


def test_the_day_before_the_repairs_conclude_the_records_show_as_they_were(engine, company):
    report = sr.gather(engine, sr.find(engine, h.CODE), h.DAY_BEFORE, rules=company)

    penalties = by_document(report["penalties"])
    assert set(penalties) == {p["cf_wsh"] for p in (h.IN_WINDOW, h.WITHDRAWN, h.MASKED, h.FLAGGED)}
    assert penalties[h.WITHDRAWN["cf_wsh"]]["facts"] == h.WITHDRAWN["cf_sy"]
    assert penalties[h.MASKED["cf_wsh"]]["facts"] == h.MASKED["cf_sy"]
    assert penalties[h.FLAGGED["cf_wsh"]]["note"] == "原备注"
    assert all(p["repair"] is None for p in report["penalties"])


def test_an_earlier_day_shows_the_list_period_as_it_stood_and_the_penalty_then_in_its_window(engine, company):
    report = sr.gather(engine, sr.find(engine, h.CODE), date(2024, 6, 1), rules=company)

    assert [(p["list_type"], p["status"], p["removed_on"], p["removal_reason"]) for p in report["credit_lists"]] == [
        ("经营异常名录", "listed", None, None)
    ]
    # The penalty and the license past their windows by 2025 were in them then; the later records did not exist.
    assert [p["document_no"] for p in report["penalties"]] == [h.PAST_WINDOW["cf_wsh"]]
    assert [lic["document_no"] for lic in report["licenses"]] == [h.EXPIRED_LICENSE["xk_wsh"]]
    assert report["commitments"] == [] and report["joint_sanctions"] == []


def test_a_name_is_found_as_typed_and_one_several_subjects_go_by_is_ambiguous(engine, company):
    assert sr.find(engine, f" {h.NAME} ").code == h.CODE
    assert sr.find(engine, h.CODE.lower()).name == h.NAME
    h.load(engine, "penalty", [{**h.PENALTY, "cf_xdr_shxym": HOSTILE_CODE, "cf_wsh": "平市监罚〔2025〕8号"}])

    with pytest.raises(sr.AmbiguousSubject) as found:
        sr.find(engine, h.NAME)

    assert [(c.code, c.name, c.kind) for c in found.value.candidates] == [
        (HOSTILE_CODE, h.NAME, None), (h.CODE, h.NAME, "有限责任公司")
    ]  # fmt: skip
    with pytest.raises(sr.SubjectNotFound):
        sr.find(engine, "91110000600037341L")
    with pytest.raises(sr.SubjectNotFound):
        sr.find(engine, "平顶山市不存在有限公司")


def test_a_natural_persons_report_masks_the_id_number_everywhere(engine, company):
    person = sr.find(engine, h.PERSON_ID)
    assert person.natural_person and sr.find(engine, h.PERSON) == person

    report = sr.gather(engine, person, h.REPAIRED_ON, rules=company)

    text = json.dumps(report, ensure_ascii=False)
    assert h.PERSON_ID not in text
    assert report["subject"]["id_number"] == "4104**********1234" and report["subject"]["code"] is None
    assert [p["facts"] for p in report["penalties"]] == ["当事人（身份证号 4104**********1234）无证经营。"]
    assert report["subject"]["registration"] is None and report["subject"]["legal_representative"] is None


def test_a_rebuilt_report_holds_until_the_warehouse_changes_and_names_the_changed_section(engine, company):
    report = sr.gather(engine, sr.find(engine, h.CODE), h.REPAIRED_ON, rules=company)
    assert sr.verify(engine, report, company) == sr.Verdict(True, report["checksum"], [])

    h.load(engine, "penalty", [{**h.IN_WINDOW, "cf_sy": "更正后的违法事实。"}], day="2025-10-20")

    verdict = sr.verify(engine, report, company)
    assert not verdict.ok and verdict.checksum != report["checksum"]
    assert set(verdict.differing) - {"data_as_of"} == {"penalties"}  # data_as_of: the load time, to the second


def test_the_pdf_draws_the_chinese_text_and_embeds_the_document(engine, company, tmp_path):
    report = sr.gather(engine, sr.find(engine, h.CODE), h.REPAIRED_ON, rules=company)

    path = pdf.write(report, tmp_path / "report.pdf")

    reader = pypdf.PdfReader(path)
    text = "".join(page.extract_text() for page in reader.pages)
    for shown in (h.NAME, report["report_no"], report["checksum"], "行政处罚信息", "已信用修复（办结日期 2025-10-10）"):
        assert shown in text
    assert h.WITHDRAWN["cf_wsh"] not in text
    embedded, info = pdf.read(path)
    assert embedded == report
    assert info[pdf.NUMBER_KEY] == report["report_no"] and info[pdf.CHECKSUM_KEY] == report["checksum"]
    assert reader.metadata.title == f"公共信用信息报告：{h.NAME}"


def test_a_hostile_name_is_text_in_the_page_and_the_pdf(engine, page):
    h.register(engine, [(HOSTILE, HOSTILE_CODE)])
    report = sr.gather(engine, sr.find(engine, HOSTILE_CODE), h.REPAIRED_ON)

    html = view.render_html(report)

    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;公司" in html
    page.set_viewport_size({"width": 1366, "height": 768})
    page.set_content(html)
    assert page.locator("td", has_text=HOSTILE).count() == 2  # 信用主体 and 主体名称
    assert page.messages == []  # no dialog: the script never ran
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # no sideways scrolling
    assert page.locator("h2").all_inner_texts()[:3] == ["一、主体基本信息", "二、行政许可信息（0 条）",
                                                        "三、行政处罚信息（0 条）"]  # fmt: skip
    text = pypdf.PdfReader(io.BytesIO(pdf.render(report))).pages[0].extract_text()
    assert HOSTILE in text


def test_a_commitments_fulfilment_is_read_from_its_header_and_shown(engine):
    from citycredit.normalize import readers, standardize

    source = Path(__file__).parents[1] / "data" / "real_shapes" / "commitment_fulfilment.csv"
    table = readers.open_table(source, dataset="credit_commitment")
    mapping = standardize.map_headers(table.headers, "credit_commitment").columns
    assert mapping["履约情况"] == "cn_lyqk"
    h.load(engine, "credit_commitment", [{**h.COMMITMENT, "cn_lyqk": "已履约"},
                                         {**h.COMMITMENT, "cn_wsh": "CN2025-0802", "cn_sx": "另一项承诺"}])  # fmt: skip

    report = sr.gather(engine, sr.find(engine, h.CODE), date(2025, 10, 10))
    assert {c["commitment_no"]: c["fulfilment"] for c in report["commitments"]} == {
        "CN2025-0801": "已履约", "CN2025-0802": None}  # fmt: skip
    page = view.render_html(report)
    assert "已履约" in page and "未报送（承诺受理单位尚未报送该承诺的履约情况）" in page
