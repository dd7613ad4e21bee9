"""Known-answer loads: quarantine, duplicates, revisions, accounting and idempotency on a real PostgreSQL."""

import pytest
import sqlalchemy as sa
from support.corrections import linked
from support.staged_batches import LICENSE_RECORD, REGISTER_RECORD, stage

from citycredit.load import merge

pytestmark = pytest.mark.db

BASE = LICENSE_RECORD


def make_batch(conn, rows: dict[int, dict], findings=()) -> int:
    """A validated scjg license batch; findings are (source row or None, severity)."""
    return stage(
        conn, "license", rows, feed_id="scjg_license", department_id="scjg",
        errors=tuple(r for r, sev in findings if sev == "error"),
        warnings=tuple(r for r, sev in findings if sev == "warning"),
    )  # fmt: skip


def current(conn):
    return conn.execute(
        sa.text("SELECT source_row, batch_id, version, is_current, xk_nr FROM core.license ORDER BY record_id")
    ).all()


def checksum(conn) -> str:
    return conn.execute(
        sa.text(
            "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM ("
            " SELECT batch_id, source_row, version, is_current, supersedes IS NOT NULL, content_hash FROM core.license"
            " UNION ALL SELECT batch_id, source_row, 0, true, true, dataset FROM quality.quarantine) t"
        )
    ).scalar()


def test_a_batch_is_split_into_loaded_quarantined_and_duplicate_rows(engine):
    with engine.begin() as conn:
        batch = make_batch(
            conn,
            {
                2: BASE,
                3: {**BASE, "xk_wsh": "平市监许〔2025〕2号"},  # has an error finding → quarantine
                4: BASE,  # same as row 2 → duplicate
                5: {**BASE, "xk_nr": "食品经营许可（变更）"},  # same key, new content → later version
                6: {**BASE, "xk_wsh": "平市监许〔2025〕3号"},  # only a warning → loaded
            },
            findings=[(3, "error"), (6, "warning")],
        )
    acc = merge.load_batch(engine, batch)
    assert (acc.received, acc.loaded, acc.quarantined, acc.duplicate) == (5, 3, 1, 1)
    assert acc.revised == 1 and acc.with_warnings == 1
    with engine.connect() as conn:
        assert current(conn) == [
            (2, batch, 1, False, "食品经营许可"),
            (5, batch, 2, True, "食品经营许可（变更）"),
            (6, batch, 1, True, "食品经营许可"),
        ]
        quarantined = conn.execute(
            sa.text("SELECT source_row, rule_ids, row_data->>'xk_wsh' FROM quality.quarantine")
        ).all()
        assert quarantined == [(3, ["TEST"], "平市监许〔2025〕2号")]
        superseded = conn.execute(
            sa.text(
                "SELECT n.source_row, o.source_row FROM core.license n"
                " JOIN core.license o ON n.supersedes = o.record_id"
            )
        ).all()
        assert superseded == [(5, 2)]


def test_loading_the_same_batch_again_changes_nothing(engine):
    with engine.begin() as conn:
        batch = make_batch(conn, {2: BASE, 3: {**BASE, "xk_wsh": "X"}}, findings=[(3, "error")])
    first = merge.load_batch(engine, batch)
    with engine.connect() as conn:
        before = checksum(conn)
    assert merge.load_batch(engine, batch) == first
    with engine.connect() as conn:
        assert checksum(conn) == before


def test_a_later_batch_repeating_the_current_version_counts_as_duplicate_and_a_revision_supersedes(engine):
    with engine.begin() as conn:
        first = make_batch(conn, {2: BASE})
    merge.load_batch(engine, first)
    with engine.begin() as conn:
        second = make_batch(conn, {2: BASE, 3: {**BASE, "xk_yxqzi": "2099-12-31"}})
    acc = merge.load_batch(engine, second)
    assert (acc.loaded, acc.duplicate, acc.revised) == (1, 1, 1)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT batch_id, source_row, version, is_current, xk_yxqzi::text FROM core.license ORDER BY record_id"
            )
        ).all()
    assert rows == [(first, 2, 1, False, "2030-08-31"), (second, 3, 2, True, "2099-12-31")]


def test_a_file_level_error_quarantines_every_row(engine):
    with engine.begin() as conn:
        batch = make_batch(conn, {2: BASE, 3: {**BASE, "xk_wsh": "Y"}}, findings=[(None, "error")])
    acc = merge.load_batch(engine, batch)
    assert (acc.received, acc.loaded, acc.quarantined) == (2, 0, 2)


