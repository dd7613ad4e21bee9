"""`make demo`'s months: thirteen ending last month, the twelve earlier ones as a monthly history of the city's
双公示 volume; no delivery after yesterday; the summary counts the last month as its quality report does; the
export writes the outbox and warns that the push to the province is not configured."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_demo_data import canonical, read_table

from citycredit.cli import demo
from citycredit.feeds.registry import load as load_registry
from citycredit.tools.demo.feeds import HISTORY_NUMBERS, generate_feeds, generate_history

RECORDS = 60


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [(dt.date(2026, 12, 4), "2025-11", "2026-11"), (dt.date(2026, 1, 1), "2024-12", "2025-12")],
)
def test_the_demo_covers_thirteen_months_ending_the_month_before_today(today, first, last):
    months = demo.demo_months(today)
    assert (len(months), months[0], months[-1]) == (13, first, last)
    assert months == sorted(set(months))


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> list:
    return generate_history(tmp_path_factory.mktemp("inbox"), months=["2025-08", "2025-09"], records_per_feed=RECORDS)


def test_history_is_one_file_a_month_of_each_shuanggongshi_dataset_at_the_citys_monthly_volume(history):
    feeds = [f for f in load_registry().feeds if f.kind == "file"]
    # A month's file is received in that month, whose report counts it.
    assert sorted((d.dataset, d.delivered_at.strftime("%Y-%m")) for d in history) == [
        ("license", "2025-08"), ("license", "2025-09"), ("penalty", "2025-08"), ("penalty", "2025-09"),
    ]  # fmt: skip
    for d in history:
        assert d.feed_id == next(f.id for f in feeds if f.dataset == d.dataset)
        assert d.rows == RECORDS * sum(f.dataset == d.dataset for f in feeds)  # as all that dataset's feeds in a month
        assert dt.datetime.fromtimestamp(d.path.stat().st_mtime, dt.UTC) == d.delivered_at


def test_history_decisions_are_of_their_month_and_numbered_apart_from_the_last_months(history, tmp_path):
    for d in history:
        frame = canonical(d, *read_table(d.path))
        decided = frame[[c for c in frame.columns if c.endswith("_jdrq")][0]].dropna()
        assert {day.strftime("%Y-%m") for day in decided} == {d.delivered_at.strftime("%Y-%m")}, d.path.name
        assert max(decided) < d.delivered_at.date()
        numbers = frame[[c for c in frame.columns if c.endswith("_wsh")][0]]
        assert all(int(n) > HISTORY_NUMBERS for n in numbers.str.extract(r"(\d+)号$")[0].dropna())
    again = generate_history(tmp_path, months=["2025-08", "2025-09"], records_per_feed=RECORDS)
    assert [a.path.read_bytes() for a in again] == [d.path.read_bytes() for d in history], "deterministic"


def test_no_delivery_is_made_after_the_day_given(tmp_path):
    until = dt.date(2025, 10, 2)
    files = generate_feeds(tmp_path / "cut", records_per_feed=RECORDS, until=until)
    assert files and max(f.delivered_at.date() for f in files) <= until
    everything = generate_feeds(tmp_path / "all", records_per_feed=RECORDS)
    assert max(f.delivered_at.date() for f in everything) > until, "the month's deliveries reach into the next"


@pytest.mark.db
def test_summary_counts_the_month_as_its_report_and_the_demo_exports_to_the_outbox(warehouse_url, capsys):
    from citycredit.core import paths, warehouse
    from citycredit.indicators import compute
    from citycredit.publish import monthly
    from citycredit.tasks import common, ingest

    inbox = paths.data_path("landing", "inbox")
    generate_history(inbox, months=["2025-09"], records_per_feed=RECORDS)  # received in 2025-09
    generate_feeds(inbox, records_per_feed=RECORDS, until=dt.date(2025, 10, 10))  # 2025-09, some received in 10
    common.prepare_warehouse()
    for feed in ("scjg_license", "scjg_penalty"):
        for batch_id in ingest.land_feed(feed):
            ingest.normalize_batch(batch_id)
            ingest.validate_batch(batch_id)
            ingest.load_batch(batch_id)
    engine = warehouse.engine()
    for month in ("2025-08", "2025-09"):
        compute.compute_month(engine, month)

    text = demo.summary(engine, "2025-09")
    report = monthly.gather(engine, "2025-09")
    counted = re.search(r"rows received (\d+) = loaded (\d+) \+ quarantined (\d+) \+ duplicate (\d+)", text).groups()
    expected = [report.totals[k] for k in ("received", "loaded", "quarantined", "duplicate")]
    assert [int(n) for n in counted] == expected and expected[0] > 0
    assert text.startswith("2025-09: files received in the month"), "the summary names the month it counts"
    with engine.connect() as conn:
        every_row = conn.execute(sa.text("SELECT sum(received) FROM quality.batch_accounting")).scalar()
    assert every_row > expected[0], "rows of files received in 2025-10 are not 2025-09's"

    capsys.readouterr()
    said = demo._export(engine, dt.date(2025, 10, 12))
    out = capsys.readouterr().out
    assert "警告：未推送到省级平台" in out and "CITYCREDIT_PROVINCE_URL" in out
    outbox = Path(paths.data_path("outbox"))
    assert said.endswith("new export batches") and list(outbox.rglob("*.csv"))
    assert demo._export(engine, dt.date(2025, 10, 12)) == "nothing new to export", "a second run sends nothing"
