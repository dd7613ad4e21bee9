"""What every DAG's tasks share: the warehouse made ready, and what a run was asked for."""

from __future__ import annotations

import logging
from datetime import datetime

from citycredit.core import migrations, warehouse

log = logging.getLogger(__name__)


def prepare_warehouse() -> str:
    """Every pending migration applied; the warehouse's description (no password) for the task log."""
    engine = warehouse.engine()
    applied = migrations.upgrade(engine)
    log.info("warehouse %s ready; %s migrations applied now", warehouse.describe(str(engine.url)), len(applied))
    return warehouse.describe(str(engine.url))


def requested(key: str) -> str | None:
    """What the running DAG run asks for under ``key``: its conf (a manual trigger), else its params."""
    from airflow.sdk import get_current_context

    context = get_current_context()
    return (context["dag_run"].conf or {}).get(key) or context["params"].get(key)


def run_after() -> datetime:
    """The instant the running DAG run was due (Airflow 3's ``run_after``)."""
    from airflow.sdk import get_current_context

    return get_current_context()["dag_run"].run_after


def started_by_asset() -> bool:
    """Whether an asset event started the running DAG run (for the ingest: a file drop)."""
    from airflow.sdk import get_current_context

    return str(get_current_context()["dag_run"].run_type) == "asset_triggered"
