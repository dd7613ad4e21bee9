"""Warehouse rows written directly, for the indicator tests: batches, deliveries, core and quarantine rows, findings.

Instants are given in the city's time (Asia/Shanghai), as a department's clock shows them.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from citycredit.indicators import compute, definitions

CITY = ZoneInfo("Asia/Shanghai")
_sha = itertools.count(1)


def local(text: str) -> datetime:
    """'2025-09-30 23:59' in the city's time zone."""
    return datetime.fromisoformat(text).replace(tzinfo=CITY)


def batch(conn, department: str, dataset: str, received: str, *, outcome: str = "new", feed: str | None = None) -> int:
    """A delivery received at ``received`` (city time) and, unless it was rejected, its batch. The feed is
    <department>_<dataset> unless given."""
    sha = f"{next(_sha):064x}"
    feed = feed or f"{department}_{dataset}"
    when = local(received)
    batch_id = None
    if outcome != "rejected":
        batch_id = conn.execute(
            sa.text(
                "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
                " stored_path, received_at, reported_on, status) VALUES (:d, :f, :ds, :n, :sha, 1, '/dev/null', :t,"
                " (CAST(:t AS timestamptz) AT TIME ZONE 'Asia/Shanghai')::date, 'loaded')"
                " RETURNING batch_id"
            ),
            {"d": department, "f": feed, "ds": dataset, "n": f"{sha[-6:]}.csv", "sha": sha, "t": when},
        ).scalar()
    conn.execute(
        sa.text(
            "INSERT INTO landing.deliveries (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
            " received_at, outcome, batch_id) VALUES (:d, :f, :ds, :n, :sha, 1, :t, :o, :b)"
        ),
        {"d": department, "f": feed, "ds": dataset, "n": f"{sha[-6:]}.csv", "sha": sha, "t": when, "o": outcome,
         "b": batch_id},
    )  # fmt: skip
    return batch_id


def accounted(conn, batch_id: int, *, loaded: int = 0, quarantined: int = 0, duplicate: int = 0) -> None:
    """Add rows to the batch's accounting, as the load records them."""
    conn.execute(
        sa.text(
            "INSERT INTO quality.batch_accounting AS a (batch_id, received, loaded, quarantined, duplicate, revised,"
            " with_warnings) VALUES (:b, :l + :q + :d, :l, :q, :d, 0, 0) ON CONFLICT (batch_id) DO UPDATE SET"
            " received = a.received + EXCLUDED.received, loaded = a.loaded + EXCLUDED.loaded,"
            " quarantined = a.quarantined + EXCLUDED.quarantined, duplicate = a.duplicate + EXCLUDED.duplicate"
        ),
        {"b": batch_id, "l": loaded, "q": quarantined, "d": duplicate},
    )


PREFIX = {"license": "xk", "penalty": "cf"}


def loaded(conn, batch_id: int, source_row: int, dataset: str, **values) -> int:
    """A row of the batch loaded into core.<dataset> (values: canonical columns without the xk_/cf_ prefix)."""
    p = PREFIX[dataset]
    cols = {
        f"{p}_{k}": v
        for k, v in {"xdr_mc": "示例商贸有限公司", "wsh": f"文书{batch_id}-{source_row}", **values}.items()
    }
    names = ", ".join(cols)
    accounted(conn, batch_id, loaded=1)
    return conn.execute(
        sa.text(
            f"INSERT INTO core.{dataset} (department_id, batch_id, source_row, reported_on, subject_key, content_hash,"
            f" version, is_current, {names}) SELECT department_id, batch_id, :r, (received_at AT TIME ZONE"
            f" 'Asia/Shanghai')::date, 'k', md5(CAST(:r AS text)), 1, true, {', '.join(':' + c for c in cols)}"
            " FROM landing.batches WHERE batch_id = :b RETURNING record_id"
        ),
        {"b": batch_id, "r": source_row, **cols},
    ).scalar()


def quarantined(conn, batch_id: int, source_row: int, dataset: str, **values) -> None:
    p = PREFIX[dataset]
    row = {f"{p}_{k}": v for k, v in values.items()}
    accounted(conn, batch_id, quarantined=1)
    conn.execute(
        sa.text(
            "INSERT INTO quality.quarantine (batch_id, source_row, dataset, row_data, rule_ids)"
            " VALUES (:b, :r, :ds, CAST(:data AS jsonb), ARRAY['X-REQ'])"
        ),
        {"b": batch_id, "r": source_row, "ds": dataset, "data": json.dumps({"reported_on": "2025-09-01", **row})},
    )


