"""``citycredit bench --small-check``: the self-check of a 1-row file against ``import pandas``, with both times, and
no warehouse (issue #17). Nothing here is timed or compared with a goal."""

from __future__ import annotations

import json

from citycredit import cli
from citycredit.core import paths


def test_the_small_check_figure_gives_the_ratio_with_both_times_and_needs_no_warehouse(capsys):
    assert cli.main(["bench", "--small-check"]) == 0

    result = json.loads((paths.home() / "bench-small-check.json").read_text(encoding="utf-8"))
    figures = {f["id"]: f for f in result["figures"]}
    assert set(figures) == {"small_check_ratio", "small_check_seconds", "import_pandas_seconds"}
    check, pandas = figures["small_check_seconds"]["value"], figures["import_pandas_seconds"]["value"]
    ratio = figures["small_check_ratio"]
    assert check > 0 and pandas > 0 and ratio["value"] == check / pandas
    assert ratio["goal"] == 2 and ratio["passed"] is (ratio["value"] <= 2)
    details = result["details"]["small_check"]
    assert len(details["check_runs"]) == len(details["import_pandas_runs"]) == 5
    assert result["machine"]["postgresql"] is None  # no warehouse was started or asked

    out = capsys.readouterr().out
    assert "citycredit check 1 row / import pandas" in out and f"{check:.2f} s / {pandas:.2f} s" in out
    assert not (paths.home() / "bench-work").exists() and not (paths.home() / "pg").exists()
