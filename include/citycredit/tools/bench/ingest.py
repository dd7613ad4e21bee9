"""The ingest figures: one file through the DAG's task bodies in a child process, and what it is measured against,
a bare COPY of the file (the floor of any load) and its loaded rows written once more into core (this design's)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from citycredit.tools.bench.files import DATASET


def copy_seconds(url: str, path: Path, columns: int) -> float:
    """A bare COPY of the CSV file into an UNLOGGED table of ``columns`` text columns: the floor of any load.

    The faster of two runs: the first may read the file from disk, while the ingest reads it after landing has
    hashed it, from the page cache."""
    from citycredit.core import warehouse

    engine = warehouse.engine(url)
    with engine.begin() as conn:
        cols = ", ".join(f"c{i} text" for i in range(columns))
        conn.execute(sa.text(f"CREATE UNLOGGED TABLE bench_copy ({cols})"))
    raw = engine.raw_connection()
    times = []
    try:
        cursor = raw.cursor()
        for _ in range(2):
            start = time.perf_counter()
            with path.open("rb") as fh:
                cursor.copy_expert("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)", fh)
            raw.commit()
            times.append(time.perf_counter() - start)
            cursor.execute("TRUNCATE bench_copy")
            raw.commit()
        cursor.execute("DROP TABLE bench_copy")
        raw.commit()
    finally:
        raw.close()
    return min(times)


# The indexes only the subject report and the 核查 read (migration 0026): the bench shows their share of the floor.
LOOKUP_INDEXES = tuple(f"{DATASET}_{suffix}" for suffix in ("subject_code", "subject_id", "name_key"))


def index_definitions(conn: sa.Connection, table: str) -> dict[str, str]:
    """The indexes of ``table`` (schema-qualified): name -> ``CREATE INDEX`` statement (``pg_get_indexdef``)."""
    schema, name = table.split(".")
    rows = conn.execute(
        sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = :s AND tablename = :t"),
        {"s": schema, "t": name},
    )
    return dict(rows.tuples().all())


def core_copy(conn: sa.Connection, table: str, leave_out: tuple[str, ...]) -> None:
    """An empty ``bench_core`` like ``table``, with every index of it but those named in ``leave_out``."""
    conn.execute(sa.text(f"CREATE TABLE bench_core (LIKE {table} INCLUDING ALL EXCLUDING INDEXES)"))
    indexes = index_definitions(conn, table)
    if missing := set(leave_out) - indexes.keys():
        raise LookupError(f"{table} has no index {', '.join(sorted(missing))}")
    for index, definition in indexes.items():
        if index not in leave_out:
            conn.execute(sa.text(definition.replace(f" {index} ON {table} ", " ON bench_core ", 1)))


def core_insert_seconds(url: str, table: str, leave_out: tuple[str, ...] = ()) -> float:
    """The ingest's loaded rows written once more, as they are, into a copy of their core table with its indexes
    but those named in ``leave_out``: no casts, joins or checks, the least that writing them into core costs. Run
    after the ingest, on its database.

    With a COPY into staging before it, that is the floor of this design's load (docs/architecture.md: COPY into
    staging, then merge), whatever normalization, validation and the load's other steps add. Like the COPY, the
    faster of two runs, each after a checkpoint, so that the ingest's own writes are not flushed while it runs."""
    from citycredit.core import warehouse

    engine = warehouse.engine(url)
    with engine.begin() as conn:
        core_copy(conn, table, leave_out)
    times = []
    for _ in range(2):
        with engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE bench_core"))
            conn.execute(sa.text("CHECKPOINT"))
        with engine.begin() as conn:
            start = time.perf_counter()
            conn.execute(sa.text(f"INSERT INTO bench_core SELECT * FROM {table}"))
            times.append(time.perf_counter() - start)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE bench_core"))
    return min(times)


def _peak_kib() -> int:
    """VmHWM of this process (KiB), then reset it, so each stage shows its own peak."""
    status = Path("/proc/self/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+)", status)
    if found is None:
        raise RuntimeError("no VmHWM in /proc/self/status: peak memory is measured on Linux only")
    peak = int(found.group(1))
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return peak


def ingest_child(path: Path, feed_id: str) -> dict:
    """Land one file from the feed's inbox and take its batch through the DAG's task bodies, stage by stage."""
    from citycredit.feeds import landing, registry
    from citycredit.tasks import ingest

    feed = registry.load().feed(feed_id)
    inbox = landing.inbox(feed)
    delivered = inbox / path.name
    try:
        os.link(path, delivered)
    except OSError:
        shutil.copy2(path, delivered)
    seconds, peaks = {}, {}
    _peak_kib()
    start = time.perf_counter()
    (batch_id,) = ingest.land_feed(feed_id)
    seconds["land"], peaks["land"] = time.perf_counter() - start, _peak_kib()
    for stage, task in (
        ("normalize", ingest.normalize_batch),
        ("validate", ingest.validate_batch),
        ("load", ingest.load_batch),
    ):
        start = time.perf_counter()
        result = task(batch_id)
        seconds[stage], peaks[stage] = time.perf_counter() - start, _peak_kib()
    return {"batch_id": batch_id, "seconds": seconds, "peak_kib": peaks, "accounting": result}


def child_result(module_args: list[str], out: Path, what: str, env: dict[str, str] | None = None):
    """Run ``python -m <module_args>``, a child that writes its result as JSON to `out`: the result, the child's wall
    seconds and its peak RSS in bytes (ru_maxrss); RuntimeError with its stderr's tail when it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", *module_args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip
    assert proc.stderr is not None  # stderr=PIPE; read here, not by communicate(): wait4 must reap the child
    stderr = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{what} failed (exit {code}):\n{stderr[-3000:]}")
    return json.loads(out.read_text()), elapsed, usage.ru_maxrss * 1024


def run_ingest(url: str, path: Path, workdir: Path) -> dict:
    """``ingest_child`` in a child process (the package's ``__main__``); adds its peak RSS and the total time of
    the stages."""
    from citycredit.feeds import registry

    feed = next(f for f in registry.load().feeds if f.kind == "file" and f.dataset == DATASET)
    home = workdir / f"home-{path.stem}"
    env = {**os.environ, "CITYCREDIT_WAREHOUSE_URL": url, "CITYCREDIT_HOME": str(home)}
    out = workdir / f"ingest-{path.stem}.json"
    try:
        result, _, peak = child_result(["citycredit.tools.bench", str(path), feed.id, str(out)], out,
                                       f"ingest of {path.name}", env)  # fmt: skip
    finally:
        shutil.rmtree(home, ignore_errors=True)
    result["total_seconds"] = sum(result["seconds"].values())
    # The child resets its high-water mark after each stage (so that each stage shows its own peak), and that
    # resets what ru_maxrss reports too: the process's peak is the largest of the stages' peaks.
    result["peak_rss_bytes"] = max(peak, *(kib * 1024 for kib in result["peak_kib"].values()))
    return result
