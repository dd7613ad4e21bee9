"""The quarterly 通报 (月考核、季通报, 平信用办〔2020〕2号 三.1), read in a real chromium: departments ranked by the
points the data scored them over the quarter, those whose work fell short named with why, the city's figures."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from citycredit.publish import quarterly

pytestmark = pytest.mark.db
JULY, AUGUST, SEPTEMBER = date(2025, 7, 1), date(2025, 8, 1), date(2025, 9, 1)


def scored(conn, department: str, month: date, points: int, max_points: int = 20) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO mart.scorecard_items (month, department_id, annex, item_id, item, max_points, points, basis)"
            " VALUES (:m, :d, '附件1', '2.2', '信用信息报送', :mx, :p, 'data'),"
            " (:m, :d, '附件1', '1.1', '工作机构与人员组建', 5, 5, 'manual')"  # a hand score: not in the ranking
        ),
        {"m": month, "d": department, "p": points, "mx": max_points},
    )


def value(conn, indicator: str, scope_id: str, month: date, v: str) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO mart.indicator_values (month, indicator, scope, scope_id, dataset, numerator, denominator,"
            " value) VALUES (:m, :i, :s, :sid, 'all', NULL, NULL, CAST(:v AS numeric))"
        ),
        {"m": month, "i": indicator, "s": "city" if scope_id == "city" else "department", "sid": scope_id, "v": v},
    )


def alerted(conn, month: date, kind: str, departments: list[str]) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO mart.deadline_alerts (month, kind, deadline, departments, notifier)"
            " VALUES (:m, :k, now(), CAST(:d AS jsonb), 'webhook')"
        ),
        {"m": month, "k": kind, "d": json.dumps([{"id": d, "name": d, "missing": "…"} for d in departments])},
    )


@pytest.fixture
def quarter(engine, citycredit_home):
    with engine.begin() as conn:
        for month in (JULY, AUGUST, SEPTEMBER):
            scored(conn, "scjg", month, 20)  # full points every month: 60 / 60
            value(conn, "shuanggongshi_accuracy", "scjg", month, "0.99")
            value(conn, "shuanggongshi_accuracy", "city", month, "0.97")
        for month, points, accuracy in ((JULY, 10, "0.90"), (AUGUST, 0, "0.80"), (SEPTEMBER, 10, "0.99")):
            scored(conn, "sthj", month, points)  # 20 / 60; below 95 % accuracy in July and August
            value(conn, "shuanggongshi_accuracy", "sthj", month, accuracy)
        scored(conn, "jtys", SEPTEMBER, 20)  # one month scored: 20 / 20, but two months with a deadline missed
        alerted(conn, AUGUST, "data", ["sthj", "jtys"])
        alerted(conn, SEPTEMBER, "joint_sanction_cases", ["jtys"])
        alerted(conn, SEPTEMBER, "data", [])
    return quarterly.write(engine, "2025-09", citycredit_home)


def test_the_quarter_is_written_beside_the_reports_of_its_last_month(quarter, citycredit_home):
    assert quarter == citycredit_home / "reports" / "2025Q3" / "季度通报_2025年第3季度.html"
    assert [quarterly.is_quarter_end(m) for m in ("2025-08", "2025-09", "2025-12")] == [False, True, True]


def test_departments_are_ranked_and_those_falling_short_are_named_with_why(quarter, page):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(quarter.as_uri())
    page.wait_for_load_state("load")
    assert page.title() == "平顶山市社会信用体系建设工作季度通报（2025年第3季度）"
    ranking = page.locator("table").nth(0).locator("tbody tr")
    rows = [ranking.nth(i).locator("td").all_inner_texts() for i in range(ranking.count())]
    assert [r[1] for r in rows[:3]] == ["平顶山市市场监督管理局", "平顶山市交通运输局", "平顶山市生态环境局"]
    assert rows[0][2:6] == ["20 / 20", "20 / 20", "20 / 20", "100.0%"]
    assert rows[1][2:6] == ["未考核", "未考核", "20 / 20", "100.0%"]
    assert rows[1][-1] == "08月信用信息报送；09月联合奖惩案例上报"
    assert rows[2][2:9] == ["10 / 20", "0 / 20", "10 / 20", "33.3%", "90.0%", "80.0%", "99.0%"]
    assert all(r[5] == "-" and r[-1] == "无" for r in rows[3:]), "departments nothing scored come last"
    short = page.locator("table").nth(1).locator("tbody tr").all_inner_texts()
    assert short == ["平顶山市交通运输局\t2个月未按时完成报送事项", "平顶山市生态环境局\t2个月双公示数据准确率低于95%"]
    city = page.locator("table").nth(2).locator("tbody tr", has_text="双公示上报数据准确率").all_inner_texts()
    assert city and city[0].split("\t")[1:] == ["97.0%", "97.0%", "97.0%"]
    assert not [m for m in page.messages if m.startswith(("error", "pageerror"))], page.messages


def test_publishing_a_quarters_last_month_writes_the_quarter_and_the_report_links_it(quarter, engine, citycredit_home):
    from citycredit.publish import month_files

    september = month_files.publish(engine, "2025-09", citycredit_home)
    assert september.quarter == quarter and quarter in september.paths()
    html = september.report.read_text(encoding="utf-8")
    assert f'href="../../reports/2025Q3/{quote(quarter.name)}">季度通报（2025年第3季度）' in html
    assert month_files.publish(engine, "2025-08", citycredit_home).quarter is None
