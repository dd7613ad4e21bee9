"""A small delivery through the ingest as Airflow runs it (issue #21: a city sends deliveries of tens to thousands of
rows, and feels each one's delay, not bulk speed): a generated 10-row 行政处罚 file dropped in its feed's inbox,
then taken to the warehouse by the task body that lands it (``tasks.ingest.land_feed_through``: a batch of at most
``SMALL_BATCH_BYTES`` is normalized, validated and loaded in the landing task's process), in a fresh process as
Airflow starts one per task; against ``python -c "import pandas"`` in the same run, alternating."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from citycredit.tools.bench.database import bench_database
from citycredit.tools.bench.files import DATASET

DELIVERY_ROWS = 10
TASK = "land_feed_through"  # the one task body a small delivery goes through


def _timed(code: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{code!r} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout.strip()


def _one_delivery(url: str, path: Path, home: Path) -> tuple[float, dict]:
    """Seconds of the task body, in its own process, for `path` delivered to a fresh data directory; and the
    load's accounting."""
    from citycredit.core import paths, warehouse
    from citycredit.feeds import landing, registry
    from citycredit.load import merge

    feed = next(f for f in registry.load().feeds if f.kind == "file" and f.dataset == DATASET and not f.schedule)
    inbox = home / landing.inbox(feed).relative_to(paths.home())
    inbox.mkdir(parents=True)
    shutil.copy2(path, inbox / path.name)
    env = {**os.environ, "CITYCREDIT_WAREHOUSE_URL": url, "CITYCREDIT_HOME": str(home)}
    code = f"import json; from citycredit.tasks import ingest; print(json.dumps(ingest.{TASK}({feed.id!r})))"
    seconds, printed = _timed(code, env)
    (batch_id,) = json.loads(printed)["loaded"]  # the one batch of the file, loaded by that task
    with warehouse.engine(url).connect() as conn:
        accounting = merge.accounting(conn, batch_id)
    assert accounting is not None, f"batch {batch_id} has no accounting"
    return seconds, accounting.__dict__


def run_small_delivery(base_url: str, database: str, folder: Path, runs: int) -> dict:
    """The median seconds of the task process and of ``import pandas`` over `runs` deliveries, each into a fresh
    database."""
    from citycredit.tools.demo.feeds import write_large_csv

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{DATASET}_{DELIVERY_ROWS}.csv"
    write_large_csv(path, DATASET, DELIVERY_ROWS)
    imports, deliveries = [], []
    for i in range(runs):
        imports.append(_timed("import pandas")[0])
        with bench_database(base_url, database) as url:
            seconds, accounting = _one_delivery(url, path, folder / f"home-{i}")
        deliveries.append(seconds)
    return {
        "rows": DELIVERY_ROWS,
        "accounting": accounting,
        "task": TASK,
        "seconds": statistics.median(deliveries),
        "import_pandas_seconds": statistics.median(imports),
        "runs": deliveries,
    }
