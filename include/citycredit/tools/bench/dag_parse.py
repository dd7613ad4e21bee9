"""The DAG parse figure: how long each DAG file takes to import, in fresh interpreters."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from citycredit.core import paths

_DAG_PARSE = """
import json, runpy, sys, time
t0 = time.perf_counter()
import airflow.sdk
t1 = time.perf_counter()
runpy.run_path(sys.argv[1])
t2 = time.perf_counter()
print(json.dumps({"airflow_sdk": t1 - t0, "dag": t2 - t1}))
"""


def run_dag_parse(runs: int) -> dict:
    """Per DAG file, the median over ``runs`` fresh interpreters of the time ``runpy.run_path(dag)`` takes after
    ``import airflow.sdk`` (and of that import itself)."""
    from citycredit.core import airflow_env

    env = airflow_env.environment()
    result = {}
    for dag in sorted(paths.DAGS_DIR.glob("*.py")):
        samples = []
        for _ in range(runs):
            proc = subprocess.run(
                [sys.executable, "-c", _DAG_PARSE, str(dag)], env=env, capture_output=True, text=True, check=False
            )
            if proc.returncode != 0:
                raise RuntimeError(f"{dag.name} does not import:\n{proc.stderr[-3000:]}")
            samples.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        result[dag.stem] = {
            "seconds": statistics.median(s["dag"] for s in samples),
            "airflow_sdk_seconds": statistics.median(s["airflow_sdk"] for s in samples),
            "runs": runs,
        }
    return result
