"""统一社会信用代码 quality on a real PostgreSQL: the SQL check against the Python one, 错码 and 重码 over time."""

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from support import code_stock
from support.indicator_rows import batch
from support.staged_batches import LICENSE_RECORD, stage

from citycredit.core import identifiers
from citycredit.core.checkdigits import USCC_ALPHABET, org_check_char, uscc_check_char
from citycredit.load import merge

pytestmark = pytest.mark.db

GOOD = "914403001922038216"
MISTYPED = "914403001922038217"
OTHER = "91330100799655058B"


def test_the_sql_check_agrees_with_the_python_check_on_generated_codes(engine):
    rng = np.random.default_rng(5)
    codes = []
    for _ in range(2000):
        body = "".join(rng.choice(list(USCC_ALPHABET), 8))
        head = rng.choice(["91", "92", "11", "Y1", "N2", "51"]) + f"{rng.integers(0, 10**6):06d}" + body
        head += org_check_char(body)
        code = head + uscc_check_char(head)
        damage = rng.integers(0, 4)  # 0: valid; 1: a character changed; 2: the org check changed; 3: too short
        if damage == 1:
            k = int(rng.integers(0, 18))
            code = code[:k] + ("0" if code[k] != "0" else "1") + code[k + 1 :]
        elif damage == 2:
            code = code[:16] + ("0" if code[16] != "0" else "1") + code[17:]
        elif damage == 3:
            code = code[:17]
        codes.append(code)
    codes += ["91110108717809965C", "N23301001234567880", "Y1110000MA0Q1R2TX6"]
    python = (identifiers.uscc_format_ok(pd.Series(codes)) & identifiers.uscc_check_ok(pd.Series(codes))).tolist()
    assert sql_valid(engine, codes) == python
    assert 0.2 < np.mean(python) < 0.8
    # The Python rule lets the placeholder through (another rule judges it); as a code in the stock it is wrong.
    assert sql_valid(engine, ["00000000000000000X", None]) == [False, None]


def sql_valid(engine, codes: list[str | None]) -> list[bool | None]:
    with engine.connect() as conn:
        return (
            conn.execute(
                sa.text(
                    "SELECT quality.uscc_valid(c) FROM unnest(CAST(:codes AS text[])) WITH ORDINALITY u(c, i)"
                    " ORDER BY i"
                ),
                {"codes": codes},
            )
            .scalars()
            .all()
        )


ROW = {k: v for k, v in LICENSE_RECORD.items() if k not in ("xk_xdr_mc", "xk_xdr_shxym", "xk_wsh")}


def permit(name: str, code: str, number: int) -> dict:
    return {**ROW, "xk_xdr_mc": name, "xk_xdr_shxym": code, "xk_wsh": f"平市监许〔2025〕{number}号"}


def deliver(engine, rows: list[dict], day: str, errors=()) -> merge.Accounting:
    with engine.begin() as conn:
        batch = stage(
            conn, "license", dict(enumerate(rows, start=2)), feed_id="scjg_license", department_id="scjg", day=day,
            errors=errors,
        )  # fmt: skip
    accounting = merge.load_batch(engine, batch)
    with engine.connect() as conn:
        assert code_stock.counted(conn) == code_stock.as_defined(conn)
    return accounting


def issues(engine, day: str) -> list[tuple]:
    """错码 and 重码 in the stock at the end of ``day`` (quality.uscc_issues)."""
    query = "SELECT issue, code, name_key FROM quality.uscc_issues(:d) ORDER BY issue, code NULLS LAST, name_key"
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query), {"d": date.fromisoformat(day)})]


def stock_size(engine, day: date) -> int:
    """The distinct codes in the stock at the end of ``day`` (the denominator of 重错码率)."""
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM quality.uscc_stock(:d)"), {"d": day}).scalar_one()


def test_wrong_and_duplicate_codes_appear_in_the_stock_and_leave_it_when_corrected(engine):
    deliver(
        engine,
        [
            permit("平顶山市鑫华建材有限公司", MISTYPED, 1),  # 错码: quarantined
            permit("平顶山市恒德物流有限公司", OTHER, 2),
            permit("平顶山市恒德物流（有限）公司", OTHER, 3),  # the same name once folded: no 重码
            permit("平顶山市瑞丰食品有限公司", OTHER, 4),  # 一码多名
            permit("新华区李记烩面馆", "00000000000000000X", 5),  # the placeholder is no code
        ],
        "2025-09-05",
        errors=(2,),
    )
    assert issues(engine, "2025-09-04") == []
    assert issues(engine, "2025-09-30") == [
        ("一码多名", OTHER, None),
        ("错码", MISTYPED, "平顶山市鑫华建材有限公司"),
    ]
    assert stock_size(engine, date(2025, 9, 30)) == 2

    # October: the code is fixed (a correction), the permit naming 瑞丰 under 恒德's code is revised to the right
    # name (the same key: a new version), and 鑫华 appears under a second code elsewhere (一名多码).
    acc = deliver(
        engine,
        [
            permit("平顶山市鑫华建材有限公司", GOOD, 1),
            permit("平顶山市恒德物流有限公司", OTHER, 4),
            permit("平顶山市鑫华建材有限公司", "91440300708461136T", 6),
        ],
        "2025-10-09",
    )
    assert (acc.loaded, acc.revised, acc.corrected) == (3, 1, 1)
    assert issues(engine, "2025-09-30") == [
        ("一码多名", OTHER, None),
        ("错码", MISTYPED, "平顶山市鑫华建材有限公司"),
    ]
    assert issues(engine, "2025-10-31") == [("一名多码", None, "平顶山市鑫华建材有限公司")]
    assert stock_size(engine, date(2025, 10, 31)) == 3


