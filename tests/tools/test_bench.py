"""`citycredit bench --quick`: the whole harness at tiny sizes. Nothing here is timed or compared with a goal."""

from __future__ import annotations

import json
import math

import pytest
import sqlalchemy as sa

from citycredit import cli
from citycredit.core import paths
from citycredit.tools.bench import ingest

FIGURES = {
    "ingest_ratio",
    "ingest_seconds",
    "copy_seconds",
    "first_ingest_seconds",
    "floor_ratio",
    "core_insert_seconds",
    "core_insert_without_lookups_seconds",
    "land_seconds",
    "normalize_seconds",
    "validate_seconds",
    "load_seconds",
    "peak_rss_big",
    "peak_rss_small",
    "scaling_ratio",
    "reference_ratio",
    "reference_gx_seconds",
    "reference_sql_seconds",
    "check_ratio",
    "check_seconds",
    "small_check_ratio",
    "small_check_seconds",
    "import_pandas_seconds",
    "small_delivery_ratio",
    "small_delivery_seconds",
    "indicators_ratio",
    "indicators_small_seconds",
    "indicators_large_seconds",
    "history_ingest_ratio",
    "history_ingest_seconds",
    "report_ratio",
    "report_seconds",
    "report_bare_seconds",
    "list_check_ratio",
    "list_check_seconds",
    "list_check_bare_seconds",
    "dag_parse_citycredit_export",
    "dag_parse_citycredit_ingest",
    "dag_parse_citycredit_monthly",
}


