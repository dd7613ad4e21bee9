"""``citycredit bench``: speed, memory and scale of the pipeline on generated feeds (issue 9), in one run.

Figures, each against its goal:
1. ingest: a 行政处罚 file of ``rows`` rows through land → normalize → validate → load (the DAG's task bodies in
   citycredit.tasks.ingest), against a bare ``COPY`` of the same file into an UNLOGGED all-text table;
2. memory: the peak RSS of the ingest process for ``big_rows`` rows, and for ``rows`` (flat as files grow);
3. scaling: the ingest time of 4 × ``rows`` rows over that of ``rows`` rows;
4. self-check: ``citycredit check`` on the ``rows``-row file against the same COPY;
5. indicators: ``compute.compute_month`` for one month over a history of ``history_rows`` / 10 and of
   ``history_rows`` records built in the warehouse with set-based SQL (the same records a month: the month and
   its 12-month window are identical in both, only older months are added);
6. DAG parse: the import time of each DAG file beyond ``import airflow.sdk``.
Beside the ingest, the floor of this design (no goal): the COPY plus the ingest's loaded rows written once more into
a copy of their core table with its indexes (``core_insert_seconds``), against the COPY.
Each ingest runs in a child process (its peak RSS is what the pipeline needs) against a fresh database of its
own; everything happens in a database ``<warehouse database>_bench`` (``citycredit_bench`` for the embedded
warehouse) on the configured server, dropped at the end, so the warehouse's own data is never touched.
Results: a table on stdout and ``$CITYCREDIT_HOME/bench-results.json``. The machine may be shared with whatever
else runs on it: the load average is recorded with the figures.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from citycredit.core import paths

BENCH_SUFFIX = "_bench"  # the bench database is the configured one's name + this: citycredit_bench by default
RESULTS_FILE = "bench-results.json"
DATASET = "penalty"
SCALING_FACTOR = 4
GIB = 1024**3
MIB = 1024**2
QUICK = {"rows": 2_000, "big_rows": 5_000, "history_rows": 20_000, "dag_runs": 1}
HISTORY_GROWTH = 10  # the small indicator history holds history_rows / HISTORY_GROWTH records
FULL = {"rows": 1_000_000, "big_rows": 5_000_000, "history_rows": 10_000_000, "dag_runs": 5}
HISTORY_MONTHS_SMALL = 20  # the small history spans this many months; the large one the same rows a month, longer
TARGET_MONTH = "2025-09"
STAGES = ("land", "normalize", "validate", "load")


@dataclass(frozen=True)
class Figure:
    id: str
    label: str
    value: float | None
    unit: str
    goal: float | None = None  # the value must be at most this
    note: str | None = None

    @property
    def passed(self) -> bool | None:
        if self.goal is None or self.value is None:
            return None
        return self.value <= self.goal


# --- the bench database --------------------------------------------------------------------------------------


@contextlib.contextmanager
def bench_database(base_url: str, name: str):
    """A fresh, migrated database ``name`` on the server of ``base_url``; dropped on leaving."""
    from citycredit.core import migrations, warehouse

    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    url = sa.engine.make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        migrations.upgrade(warehouse.engine(url))
        yield url
    finally:
        warehouse.engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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


def core_insert_seconds(url: str, table: str) -> float:
    """The ingest's loaded rows written once more, as they are, into a copy of their core table with its indexes:
    no casts, joins or checks, the least that writing them into core costs. Run after the ingest, on its database.

    With a COPY into staging before it, that is the floor of this design's load (design.md: COPY into staging,
    then merge), whatever normalization, validation and the load's other steps add. Like the COPY, the faster of two
    runs, each after a checkpoint, so that the ingest's own writes are not flushed while it runs."""
    from citycredit.core import warehouse

    engine = warehouse.engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE bench_core (LIKE {table} INCLUDING ALL)"))
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


# --- files ---------------------------------------------------------------------------------------------------


def write_files(folder: Path, sizes: list[int]) -> dict[int, Path]:
    """Benchmark files of each size: the largest generated, the others its first rows (the generator writes
    one line per row), all with the largest one's time of receipt."""
    from citycredit.tools import demo_data

    folder.mkdir(parents=True, exist_ok=True)
    largest = max(sizes)
    source = folder / f"{DATASET}_{largest}.csv"
    demo_data.write_large_csv(source, DATASET, largest)
    files = {largest: source}
    for size in sorted(set(sizes) - {largest}):
        target = folder / f"{DATASET}_{size}.csv"
        with source.open("rb") as src, target.open("wb") as dst:
            for _ in range(size + 1):
                dst.write(src.readline())
        shutil.copystat(source, target)
        files[size] = target
    return files


