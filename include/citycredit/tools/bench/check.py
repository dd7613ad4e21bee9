"""The self-check figures: ``citycredit check`` on a bench file, as a department would run it; and on a 1-row file,
against ``python -c "import pandas"`` (what any check costs before it reads a byte)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from citycredit.tools.bench.files import DATASET

SMALL_CHECK_RUNS = 5  # fresh processes of each kind, alternating, so that a busy moment of a shared machine hits both


def run_check(path: Path) -> dict:
    """``citycredit check`` on the file in a new process (JSON output discarded), reported on its day of receipt in
    the city's time zone."""
    from citycredit.core import city

    received = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).astimezone(city.timezone()).date()
    command = [sys.executable, "-m", "citycredit.cli", "check", str(path), "--dataset", DATASET]
    command += ["--reported-on", received.isoformat(), "--json"]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None  # stderr=PIPE; read here, not by communicate(): wait4 must reap the child
    stderr = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 0: no error, 1: errors found; anything else: the check did not run
        return {"seconds": None, "missing": f"citycredit check exited {code}: {stderr.strip()[-500:]}"}
    return {"seconds": elapsed, "exit_code": code, "peak_rss_bytes": usage.ru_maxrss * 1024}


def run_small_check(folder: Path, runs: int = SMALL_CHECK_RUNS) -> dict:
    """``citycredit check`` of a generated 1-row file and ``python -c "import pandas"``, each in ``runs`` fresh
    processes, alternating; the median seconds of each (and every run's)."""
    from citycredit.tools.demo.feeds import write_large_csv

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{DATASET}_1.csv"
    write_large_csv(path, DATASET, 1)
    checks: list[float] = []
    imports: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import pandas"], check=True)
        imports.append(time.perf_counter() - start)
        check = run_check(path)
        if check["seconds"] is None:
            return {"check_seconds": None, "missing": check["missing"]}
        checks.append(check["seconds"])
    return {
        "check_seconds": statistics.median(checks),
        "import_pandas_seconds": statistics.median(imports),
        "check_runs": checks,
        "import_pandas_runs": imports,
    }