def test_a_batch_that_is_not_validated_is_refused(engine):
    with engine.begin() as conn:
        batch = make_batch(conn, {2: BASE})
        conn.execute(sa.text("UPDATE landing.batches SET status = 'normalized' WHERE batch_id = :b"), {"b": batch})
    with pytest.raises(RuntimeError, match="not validated"):
        merge.load_batch(engine, batch)


# --- Revisions within one batch, corrections of quarantined rows -------------------------------------------

OTHER_CODE = "91330100799655058B"


def license_batch(conn, rows, day="2025-09-05", errors=()):
    return stage(conn, "license", rows, feed_id="scjg_license", department_id="scjg", day=day, errors=errors)


def versions(conn):
    return conn.execute(
        sa.text(
            "SELECT c.source_row, c.version, c.is_current, c.xk_nr, p.source_row FROM core.license c"
            " LEFT JOIN core.license p ON p.record_id = c.supersedes ORDER BY c.record_id"
        )
    ).all()


def test_a_b_a_within_one_batch_keeps_three_versions_and_the_last_word_is_current(engine):
    changed = {**BASE, "xk_nr": "食品经营许可（变更）"}
    with engine.begin() as conn:
        batch = license_batch(conn, {2: BASE, 3: changed, 4: BASE, 5: BASE})
    acc = merge.load_batch(engine, batch)
    assert (acc.received, acc.loaded, acc.duplicate, acc.revised) == (4, 3, 1, 2)
    with engine.connect() as conn:
        assert versions(conn) == [
            (2, 1, False, "食品经营许可", None),
            (3, 2, False, "食品经营许可（变更）", 2),
            (4, 3, True, "食品经营许可", 3),
        ]


def test_a_batch_starting_with_the_current_version_then_changing_it_back(engine):
    with engine.begin() as conn:
        first = license_batch(conn, {2: BASE})
    merge.load_batch(engine, first)
    changed = {**BASE, "xk_nr": "食品经营许可（变更）"}
    with engine.begin() as conn:
        second = license_batch(conn, {2: BASE, 3: changed, 4: BASE}, day="2025-09-12")
    acc = merge.load_batch(engine, second)
    assert (acc.loaded, acc.duplicate, acc.revised) == (2, 1, 2)
    with engine.connect() as conn:
        assert [(r[1], r[2], r[3]) for r in versions(conn)] == [
            (1, False, "食品经营许可"),
            (2, False, "食品经营许可（变更）"),
            (3, True, "食品经营许可"),
        ]


def test_a_resent_record_with_the_code_fixed_corrects_the_quarantined_one(engine):
    wrong = {**BASE, "xk_xdr_shxym": "914403001922038217"}  # check digit mistyped
    other_subject = {**BASE, "xk_xdr_mc": "平顶山市另一家有限公司", "xk_xdr_shxym": OTHER_CODE}
    with engine.begin() as conn:
        first = license_batch(conn, {2: wrong, 3: {**BASE, "xk_wsh": "平市监许〔2025〕9号"}}, errors=(2,))
    assert merge.load_batch(engine, first).corrected == 0
    with engine.begin() as conn:
        # row 2: the same 文书号 under another subject is no correction; row 3: the fix
        second = license_batch(conn, {2: other_subject, 3: BASE}, day="2025-09-19")
    acc = merge.load_batch(engine, second)
    assert (acc.loaded, acc.corrected) == (2, 1)
    with engine.connect() as conn:
        assert linked(conn, "core.license", "xk_xdr_shxym") == [
            (first, 2, second, 3, "2025-09-19", BASE["xk_xdr_shxym"])
        ]
    assert merge.load_batch(engine, second) == acc  # a re-run links nothing twice


def test_a_quarantined_record_fixed_under_the_same_key_and_fixed_once_only(engine):
    incomplete = {**BASE, "xk_nr": None}
    with engine.begin() as conn:
        first = license_batch(conn, {2: incomplete}, errors=(2,))
        again = license_batch(conn, {2: incomplete}, day="2025-09-08", errors=(2,))  # sent again, still wrong
    merge.load_batch(engine, first)
    merge.load_batch(engine, again)
    with engine.begin() as conn:
        fixed = license_batch(conn, {2: BASE}, day="2025-09-10")
        revised = license_batch(conn, {2: {**BASE, "xk_nr": "食品经营许可（变更）"}}, day="2025-09-11")
    assert merge.load_batch(engine, fixed).corrected == 2
    assert merge.load_batch(engine, revised).corrected == 0
    with engine.connect() as conn:
        assert [(r[0], r[2]) for r in linked(conn, "core.license", "xk_xdr_shxym")] == [(first, fixed), (again, fixed)]