# The stock and its issues as migration 0002 defined them, straight from every observation (counted per group since
# migration 0030): the summary kept by migration 0007 (quality.uscc_pairs) must give exactly these on any day.
REFERENCE_STOCK = """
    WITH stock AS (SELECT * FROM quality.uscc_observations o
                   WHERE o.reported_on <= :d AND (o.withdrawn_on IS NULL OR o.withdrawn_on > :d))
    SELECT 'stock', code, NULL, min(reported_on), NULL, bool_and(code_valid) FROM stock GROUP BY code
    UNION ALL
    SELECT '错码', code, min(name_key), min(reported_on), sum(observations), NULL FROM stock WHERE NOT code_valid
    GROUP BY code
    UNION ALL
    SELECT '一码多名', code, NULL, min(reported_on), sum(observations), NULL FROM stock
    WHERE code_valid AND name_key IS NOT NULL GROUP BY code HAVING count(DISTINCT name_key) >= 2
    UNION ALL
    SELECT '一名多码', NULL, name_key, min(reported_on), sum(observations), NULL FROM stock
    WHERE code_valid AND name_key IS NOT NULL GROUP BY name_key HAVING count(DISTINCT code) >= 2
"""
SUMMARY_STOCK = """
    SELECT 'stock', code, NULL, first_seen, NULL, code_valid FROM quality.uscc_stock(:d)
    UNION ALL
    SELECT issue, code, name_key, first_seen, observations, NULL FROM quality.uscc_issues(:d)
"""


def test_the_stock_summary_gives_what_every_observation_gives_on_any_day(engine):
    rng = np.random.default_rng(6)
    codes = [GOOD, MISTYPED, OTHER, "91440300708461136T", "9144030071526726XG", "91110108551385082Q"]
    names = ["平顶山市鑫华建材有限公司", "平顶山市恒德物流有限公司", "平顶山市恒德物流（有限）公司", "新华区李记烩面馆"]
    names.append(None)
    days = pd.date_range("2025-01-01", "2025-12-31").date
    insert = sa.text(
        "INSERT INTO quality.uscc_observations (batch_id, dataset, department_id, reported_on, code, subject_name,"
        " name_key, code_valid, loaded, withdrawn_on, observations) SELECT b, 'license', 'scjg', d, c, n,"
        " quality.name_key(n), quality.uscc_valid(c), true, w, k FROM jsonb_to_recordset(CAST(:rows AS jsonb))"
        " AS x(b bigint, d date, c text, n text, w date, k bigint)"
    )
    with engine.begin() as conn:
        # One batch a month: a statement per group or the whole batch in one (the summary's triggers fire per
        # statement and add what an insert brings to the pairs), a few groups already withdrawn when written.
        # Withdrawals, counts moved and a delete come between the months, so later inserts add to pairs they
        # recomputed.
        for month in range(1, 13):
            b = batch(conn, "scjg", "license", f"2025-{month:02d}-28 10:00")
            groups: dict[tuple, int] = {}
            for _ in range(40):
                d = days[rng.integers(0, len(days))]
                withdrawn = d + timedelta(days=int(rng.integers(0, 60))) if rng.random() < 0.15 else None
                group = (d, codes[rng.integers(0, len(codes))], names[rng.integers(0, len(names))], withdrawn)
                groups[group] = groups.get(group, 0) + int(rng.integers(1, 4))
            rows = [{"b": b, "d": d, "c": c, "n": n, "w": w, "k": k} for (d, c, n, w), k in groups.items()]
            statements = [rows] if month % 2 else [[row] for row in rows]
            for part in statements:
                conn.execute(insert, {"rows": json.dumps(part, default=str)})
            if month % 3 == 2:  # withdrawals, on or after the day reported (later than any written withdrawn)
                conn.execute(
                    sa.text(
                        "UPDATE quality.uscc_observations SET withdrawn_on = reported_on + 60 + observations::int"
                        " WHERE withdrawn_on IS NULL AND (batch_id + observations) % 4 = 0"
                        " AND extract(month FROM reported_on) <= :m"
                    ),
                    {"m": month},
                )
            if month % 4 == 1:  # counts moved up
                conn.execute(
                    sa.text("UPDATE quality.uscc_observations SET observations = observations + 2 WHERE code = :c"),
                    {"c": codes[month % len(codes)]},
                )
            if month == 7:
                conn.execute(sa.text("DELETE FROM quality.uscc_observations WHERE observations = 2"))
    with engine.connect() as conn:
        for day in [date(2024, 12, 31), *(d for d in days if d.day in (1, 15) or d.month == 12), date(2026, 6, 30)]:
            expected = sorted(map(tuple, conn.execute(sa.text(REFERENCE_STOCK), {"d": day})), key=repr)
            assert sorted(map(tuple, conn.execute(sa.text(SUMMARY_STOCK), {"d": day})), key=repr) == expected, day
        assert len(expected) > 6 and {row[0] for row in expected} == {"stock", "错码", "一码多名", "一名多码"}
        # and the summary itself is what its definition recomputes from every observation
        pairs = "SELECT code, name_key, code_valid, observations, first_seen FROM quality.uscc_pairs ORDER BY 1, 2"
        recomputed = (
            "SELECT code, name_key, bool_and(code_valid), sum(observations), min(reported_on)"
            " FROM quality.uscc_observations"
            " WHERE withdrawn_on IS NULL GROUP BY code, name_key ORDER BY 1, 2"
        )
        assert conn.execute(sa.text(pairs)).all() == conn.execute(sa.text(recomputed)).all()
