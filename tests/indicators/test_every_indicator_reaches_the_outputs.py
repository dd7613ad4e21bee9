"""Every indicator value the mart holds for a month reaches every output that lists the indicator (issue #19).

The quality report, the 反馈表 and the department feedback read a month's values under dataset 'all'; an indicator
whose SQL wrote its values under another dataset only (serious_list_exit_rate did, as 'credit_list') was computed
and then shown as 本月无数据. A month of every file feed the sample departments deliver (the first delivery of each),
taken through the ingest's task bodies into a real PostgreSQL warehouse, then computed.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from citycredit.core import paths
from citycredit.feeds import registry
from citycredit.indicators import compute, definitions
from citycredit.publish import indicator_form
from citycredit.tasks import ingest
from citycredit.tools.demo.feeds import generate_feeds

pytestmark = pytest.mark.db


@pytest.fixture
def september(engine):
    delivered = generate_feeds(paths.data_path("landing", "inbox"), month="2025-09", records_per_feed=20)
    first = {f.feed_id: f for f in reversed(delivered)}
    for f in delivered:
        if f is not first[f.feed_id]:
            f.path.unlink()
    for feed in registry.load().feeds:
        if feed.id in first:
            for batch in ingest.land_feed(feed.id):
                ingest.load_batch(ingest.validate_batch(ingest.normalize_batch(batch)))
    compute.compute_month(engine, "2025-09")
    return engine


def test_every_value_of_the_month_reaches_the_outputs(september):
    with september.connect() as conn:
        held = conn.execute(
            sa.text(
                "SELECT indicator, scope, scope_id, array_agg(DISTINCT dataset) AS datasets,"
                " bool_or(value IS NOT NULL) AS valued FROM mart.indicator_values WHERE month = '2025-09-01'"
                " GROUP BY 1, 2, 3"
            )
        ).all()
    assert {r.indicator for r in held} >= {"shuanggongshi_accuracy", "serious_list_exit_rate", "uscc_error_rate"}
    # the outputs read dataset 'all': every indicator, city and department, has its values there too
    assert [r for r in held if "all" not in r.datasets] == []

    valued = {r.indicator for r in held if r.scope == "city" and r.valued}
    listed = [(item["number"], ind) for item in indicator_form.form()["items"] for ind in item.get("indicators", ())]
    shown = {
        (line["no"], line["name"]): line["how"] for line in indicator_form.rows(september, "2025-09") if line["name"]
    }
    expected = [(no, definitions.definition(ind).name) for no, ind in listed if ind in valued]
    assert len(expected) >= 8, "the month has values of most indicators the form lists"
    assert {key: shown[key] for key in expected if shown[key] != indicator_form.PREFILLED} == {}