@pytest.mark.parametrize("order", ["delivered", "reversed"])
def test_register_rows_keyed_by_the_subject_alone_are_corrected_by_code_or_by_name(engine, order):
    """市场主体登记 has no key column: a quarantined row is fixed by a version of the same subject, found by its code
    or, where the code was the mistake, by its name (one join each: load/corrections.py); in either load order."""
    company = REGISTER_RECORD
    other = {**company, "zt_mc": "平顶山市另一家有限公司", "zt_shxym": OTHER_CODE}
    no_status = {**other, "zt_djzt": None}
    mistyped = {**company, "zt_shxym": "914403001922038217"}  # check digit wrong: the code matches nothing
    third = {**company, "zt_mc": "平顶山市第三家有限公司", "zt_shxym": "91410400MA9G4TJW1Y"}

    def register(conn, rows, day, errors=()):
        return stage(conn, "subject_registry", rows, feed_id="scjg_subjects", department_id="scjg", day=day,
                     errors=errors)  # fmt: skip

    with engine.begin() as conn:
        first = register(conn, {2: mistyped, 3: no_status}, "2025-09-01", errors=(2, 3))
        unrelated = register(conn, {2: third}, "2025-09-02")
        fixed = register(conn, {2: other, 3: company}, "2025-09-03")
    batches = [first, unrelated, fixed]
    for batch in batches if order == "delivered" else reversed(batches):
        merge.load_batch(engine, batch)
    with engine.connect() as conn:
        fixes = linked(conn, "core.subject_registry", "zt_mc")
        corrected = conn.execute(sa.text("SELECT batch_id, corrected FROM quality.batch_accounting ORDER BY 1")).all()
    # row 2 (the mistyped code) by its name, row 3 (no status) by its code
    assert fixes == [
        (first, 2, fixed, 3, "2025-09-03", company["zt_mc"]),
        (first, 3, fixed, 2, "2025-09-03", other["zt_mc"]),
    ]
    assert corrected == [(first, 0), (unrelated, 0), (fixed, 2)]


def test_the_batches_command_shows_each_batch_with_its_file_and_accounting(engine, capsys):
    import json

    from citycredit import cli

    with engine.begin() as conn:
        batch = license_batch(conn, {2: BASE, 3: BASE, 4: {**BASE, "xk_wsh": "X"}}, errors=(4,))
    merge.load_batch(engine, batch)
    assert cli.main(["batches", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["source_name"], len(row["sha256"]), row["status"]) == ("scjg_license_2025-09-05.csv", 64, "loaded")
    assert [row[k] for k in ("received", "loaded", "quarantined", "duplicate", "corrected")] == [3, 1, 1, 1, 0]
    assert cli.main(["batches"]) == 0
    table = capsys.readouterr().out
    assert row["sha256"][:8] in table and row["sha256"] not in table  # the start names the file on screen
    assert "隔离" in table and "纠正" in table and "已入库" in table


def test_copy_round_trips_text_as_postgresql_reads_csv(engine):
    """copyio: empty and missing values go in as NULL, quotes, commas and line breaks survive, both ways."""
    import pandas as pd

    from citycredit.core import copyio

    frame = pd.DataFrame(
        {
            "t": ['说"明",一\n二', "", None, "x"],
            "n": pd.array([1, None, 3, 4], dtype="Int64"),
            "d": ["2025-09-30", None, "2025-10-08", "2025-10-09"],
        }
    )
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TEMP TABLE copied (t text, n integer, d date)"))
        assert copyio.copy_in(conn, "copied", frame) == 4
        stored = conn.execute(sa.text("SELECT t, n, d::text FROM copied ORDER BY n NULLS FIRST")).all()
        back = copyio.copy_out(conn, "SELECT t, n, d FROM copied ORDER BY n NULLS FIRST")
        none = copyio.copy_out(conn, "SELECT t, n FROM copied WHERE false")
    assert stored == [
        (None, None, None),
        ('说"明",一\n二', 1, "2025-09-30"),
        (None, 3, "2025-10-08"),
        ("x", 4, "2025-10-09"),
    ]
    assert back.astype(object).where(back.notna(), None).values.tolist() == [
        [None, None, None],
        ['说"明",一\n二', "1", "2025-09-30"],
        [None, "3", "2025-10-08"],
        ["x", "4", "2025-10-09"],
    ]
    assert none.empty and list(none.columns) == ["t", "n"]