def finding(conn, batch_id: int, source_row: int, dataset: str, kind: str) -> None:
    """A warning on a row: kind 'late' or 'indeterminate' (the dataset suite's timeliness rules), else a rule
    of another category."""
    late, indeterminate = definitions.suite_timeliness_rules(dataset)
    rule_id = {"late": late, "indeterminate": indeterminate}.get(kind, [f"{kind}-OTHER"])[0]
    conn.execute(
        sa.text(
            "INSERT INTO quality.findings (batch_id, source_row, dataset, rule_id, category, severity, message)"
            " VALUES (:b, :r, :ds, :rule, 'timeliness', 'warning', '测试')"
        ),
        {"b": batch_id, "r": source_row, "ds": dataset, "rule": rule_id},
    )


def list_period(
    conn,
    batch_id: int,
    source_row: int,
    subject: str,
    listed: str,
    removed: str | None = None,
    kind: str = "法人及非法人组织",
    list_type: str = "严重失信主体名单",
) -> None:
    """A listing period (the current version) of ``subject`` on a list, from the batch ``batch_id``."""
    conn.execute(
        sa.text(
            "INSERT INTO core.credit_list (department_id, batch_id, source_row, reported_on, subject_key, content_hash,"
            " version, is_current, md_zt_mc, md_zt_lb, md_lx, md_rdbm, md_lrrq, md_lryj, md_ycrq, md_ycyy)"
            " SELECT department_id, batch_id, :r, (received_at AT TIME ZONE 'Asia/Shanghai')::date, :s, md5(:s || :l),"
            " 1, true, :s, :k, :t, '认定部门', CAST(:l AS date), '依据', CAST(:rm AS date),"
            " CASE WHEN :rm IS NOT NULL THEN '修复' END FROM landing.batches WHERE batch_id = :b"
        ),
        {"b": batch_id, "r": source_row, "s": subject, "l": listed, "rm": removed, "k": kind, "t": list_type},
    )  # fmt: skip


def register_subject(
    conn,
    batch_id: int,
    source_row: int,
    name: str,
    kind: str = "企业",
    founded: str = "2010-01-01",
    status: str = "存续",
) -> None:
    """A subject of the market-subject register as the batch ``batch_id`` reported it."""
    conn.execute(
        sa.text(
            "INSERT INTO core.subject_registry (department_id, batch_id, source_row, reported_on, subject_key,"
            " content_hash, version, is_current, zt_mc, zt_shxym, zt_lx, zt_djzt, zt_clrq)"
            " SELECT department_id, batch_id, :r, (received_at AT TIME ZONE 'Asia/Shanghai')::date, :n, md5(:n), 1,"
            " true, :n, NULL, :k, :st, CAST(:f AS date) FROM landing.batches WHERE batch_id = :b"
        ),
        {"b": batch_id, "r": source_row, "n": name, "k": kind, "st": status, "f": founded},
    )  # fmt: skip


def uscc_observation(
    conn, batch_id: int, code: str, name: str, reported: str, valid: bool, withdrawn: str | None = None, count: int = 1
) -> None:
    """``count`` rows of one batch, all loaded (valid) or quarantined, with the same code and name."""
    conn.execute(
        sa.text(
            "INSERT INTO quality.uscc_observations (batch_id, dataset, department_id, reported_on, code, subject_name,"
            " name_key, code_valid, loaded, withdrawn_on, observations) VALUES (:b, 'license', 'scjg',"
            " CAST(:d AS date), :c, :n, quality.name_key(:n), :v, :v, CAST(:w AS date), :k)"
        ),
        {"b": batch_id, "c": code, "n": name, "d": reported, "v": valid, "w": withdrawn, "k": count},
    )  # fmt: skip


def record(conn, table: str, batch_id: int, source_row: int, **values) -> None:
    """The current version of a record in core.<table> (canonical columns as given)."""
    cols = ", ".join(values)
    conn.execute(
        sa.text(
            f"INSERT INTO core.{table} (department_id, batch_id, source_row, reported_on, subject_key, content_hash,"
            f" version, is_current, {cols}) SELECT department_id, batch_id, :r, (received_at AT TIME ZONE"
            f" 'Asia/Shanghai')::date, CAST(:r AS text), md5(CAST(:r AS text)), 1, true,"
            f" {', '.join(':' + c for c in values)} FROM landing.batches WHERE batch_id = :b"
        ),
        {"b": batch_id, "r": source_row, **values},
    )


def values(engine, month: str, indicator: str) -> dict[tuple[str, str], tuple]:
    return {
        (r["scope_id"], r["dataset"]): (r["numerator"], r["denominator"], r["value"])
        for r in compute.month_values(engine, month, indicator)
    }
