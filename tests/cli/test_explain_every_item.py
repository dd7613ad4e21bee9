"""``citycredit explain`` answers for every indicator of indicators.yaml and every scorecard item of both annexes
(a month and a year), printing the facts a score rests on; ``citycredit scorecard`` shows a month and a year."""

from __future__ import annotations

import json

import pytest
import yaml
from support.indicator_rows import accounted, batch, finding, loaded

from citycredit import cli
from citycredit.core import paths
from citycredit.indicators import compute

pytestmark = pytest.mark.db
MONTH = "2025-09"


def every_indicator() -> list[str]:
    raw = yaml.safe_load((paths.CONFIG_DIR / "indicators.yaml").read_text(encoding="utf-8"))
    return list(raw["indicators"])


def every_item() -> list[tuple[str, str]]:
    raw = yaml.safe_load((paths.CONFIG_DIR / "scorecard.yaml").read_text(encoding="utf-8"))
    return [(annex, str(item["id"])) for annex, spec in raw["annexes"].items() for item in spec["items"]]


@pytest.fixture
def september(engine):
    with engine.begin() as conn:
        lic = batch(conn, "scjg", "license", "2025-09-05 10:00")
        loaded(conn, lic, 2, "license")
        loaded(conn, lic, 3, "license")
        finding(conn, lic, 3, "license", "late")  # 迟报率 50 %: above the 10 % allowed
        loaded(conn, batch(conn, "scjg", "penalty", "2025-09-21 09:00"), 2, "penalty")  # after the deadline
        batch(conn, "scjg", "credit_list", "2025-09-08 10:00", outcome="rejected")
        accounted(conn, batch(conn, "scjg", "credit_list", "2025-09-09 10:00"), loaded=3)
    compute.compute_month(engine, MONTH)
    return engine


def run(capsys, *argv) -> str:
    assert cli.main(["explain", *argv]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.strip() and "Traceback" not in out
    return out


def test_every_indicator_and_every_scorecard_item_is_explained(september, capsys):
    for indicator in every_indicator():
        out = run(capsys, indicator, "--month", MONTH)
        assert f"（{indicator}）" in out
        run(capsys, indicator, "--month", MONTH, "--department", "scjg", "--json")
    for annex, item in every_item():
        ref = f"scorecard:{annex}:{item}"
        # 附件1 is every department's annex: explained for one; 附件2 has none in departments.yaml
        department = ["--department", "scjg"] if annex == "附件1" else []
        for when in (["--month", MONTH], ["--year", "2025"]):
            out = run(capsys, ref, *when, *department)
            assert out.startswith(f"{annex} {item} ") and "评分标准：" in out, out
            if department:
                assert "平顶山市市场监督管理局（scjg）" in out


def test_a_data_item_shows_the_deliveries_against_the_deadline_and_the_rates_against_the_thresholds(september, capsys):
    out = run(capsys, "scorecard:2.1", "--month", MONTH, "--department", "平顶山市市场监督管理局")
    assert "2025-09-20 17:00 前每个双公示数据源" in out
    assert "0 分，数据" in out
    assert "shuanggongshi_late：1/3 = 33.3%，要求 ≤ 10%：未达到" in out
    lines = out.splitlines()
    assert any("scjg_license" in line and "2025-09-05 10:00" in line and "计入" in line for line in lines)
    assert any("scjg_penalty" in line and "2025-09-21 09:00" in line and "截止后报送，不计" in line for line in lines)

    out = run(capsys, "scorecard:5.2b", "--month", MONTH, "--department", "scjg")
    assert "5 分，数据" in out
    assert any("2025-09-08 10:00" in line and "无法读取，不计" in line for line in out.splitlines())

    rows = json.loads(run(capsys, "scorecard:2.2", "--month", MONTH, "--department", "scjg", "--json"))
    feeds = {d["feed_id"] for d in rows["departments"][0]["deliveries"] if d["outcome"] == "none"}
    assert "scjg_commitment" in feeds, "a feed with nothing this month is listed as not reported"


def test_a_manual_item_shows_its_entry_and_note(september, capsys):
    out = run(capsys, "scorecard:1.1", "--month", MONTH, "--department", "scjg")
    assert "人工评分 2025：5 分，平市监〔2025〕示例号" in out
    out = run(capsys, "scorecard:3.1", "--year", "2025", "--department", "scjg")
    assert "待人工评分" in out and "人工评分记录：无" in out


def test_the_scorecard_command_shows_a_month_and_a_year(september, capsys):
    assert cli.main(["scorecard", "--month", MONTH, "--department", "scjg"]) == 0
    out = capsys.readouterr().out
    assert "2025-09 月度评分" in out and "行政许可和行政处罚信息公示与报送" in out
    assert cli.main(["scorecard", "--year", "2025"]) == 0
    assert "尚未计算" in capsys.readouterr().out
    assert cli.main(["scorecard", "--year", "2025", "--recompute", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    scjg = {r["item_id"]: r for r in data["items"] if r["department_id"] == "scjg"}
    assert scjg["5.2b"]["points"] == pytest.approx(5 / 12, abs=0.005)  # earned in September alone
    assert cli.main(["scorecard", "--year", "2025", "--department", "scjg"]) == 0
    out = capsys.readouterr().out
    assert "2025 年度考核" in out and "已评月数" in out and "按月累计" in out


def test_an_indicator_is_explained_by_month_only(capsys):
    assert cli.main(["explain", "shuanggongshi_accuracy", "--year", "2025"]) == cli.EXIT_CONFIG
    assert "--month" in capsys.readouterr().err
    assert cli.main(["explain", "scorecard:9.9", "--month", MONTH]) == cli.EXIT_CONFIG
    assert "附件1 没有考核项 '9.9'" in capsys.readouterr().err