@pytest.mark.parametrize("server_url", ["embedded"], indirect=True)  # one server: the harness, not SQL dialects
def test_quick_bench_reports_every_figure_and_leaves_the_warehouse_alone(warehouse_url, capsys):
    assert cli.main(["bench", "--quick"]) == 0

    result = json.loads((paths.home() / "bench-results.json").read_text(encoding="utf-8"))
    figures = {f["id"]: f for f in result["figures"]}
    assert set(figures) == FIGURES | {f"dag_parse_{p.stem}" for p in paths.DAGS_DIR.glob("*.py")}
    for f in figures.values():
        assert isinstance(f["value"], float) and math.isfinite(f["value"]) and f["value"] > 0, f
        if f["goal"] is None:
            assert f["passed"] is None
        else:
            assert f["passed"] is (f["value"] <= f["goal"])
    assert figures["ingest_ratio"]["goal"] == 6 and figures["peak_rss_big"]["goal"] == 1.5
    floor = figures["floor_ratio"]
    assert (
        floor["goal"] is None
        and floor["value"] == 1 + figures["core_insert_seconds"]["value"] / figures["copy_seconds"]["value"]
    )
    assert figures["core_insert_without_lookups_seconds"]["goal"] is None
    assert figures["scaling_ratio"]["goal"] == 4.4 and figures["indicators_ratio"]["goal"] == 1.5
    assert figures["report_ratio"]["goal"] == 3 and figures["list_check_ratio"]["goal"] == 3
    assert figures["small_delivery_ratio"]["goal"] == 3
    assert all(figures[f"dag_parse_{p.stem}"]["goal"] == 0.5 for p in paths.DAGS_DIR.glob("*.py"))

    details = result["details"]
    # every row of each file went the whole way: received = loaded + quarantined + duplicate
    for key in ("first_ingest", "ingest", "scaling", "memory"):
        accounting = details[key]["accounting"]
        assert accounting["received"] == details[key]["rows"]
        assert accounting["loaded"] + accounting["quarantined"] + accounting["duplicate"] == accounting["received"]
        # the peak RSS is the whole ingest's, not only its last stage's
        assert details[key]["peak_rss_bytes"] >= max(details[key]["peak_kib"].values()) * 1024
    assert details["scaling"]["rows"] == 4 * details["ingest"]["rows"]
    # the unmeasured first ingest took the same file into a database of its own: the measured one loaded it all again
    assert details["first_ingest"]["accounting"] == details["ingest"]["accounting"]
    assert figures["first_ingest_seconds"]["value"] == details["first_ingest"]["total_seconds"]
    # both reference pipelines went the whole way on the same file, the same rules keeping the same rows; ours is
    # held to the faster one
    reference = details["reference"]
    gx, sql = reference["gx"], reference["sql"]
    assert reference["rows"] == details["ingest"]["rows"]
    assert 0 < gx["loaded"] == sql["loaded"] <= reference["rows"] and gx["error_rows"] == sql["error_rows"]
    assert gx["loaded"] + gx["error_rows"] <= reference["rows"] and sql["rules"] > 60
    assert figures["reference_gx_seconds"]["value"] == gx["seconds"]
    assert figures["reference_sql_seconds"]["value"] == sql["seconds"]
    ratio = figures["reference_ratio"]
    faster = min(gx["seconds"], sql["seconds"])
    assert ratio["goal"] == 0.5 and ratio["value"] == details["ingest"]["total_seconds"] / faster
    delivery = details["small_delivery"]  # the small delivery went the whole way, in the one task that landed it
    assert delivery["accounting"]["received"] == delivery["rows"] == 10 and delivery["accounting"]["loaded"] > 0
    assert delivery["task"] == "land_feed_through" and len(delivery["runs"]) == 1
    assert details["indicators"]["large"]["records"] > details["indicators"]["small"]["records"]
    # the same file went the whole way again, into the core the large history filled, and is held to the first
    history_ingest = details["history_ingest"]
    assert history_ingest["core_records"] == details["indicators"]["large"]["records"]
    assert history_ingest["accounting"]["received"] == history_ingest["rows"] == details["ingest"]["rows"]
    assert history_ingest["accounting"]["loaded"] == details["ingest"]["accounting"]["loaded"]
    ratio = figures["history_ingest_ratio"]
    assert ratio["goal"] == 1.5
    assert ratio["value"] == history_ingest["total_seconds"] / details["ingest"]["total_seconds"]
    # the report's subject has records in every section it is timed on; the 核查 asks 10,000 subjects, codes and
    # names, and gets every kind of answer but 代码无效 (every code asked is valid)
    lookups = details["lookups"]
    report, check = lookups["report"], lookups["check"]
    assert all(n > 0 for n in report["tables"].values()), report["tables"]
    assert report["sections"]["credit_lists"] == 1  # the listing period built for it, found by the report
    assert figures["report_ratio"]["value"] == report["seconds"] / report["bare_seconds"]
    assert figures["list_check_ratio"]["value"] == check["seconds"] / check["bare_seconds"]
    assert check["subjects"] == 10_000 and check["codes"] > 0 and check["names"] > 0
    assert sum(check["counts"].values()) == 10_000 and check["counts"]["invalid_code"] == 0
    assert all(check["counts"][k] > 0 for k in ("listed", "not_listed", "ambiguous_name"))
    assert lookups["register"] >= lookups["subjects"] and lookups["list_versions"] > lookups["list_periods"] > 0

    machine = result["machine"]
    assert machine["cores"] >= 1 and machine["memory_bytes"] > 0 and machine["python"] and machine["postgresql"]
    assert len(result["load_average"]["start"]) == 3 and len(result["load_average"]["end"]) == 3
    assert "commit" in result["git"]

    out = capsys.readouterr().out
    assert "pass/fail" in out and str(paths.home() / "bench-results.json") in out

    # its own database is gone, the configured warehouse holds nothing it wrote, its scratch files are removed
    engine = sa.create_engine(warehouse_url)
    with engine.connect() as conn:
        name = sa.engine.make_url(warehouse_url).database + "_bench"
        assert conn.execute(sa.text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name}).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM landing.batches")).scalar() == 0
    engine.dispose()
    assert not (paths.home() / "bench-work").exists()


def index_definitions(conn: sa.Connection, table: str) -> list[str]:
    """The table's index definitions, each with its own name and the table's left out."""
    return sorted(d.replace(f" {i} ON {table} ", " ON ") for i, d in ingest.index_definitions(conn, table).items())


@pytest.mark.parametrize("server_url", ["embedded"], indirect=True)
def test_the_floors_copy_of_core_has_its_indexes_but_those_left_out(engine):
    def copied(leave_out: tuple[str, ...]) -> list[str]:
        with engine.connect() as conn:  # rolled back on leaving
            ingest.core_copy(conn, "core.penalty", leave_out)
            return index_definitions(conn, "public.bench_core")

    with engine.connect() as conn:
        every = index_definitions(conn, "core.penalty")
    kept = copied(ingest.LOOKUP_INDEXES)

    assert copied(()) == every and len(every) == 7
    assert len(kept) == 4 and set(kept) < set(every)
    assert not any(column in d for d in kept for column in ("cf_xdr_shxym", "cf_xdr_zjhm", "name_key"))
    with pytest.raises(LookupError, match="core.penalty has no index penalty_subject_phone"):
        copied(("penalty_subject_code", "penalty_subject_phone"))
