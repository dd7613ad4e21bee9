"""The monthly publication: quality report (also in a real headless chromium), 反馈表 and department feedback.

One month of real deliveries (CSV files in the inbox, with a hostile subject name, formula cells, a 身份证
number and an unreadable file whose name is markup) goes through the pipeline's task bodies into a real
PostgreSQL warehouse once per module; the tests read what `publish` wrote, as a reader would.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from citycredit import cli
from citycredit.core import migrations, paths, warehouse
from citycredit.feeds import registry
from citycredit.indicators import compute
from citycredit.publish import feedback, indicator_form, month_files, monthly
from citycredit.tasks import ingest

pytestmark = pytest.mark.db

CITY = ZoneInfo("Asia/Shanghai")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEPT_CODE = "11410400005260186J"
HEADERS = [
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "法定代表人",
    "证件类型",
    "证件号码",
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可内容",
    "许可决定日期",
    "有效期自",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "当前状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
]
XSS_NAME = "<img src=x onerror=\"document.title='pwned'\">示例公司"
XSS_SOURCE = "<script>window.__xss=1</script>市场监管局"
FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'
PERSON_ID = "410402199001010037"  # 身份证-shaped, wrong check digit: rejected, and personal data all the same
BAD_CODE = "91330100799655058C"  # the check character of 91330100799655058B changed: a 错码
UNREADABLE_NAME = "<img src=x onerror=window.__xss=2>.csv"


def record(name: str, code: str, number: int, **changes) -> list[str]:
    values = {
        "行政相对人名称": name,
        "行政相对人类别": "法人及非法人组织",
        "统一社会信用代码": code,
        "法定代表人": "李四",
        "证件类型": "",
        "证件号码": "",
        "行政许可决定文书名称": "准予行政许可决定书",
        "行政许可决定文书号": f"平市监许〔2025〕{number}号",
        "许可类别": "普通",
        "许可内容": "食品经营许可",
        "许可决定日期": "2025-09-01",
        "有效期自": "2025-09-01",
        "有效期至": "2030-08-31",
        "许可机关": "平顶山市市场监督管理局",
        "许可机关统一社会信用代码": DEPT_CODE,
        "当前状态": "1",
        "数据来源单位": "平顶山市市场监督管理局",
        "数据来源单位统一社会信用代码": DEPT_CODE,
        "备注": "",
        **changes,
    }
    return [values[h] for h in HEADERS]


SEPTEMBER = [
    record("平顶山市示例一号有限公司", "91330100799655058B", 1),
    record("平顶山市示例二号有限公司", "91110108551385082Q", 2),
    record(XSS_NAME, BAD_CODE, 3, 数据来源单位=XSS_SOURCE),
    record(FORMULA_NAME, "91440300708461136T", 4, 许可内容="", 备注="@SUM(1+1)"),
    record("平顶山市示例一号有限公司", "91330100799655058B", 7, 许可决定日期="2025-08-01", 有效期自="2025-08-01"),
    record(
        "张三",
        "",
        5,
        行政相对人类别="自然人",
        法定代表人="",
        证件类型="身份证",
        证件号码=PERSON_ID,
        备注=f"身份证 {PERSON_ID}",
    ),
]
AUGUST = [record("平顶山市示例三号有限公司", "914403001922038216", 6, 许可决定日期="2025-08-01", 有效期自="2025-08-01")]
JUNE = [record("平顶山市示例二号有限公司", "91110108551385082Q", 8, 许可决定日期="2025-06-02", 有效期自="2025-06-02")]
STRAYS = ["scjg/许可_放错位置.csv", "其他单位/名单.csv"]  # in a department's folder but no feed's; no department's
TREND = ["2025-06", "2025-07", "2025-08", "2025-09"]  # July has no delivery and is not computed: a gap


@dataclass
class Month:
    home: Path
    url: str
    engine: sa.Engine
    published: month_files.Published


def deliver(inbox: Path, name: str, rows: list[list[str]] | None, when: str, raw: bytes | None = None) -> None:
    path = inbox / "scjg" / "scjg_license" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        path.write_bytes(raw)
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([HEADERS, *rows])
    stamp = datetime.fromisoformat(when).replace(tzinfo=CITY).timestamp()
    os.utime(path, (stamp, stamp))


def run_ingest() -> None:
    for batch_id in ingest.land_feed("scjg_license"):
        ingest.normalize_batch(batch_id)
        ingest.validate_batch(batch_id)
        ingest.load_batch(batch_id)
    assert not any((paths.home() / "landing" / "inbox").rglob("*.*")), "every delivery was landed"


@pytest.fixture(scope="module")
def month(server_url, tmp_path_factory):
    """2025-06, 2025-08 and 2025-09 delivered, ingested and their indicators computed (2025-07 has no values);
    2025-09 published."""
    home = tmp_path_factory.mktemp("home")
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"cc_report_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    engine = warehouse.engine(url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CITYCREDIT_HOME", str(home))
        mp.setenv("CITYCREDIT_WAREHOUSE_URL", url)
        migrations.upgrade(engine)
        inbox = home / "landing" / "inbox"
        deliver(inbox, "许可_2025-06.csv", JUNE, "2025-06-05T10:00")
        run_ingest()
        deliver(inbox, "许可_2025-08.csv", AUGUST, "2025-08-05T10:00")
        run_ingest()
        deliver(inbox, "许可_2025-09.csv", SEPTEMBER, "2025-09-05T10:00")
        deliver(inbox, UNREADABLE_NAME, None, "2025-09-06T10:00", raw=b"")
        run_ingest()
        for stray in STRAYS:
            (inbox / stray).parent.mkdir(parents=True, exist_ok=True)
            (inbox / stray).write_bytes(b"x")
        assert sorted(ingest.find_strays()) == sorted(STRAYS)
        with engine.begin() as conn:  # as if the morning scans had found them: one in September, one in October
            for stray, first, last in (STRAYS[0], "2025-09-08", "2025-09-15"), (STRAYS[1], "2025-10-02", "2025-10-03"):
                conn.execute(
                    sa.text("UPDATE landing.strays SET first_seen_at = :f, last_seen_at = :l WHERE path = :p"),
                    {"f": f"{first}T09:00+08:00", "l": f"{last}T09:00+08:00", "p": stray},
                )
        for m in ("2025-06", "2025-08", "2025-09"):
            compute.compute_month(engine, m)
        published = month_files.publish(engine, "2025-09")
    yield Month(home, url, engine, published)
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def city_value(month: Month, indicator: str) -> dict:
    return next(
        v
        for v in compute.month_values(month.engine, "2025-09", indicator)
        if v["scope"] == "city" and v["dataset"] == "all"
    )


# --- the quality report ----------------------------------------------------------------------------------------


def test_report_is_one_offline_file_with_the_months_figures(month):
    report = month.published.report
    assert report == month.home / "reports" / "2025-09" / "质量报告_2025-09.html"
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "nothing loaded from a CDN"
    assert "<link" not in html and "@import" not in html
    assert "<script" not in html.replace("&lt;script", ""), "the report runs no script"
    accuracy = city_value(month, "shuanggongshi_accuracy")
    assert (accuracy["numerator"], accuracy["denominator"]) == (3, 6)  # 3 rejected of 6 received
    assert "50.0%" in html and "3 / 6" in html and "16.7%" in html
    assert html.count("<svg") == 7, "six trend charts and the department chart"
    assert BAD_CODE in html, "the 错码 is listed"
    assert "2025年09月尚未报送行政处罚数据（数据源 scjg_penalty）" in html, "a feed with nothing this month is chased"
    assert "3 条记录未通过校验且尚未更正" in html
    assert PERSON_ID not in html
    assert 'href="%E5%9F%8E' in html, "the 反馈表 is linked"


def test_report_links_the_feedback_workbooks_and_the_form_that_exist(month):
    html = month.published.report.read_text(encoding="utf-8")
    from urllib.parse import quote

    for dept, path in month.published.feedback.items():
        href = "../../" + "/".join(quote(p) for p in path.relative_to(month.home).parts)
        assert f'href="{href}"' in html, dept
        assert path.is_file()
    assert month.published.form.is_file()


def test_report_renders_in_chromium_with_charts_and_no_console_errors(month, page):
    page.goto(month.published.report.as_uri())
    page.wait_for_load_state("load")
    assert page.title() == "平顶山市公共信用信息数据质量月报（2025年09月）"
    charts = page.locator("figure.chart svg")
    assert charts.count() == 7
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, f"chart {i} is drawn"
    assert page.locator("figure.chart svg text").count() > 20, "chart labels are text the browser draws"
    rows = page.locator("table").nth(0).locator("tbody tr")
    assert rows.count() == len(registry.load().departments), "one row per department of the registry"
    assert "50.0%" in rows.nth(0).inner_text()
    assert not [m for m in page.messages if m.startswith(("error", "pageerror"))], page.messages
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "quality_report_2025-09.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_department_text_shows_literally_and_runs_nothing(month, page):
    page.goto(month.published.report.as_uri())
    page.wait_for_load_state("load")
    subject = page.locator("td.subject", has_text="示例公司")
    assert subject.inner_text() == XSS_NAME, "the hostile name is shown as text"
    assert subject.locator("img").count() == 0
    assert UNREADABLE_NAME in page.locator("body").inner_text(), "the file name that is markup is shown as text"
    assert page.locator("body script").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.title() != "pwned"
    assert not [m for m in page.messages if m.startswith(("dialog", "pageerror"))], page.messages


# --- the report as a clerk reads it, at 1366×768 ------------------------------------------------------------------

SCREEN = {"width": 1366, "height": 768}
SHOT = Path("/tmp/quality_report_1366x768.png")


@pytest.fixture
def screen(page):
    page.set_viewport_size(SCREEN)
    return page


def chart_texts(page, chart: int, part: str) -> list[str]:
    """The texts of one part of a trend chart: xtick / ytick labels (matplotlib's SVG groups)."""
    return page.locator("figure.chart").nth(chart).locator(f'g[id^="{part}_"] text').all_text_contents()


def test_trend_charts_draw_a_line_over_the_months_with_a_gap_where_a_month_has_no_data(month, screen):
    screen.goto(month.published.report.as_uri())
    assert screen.locator("h3").inner_text() == "近12个月趋势（2025年06月至2025年09月；折线断开处为当月无数据）"
    charts = screen.locator(".charts figure.chart")
    assert charts.count() == 6
    for i in range(6):
        assert chart_texts(screen, i, "xtick") == TREND, f"chart {i}: one tick per month since the first with data"
    reported = screen.locator("#trend-shuanggongshi_reported")
    assert reported.locator("use").count() == 3, "a point for each month with a value: June, August, September"
    line = reported.locator("path").first.get_attribute("d")
    assert line.count("M") == 2 and line.count("L") == 1, "June stands alone, July is a gap, August–September a line"
    accuracy = screen.locator("#trend-shuanggongshi_accuracy")
    assert accuracy.locator("use").count() == 3


def test_chart_text_is_readable_and_no_tick_reads_negative(month, screen):
    screen.goto(month.published.report.as_uri())
    sizes = screen.evaluate(
        """() => [...document.querySelectorAll('.charts figure.chart g[id^="xtick_"] text,'
                + '.charts figure.chart g[id^="ytick_"] text')].map(t => {
            const m = t.getScreenCTM();
            return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
        })"""
    )
    assert len(sizes) > 30 and min(sizes) >= 11, f"axis text is drawn at {min(sizes):.1f} px at the least"
    for i in range(6):
        ticks = chart_texts(screen, i, "ytick")
        assert len(ticks) >= 2, f"chart {i} has a value axis"
        assert not [t for t in ticks if t.startswith(("-", "\u2212"))], f"chart {i}: {ticks}"
    empty = screen.locator(".charts figure.chart").nth(4)  # 严重失信名单主体占比: no value in any month
    assert "暂无数据" in empty.inner_text() and chart_texts(screen, 4, "ytick")[0] == "0%"


def test_every_count_names_the_month_it_covers(month, screen):
    screen.goto(month.published.report.as_uri())
    totals = screen.locator("#month-totals").inner_text()
    assert totals == "2025年09月（按文件接收时间计）共接收 6 条记录：入库 3，隔离 3，重复 0。"
    headings = screen.locator("h2").all_inner_texts()
    assert len(headings) == 6 and all("2025年09月" in h for h in headings), headings
    assert "本月" not in screen.locator("body").inner_text(), "no count left to a month the reader must guess"


def test_times_are_the_citys(month, screen):
    screen.goto(month.published.report.as_uri())
    body = screen.locator("body").inner_text()
    assert "2025年09月报送截止时间：2025年09月20日 17:00（北京时间）" in body
    stamp = re.search(r"本报告生成时间：(\d{4}-\d\d-\d\d \d\d:\d\d)（北京时间）", body)
    assert stamp, body[:300]
    generated = datetime.strptime(stamp[1], "%Y-%m-%d %H:%M").replace(tzinfo=CITY)
    assert abs((datetime.now(CITY) - generated).total_seconds()) < 3600, "generated now, in the city's time"
    unreadable = f"2025-09-06 10:00（北京时间）接收的文件“{UNREADABLE_NAME}”无法读取"
    assert unreadable in body, "the delivery's time as the department's clock showed it, not 02:00 UTC"


def test_files_left_where_no_feed_reads_them_are_chased_in_the_month_they_were_seen(month, screen):
    screen.goto(month.published.report.as_uri())
    chase = {
        tuple(row.locator("td").all_inner_texts())
        for row in screen.locator("h2:has-text('督办') + table tbody tr").all()
    }
    stray = [what for dept, what in chase if STRAYS[0] in what]
    assert len(stray) == 1 and ("平顶山市市场监督管理局", stray[0]) in chase
    assert stray[0].startswith(f"收件箱中的文件“{STRAYS[0]}”未被接收：文件没有放在数据源文件夹中")
    assert stray[0].endswith("最近一次发现于 2025-09-15 09:00（北京时间）")
    assert not [what for _, what in chase if STRAYS[1] in what], "first seen in October: October's report"


def test_scorecard_shows_the_data_scored_points_and_lists_the_manual_items_apart(month, screen):
    with month.engine.connect() as conn:
        items = monthly.query(
            conn,
            "SELECT item, basis, points, max_points FROM mart.scorecard_items"
            " WHERE month = '2025-09-01' AND department_id = 'scjg'",
            {},
        )
    data = [i for i in items if i["basis"] == "data"]
    awaiting = [i for i in items if i["basis"] == "missing"]
    assert data and awaiting, "the fixture has items of both kinds"
    points = f"{sum(i['points'] for i in data):,.0f} / {sum(i['max_points'] for i in data):,.0f}"
    screen.goto(month.published.report.as_uri())
    cell = screen.locator("table").nth(0).locator("tbody tr").nth(0).locator("td.score").inner_text()
    assert cell.splitlines() == [points, f"另 {len(awaiting)} 项待人工评分"]
    row = screen.locator("#scorecard tbody tr", has_text="平顶山市市场监督管理局")
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == f"{points}（{len(data)} 项）"
    for item in awaiting:
        assert f"{item['item']}（{item['max_points']:,.0f} 分" in cells[3]
    assert cells[4] == "待人工评分完成", "no total out of 100 while items await manual scoring"


def test_headers_stay_on_one_line_at_1366_by_768(month, screen):
    screen.goto(month.published.report.as_uri())
    lines = screen.evaluate(
        """() => [...document.querySelectorAll('th')].map(th => {
            const range = document.createRange();
            range.selectNodeContents(th);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return [th.innerText, tops.size];
        })"""
    )
    screen.screenshot(path=str(SHOT), full_page=True)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(SHOT, ARTIFACTS / SHOT.name)
    assert lines and [text for text, count in lines if count != 1] == []
    assert screen.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"], "nothing scrolls sideways"


# --- the 城市信用指标数据反馈表: tests/publish/test_indicator_form.py -----------------------------------------


# --- the department feedback workbook -------------------------------------------------------------------------


def test_feedback_workbook_gives_the_rejected_rows_as_sent_with_findings(month):
    path = month.published.feedback["scjg"]
    assert path == month.home / "feedback" / "2025-09" / "scjg" / feedback.file_name("scjg", datetime(2025, 9, 1))
    wb = load_workbook(path)
    sheets = wb.sheetnames
    assert sheets[0] == feedback.SUMMARY and sheets[-1] == feedback.WARNINGS
    assert sheets[1:-1] == ["退回_许可_2025-09"], "named after the delivered file, not the batch"
    ws = wb["退回_许可_2025-09"]
    assert ws["A1"].value == "文件：许可_2025-09.csv（行政许可）；接收时间：2025-09-05 10:00（北京时间）"
    assert ws["A2"].value == "以下为报送时的原始内容"
    assert [c.value for c in ws[3]] == ["源行号", "问题说明", *HEADERS]
    rows = {r[0].value: [c.value for c in r] for r in ws.iter_rows(min_row=4)}
    assert sorted(rows) == [4, 5, 7], "the CSV's rows 4, 5 and 7 (header on row 1) were rejected"
    hostile, formula, person = rows[4], rows[5], rows[7]
    assert hostile[2] == XSS_NAME and hostile[2 + HEADERS.index("数据来源单位")] == XSS_SOURCE
    assert "「统一社会信用代码」校验位错误" in hostile[1]
    sent_formula = SEPTEMBER[3]
    expected = ["'" + v if v and v[0] in "=+-@" else (v or None) for v in sent_formula]
    assert formula[2:] == expected, "cells exactly as sent, formula starts neutralized"
    assert formula[2] == "'" + FORMULA_NAME and formula[-1] == "'@SUM(1+1)"
    assert "「许可内容」为必填项" in formula[1] and "XK-REQ-NR" in formula[1]
    assert person[2 + HEADERS.index("证件号码")] == "4104**********0037"
    assert person[2 + HEADERS.index("备注")] == "身份证 4104**********0037"
    assert "不是有效的居民身份证号码" in person[1]
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula"
            assert PERSON_ID not in str(cell.value or "")


def test_feedback_summary_and_warnings_sheets(month):
    wb = load_workbook(month.published.feedback["scjg"])
    summary = [[c.value for c in r] for r in wb[feedback.SUMMARY].iter_rows()]
    assert summary[0][0] == "平顶山市市场监督管理局 2025年09月 数据质量反馈"
    assert summary[2][:2] == ["双公示准确率", "50.0%"]
    assert summary[1][:2] == ["报送截止时间", "2025-09-20 17:00（北京时间）"]
    assert summary[3][:2] == ["双公示迟报率", "16.7%"]
    assert ["2025年09月接收的文件"] == [v for v in summary[5] if v]
    assert summary[6][:3] == ["文件", "数据类型", "接收时间（北京时间）"]
    files = {r[0]: r for r in summary if r and r[0] in ("许可_2025-09.csv", UNREADABLE_NAME)}
    assert files["许可_2025-09.csv"][2] == "2025-09-05 10:00", "the city's time, not UTC (02:00)"
    assert files["许可_2025-09.csv"][3:9] == ["已入库", 6, 3, 3, 0, 1]
    assert "许可_2025-09.csv" in files and len(files) == 1, "an unreadable delivery has no batch"
    rules = {r[0]: r[2] for r in summary if r and isinstance(r[2], int) and r[0] and r[0].startswith("XK-")}
    assert rules["XK-REQ-NR"] == 1 and rules["XK-ID-XDR_ZJHM"] == 1
    warnings = [[c.value for c in r] for r in wb[feedback.WARNINGS].iter_rows()]
    assert warnings[0] == ["文件", "源行号", "字段", "规则", "说明"]
    assert [w[:4] for w in warnings[1:]] == [["许可_2025-09.csv", 6, "许可决定日期", "XK-TIME-LATE"]]
    assert "7个工作日" in warnings[1][4]
    other = load_workbook(month.published.feedback["jtys"])
    lines = [[c.value for c in r if c.value] for r in other[feedback.SUMMARY].iter_rows()]
    assert ["本月未收到该部门报送的文件"] in lines


# --- the command ------------------------------------------------------------------------------------------------


def test_report_command_writes_the_files_and_prints_where(month, citycredit_home, monkeypatch, capsys):
    monkeypatch.setenv("CITYCREDIT_WAREHOUSE_URL", month.url)
    datadocs = citycredit_home / "datadocs"
    datadocs.mkdir(parents=True)
    (datadocs / "index.html").write_text("<html></html>", encoding="utf-8")
    assert cli.main(["report", "--month", "2025-09"]) == 0
    out = capsys.readouterr().out
    report = citycredit_home / "reports" / "2025-09" / "质量报告_2025-09.html"
    assert f"质量报告：{report}" in out
    assert f"部门反馈表 scjg：{citycredit_home / 'feedback' / '2025-09' / 'scjg'}" in out
    assert 'href="../../datadocs/index.html"' in report.read_text(encoding="utf-8")
    for line in out.splitlines():
        assert Path(line.split("：", 1)[1]).is_file()


def test_report_command_refuses_a_malformed_month(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", "--month", "2025-13"])
    assert exc.value.code == 2
    assert "月份应为 YYYY-MM（如 2025-09），收到 '2025-13'" in capsys.readouterr().err


@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is not installed")
def test_report_prints_to_pdf(month, tmp_path):
    copy = tmp_path / month.published.report.name
    shutil.copy(month.published.report, copy)
    pdf = month_files.print_pdf(copy)
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.dag
def test_the_monthly_dag_publishes_after_the_indicators(run_dag, warehouse_url, citycredit_home):
    run_dag("citycredit_monthly", "--conf", '{"month": "2025-09"}')
    report = month_files.report_path("2025-09", citycredit_home)
    assert "平顶山市公共信用信息数据质量月报（2025年09月）" in report.read_text(encoding="utf-8")
    assert (report.parent / indicator_form.file_name(datetime(2025, 9, 1))).is_file()
    workbooks = (citycredit_home / "feedback" / "2025-09").glob("*/数据质量反馈_*.xlsx")
    assert sorted(p.parent.name for p in workbooks) == sorted(d.id for d in registry.load().departments)