# --- one ingest, in a child process --------------------------------------------------------------------------


def _peak_kib() -> int:
    """VmHWM of this process (KiB), then reset it, so each stage shows its own peak."""
    status = Path("/proc/self/status").read_text()
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
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


def run_ingest(url: str, path: Path, workdir: Path) -> dict:
    """``ingest_child`` in a child process; adds its peak RSS and the total time of the stages."""
    from citycredit.feeds import registry

    feed = next(f for f in registry.load().feeds if f.kind == "file" and f.dataset == DATASET)
    home = workdir / f"home-{path.stem}"
    env = {**os.environ, "CITYCREDIT_WAREHOUSE_URL": url, "CITYCREDIT_HOME": str(home)}
    out = workdir / f"ingest-{path.stem}.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "citycredit.tools.bench", str(path), feed.id, str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stderr = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    shutil.rmtree(home, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError(f"ingest of {path.name} failed (exit {proc.returncode}):\n{stderr[-3000:]}")
    result = json.loads(out.read_text())
    result["total_seconds"] = sum(result["seconds"].values())
    # The child resets its high-water mark after each stage (so that each stage shows its own peak), and that
    # resets what ru_maxrss reports too: the process's peak is the largest of the stages' peaks.
    result["peak_rss_bytes"] = max(usage.ru_maxrss, *result["peak_kib"].values()) * 1024
    return result


# --- self-check ----------------------------------------------------------------------------------------------


def run_check(path: Path) -> dict:
    """``citycredit check`` on the file as a department would run it (a new process, JSON output discarded)."""
    received = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    command = [sys.executable, "-m", "citycredit.cli", "check", str(path), "--dataset", DATASET]
    command += ["--reported-on", received.isoformat(), "--json"]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 0: no error, 1: errors found; anything else: the check did not run
        return {"seconds": None, "missing": f"citycredit check exited {code}: {stderr.strip()[-500:]}"}
    return {"seconds": elapsed, "exit_code": code, "peak_rss_bytes": usage.ru_maxrss * 1024}


# --- indicators over a history built in the warehouse --------------------------------------------------------

