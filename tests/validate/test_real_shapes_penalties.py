"""行政处罚 decisions in the shape 深圳市市场监管 publishes them (tests/data/real_shapes/README.md): general-procedure
cases raise no 简易程序 or 个转企 alarm; a real 当场 / 简易程序 marker does, on the field that carries it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from citycredit.validate.selfcheck import run_check

SHAPES = Path(__file__).parents[1] / "data" / "real_shapes"
REPORTED_ON = date(2025, 1, 10)


@pytest.fixture(scope="module")
def general():
    return run_check(SHAPES / "shenzhen_penalties_general.csv", "penalty", REPORTED_ON)


def test_the_fixture_holds_what_the_old_small_fine_guess_flagged():
    rows = pd.read_csv(SHAPES / "shenzhen_penalties_general.csv", dtype=str, keep_default_na=False)
    assert len(rows) == 155 and rows["案件名称"].str.endswith("案").all()
    fine_yuan = pd.to_numeric(rows["罚款金额（万元）"], errors="coerce") * 10_000
    warning_only = rows["处罚类别"].eq("警告")
    small_fine = rows["处罚类别"].isin(["罚款", "警告;罚款"]) & fine_yuan.between(550, 3000)
    assert warning_only.sum() == 40 and small_fine.sum() == 90  # what "仅警告，或罚款未超过3000元" caught


def test_general_procedure_decisions_raise_no_summary_procedure_warning(general):
    assert general.rows == 155
    assert not general.findings["rule_id"].str.startswith("CF-PLAU-SUMMARY").any()


def test_enterprises_that_kept_their_individual_business_code_raise_no_prefix_warning(general):
    assert not general.findings["rule_id"].eq("CF-ID-XDR_SHXYM-PREFIX-ORG").any()


def test_real_records_get_no_row_finding_but_timeliness(general):
    rows = general.findings[general.findings["source_row"].notna()]
    assert set(rows["category"]) == {"timeliness"}, rows.groupby("rule_id").size().to_dict()


def test_a_real_summary_procedure_marker_is_reported_on_its_field():
    result = run_check(SHAPES / "shenzhen_penalties_summary_marked.csv", "penalty", REPORTED_ON)
    found = result.findings[result.findings["rule_id"].str.startswith("CF-PLAU-SUMMARY")]
    by_row = {int(f.source_row): (f.rule_id, f.label, f.severity) for f in found.itertuples()}
    assert by_row == {
        2: ("CF-PLAU-SUMMARY", "行政处罚决定书文号", "warning"),
        3: ("CF-PLAU-SUMMARY", "行政处罚决定书文号", "warning"),
        4: ("CF-PLAU-SUMMARY", "行政处罚决定书文号", "warning"),
        5: ("CF-PLAU-SUMMARY-YJ", "处罚依据", "warning"),
        6: ("CF-PLAU-SUMMARY-YJ", "处罚依据", "warning"),
    }
    message = found["message"].iloc[0]
    assert "一般程序" in message and "可不归集" not in message
