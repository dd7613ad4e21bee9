"""Every value validation accepts can be stored, and a row the load still cannot store is quarantined (issue #18).

The SQL types of the typed columns are declared once (citycredit.validate.storable); here they are compared with
the core tables the migrations built, the storable rule's boundary with PostgreSQL's own casts, and a batch holding
a poison row (罚款金额 999999999999.9999999 overflowed numeric(18,6) and failed its batch on every retry) loads.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.staged_batches import stage

from citycredit.core import config, datasets
from citycredit.load import merge, unstorable
from citycredit.validate import storable
from citycredit.validate.selfcheck import run_check
from citycredit.validate.suites import suite_definition

KNOWN = Path(__file__).parents[1] / "data" / "known_answers"
POISON = "999999999999.9999999"


def test_every_storable_rule_names_a_declared_type_and_every_amount_and_timestamp_has_one():
    for name in datasets.ALL:
        amounts = {f.name for f in config.fields(name) if f.type in ("amount", "timestamp")}
        ruled = {
            e["kwargs"]["column"]: e["kwargs"]["field_type"]
            for e in suite_definition(name)["expectations"]
            if e["type"] == "expect_column_values_to_be_storable"
        }
        assert set(ruled) == amounts, name
        assert all(t in storable.STORED for t in ruled.values())


@pytest.mark.db
def test_the_declared_types_are_the_core_tables_column_types(engine):
    with engine.connect() as conn:
        columns = {
            (r.table_name, r.column_name): r
            for r in conn.execute(
                sa.text(
                    "SELECT table_name, column_name, data_type, numeric_precision, numeric_scale"
                    " FROM information_schema.columns WHERE table_schema = 'core'"
                )
            )
        }
    for name in datasets.ALL:
        for field in config.fields(name):
            column = columns[(name, field.name)]
            stored = storable.STORED.get(field.type)
            if stored is None:
                assert column.data_type == "text", (name, field.name)
            else:
                assert (column.data_type, column.numeric_precision, column.numeric_scale) == (
                    stored.data_type,
                    stored.precision,
                    stored.scale,
                ), (name, field.name)


@pytest.mark.db
@pytest.mark.parametrize(
    "value",
    ["0", "0.2", "999999999999", "999999999999.999999", "999999999999.9999994", "999999999999.9999995", POISON,
     "1000000000000", "123456789012345678901234567890", "0.0000005"],
)  # fmt: skip
def test_the_storable_rule_draws_the_line_where_postgresql_does(engine, value):
    with engine.connect() as conn:
        fits = conn.execute(
            sa.text("SELECT quality.storable(:v, :t)"), {"v": value, "t": storable.STORED["amount"].sql}
        ).scalar_one()
    assert storable.STORED["amount"].holds(value) is fits


@pytest.mark.db
@pytest.mark.parametrize(
    "value",
    ["2025-09-30T14:30:00+08:00", "2025-09-30T14:30:00.123+08:00", "0001-01-01T00:00:00+08:00",
     "9999-12-31T23:59:59+08:00", "2025-02-30T10:00:00+08:00", "2025-09-30T25:00:00+08:00",
     "2025-09-30T14:61:00+08:00", "2025-09-30T14:30:00+16:00", "2025-09-30T14:30:00-15:59"],
)  # fmt: skip
def test_the_timestamp_rule_draws_the_line_where_postgresql_does(engine, value):
    """数据更新时间戳 as normalization writes it: a real instant is storable, 2月30日 or 25时 are not."""
    with engine.connect() as conn:
        fits = conn.execute(sa.text("SELECT quality.storable(:v, 'timestamptz')"), {"v": value}).scalar_one()
    assert storable.STORED["timestamp"].holds(value) is fits


@pytest.mark.db
def test_an_update_time_the_warehouse_cannot_store_quarantines_its_row_not_the_batch(engine):
    # As if validation had missed it: the version order casts 数据更新时间戳, and that cast fails first.
    stamp = {"cf_sjc": "2025-09-01T10:00:00+08:00"}
    with engine.begin() as conn:
        batch = stage(
            conn, "penalty",
            {2: penalty(1, **stamp), 3: penalty(1, cf_sjc="2025-02-30T10:00:00+08:00", cf_nr="罚款6000元"),
             4: penalty(1, **stamp, cf_nr="罚款7000元")},
            feed_id="scjg_penalty", department_id="scjg",
        )  # fmt: skip
    accounting = merge.load_batch(engine, batch)
    assert (accounting.received, accounting.loaded, accounting.quarantined) == (3, 2, 1)
    with engine.connect() as conn:
        label = conn.execute(sa.text("SELECT label FROM quality.findings WHERE batch_id = :b"), {"b": batch}).one()
        current = conn.execute(sa.text("SELECT source_row FROM core.penalty WHERE is_current")).scalar_one()
    assert (label[0], current) == ("数据更新时间戳", 4)


@pytest.mark.db
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_extreme_dates_the_date_rule_accepts_are_storable(engine, value):
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT quality.storable(:v, 'date')"), {"v": value}).scalar_one()


def test_citycredit_check_refuses_a_fine_the_warehouse_cannot_store(tmp_path):
    with (KNOWN / "penalty.csv").open(encoding="utf-8", newline="") as fh:
        header, first, *_ = csv.reader(fh)
    fine = header.index("罚款金额（万元）")
    target = tmp_path / "penalty.csv"
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerow(first)
        writer.writerow([POISON if i == fine else v.replace("1号", "2号") for i, v in enumerate(first)])
    result = run_check(target, "penalty", date(2025, 9, 30))
    found = result.findings[result.findings["rule_id"] == "CF-RANGE-NR_FK"]
    assert list(found["source_row"]) == [3]
    assert "超出可保存的范围" in found["message"].iloc[0]


def penalty(n: int, **changes) -> dict:
    return {
        "cf_xdr_mc": "平顶山恒德建材有限公司",
        "cf_xdr_lb": "法人及非法人组织",
        "cf_xdr_shxym": "91330100799655058B",
        "cf_wsh": f"平市监罚〔2025〕{n}号",
        "cf_wfxw": "价格违法行为",
        "cf_sy": "未按规定明码标价",
        "cf_yj": "《明码标价和禁止价格欺诈规定》第二十一条",
        "cf_cflb": "罚款",
        "cf_nr": "罚款5000元",
        "cf_nr_fk": "0.5",
        "cf_jdrq": "2025-09-01",
        "cf_yxq": "2025-10-01",
        "cf_cfjg": "平顶山市市场监督管理局",
        "cf_cfjgdm": "11410400005260186J",
        "cf_sjly": "平顶山市市场监督管理局",
        "cf_sjlydm": "11410400005260186J",
        **changes,
    }


@pytest.mark.db
def test_a_row_the_warehouse_cannot_store_is_quarantined_with_a_reason_and_the_batch_loads(engine):
    # As if validation had missed them: no finding marks the rows the load cannot store.
    with engine.begin() as conn:
        batch = stage(
            conn, "penalty",
            {2: penalty(1), 3: penalty(2, cf_nr_fk=POISON), 4: penalty(3), 5: penalty(4, cf_yxq="2025-02-30"),
             6: penalty(1)},
            feed_id="scjg_penalty", department_id="scjg",
        )  # fmt: skip
    accounting = merge.load_batch(engine, batch)
    assert (accounting.received, accounting.loaded, accounting.quarantined, accounting.duplicate) == (5, 2, 2, 1)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT cf_wsh FROM core.penalty ORDER BY source_row")).scalars().all() == [
            "平市监罚〔2025〕1号",
            "平市监罚〔2025〕3号",
        ]
        quarantined = conn.execute(
            sa.text("SELECT source_row, rule_ids, row_data->>'cf_nr_fk' FROM quality.quarantine ORDER BY 1")
        ).all()
        assert quarantined == [(3, [unstorable.RULE_ID], POISON), (5, [unstorable.RULE_ID], "0.5")]
        reasons = conn.execute(
            sa.text("SELECT source_row, label, message FROM quality.findings WHERE batch_id = :b ORDER BY 1"),
            {"b": batch},
        ).all()
        assert [(r.source_row, r.label) for r in reasons] == [(3, "罚款金额（万元）"), (5, "处罚有效期")]
        assert all("无法入库" in r.message for r in reasons)
        outcome = conn.execute(
            sa.text("SELECT evaluated, failed FROM quality.rule_outcomes WHERE batch_id = :b AND rule_id = :r"),
            {"b": batch, "r": unstorable.RULE_ID},
        ).one()
        assert tuple(outcome) == (5, 2)
        assert conn.execute(sa.text("SELECT status FROM landing.batches WHERE batch_id = :b"), {"b": batch}).scalar()
    assert merge.load_batch(engine, batch) == accounting  # a retry finds the accounting: nothing twice


@pytest.mark.db
def test_a_data_error_no_row_explains_still_fails_the_load(engine, monkeypatch):
    with engine.begin() as conn:
        batch = stage(conn, "penalty", {2: penalty(1, cf_nr_fk=POISON)}, feed_id="scjg_penalty", department_id="scjg")
    monkeypatch.setattr(unstorable, "record", lambda conn, dataset, batch_id: 0)
    with pytest.raises(sa.exc.DataError):
        merge.load_batch(engine, batch)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM quality.batch_accounting")).scalar() == 0