# The 双公示 feeds of the registry, numbered; a history month holds one batch per feed.
_HISTORY_FEEDS = "CREATE TABLE bench_feeds (n int, feed_id text, department_id text, dataset text, uscc text)"
_HISTORY_BATCHES = """
INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes, stored_path,
    received_at, status)
SELECT f.department_id, f.feed_id, f.dataset, format('bench-%s-%s.csv', m, f.feed_id), md5(m || f.feed_id), 0,
       'bench', (CAST(:target AS date) - make_interval(months => m) + make_interval(days => 4 + f.n, hours => 9))
       AT TIME ZONE 'Asia/Shanghai', 'loaded'
FROM generate_series(:m_from, :m_to - 1) m CROSS JOIN bench_feeds f
"""
# The rows of the new batches: subjects drawn from a pool (so codes and names repeat across months), ~3 % with an
# error (quarantined), ~9 % late, ~2 % of the codes failing their check.
_HISTORY_ROWS = """
CREATE UNLOGGED TABLE bench_rows AS
SELECT b.batch_id, b.department_id, b.dataset, f.uscc AS source_code, j AS source_row,
       (b.received_at AT TIME ZONE 'Asia/Shanghai')::date AS reported_on,
       s, CASE WHEN s % 10 < 5 THEN '法人及非法人组织' WHEN s % 10 < 8 THEN '个体工商户' ELSE '自然人' END AS kind,
       CASE WHEN s % 10 < 8 THEN '9141040' || lpad(upper(to_hex(s)), 10, '0') || (s % 10)::text END AS code,
       CASE WHEN s % 10 >= 8 THEN '410402' || lpad((s::bigint * 7919 % 100000000000)::text, 12, '0') END AS id_number,
       '平顶山市' || CASE WHEN s % 10 < 8 THEN '鑫华' || s || '商贸有限公司' ELSE '王' || s END AS name,
       format('平罚〔%s〕%s-%s号', extract(year FROM b.received_at)::int, b.batch_id, j) AS document_no,
       (b.received_at AT TIME ZONE 'Asia/Shanghai')::date - (j % 25) AS decided,
       j % 33 = 0 AS has_error, j % 11 = 0 AS late, s % 50 = 0 AS bad_code
FROM landing.batches b JOIN bench_feeds f USING (feed_id)
CROSS JOIN LATERAL generate_series(1, :per_batch) j
CROSS JOIN LATERAL (SELECT (hashtext(b.batch_id || '-' || j) & 2147483647) % :subjects AS s) p
WHERE b.batch_id > :after_batch
"""
_HISTORY_CORE = {
    "license": """
INSERT INTO core.license (department_id, batch_id, source_row, reported_on, subject_key, content_hash, version,
    is_current, xk_xdr_mc, xk_xdr_lb, xk_xdr_shxym, xk_xdr_zjhm, xk_xkws, xk_wsh, xk_xklb, xk_nr, xk_jdrq, xk_yxqz,
    xk_yxqzi, xk_xkjg, xk_xkjgdm, xk_lydw, xk_lydwdm)
SELECT department_id, batch_id, source_row, reported_on, COALESCE(code, id_number), md5(document_no), 1, true,
       name, kind, code, id_number, '许可决定书', document_no, '普通', '准予许可', decided, decided, decided + 1095,
       '平顶山市', source_code, '平顶山市', source_code
FROM bench_rows WHERE dataset = 'license' AND NOT has_error
""",
    "penalty": """
INSERT INTO core.penalty (department_id, batch_id, source_row, reported_on, subject_key, content_hash, version,
    is_current, cf_xdr_mc, cf_xdr_lb, cf_xdr_shxym, cf_xdr_zjhm, cf_wsh, cf_wfxw, cf_sy, cf_yj, cf_cflb, cf_nr,
    cf_nr_fk, cf_jdrq, cf_yxq, cf_gsjzq, cf_cfjg, cf_cfjgdm, cf_sjly, cf_sjlydm)
SELECT department_id, batch_id, source_row, reported_on, COALESCE(code, id_number), md5(document_no), 1, true,
       name, kind, code, id_number, document_no, '违法行为', '经查，当事人违法。', '依据有关规定', '罚款', '罚款',
       0.5, decided, decided + 365, decided + 1095, '平顶山市', source_code, '平顶山市', source_code
FROM bench_rows WHERE dataset = 'penalty' AND NOT has_error
""",
}
_HISTORY_REST = [
    """
INSERT INTO quality.quarantine (batch_id, source_row, dataset, row_data, rule_ids)
SELECT batch_id, source_row, dataset,
       jsonb_build_object(CASE dataset WHEN 'license' THEN 'xk_xdr_mc' ELSE 'cf_xdr_mc' END, name,
                          CASE dataset WHEN 'license' THEN 'xk_wsh' ELSE 'cf_wsh' END, document_no,
                          'reported_on', reported_on),
       ARRAY['BENCH-REQUIRED']
FROM bench_rows WHERE has_error
""",
    """
INSERT INTO quality.findings (batch_id, source_row, dataset, rule_id, field, label, category, severity, message)
SELECT batch_id, source_row, dataset, :late_rule, NULL, NULL, 'timeliness', 'warning', '超过7个工作日报送'
FROM bench_rows WHERE late
UNION ALL
SELECT batch_id, source_row, dataset, 'BENCH-REQUIRED', NULL, NULL, 'required', 'error', '必填项为空'
FROM bench_rows WHERE has_error
""",
    """
INSERT INTO quality.uscc_observations (batch_id, source_row, dataset, department_id, reported_on, code,
    subject_name, name_key, code_valid, loaded)
SELECT batch_id, source_row, dataset, department_id, reported_on, code, name, name, NOT bad_code, NOT has_error
FROM bench_rows WHERE code IS NOT NULL
""",
    """
INSERT INTO landing.deliveries (department_id, feed_id, dataset, source_name, sha256, size_bytes, received_at,
    outcome, batch_id)
SELECT department_id, feed_id, dataset, source_name, sha256, 0, received_at, 'new', batch_id
FROM landing.batches WHERE batch_id > :after_batch
""",
    """
INSERT INTO quality.batch_accounting (batch_id, received, loaded, quarantined, duplicate, revised, with_warnings)
SELECT batch_id, count(*), count(*) FILTER (WHERE NOT has_error), count(*) FILTER (WHERE has_error), 0, 0,
       count(*) FILTER (WHERE late AND NOT has_error)
FROM bench_rows GROUP BY batch_id
""",
    "DROP TABLE bench_rows",
]


