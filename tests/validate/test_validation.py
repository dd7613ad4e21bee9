"""The validation runner: suite metadata, code tables stated once, batch-wide rules across chunks, GX failures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from citycredit.core import config
from citycredit.normalize import readers, standardize
from citycredit.validate import gx_validation
from citycredit.validate.suites import CATEGORIES, SEVERITIES, Validator, suite_definition

KNOWN = Path(__file__).parents[1] / "data" / "known_answers"
DATASETS = ("license", "penalty", "credit_list")
SINGLE_COLUMN = ("column",)


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_rule_states_its_metadata(dataset):
    labels = {f.name for f in config.fields(dataset)}
    for exp in suite_definition(dataset)["expectations"]:
        meta, kwargs = exp["meta"], exp["kwargs"]
        assert meta["category"] in CATEGORIES and meta["severity"] in SEVERITIES
        assert meta["rule_id"].startswith({"license": "XK-", "penalty": "CF-", "credit_list": "MD-"}[dataset])
        assert any("\u4e00" <= c <= "\u9fff" for c in meta["message"]), meta["rule_id"]
        if "column" not in kwargs:  # a rule over several columns names its field (or None: the whole row)
            assert "field" in meta, meta["rule_id"]
        field = meta.get("field", kwargs.get("column"))
        assert field is None or field in labels, meta["rule_id"]


@pytest.mark.parametrize("dataset", DATASETS)
def test_code_table_rules_accept_exactly_the_canonical_values_of_code_tables_yaml(dataset):
    tables = config.load_yaml("code_tables.yaml")
    checked = set()
    for exp in suite_definition(dataset)["expectations"]:
        if exp["meta"]["category"] != "code_table":
            continue
        column = exp["kwargs"]["column"]
        table = tables["tables"][tables["fields"][column]]
        assert sorted(exp["kwargs"]["value_set"]) == sorted(map(str, table["values"])), exp["meta"]["rule_id"]
        checked.add(column)
    code_columns = {f.name for f in config.fields(dataset) if f.type in ("code", "multi_code")}
    assert checked == code_columns


def normalized(dataset: str, reported_on: str = "2025-09-30") -> pd.DataFrame:
    table = readers.open_table(KNOWN / f"{dataset}.csv", dataset=dataset)
    header_map = standardize.map_headers(table.headers, dataset)
    frame = pd.concat(standardize.normalize_frame(raw, dataset, header_map) for raw in table.chunks())
    return frame.assign(_reported_on=reported_on)


def test_rows_with_one_key_and_different_content_are_found_across_chunks():
    frame = normalized("license")
    validator = Validator("license")
    first, second = frame[frame["_source_row"] <= 22], frame[frame["_source_row"] > 22]  # 22 | 23: same key
    in_chunks = [validator.validate(first)[0], validator.validate(second)[0]]
    assert not any((f["rule_id"] == "XK-DUP-KEY").any() for f in in_chunks)
    findings, outcomes = validator.finish()
    assert findings.loc[findings["rule_id"] == "XK-DUP-KEY", "source_row"].tolist() == [22, 23]
    # row 27 repeats row 3 exactly, across the two chunks: the load counts it once, the clerk hears which
    repeat = findings[findings["rule_id"] == "DUP-EXACT-ROW"]
    assert repeat[["source_row", "message"]].values.tolist() == [[27, "第27行与第3行完全重复，入库时只计一条"]]
    assert findings["field"].isna().all() and set(findings["rule_id"]) == {"XK-DUP-KEY", "DUP-EXACT-ROW"}
    (outcome,) = outcomes
    assert (outcome.rule_id, outcome.evaluated, outcome.failed) == ("XK-DUP-KEY", len(frame), 2)
    assert validator.finish()[0].empty  # the batch-wide rows are forgotten once finished


def test_the_reporting_date_is_required():
    with pytest.raises(ValueError, match="_reported_on"):
        Validator("penalty").validate(normalized("penalty").drop(columns="_reported_on"))


def test_findings_on_a_column_the_file_lacks_are_reported_once_for_the_file():
    frame = normalized("penalty")
    frame["cf_sjly"] = pd.NA
    labels = [f.label for f in config.fields("penalty") if f.name != "cf_sjly"]
    validator = Validator("penalty", standardize.map_headers(labels, "penalty"))
    findings = pd.concat(validator.run([frame]))
    assert "CF-REQ-SJLY" not in set(findings["rule_id"])
    file_level = findings[findings["source_row"].isna()]
    assert file_level[["rule_id", "label", "severity"]].values.tolist() == [
        ["FILE-MISSING-COLUMN", "数据来源单位", "error"]
    ]


def test_a_rule_gx_cannot_evaluate_is_an_error_not_a_pass():
    nested = {
        "MetricConfigurationID(metric_name='x.condition')": {"exception_message": "boom", "raised_exception": True}
    }
    assert gx_validation.exception_message(nested) == "boom"
    assert gx_validation.exception_message({"raised_exception": True, "exception_message": "flat"}) == "flat"
    assert gx_validation.exception_message({"raised_exception": False, "exception_message": None}) is None
    assert gx_validation.exception_message(None) is None


@pytest.mark.db
def test_validate_batch_stores_the_known_answers_and_data_docs_show_them(engine, tmp_path):
    import sqlalchemy as sa
    import yaml

    from citycredit.core import copyio
    from citycredit.publish import datadocs
    from citycredit.validate import suites

    frame = normalized("penalty").drop(columns=["_reported_on", "_extra"])
    with engine.begin() as conn:
        batch_id = conn.execute(
            sa.text(
                "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
                " stored_path, received_at, reported_on, status, missing_columns) VALUES ('scjg', 'scjg_penalty',"
                " 'penalty', 'penalty.csv', 'x', 1, '/dev/null', '2025-09-30T10:00+08:00', '2025-09-30', 'normalized',"
                " '[]') RETURNING batch_id"
            )
        ).scalar()
        staged = frame.rename(columns={"_source_row": "source_row"}).assign(batch_id=batch_id, reported_on="2025-09-30")
        copyio.copy_in(conn, "staging.penalty_rows", staged)

    counts = suites.validate_batch(engine, batch_id)

    expected = yaml.safe_load((KNOWN / "expected.yaml").read_text(encoding="utf-8"))["penalty"]
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT source_row, rule_id, severity FROM quality.findings WHERE batch_id = :b"), {"b": batch_id}
        ).all()
        outcomes = dict(
            conn.execute(
                sa.text("SELECT rule_id, failed FROM quality.rule_outcomes WHERE batch_id = :b"), {"b": batch_id}
            ).all()
        )
    assert sorted((r, rule) for r, rule, _ in stored) == sorted(
        (r, rule) for r, rules in expected.items() for rule in rules
    )
    assert counts == {s: sum(1 for *_, sev in stored if sev == s) for s in ("error", "warning")}
    assert set(outcomes) == {e["meta"]["rule_id"] for e in suite_definition("penalty")["expectations"]}
    assert outcomes["CF-DATE-GSJZQ-WINDOW"] == 5 and outcomes["CF-REQ-XDR_MC"] == 0

    index = datadocs.build_for_warehouse(engine, [batch_id], tmp_path / "datadocs")
    assert index.is_file()
    pages = list((tmp_path / "datadocs" / "validations" / "penalty").rglob("*.html"))
    assert len(pages) == 1 and "penalty.csv" in pages[0].read_text(encoding="utf-8")
    assert "CF-DATE-GSJZQ-WINDOW（错误）" in (tmp_path / "datadocs" / "expectations" / "penalty.html").read_text(
        encoding="utf-8"
    )


def _findings_and_outcomes(validator: Validator, frame: pd.DataFrame) -> tuple[list, list]:
    findings, outcomes = validator.validate(frame)
    wide, wide_outcomes = validator.finish()
    rows = pd.concat([findings, wide]).astype({"source_row": "int64"})
    return sorted(rows.itertuples(index=False, name=None), key=str), sorted(outcomes + wide_outcomes, key=str)


def _generated(dataset: str, folder: Path, rows: int = 3_000) -> pd.DataFrame:
    from citycredit.tools.demo.feeds import write_large_csv

    path = folder / f"{dataset}.csv"
    write_large_csv(path, dataset, rows, seed=7)
    table = readers.open_table(path, dataset=dataset)
    header_map = standardize.map_headers(table.headers, dataset)
    frame = pd.concat(standardize.normalize_frame(raw, dataset, header_map) for raw in table.chunks())
    return frame.assign(_reported_on="2025-10-09")


@pytest.mark.parametrize(
    "dataset, source",
    [(d, "known answers") for d in DATASETS] + [(d, "generated") for d in ("license", "penalty", "credit_commitment")],
)
def test_frames_evaluated_without_gx_get_the_findings_and_counts_of_gx_own_validation(
    dataset, source, tmp_path, monkeypatch
):
    """The self-check and frames above GX_RESULTS_MAX_ROWS skip GX (citycredit.validate.rules); nothing else may
    change, the per-rule counts included."""
    frame = normalized(dataset) if source == "known answers" else _generated(dataset, tmp_path)
    monkeypatch.setattr(gx_validation, "GX_RESULTS_MAX_ROWS", len(frame))
    through_gx = _findings_and_outcomes(Validator(dataset, gx=True), frame)
    without_gx = _findings_and_outcomes(Validator(dataset), frame)
    assert without_gx == through_gx
    findings, outcomes = through_gx
    assert findings and any(o.failed for o in outcomes)  # the frames do break rules: the comparison means something
    assert {o.rule_id for o in outcomes} == {e["meta"]["rule_id"] for e in suite_definition(dataset)["expectations"]}


def test_a_batch_beyond_the_spill_size_gets_the_same_batch_wide_findings(tmp_path, monkeypatch):
    """Large batches hold the duplicate rule's rows on disk, split by key (keyed_rows): nothing may change."""
    from citycredit.validate import keyed_rows

    frame = _generated("license", tmp_path)
    changed = frame.iloc[::7].assign(xk_nr=lambda f: f["xk_nr"].fillna("") + "（更正）")  # same key, new content
    repeated = frame.iloc[::11]
    frame = pd.concat([frame, changed, repeated], ignore_index=True)  # and exact repeats
    frame["_source_row"] = range(2, len(frame) + 2)

    def batch_wide(spill_rows: int):
        monkeypatch.setattr(keyed_rows, "SPILL_ROWS", spill_rows)
        validator = Validator("license")
        for start in range(0, len(frame), 500):
            validator.validate(frame.iloc[start : start + 500])
        findings, outcomes = validator.finish()
        return sorted(findings.itertuples(index=False, name=None)), outcomes

    in_memory, spilled = batch_wide(10**9), batch_wide(1_000)
    assert spilled == in_memory
    findings, (outcome,) = in_memory
    by_rule = pd.Series([f[1] for f in findings]).value_counts()
    assert outcome.rule_id == "XK-DUP-KEY" and outcome.evaluated == len(frame)
    assert outcome.failed == by_rule["XK-DUP-KEY"] >= 2 * len(changed) * 0.9  # both versions of most changed keys
    assert by_rule["DUP-EXACT-ROW"] >= len(repeated)  # every repeat, found in whichever partition its key fell
