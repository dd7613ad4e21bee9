"""Validated batches written straight into landing and staging, with their findings: the input of a load."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

CITY = ZoneInfo("Asia/Shanghai")
DEPT_CODE = "11410400005260186J"
# A valid 行政许可 record of 平顶山市市场监督管理局; tests vary it with {**LICENSE_RECORD, ...}.
LICENSE_RECORD = {
    "xk_xdr_mc": "平顶山市示例商贸有限公司",
    "xk_xdr_lb": "法人及非法人组织",
    "xk_xdr_shxym": "914403001922038216",
    "xk_xkws": "准予行政许可决定书",
    "xk_wsh": "平市监许〔2025〕1号",
    "xk_xklb": "普通",
    "xk_nr": "食品经营许可",
    "xk_jdrq": "2025-09-01",
    "xk_yxqz": "2025-09-01",
    "xk_yxqzi": "2030-08-31",
    "xk_xkjg": "平顶山市市场监督管理局",
    "xk_xkjgdm": DEPT_CODE,
    "xk_zt": "1",
    "xk_lydw": "平顶山市市场监督管理局",
    "xk_lydwdm": DEPT_CODE,
}
# A 市场主体登记 record of the register of 市场监管 (its record is the subject itself).
REGISTER_RECORD = {
    "zt_mc": "平顶山市鑫华建材有限公司",
    "zt_shxym": "914403001922038216",
    "zt_lx": "有限责任公司",
    "zt_djzt": "存续",
    "zt_clrq": "2018-03-02",
    "zt_qhdm": "410402",
}
_sha = itertools.count(1)


def stage(
    conn: sa.Connection,
    dataset: str,
    rows: dict[int, dict],
    *,
    feed_id: str,
    department_id: str,
    day: str = "2025-09-05",
    errors: tuple[int | None, ...] = (),
    warnings: tuple[int, ...] = (),
) -> int:
    """A validated batch of `rows` (source row → canonical values) received on `day` at 10:00 in the city.

    errors / warnings: source rows with an error / a warning finding (None: a file-level error).
    """
    received = datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=CITY)
    batch_id = conn.execute(
        sa.text(
            "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
            " stored_path, received_at, reported_on, status) VALUES (:dep, :feed, :ds, :name, :sha, 1, '/dev/null',"
            " :t, (CAST(:t AS timestamptz) AT TIME ZONE 'Asia/Shanghai')::date, 'validated') RETURNING batch_id"
        ),
        {
            "dep": department_id,
            "feed": feed_id,
            "ds": dataset,
            "name": f"{feed_id}_{day}.csv",
            "sha": f"{next(_sha):064x}",
            "t": received,
        },  # fmt: skip
    ).scalar()
    for source_row, values in rows.items():
        cols = ["batch_id", "source_row", "reported_on", *values]
        conn.execute(
            sa.text(
                f"INSERT INTO staging.{dataset}_rows ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
            ),
            {"batch_id": batch_id, "source_row": source_row, "reported_on": day, **values},
        )
    for source_row, severity in [(r, "error") for r in errors] + [(r, "warning") for r in warnings]:
        conn.execute(
            sa.text(
                "INSERT INTO quality.findings (batch_id, source_row, dataset, rule_id, field, category, severity,"
                " message) VALUES (:b, :r, :ds, 'TEST', NULL, 'identifier', :s, '测试')"
            ),
            {"b": batch_id, "r": source_row, "ds": dataset, "s": severity},
        )
    return batch_id