def extend_history(engine: sa.Engine, m_from: int, m_to: int, per_month: int) -> int:
    """Add history months ``m_from`` … ``m_to - 1`` before TARGET_MONTH (0 is TARGET_MONTH itself), each with
    ``per_month`` 双公示 records over one batch per feed, with their deliveries, quarantine, findings, code
    observations and accounting. Returns the number of records added."""
    from citycredit.core.months import month_start
    from citycredit.feeds import registry
    from citycredit.indicators import definitions

    feeds = [f for f in registry.load().feeds if f.dataset in ("license", "penalty")]
    per_batch = max(per_month // len(feeds), 1)
    late_rule = definitions.timeliness_rules()[0][0]
    with engine.begin() as conn:
        if not conn.execute(sa.text("SELECT to_regclass('bench_feeds')")).scalar():
            conn.execute(sa.text(_HISTORY_FEEDS))
            conn.execute(
                sa.text("INSERT INTO bench_feeds VALUES (:n, :feed_id, :department_id, :dataset, :uscc)"),
                [
                    {"n": n, "feed_id": f.id, "department_id": f.department_id, "dataset": f.dataset,
                     "uscc": f.department_uscc}
                    for n, f in enumerate(feeds)
                ],
            )  # fmt: skip
        after = conn.execute(sa.text("SELECT COALESCE(max(batch_id), 0) FROM landing.batches")).scalar_one()
        params = {
            "target": month_start(TARGET_MONTH),
            "m_from": m_from,
            "m_to": m_to,
            "after_batch": after,
            "per_batch": per_batch,
            "subjects": max(per_month * HISTORY_MONTHS_SMALL // 3, 10),
            "late_rule": late_rule,
        }
        conn.execute(sa.text(_HISTORY_BATCHES), params)
        conn.execute(sa.text(_HISTORY_ROWS), params)
        for sql in [*_HISTORY_CORE.values(), *_HISTORY_REST]:
            conn.execute(sa.text(sql), params)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    return (m_to - m_from) * per_batch * len(feeds)


def time_indicators(engine: sa.Engine, runs: int) -> float:
    """The median time of compute_month for TARGET_MONTH over ``runs`` runs."""
    from citycredit.indicators import compute

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        compute.compute_month(engine, TARGET_MONTH)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_indicators(url: str, small: int, large: int, runs: int) -> dict:
    """compute_month over ``small`` history records, then over ``large`` (older months added; the same
    records a month, so the month itself and its 12-month window are identical in both)."""
    from citycredit.core import warehouse

    engine = warehouse.engine(url)
    per_month = max(small // HISTORY_MONTHS_SMALL, 1)
    months_large = max(large // per_month, HISTORY_MONTHS_SMALL)
    start = time.perf_counter()
    rows_small = extend_history(engine, 0, HISTORY_MONTHS_SMALL, per_month)
    build_small = time.perf_counter() - start
    small_seconds = time_indicators(engine, runs)
    start = time.perf_counter()
    rows_large = rows_small + extend_history(engine, HISTORY_MONTHS_SMALL, months_large, per_month)
    build_large = time.perf_counter() - start
    large_seconds = time_indicators(engine, runs)
    return {
        "month": TARGET_MONTH,
        "records_per_month": per_month,
        "small": {"records": rows_small, "months": HISTORY_MONTHS_SMALL, "seconds": small_seconds,
                  "build_seconds": build_small},
        "large": {"records": rows_large, "months": months_large, "seconds": large_seconds,
                  "build_seconds": build_large},
        "runs": runs,
    }  # fmt: skip


# --- DAG parse -----------------------------------------------------------------------------------------------

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


# --- the whole run -------------------------------------------------------------------------------------------


def machine(url: str) -> dict:
    from citycredit.core import warehouse

    def first(path: str, pattern: str) -> str | None:
        with contextlib.suppress(OSError):
            match = re.search(pattern, Path(path).read_text(), re.MULTILINE)
            return match.group(1).strip() if match else None
        return None

    mem_kib = first("/proc/meminfo", r"^MemTotal:\s+(\d+)")
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


def figures(r: dict) -> list[Figure]:
    ingest, big, scaled = r["ingest"], r["memory"], r["scaling"]
    n = ingest["rows"]
    result = [
        Figure("ingest_ratio", f"ingest {n:,} rows / COPY", ingest["total_seconds"] / ingest["copy_seconds"], "×", 3),
        Figure("ingest_seconds", f"ingest {n:,} rows", ingest["total_seconds"], "s"),
        Figure("copy_seconds", f"COPY {n:,} rows", ingest["copy_seconds"], "s"),
        Figure(
            "floor_ratio",
            "(COPY + core insert alone) / COPY",
            1 + ingest["core_insert_seconds"] / ingest["copy_seconds"],
            "×",
            note="the least this design's ingest costs",
        ),
        Figure("core_insert_seconds", "  core insert alone", ingest["core_insert_seconds"], "s"),
        *(Figure(f"{s}_seconds", f"  {s}", ingest["seconds"][s], "s") for s in STAGES),
        Figure("peak_rss_big", f"peak RSS, {big['rows']:,} rows", big["peak_rss_bytes"] / GIB, "GiB", 1.5),
        Figure("peak_rss_small", f"peak RSS, {n:,} rows", ingest["peak_rss_bytes"] / GIB, "GiB"),
        Figure(
            "scaling_ratio",
            f"time {scaled['rows']:,} / {n:,} rows",
            scaled["total_seconds"] / ingest["total_seconds"],
            "×",
            4.4,
        ),
    ]
    check = r["check"]
    ratio = check["seconds"] / ingest["copy_seconds"] if check.get("seconds") else None
    result += [
        Figure("check_ratio", f"citycredit check {n:,} rows / COPY", ratio, "×", note=check.get("missing")),
        Figure("check_seconds", f"citycredit check {n:,} rows", check.get("seconds"), "s", note=check.get("missing")),
    ]
    ind = r["indicators"]
    result += [
        Figure(
            "indicators_ratio",
            f"month over {ind['large']['records']:,} / {ind['small']['records']:,} records",
            ind["large"]["seconds"] / ind["small"]["seconds"],
            "×",
            1.5,
        ),
        Figure("indicators_small_seconds", f"month over {ind['small']['records']:,}", ind["small"]["seconds"], "s"),
        Figure("indicators_large_seconds", f"month over {ind['large']['records']:,}", ind["large"]["seconds"], "s"),
    ]
    result += [Figure(f"dag_parse_{d}", f"parse {d}.py", v["seconds"], "s", 0.5) for d, v in r["dag_parse"].items()]
    return result


def run(rows: int, big_rows: int, history_rows: int, *, dag_runs: int = 5) -> dict:
    """Every figure; see the module docstring. Writes nothing but its scratch folder (removed) and the results."""
    from citycredit.core import warehouse

    base_url = warehouse.resolve_url()
    database = sa.engine.make_url(base_url).database + BENCH_SUFFIX
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
            copy = copy_seconds(url, files[rows], columns)
            detail["ingest"] = {"rows": rows, "copy_seconds": copy, **run_ingest(url, files[rows], workdir)}
            detail["ingest"]["core_insert_seconds"] = core_insert_seconds(url, f"core.{DATASET}")
        for key, size in (("scaling", SCALING_FACTOR * rows), ("memory", big_rows)):
            with bench_database(base_url, database) as url:
                detail[key] = {"rows": size, **run_ingest(url, files[size], workdir)}
        detail["check"] = {"rows": rows, **run_check(files[rows])}
        with bench_database(base_url, database) as url:
            detail["indicators"] = run_indicators(url, history_rows // HISTORY_GROWTH, history_rows, runs=3)
        detail["dag_parse"] = run_dag_parse(dag_runs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result = {
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "sizes": {"rows": rows, "big_rows": big_rows, "history_rows": history_rows},
        "machine": info,
        "load_average": {"start": list(load_start), "end": list(os.getloadavg())},
        "git": git_commit(),
        "warehouse": warehouse.describe(base_url),
        "figures": [],
        "details": detail,
    }
    result["figures"] = [{**asdict(f), "passed": f.passed} for f in figures(detail)]
    return result


if __name__ == "__main__":  # the ingest child: FILE FEED_ID OUTPUT_JSON
    _path, _feed, _out = sys.argv[1:4]
    Path(_out).write_text(json.dumps(ingest_child(Path(_path), _feed), default=str))
