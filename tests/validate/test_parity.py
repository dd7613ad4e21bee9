"""The self-check and the pipeline give the same findings (issue #17): the same file through ``citycredit check``
(selfcheck.run_check) and through normalization and validation in the warehouse (staging.stage_batch,
suites.validate_batch), compared finding by finding, file-level findings included."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from citycredit.normalize import staging
from citycredit.validate import suites
from citycredit.validate.selfcheck import run_check

DATA = Path(__file__).parents[1] / "data"
SHAPES = DATA / "real_shapes" / "headers"
REPORTED_ON = date(2025, 9, 30)
COLUMNS = ["source_row", "rule_id", "field", "label", "category", "severity", "message"]


def whole_column_problems(path: Path) -> Path:
    """Penalty rows with an empty 处罚有效期, no 法定代表人 column, a placeholder and an exact repeat."""
    header, clean = list(csv.reader((DATA / "known_answers" / "penalty.csv").open(encoding="utf-8")))[:2]
    kept = [h for h in header if h != "法定代表人"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(kept)
        for i in range(40):
            row = dict(zip(header, clean, strict=True))
            row.update({"行政处罚决定书文号": f"平市监罚〔2025〕{i % 39}号", "处罚有效期": ""})
            row["违法事实"] = "/" if i == 3 else row["违法事实"]
            writer.writerow([row[h] for h in kept])
    return path


def as_rows(findings: pd.DataFrame) -> list[tuple]:
    frame = findings[COLUMNS].astype(object).where(findings[COLUMNS].notna(), None)
    return sorted((tuple(r) for r in frame.itertuples(index=False)), key=str)


def pipeline_findings(engine: sa.Engine, path: Path, dataset: str) -> pd.DataFrame:
    with engine.begin() as conn:
        batch_id = conn.execute(
            sa.text(
                "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
                " stored_path, received_at, reported_on) VALUES ('scjg', 'scjg_' || :d, :d, :name, :name, 1, :path,"
                " '2025-09-30T10:00+08:00', :on) RETURNING batch_id"
            ),
            {"d": dataset, "name": path.name, "path": str(path), "on": REPORTED_ON},
        ).scalar_one()
    staging.stage_batch(engine, batch_id)
    suites.validate_batch(engine, batch_id)
    with engine.connect() as conn:
        query = sa.text(f"SELECT {', '.join(COLUMNS)} FROM quality.findings WHERE batch_id = :b")
        return pd.read_sql(query, conn, params={"b": batch_id}).astype({"source_row": "Int64"})


@pytest.mark.db
def test_check_and_pipeline_give_the_same_findings(engine, tmp_path):
    files = [
        (SHAPES / "shenzhen_penalty.csv", "penalty"),
        (SHAPES / "ningbo_license_codes.csv", "license"),
        (SHAPES / "samr_abnormal_list.csv", "credit_list"),
        (SHAPES / "provincial_template_penalty.csv", "penalty"),
        (DATA / "known_answers" / "license.csv", "license"),
        (whole_column_problems(tmp_path / "whole_columns.csv"), "penalty"),
    ]
    for path, dataset in files:
        checked = run_check(path, dataset, REPORTED_ON).findings
        assert len(checked), path.name  # every file has findings: the comparison means something
        assert as_rows(pipeline_findings(engine, path, dataset)) == as_rows(checked), path.name
