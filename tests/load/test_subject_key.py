"""The subject key has one definition in two languages (core/datasets.py): validation computes it over a frame,
the load in SQL. Both must give the same key for every row, or a duplicate found by one is missed by the other."""

import pandas as pd
import pytest
import sqlalchemy as sa

from citycredit.core import checkdigits, datasets

pytestmark = pytest.mark.db

CODE, REGNO, ID, NAME = "91410400MA3X4Y5Z6A", "410400000012345", "11010519491231002X", "平顶山市示例有限公司"
PLACEHOLDER = checkdigits.USCC_PLACEHOLDER


def rows(d: datasets.Dataset) -> list[dict]:
    """Every way the identifiers of a subject come: each alone, the placeholder code with and without another,
    all of them, none."""
    cols = d.subject_identifiers
    values = {d.subject_code: CODE, d.registration_no: REGNO, d.id_number: ID, d.subject_name: NAME}
    out = [{c: values[c] if c == only else None for c in cols} for only in cols]
    out += [{c: PLACEHOLDER if c == d.subject_code else values[c] if c == other else None for c in cols}
            for other in cols]  # fmt: skip
    out.append({c: values[c] for c in cols})
    out.append(dict.fromkeys(cols))
    return out


@pytest.mark.parametrize("name", ["license", "penalty", "credit_list"])
def test_the_pandas_and_the_sql_subject_key_agree(engine, name):
    d = datasets.get(name)
    data = rows(d)
    frame = pd.DataFrame(data, dtype="str")
    in_python = d.subject_key(frame).tolist()

    columns = ", ".join(f"{c} text" for c in d.subject_identifiers)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TEMP TABLE ids (n int, {columns})"))
        for n, row in enumerate(data):
            names = ", ".join(row)
            conn.execute(sa.text(f"INSERT INTO ids (n, {names}) VALUES (:n, {', '.join(':' + c for c in row)})"),
                         {"n": n, **row})  # fmt: skip
        in_sql = (
            conn.execute(
                sa.text(f"SELECT {d.subject_key_sql('ids.{}')} FROM ids ORDER BY n"), {"placeholder": PLACEHOLDER}
            )
            .scalars()
            .all()
        )

    assert in_python == in_sql
    assert in_python[-1] == "" and CODE in in_python and PLACEHOLDER not in in_python
