"""Migration 0030 turns the code observations of a warehouse at version 29 (one row each) into their counts, with
the meaning the load keeps from then on (tests/support/code_stock.py)."""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from support import code_stock
from support.indicator_rows import batch

from citycredit.core import migrations

pytestmark = pytest.mark.db

CODE = "914403001922038216"
LISTED = "平顶山市鑫华建材有限公司"
MISTYPED = "914403001922038217"


@pytest.fixture
def engine_at_29(server_url, tmp_path):
    """A fresh database migrated up to 0029, and the folder of those migrations."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for migration in migrations.available():
        if migration.version <= 29:
            shutil.copy(migration.path, folder)
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"cc_m30_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = sa.create_engine(sa.engine.make_url(server_url).set(database=name))
    migrations.upgrade(engine, folder)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def version(conn, table, record_id, batch_id, source_row, supersedes, current, **columns) -> None:
    cols = ", ".join(columns)
    conn.execute(
        sa.text(
            f"INSERT INTO core.{table} (record_id, department_id, batch_id, source_row, reported_on, subject_key,"
            f" content_hash, version, is_current, supersedes, {cols}) SELECT :id, department_id, batch_id, :r,"
            f" reported_on, 'k', md5(CAST(:id AS text)), :id, :cur, :sup, {', '.join(':' + c for c in columns)}"
            f" FROM landing.batches WHERE batch_id = :b"
        ),
        {"id": record_id, "b": batch_id, "r": source_row, "sup": supersedes, "cur": current, **columns},
    )


def observed_row(conn, batch_id, source_row, dataset, code, name, loaded, record_id, withdrawn) -> None:
    """An observation as the load wrote it before 0030: one row per source row."""
    conn.execute(
        sa.text(
            "INSERT INTO quality.uscc_observations (batch_id, source_row, dataset, department_id, reported_on, code,"
            " subject_name, name_key, code_valid, loaded, record_id, withdrawn_on) SELECT batch_id, :r, :ds,"
            " department_id, reported_on, :c, :n, quality.name_key(:n), quality.uscc_valid(:c), :l, :id,"
            " CAST(:w AS date) FROM landing.batches WHERE batch_id = :b"
        ),
        {"b": batch_id, "r": source_row, "ds": dataset, "c": code, "n": name, "l": loaded, "id": record_id,
         "w": withdrawn},
    )  # fmt: skip


def test_the_observations_are_counted_with_the_meaning_the_load_keeps(engine_at_29):
    with engine_at_29.begin() as conn:
        listed, emptied, relisted = (batch(conn, "scjg", "credit_list", f"2025-09-{d:02d} 10:00") for d in (1, 8, 15))
        first, second = (batch(conn, "scjg", "license", f"2025-10-{d:02d} 10:00") for d in (1, 9))
        # A listing, the exit an empty snapshot inferred, the listing sent again: in order, the first version's
        # observation was never withdrawn.
        entry = {"md_shxym": CODE, "md_zt_mc": LISTED, "md_lx": "严重失信主体名单"}
        version(conn, "credit_list", 1, listed, 2, None, False, **entry)
        version(conn, "credit_list", 2, emptied, None, 1, False, **entry)
        version(conn, "credit_list", 3, relisted, 2, 2, True, **entry)
        observed_row(conn, listed, 2, "credit_list", CODE, LISTED, True, 1, None)
        observed_row(conn, relisted, 2, "credit_list", CODE, LISTED, True, 3, None)
        # A permit revised the next week, another permit of the same subject, and a quarantined row with a
        # mistyped code that the revision corrected.
        for rid, (b, row, sup, cur) in enumerate([(first, 2, None, False), (first, 3, None, True),
                                                  (second, 2, 10, True)], start=10):  # fmt: skip
            version(conn, "license", rid, b, row, sup, cur, xk_xdr_shxym=CODE, xk_xdr_mc=LISTED)
        observed_row(conn, first, 2, "license", CODE, LISTED, True, 10, "2025-10-09")
        observed_row(conn, first, 3, "license", CODE, LISTED, True, 11, None)
        observed_row(conn, second, 2, "license", CODE, LISTED, True, 12, None)
        quarantined = json.dumps({"xk_xdr_shxym": MISTYPED, "xk_xdr_mc": LISTED, "reported_on": "2025-10-01"})
        conn.execute(
            sa.text(
                "INSERT INTO quality.quarantine (batch_id, source_row, dataset, row_data, rule_ids) VALUES"
                " (:b, 4, 'license', CAST(:row AS jsonb), ARRAY['uscc_check'])"
            ),
            {"b": first, "row": quarantined},
        )
        conn.execute(
            sa.text(
                "INSERT INTO quality.corrections (quarantine_batch_id, quarantine_source_row, dataset, record_id,"
                " batch_id, source_row, corrected_on) VALUES (:q, 4, 'license', 12, :b, 2, DATE '2025-10-09')"
            ),
            {"q": first, "b": second},
        )
        observed_row(conn, first, 4, "license", MISTYPED, LISTED, False, None, "2025-10-09")
        rows_before = conn.execute(sa.text("SELECT count(*) FROM quality.uscc_observations")).scalar_one()
    assert rows_before == 6

    migrations.upgrade(engine_at_29)
    with engine_at_29.connect() as conn:
        assert code_stock.counted(conn) == code_stock.as_defined(conn)
        assert code_stock.counted(conn) == sorted(
            [
                (listed, "scjg", date(2025, 9, 1), CODE, LISTED, True, date(2025, 9, 15), 1),
                (relisted, "scjg", date(2025, 9, 15), CODE, LISTED, True, None, 1),
                (first, "scjg", date(2025, 10, 1), CODE, LISTED, True, None, 1),
                (first, "scjg", date(2025, 10, 1), CODE, LISTED, True, date(2025, 10, 9), 1),
                (first, "scjg", date(2025, 10, 1), MISTYPED, LISTED, False, date(2025, 10, 9), 1),
                (second, "scjg", date(2025, 10, 9), CODE, LISTED, True, None, 1),
            ],
            key=repr,
        )
        pairs = conn.execute(sa.text("SELECT code, observations FROM quality.uscc_pairs ORDER BY code")).all()
        assert pairs == [(CODE, 3)]
