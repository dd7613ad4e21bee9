"""The figures of a bench run, each against its goal where it has one."""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1024**3
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


def figures(r: dict) -> list[Figure]:
    ingest, big, scaled = r["ingest"], r["memory"], r["scaling"]
    n = ingest["rows"]
    result = [  # ingest ≤ 6× the COPY (issue #21; issue #9's 3× was below this design's floor, floor_ratio)
        Figure("ingest_ratio", f"ingest {n:,} rows / COPY", ingest["total_seconds"] / ingest["copy_seconds"], "×", 6),
        Figure("ingest_seconds", f"ingest {n:,} rows", ingest["total_seconds"], "s"),
        Figure("copy_seconds", f"COPY {n:,} rows", ingest["copy_seconds"], "s"),
        Figure(
            "first_ingest_seconds",
            "  the run's first ingest (warm-up, no goal)",
            r["first_ingest"]["total_seconds"],
            "s",
            note="creates the WAL files later ingests recycle",
        ),
        Figure(
            "floor_ratio",
            "(COPY + core insert alone) / COPY",
            1 + ingest["core_insert_seconds"] / ingest["copy_seconds"],
            "×",
            note="the least this design's ingest costs",
        ),
        Figure("core_insert_seconds", "  core insert alone", ingest["core_insert_seconds"], "s"),
        Figure(
            "core_insert_without_lookups_seconds",
            "  core insert alone, without the lookups' three indexes",
            ingest["core_insert_without_lookups_seconds"],
            "s",
            note="the indexes of the subject report and the 核查 (migration 0026)",
        ),
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
    result += reference_figures(r["reference"], ingest["total_seconds"])
    check = r["check"]
    ratio = check["seconds"] / ingest["copy_seconds"] if check.get("seconds") else None
    result += [
        Figure("check_ratio", f"citycredit check {n:,} rows / COPY", ratio, "×", note=check.get("missing")),
        Figure("check_seconds", f"citycredit check {n:,} rows", check.get("seconds"), "s", note=check.get("missing")),
    ]
    result += small_check_figures(r["small_check"])
    result += small_delivery_figures(r["small_delivery"])
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
    result += history_ingest_figures(r["history_ingest"], ingest["total_seconds"])
    result += lookup_figures(r["lookups"], ind["large"]["records"])
    result += [Figure(f"dag_parse_{d}", f"parse {d}.py", v["seconds"], "s", 0.5) for d, v in r["dag_parse"].items()]
    return result


HISTORY_INGEST_GOAL = 1.5  # × the same ingest into an empty core (issue #21)


def history_ingest_figures(r: dict, empty_seconds: float) -> list[Figure]:
    """The bench file ingested into the core the indicator history filled, against its ingest into an empty core
    (the first figure) in the same run."""
    return [
        Figure("history_ingest_ratio", f"ingest {r['rows']:,} rows into a core of {r['core_records']:,} / into an"
               " empty core", r["total_seconds"] / empty_seconds, "×", HISTORY_INGEST_GOAL,
               f"{r['total_seconds']:.2f} s / {empty_seconds:.2f} s; load {r['seconds']['load']:.2f} s"),
        Figure("history_ingest_seconds", f"  ingest {r['rows']:,} rows into a core of {r['core_records']:,}",
               r["total_seconds"], "s"),
    ]  # fmt: skip


REFERENCE_GOAL = 0.5  # × the faster reference pipeline (issue #21)


def reference_figures(r: dict, ingest_seconds: float) -> list[Figure]:
    """Our ingest against the faster of the two reference pipelines on the same file (tools/bench/reference.py),
    with each one's time, the rows it loaded and its peak RSS."""
    gx, sql = r["gx"], r["sql"]

    def note(ref: dict) -> str:
        return f"{ref['loaded']:,} rows loaded, peak RSS {ref['peak_rss_bytes'] / GIB:.2f} GiB"

    return [
        Figure("reference_ratio", f"ingest {r['rows']:,} rows / faster reference", ingest_seconds /
               min(gx["seconds"], sql["seconds"]), "×", REFERENCE_GOAL,
               f"{ingest_seconds:.2f} s / min({gx['seconds']:.2f} s, {sql['seconds']:.2f} s)"),
        Figure("reference_gx_seconds", "  pandas + GX Validator + COPY", gx["seconds"], "s", note=note(gx)),
        Figure("reference_sql_seconds", "  COPY + SQL per rule + MERGE", sql["seconds"], "s", note=note(sql)),
    ]  # fmt: skip


LOOKUP_GOAL = 3  # × a bare indexed lookup of the same rows (issue #20 item 7)


def lookup_figures(r: dict, records: int) -> list[Figure]:
    """A subject report and a 10,000-subject 核查 over the large history, each against a bare indexed lookup of the
    same rows in the same run (tools/bench/lookups.py says what "bare" is), with both times."""
    report, check = r["report"], r["check"]
    n = check["subjects"]
    return [
        Figure(
            "report_ratio",
            f"subject report over {records:,} records / bare lookup",
            report["seconds"] / report["bare_seconds"],
            "×",
            LOOKUP_GOAL,
            f"{report['seconds']:.3f} s / {report['bare_seconds']:.3f} s, {report['rows']} rows",
        ),
        Figure("report_seconds", "  subject report (gather)", report["seconds"], "s"),
        Figure("report_bare_seconds", "  bare lookup of its rows", report["bare_seconds"], "s"),
        Figure(
            "list_check_ratio",
            f"核查 {n:,} subjects / bare lookup",
            check["seconds"] / check["bare_seconds"],
            "×",
            LOOKUP_GOAL,
            f"{check['seconds']:.3f} s / {check['bare_seconds']:.3f} s, {r['list_periods']:,} periods",
        ),
        Figure("list_check_seconds", f"  核查 {n:,} subjects", check["seconds"], "s"),
        Figure("list_check_bare_seconds", "  bare lookup of their rows", check["bare_seconds"], "s"),
    ]


SMALL_CHECK_GOAL = 2  # × python -c "import pandas" (issue #17)


def small_check_figures(r: dict) -> list[Figure]:
    """The self-check of a 1-row file against ``import pandas``, with both times (medians of fresh processes)."""
    check, pandas = r.get("check_seconds"), r.get("import_pandas_seconds")
    ratio = check / pandas if check and pandas else None
    note = r.get("missing") or (f"{check:.2f} s / {pandas:.2f} s" if ratio else None)
    return [
        Figure("small_check_ratio", "citycredit check 1 row / import pandas", ratio, "×", SMALL_CHECK_GOAL, note),
        Figure("small_check_seconds", "citycredit check 1 row", check, "s", note=r.get("missing")),
        Figure("import_pandas_seconds", 'python -c "import pandas"', pandas, "s"),
    ]


SMALL_DELIVERY_GOAL = 3  # × python -c "import pandas" (issue #21)


def small_delivery_figures(r: dict) -> list[Figure]:
    """A 10-row delivery through the task body that takes it to the warehouse, in a fresh process, against
    ``import pandas``."""
    return [
        Figure("small_delivery_ratio", f"{r['rows']}-row delivery, its task process / import pandas",
               r["seconds"] / r["import_pandas_seconds"], "×", SMALL_DELIVERY_GOAL,
               f"{r['seconds']:.2f} s / {r['import_pandas_seconds']:.2f} s"),
        Figure("small_delivery_seconds", f"{r['rows']}-row delivery, its task process", r["seconds"], "s",
               note=f"tasks.ingest.{r['task']}"),
    ]  # fmt: skip
