"""三.2 信用产品应用 scored from the 信用承诺 the departments report (rule credit_commitment_applied), September 2025:
附件1 3.2a ("每应用一项得5分": 信用承诺 is one product) and 附件2 3.2 ("有应用的得15分", else the hand-entered score);
a department without a 信用承诺 feed is scored by hand."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import yaml
from support.indicator_rows import batch, record

from citycredit.core import config, paths
from citycredit.core.months import month_start
from citycredit.indicators import compute, scorecard

pytestmark = pytest.mark.db
MONTH = "2025-09"


def write(tmp_path, **changes):
    raw = yaml.safe_load((paths.CONFIG_DIR / "scorecard.yaml").read_text(encoding="utf-8"))
    raw.update(changes)
    path = tmp_path / "scorecard.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def commitment(conn, department: str, received: str, row: int, dated: str) -> None:
    b = batch(conn, department, "credit_commitment", received, feed=f"{department}_commitment")
    record(conn, "credit_commitment", b, row, cn_zt_mc="示例建材有限公司", cn_lx="审批替代型", cn_wsh=f"承诺{row}",
           cn_rq=dated)  # fmt: skip


def items(engine, path) -> dict:
    compute.compute_month(engine, MONTH)
    with engine.begin() as conn:
        scorecard.compute(conn, month_start(MONTH), path)
        return {
            (r.department_id, r.item_id): (r.points, r.basis, r.numerator, r.note)
            for r in conn.execute(sa.text("SELECT * FROM mart.scorecard_items"))
        }


def test_a_commitment_dated_this_year_earns_the_credit_commitment_item(engine, tmp_path):
    manual = [{"department": "jtys", "period": "2025", "item": "3.2a", "points": 5, "note": "信用承诺书（纸质）"}]
    path = write(tmp_path, manual=manual)
    with engine.begin() as conn:
        commitment(conn, "scjg", "2025-04-20 10:00", 2, "2025-04-15")  # reported in April: counts all year
        commitment(conn, "zjj", "2025-01-05 10:00", 3, "2024-12-31")  # last year's: not this year's use
        commitment(conn, "zjj", "2025-09-02 10:00", 4, "2025-10-01")  # dated after the month: not yet
    got = items(engine, path)
    assert got[("scjg", "3.2a")][:3] == (5, "data", 1)
    assert "2025-01-01 至 2025-09-30" in got[("scjg", "3.2a")][3]
    assert got[("zjj", "3.2a")][:3] == (0, "data", 0)
    # jtys has no 信用承诺 feed: the rule cannot score it, the hand-entered score counts
    assert got[("jtys", "3.2a")][:2] == (5, "manual")
    assert got[("sthj", "3.2a")][:2] == (None, "missing")


def test_a_county_without_commitments_keeps_its_hand_entered_score(engine, tmp_path):
    """附件2 3.2 "有应用的得15分": 信用承诺 are one way to show it (unmet: manual), a 信用报告 use another."""
    manual = [{"department": "zjj", "period": "2025", "item": "3.2", "points": 15, "note": "信用报告用于招投标"}]
    path = write(tmp_path, departments={"default": "附件1", "zjj": "附件2", "scjg": "附件2"}, manual=manual)
    with engine.begin() as conn:
        commitment(conn, "scjg", "2025-09-03 10:00", 2, "2025-09-01")
    got = items(engine, path)
    assert got[("scjg", "3.2")][:3] == (15, "data", 1)
    assert got[("zjj", "3.2")][:2] == (15, "manual")
    assert "信用承诺 0 条" in got[("zjj", "3.2")][3] and "信用报告用于招投标" in got[("zjj", "3.2")][3]


def test_a_hand_score_is_refused_only_where_the_data_scores_the_item(tmp_path):
    path = write(tmp_path, manual=[{"department": "scjg", "period": "2025", "item": "3.2a", "points": 5}])
    with pytest.raises(config.ConfigError, match=r"manual\[0\]\.item: '3.2a' is scored from data"):
        scorecard.load(path)
    (tmp_path / "b").mkdir()
    ok = write(tmp_path / "b", manual=[{"department": "jtys", "period": "2025", "item": "5.2b", "points": 5}])
    assert scorecard.load(ok)["manual"][0]["item"] == "5.2b"  # jtys has no credit-list feed
