"""A whole bench run: every figure, with the machine and the commit they were measured on."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import shutil
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import paths
from citycredit.tools.bench.check import run_check, run_small_check
from citycredit.tools.bench.dag_parse import run_dag_parse
from citycredit.tools.bench.database import bench_database, settle
from citycredit.tools.bench.delivery import run_small_delivery
from citycredit.tools.bench.figures import Figure, figures, small_check_figures
from citycredit.tools.bench.files import DATASET, write_files
from citycredit.tools.bench.indicators import HISTORY_GROWTH, run_indicators
from citycredit.tools.bench.ingest import LOOKUP_INDEXES, copy_seconds, core_insert_seconds, run_ingest
from citycredit.tools.bench.lookups import run_lookups
from citycredit.tools.bench.reference import pandas_gx_copy, sql_rules_merge

BENCH_SUFFIX = "_bench"  # the bench database is the configured one's name + this: citycredit_bench by default
RESULTS_FILE = "bench-results.json"
SMALL_CHECK_FILE = "bench-small-check.json"  # the results of ``citycredit bench --small-check`` alone
SCALING_FACTOR = 4
QUICK = {"rows": 2_000, "big_rows": 5_000, "history_rows": 20_000, "dag_runs": 1, "delivery_runs": 1}
FULL = {"rows": 1_000_000, "big_rows": 5_000_000, "history_rows": 10_000_000, "dag_runs": 5, "delivery_runs": 3}


def machine(url: str | None) -> dict:
    """The machine the figures were measured on; with the PostgreSQL version of ``url``, if given."""
    from citycredit.core import warehouse

    def first(path: str, pattern: str) -> str | None:
        with contextlib.suppress(OSError):
            match = re.search(pattern, Path(path).read_text(), re.MULTILINE)
            return match.group(1).strip() if match else None
        return None

    mem_kib = first("/proc/meminfo", r"^MemTotal:\s+(\d+)")
    pg = None
    if url is not None:
        with warehouse.engine(url).connect() as conn:
            pg = conn.execute(sa.text("SHOW server_version")).scalar_one()
    return {
        "cores": os.cpu_count(),
        "memory_bytes": int(mem_kib) * 1024 if mem_kib else None,
        "cpu_model": first("/proc/cpuinfo", r"^model name\s*:(.*)$") or platform.processor(),
        "python": platform.python_version(),
        "postgresql": pg,
        "platform": platform.platform(),
    }


def git_commit() -> dict:
    def git(*args: str) -> str | None:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            return subprocess.run(
                ["git", *args], cwd=paths.PROJECT_ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        return None

    status = git("status", "--porcelain")
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(status) if status is not None else None}


def run(rows: int, big_rows: int, history_rows: int, *, dag_runs: int = 5, delivery_runs: int = 3) -> dict:
    """Every figure; see the package docstring. Writes nothing but its scratch folder (removed) and the results."""
    from citycredit.core import warehouse

    base_url = warehouse.resolve_url()
    database = f"{sa.engine.make_url(base_url).database}{BENCH_SUFFIX}"
    workdir = paths.data_path("bench-work")
    load_start = os.getloadavg()
    started = datetime.now(UTC)
    detail: dict = {}
    try:
        files = write_files(workdir / "files", [rows, SCALING_FACTOR * rows, big_rows])
        os.sync()  # gigabytes just written: flushing them while the COPY runs would slow the baseline down
        columns = len(files[rows].open(encoding="utf-8").readline().split(","))
        with bench_database(base_url, database) as url:
            info = machine(url)
            # A server's first ingest creates the WAL files every later one recycles: run it once unmeasured, so that
            # the measured ingest and the references after it meet the same server.
            detail["first_ingest"] = {"rows": rows, **run_ingest(url, files[rows], workdir)}
        with bench_database(base_url, database) as url:
            copy = copy_seconds(url, files[rows], columns)
            settle(url)  # as before the ingest into the history, below
            detail["ingest"] = {"rows": rows, "copy_seconds": copy, **run_ingest(url, files[rows], workdir)}
            detail["ingest"]["core_insert_seconds"] = core_insert_seconds(url, f"core.{DATASET}")
            detail["ingest"]["core_insert_without_lookups_seconds"] = core_insert_seconds(
                url, f"core.{DATASET}", LOOKUP_INDEXES
            )
        detail["reference"] = {"rows": rows}
        for key, reference in (("gx", pandas_gx_copy), ("sql", sql_rules_merge)):
            with bench_database(base_url, database) as url:
                detail["reference"][key] = reference(url, files[rows], workdir)
        for key, size in (("scaling", SCALING_FACTOR * rows), ("memory", big_rows)):
            with bench_database(base_url, database) as url:
                # after the references' gigabytes, as the 1M-row ingest the 4M-row one is held to
                settle(url)
                detail[key] = {"rows": size, **run_ingest(url, files[size], workdir)}
        detail["check"] = {"rows": rows, **run_check(files[rows])}
        detail["small_check"] = run_small_check(workdir / "small")
        detail["small_delivery"] = run_small_delivery(base_url, database, workdir / "delivery", delivery_runs)
        with bench_database(base_url, database) as url:
            detail["indicators"] = run_indicators(url, history_rows // HISTORY_GROWTH, history_rows, runs=3)
            detail["lookups"] = run_lookups(url, history_rows)  # over the large history just built
            # What the lookup figures wrote into the settled history, flushed before the ingest rather than while
            # it runs (a warehouse's history was written long before its next delivery), as for the empty core.
            settle(url)
            # the same file as the first ingest, into the core that history fills
            detail["history_ingest"] = {"rows": rows, "core_records": detail["indicators"]["large"]["records"],
                                        **run_ingest(url, files[rows], workdir)}  # fmt: skip
        detail["dag_parse"] = run_dag_parse(dag_runs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sizes = {"rows": rows, "big_rows": big_rows, "history_rows": history_rows}
    extra = {"sizes": sizes, "warehouse": warehouse.describe(base_url)}
    return _result(started, load_start, info, figures(detail), detail, extra)


def run_small() -> dict:
    """Only the self-check of a 1-row file against ``import pandas`` (``citycredit bench --small-check``): no
    warehouse, a few seconds."""
    workdir = paths.data_path("bench-work")
    load_start = os.getloadavg()
    started = datetime.now(UTC)
    try:
        detail = {"small_check": run_small_check(workdir)}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return _result(started, load_start, machine(None), small_check_figures(detail["small_check"]), detail, {})


def _result(started, load_start, info: dict, measured: list[Figure], detail: dict, extra: dict) -> dict:
    return {
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        **extra,
        "machine": info,
        "load_average": {"start": list(load_start), "end": list(os.getloadavg())},
        "git": git_commit(),
        "figures": [{**asdict(f), "passed": f.passed} for f in measured],
        "details": detail,
    }
