"""Hostile text from the bad-input corpus through every output a person reads.

Three corpus files (tests/data/bad/): control characters in rejected rows, 身份证 numbers in every spelling, and
cells starting with = + - @ tab CR. They are delivered as real CSV files, taken through the pipeline's task bodies
into a real PostgreSQL warehouse, published with `citycredit report` and exported to the outbox; then each
output is read as a person (or the province's collector) would read it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import unicodedata
import uuid
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from citycredit import cli
from citycredit.core import migrations, warehouse
from citycredit.core.csv_cells import FORMULA_STARTS
from citycredit.indicators import compute
from citycredit.publish import datadocs, month_files
from citycredit.publish.outbox import export_outbox
from citycredit.tasks import ingest

pytestmark = pytest.mark.db

BAD = Path(__file__).parents[1] / "data" / "bad"
CONTROL, SPELLINGS, FORMULAS = "control_characters_rejected.csv", "id_number_spellings.csv", "formula_starts.csv"
CITY = ZoneInfo("Asia/Shanghai")
ID18, ID15 = "410403198503153310", "410403850315331"  # made up; the 18-digit one has a valid check digit


def leaks(text: str) -> bool:
    """Whether `text` shows the test person's ID number whole, in any spelling (digits read through blanks,
    dashes, dots, invisible characters and full width)."""
    digits = re.sub(r"[^0-9X]", "", unicodedata.normalize("NFKC", text).upper())
    return ID18 in digits or ID15 in digits


@pytest.fixture(scope="module")
def month(server_url, tmp_path_factory):
    """The three files delivered in September 2025, ingested, the month computed and published, then exported."""
    home = tmp_path_factory.mktemp("home")
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"cc_hostile_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    engine = warehouse.engine(url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CITYCREDIT_HOME", str(home))
        mp.setenv("CITYCREDIT_WAREHOUSE_URL", url)
        migrations.upgrade(engine)
        inbox = home / "landing" / "inbox" / "scjg" / "scjg_license"
        inbox.mkdir(parents=True)
        for n, fixture in enumerate((CONTROL, SPELLINGS, FORMULAS)):
            shutil.copyfile(BAD / fixture, inbox / fixture)
            stamp = datetime(2025, 9, 5, 10, n, tzinfo=CITY).timestamp()
            os.utime(inbox / fixture, (stamp, stamp))
        for batch_id in ingest.land_feed("scjg_license"):
            ingest.normalize_batch(batch_id)
            ingest.validate_batch(batch_id)
            ingest.load_batch(batch_id)
        compute.compute_month(engine, "2025-09")
        assert cli.main(["report", "--month", "2025-09"]) == 0, "the report survives any text"
        export_outbox(engine, as_of=date(2025, 10, 1))
        site = datadocs.build_for_warehouse(engine).parent
        yield {"home": home, "url": url, "engine": engine, "site": site}
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _workbook(month):
    return load_workbook(month["home"] / "feedback" / "2025-09" / "scjg" / "数据质量反馈_scjg_2025-09.xlsx")


def _rejected_sheet(wb, first_cell: str):
    return next(wb[s] for s in wb.sheetnames if s.startswith("退回_") and wb[s]["A1"].value.startswith(first_cell))


# --- item 6: control characters -----------------------------------------------------------------------------------


def test_rejected_rows_with_control_characters_are_in_the_feedback_workbook_visibly(month):
    ws = _rejected_sheet(_workbook(month), f"文件：{CONTROL}")
    assert ws["A2"].value == "以下为报送时的原始内容"
    rows = {r[0].value: r for r in ws.iter_rows(min_row=4)}
    assert sorted(rows) == [2, 3], "the two rejected rows, as sent"
    name = rows[2][2]
    assert name.value == "平顶山市␛[31m控制␁字符␈有限公司"
    assert "3 个" in name.comment.text and "控制字符" in name.comment.text
    authority = rows[3][2 + 11]  # 许可机关
    assert authority.value == "平顶山市市场监督管理局␈␈␈␛" and "4 个" in authority.comment.text
    assert rows[3][2 + 3].value == "张␇三"


def test_the_report_is_written_without_control_characters(month):
    report = month_files.report_path("2025-09", month["home"]).read_text(encoding="utf-8")
    assert "条记录未通过校验" in report
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", report)


# --- item 9: 身份证 spellings ---------------------------------------------------------------------------------------


def test_no_output_shows_an_id_number_in_any_spelling(month, capsys):
    wb = _workbook(month)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert not leaks(str(cell.value or "")), (ws.title, cell.coordinate, cell.value)
    sheet = _rejected_sheet(wb, f"文件：{SPELLINGS}")
    rejected = [c.value for c in next(r for r in sheet.iter_rows(min_row=4) if r[0].value == 10)]
    assert rejected[2] == "张三sfz4104**********3310" and rejected[2 + 3] == "4104**********3310"
    report = month_files.report_path("2025-09", month["home"]).read_text(encoding="utf-8")
    assert not leaks(report)
    outbox = month["home"] / "outbox"
    files = sorted(outbox.iterdir())
    assert any(f.suffix == ".csv" for f in files) and any(f.suffix == ".json" for f in files)
    for f in files:
        assert not leaks(f.read_text(encoding="utf-8")), f.name
    for path in month["site"].rglob("*"):
        assert not leaks(str(path)), path
    for page in month["site"].rglob("*.html"):
        assert not leaks(page.read_text(encoding="utf-8")), page
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CITYCREDIT_HOME", str(month["home"]))
        mp.setenv("CITYCREDIT_WAREHOUSE_URL", month["url"])
        capsys.readouterr()
        assert cli.main(["explain", "shuanggongshi_accuracy", "--month", "2025-09"]) == 0
        explained = capsys.readouterr()
        assert "张三sfz4104" in explained.out, "the rejected row is explained, masked"
        assert not leaks(explained.out + explained.err)
        assert cli.main(["check", str(BAD / SPELLINGS)]) in (0, 1)
        checked = capsys.readouterr()
        assert not leaks(checked.out + checked.err)


def test_the_exported_free_text_is_masked_and_other_codes_are_kept(month):
    contents = {r["XK_WSH"]: r["XK_NR"] for r in _outbox_records(month)}
    expected = {  # compared as NFKC: normalization may turn full-width punctuation into ASCII
        "SFZ1": "食品经营许可（经办人sfz4104**********3310号）",
        "SFZ2": "食品经营许可，联系人身份证 4104**********3310",
        "SFZ3": "食品经营许可，身份证号4104**********3310",
        "SFZ4": "食品经营许可，身份证4104**********3310",
        "SFZ5": "食品经营许可，身份证4104**********3310",
        "SFZ7": "食品经营许可，旧身份证4104*******5331",
        "SFZ8": "食品经营许可，统一社会信用代码91330100799655058B，注册资本123456789012345678元",
    }
    for doc, text in expected.items():
        got = contents[f"平市监许〔2025〕{doc}号"]
        assert unicodedata.normalize("NFKC", got) == unicodedata.normalize("NFKC", text), doc
    assert unicodedata.normalize("NFKC", contents["平市监许〔2025〕SFZ6号"]).endswith("身份证4104**********3310")


# --- item 8: formulas in the outbox CSV ---------------------------------------------------------------------------


def _outbox_records(month) -> list[dict]:
    (document,) = [f for f in (month["home"] / "outbox").glob("*_XK_*.json")]
    return json.loads(document.read_text(encoding="utf-8"))["records"]


def test_the_outbox_csv_neutralizes_formulas_and_the_json_keeps_the_exact_text(month):
    (csv_file,) = (month["home"] / "outbox").glob("*_XK_*.csv")
    rows = list(csv.DictReader(io.StringIO(csv_file.read_bytes().decode("utf-8"), newline="")))
    records = _outbox_records(month)
    assert len(rows) == len(records) > 0
    formulas = 0
    for row, record in zip(rows, records, strict=True):
        for column, value in record.items():
            cell = row[column]
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                assert cell == "'" + value, (column, cell)
                formulas += 1
            else:
                assert cell == ("" if value is None else str(value)), (column, cell)
            assert not cell.startswith(FORMULA_STARTS), (column, cell)
    by_doc = {r["XK_WSH"]: r for r in records}
    assert by_doc["平市监许〔2025〕FS1号"]["XK_XDR_MC"] == '=HYPERLINK("http://evil.example","点我")FS1'
    assert by_doc["平市监许〔2025〕FS4号"]["XK_NR"] == "@SUM(A1:A9)"
    assert formulas >= 5, "=, +, -, @ and the name"
