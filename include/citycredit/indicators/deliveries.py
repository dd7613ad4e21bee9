"""What counts as a department having reported: the one statement the deadline watch and the scorecard share."""

from __future__ import annotations

from citycredit.feeds import registry
from citycredit.indicators.definitions import INDICATORS_DIR, sql_file
from citycredit.load import creditlists

REPORTED_SQL = INDICATORS_DIR / "reported_deliveries.sql"


def reported(columns: str, where: str) -> str:
    """``SELECT <columns> FROM`` the reported deliveries ``WHERE <where>``; bind ``params()`` with it."""
    return f"SELECT {columns} FROM ({sql_file(REPORTED_SQL)}) reported WHERE {where}"


def params() -> dict:
    """The feeds that deliver whole snapshots (their unchanged rows count as reported)."""
    feeds = (f.id for d in registry.load().departments for f in d.feeds)
    return {"snapshot_feeds": [f for f in feeds if creditlists.feed_mode(f) == creditlists.SNAPSHOT]}
