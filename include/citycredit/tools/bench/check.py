"""The self-check figure: ``citycredit check`` on a bench file, as a department would run it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from citycredit.tools.bench.files import DATASET


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
