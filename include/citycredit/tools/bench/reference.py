"""The reference pipelines of issue #21: what a data engineer without this project would write to load the bench's
行政处罚 file with the same suite (expectations/penalty.json), each timed on the same file as our ingest:

- ``pandas_gx_copy``: pandas ``read_csv``, Great Expectations' own validation of the suite (an ephemeral GX 1.x
  context, a pandas data source, a whole-dataframe batch definition), then a COPY of the rows without an error
  finding into a typed table keyed on the natural key;
- ``sql_rules_merge``: a COPY of the file into an all-text staging table, one SQL query per rule of the suite
  (dbt-test style: each writes the rows it fails into a findings table), then a MERGE of the valid rows, typed,
  into that table (sql/bench/reference_*.sql).

Neither normalizes values as our ingest does: the file is generated clean (normalized) already. Both map the
file's Chinese header to the suite's column names by the labels of include/config/fields.yaml, take the file's
time of receipt (its mtime) as the reporting date, keep the last row of a natural key, and create their tables in
the bench database themselves. Each runs in a child process (``python -m citycredit.tools.bench.reference``), so
that its peak RSS is its own; its seconds are the pipeline's, after the imports (as our ingest's are).
"""

from __future__ import annotations

import io
import json
import sys
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import config, paths
from citycredit.tools.bench.files import DATASET
from citycredit.tools.bench.ingest import child_result
from citycredit.validate.storable import ISO_INSTANT
from citycredit.validate.suites import suite_definition

SQL_DIR = paths.SQL_DIR / "bench"
PLACEHOLDER = "00000000000000000X"  # the 统一社会信用代码 of a 个体工商户 without one
NUMBER = r"^[0-9]+(\.[0-9]+)?$"
SUBJECT_KEY = f"coalesce(nullif(cf_xdr_shxym, '{PLACEHOLDER}'), cf_xdr_gszc, cf_xdr_zjhm, cf_xdr_mc)"
INSTANT = f"^{ISO_INSTANT.pattern}$"
FINE_IN_YUAN = r"罚款(?:人民币)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*元"  # the stated 罚款…元 of 处罚内容


def _labels() -> dict[str, str]:
    """Column label (the file's header) -> the suite's column name."""
    return {f.label: f.name for f in config.fields(DATASET)}


def _reported_on(path: Path) -> date:
    return date.fromtimestamp(path.stat().st_mtime)


def _execute(engine: sa.Engine, statements: list[str]) -> None:
    """Plain SQL in one transaction, through the driver without parameters (the SQL holds % operators)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement in statements:
            cursor.execute(statement)
        raw.commit()
    finally:
        raw.close()


def _setup(engine: sa.Engine) -> None:
    _execute(engine, [(SQL_DIR / "reference_setup.sql").read_text(encoding="utf-8")])


def _loaded(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM ref_penalty")).scalar_one()


# --- (a) pandas + GX + COPY ---------------------------------------------------------------------------------------


def pandas_gx_copy_child(url: str, path: Path) -> dict:
    import great_expectations as gx
    import pandas as pd

    import citycredit.validate.expectations  # noqa: F401  (registers the suite's custom expectation types)
    from citycredit.core import warehouse

    engine = warehouse.engine(url)
    start = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, encoding="utf-8").rename(columns=_labels())
    columns = list(frame.columns)
    frame["_source_row"] = range(1, len(frame) + 1)
    frame["_reported_on"] = _reported_on(path).isoformat()
    subject = frame["cf_xdr_shxym"].mask(frame["cf_xdr_shxym"] == PLACEHOLDER)
    subject = subject.fillna(frame["cf_xdr_gszc"]).fillna(frame["cf_xdr_zjhm"]).fillna(frame["cf_xdr_mc"])
    frame["subject_key"] = subject
    keyed = frame[["cf_sjlydm", "cf_wsh", "subject_key"]]
    frame["_natural_key"] = pd.array(pd.util.hash_pandas_object(keyed, index=False).astype("int64"), dtype="Int64")
    frame.loc[keyed.isna().any(axis=1), "_natural_key"] = pd.NA
    content = pd.util.hash_pandas_object(frame[columns], index=False).astype("int64")
    frame["_content_hash"] = pd.array(content, dtype="Int64")

    context = gx.get_context(mode="ephemeral")
    batch_definition = (
        context.data_sources.add_pandas("reference")
        .add_dataframe_asset(DATASET)
        .add_batch_definition_whole_dataframe("all")
    )
    expectations = suite_definition(DATASET)["expectations"]
    suite = context.suites.add(gx.ExpectationSuite(name=DATASET, expectations=expectations))
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        suite,
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": ["_source_row"],
            "exclude_unexpected_values": True,
        },
    )
    failing: set[int] = set()
    for res in result.results:
        meta = res.expectation_config.meta if res.expectation_config else {}
        if res.exception_info and res.exception_info.get("raised_exception"):
            raise RuntimeError(f"{meta['rule_id']}: {res.exception_info}")
        if meta["severity"] == "error":
            failing.update(r for e in res.result.get("unexpected_index_list") or [] for r in e["_source_row"])
    validated = time.perf_counter()

    valid = frame[~frame["_source_row"].isin(failing)].drop_duplicates(
        ["cf_sjlydm", "cf_wsh", "subject_key"], keep="last"
    )
    target = ["reported_on", "subject_key", *columns]
    buffer = io.StringIO()
    valid.assign(reported_on=frame["_reported_on"])[target].to_csv(buffer, index=False, header=False)
    buffer.seek(0)
    _setup(engine)
    raw = engine.raw_connection()
    try:
        raw.cursor().copy_expert(f"COPY ref_penalty ({', '.join(target)}) FROM STDIN WITH (FORMAT csv)", buffer)
        raw.commit()
    finally:
        raw.close()
    end = time.perf_counter()
    return {
        "seconds": end - start,
        "validate_seconds": validated - start,
        "error_rows": len(failing),
        "loaded": _loaded(engine),
    }


# --- (b) COPY + one SQL query per rule + MERGE --------------------------------------------------------------------


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _array(values: list) -> str:
    return "ARRAY[" + ", ".join(map(_literal, values)) + "]::text[]"


def _condition(c: dict) -> str:
    """A GX row_condition (the suite's JSON form) in SQL; GX's pandas ``!=`` holds for a missing value."""
    if c["type"] == "or":
        return "(" + " OR ".join(map(_condition, c["conditions"])) + ")"
    column = c["column"]["name"]
    if c["type"] == "nullity":
        return f"{column} IS {'' if c['is_null'] else 'NOT '}NULL"
    operator = {"==": "=", "!=": "IS DISTINCT FROM"}[c["operator"]]
    return f"{column} {operator} {_literal(c['parameter'])}"


def _failing(kind: str, k: dict, reported_on: date) -> str | None:
    """The SQL condition of the rows that fail one rule of the suite; None for the two rules on 工作日 deadlines,
    which need the holiday calendar of citycredit.validate.workdays (warnings: they decide no row's load)."""
    c = k.get("column")
    if kind in (
        "expect_column_pair_values_to_be_reported_within_working_days",
        "expect_column_values_to_have_known_working_day_calendar",
    ):
        return None
    simple = {
        "expect_column_values_to_not_be_null": lambda: f"{c} IS NULL",
        "expect_column_values_to_be_null": lambda: f"{c} IS NOT NULL",
        "expect_column_values_to_be_in_set": lambda: f"{c} <> ALL({_array(k['value_set'])})",
        "expect_column_values_to_not_be_in_set": lambda: f"{c} = ANY({_array(k['value_set'])})",
        "expect_column_values_to_match_regex": lambda: f"{c} !~ {_literal(k['regex'])}",
        "expect_column_values_to_not_match_regex": lambda: f"{c} ~ {_literal(k['regex'])}",
        "expect_column_values_items_to_be_in_set": lambda: f"NOT string_to_array({c}, ';') <@ {_array(k['value_set'])}",
        "expect_column_values_to_be_valid_uscc": lambda: f"NOT ref_uscc_ok({c})",
        "expect_column_values_to_be_valid_id_card": lambda: f"NOT ref_id_card_ok({c})",
        "expect_column_values_to_be_valid_registration_number": lambda: f"NOT ref_regno_ok({c})",
        "expect_column_values_to_be_valid_org_code": lambda: f"NOT ref_org_code_ok({c})",
        "expect_column_values_to_be_iso_dates": lambda: f"ref_date({c}) IS NULL AND {c} IS NOT NULL",
        "expect_column_values_to_be_dates_between": lambda: f"ref_date({c}) < {_literal(k['min_date'])}",
    }
    if kind in simple:
        where = simple[kind]()
    elif kind == "expect_column_values_to_be_storable":
        where = (
            f"{c} ~ {_literal(NUMBER)} AND round({c}::numeric, 6) >= 1e12"
            if k["field_type"] == "amount"
            else f"{c} ~ {_literal(INSTANT)} AND ref_instant({c}) IS NULL"
        )
    elif kind == "expect_column_pair_dates_to_be_in_order":
        a, b = (
            f"{_literal(reported_on.isoformat())}::date" if x == "_reported_on" else f"ref_date({x})"
            for x in (k["column_A"], k["column_B"])
        )
        where = f"{a} > {b}"
    elif kind == "expect_listed_items_to_have_value":
        listed, value = k["column_list"]
        missing = f"{value} IS NULL"
        if k["positive"]:  # an amount that is no plain number is the format rule's business
            missing += f" OR ({value} ~ {_literal(NUMBER)} AND {value}::numeric <= 0)"
        where = f"string_to_array({listed}, ';') && {_array(k['items'])} AND ({missing})"
    elif kind == "expect_fine_unit_to_be_plausible":
        text, amount = k["column_list"]
        stated = f"replace(substring({text} FROM {_literal(FINE_IN_YUAN)}), ',', '')::numeric"
        where = f"{amount} ~ {_literal(NUMBER)} AND {stated} > 0 AND {amount}::numeric = {stated}"
    elif kind == "expect_publication_deadline_within_window":
        decided, until, *texts = k["column_list"]
        special = " OR ".join(f"{t} ~ {_literal('|'.join(k['special_keywords']))}" for t in texts)
        shortest = (
            f"CASE WHEN {special} THEN ref_date({decided}) + interval '{k['special_min_months']} months' "
            f"ELSE ref_date({decided}) + interval '{k['min_months']} months' END"
        )
        where = (
            f"NOT (ref_date({until}) >= {shortest} "
            f"AND ref_date({until}) <= ref_date({decided}) + interval '{k['max_months']} months')"
        )
    elif kind == "expect_natural_key_to_have_one_content":
        content = f"md5(row({', '.join(_labels().values())})::text)"
        return (  # rows whose natural key comes with more than one content in the file
            f"WITH keyed AS (SELECT source_row, cf_sjlydm, cf_wsh, {SUBJECT_KEY} AS subject_key, {content} AS content "
            "FROM ref_staging WHERE cf_sjlydm IS NOT NULL AND cf_wsh IS NOT NULL) "
            "SELECT source_row FROM keyed JOIN (SELECT cf_sjlydm, cf_wsh, subject_key FROM keyed "
            "GROUP BY 1, 2, 3 HAVING count(DISTINCT content) > 1) d USING (cf_sjlydm, cf_wsh, subject_key)"
        )
    else:
        raise ValueError(f"no SQL for expectation type {kind}")
    if "row_condition" in k:
        where = f"({where}) AND {_condition(k['row_condition'])}"
    return f"SELECT source_row FROM ref_staging WHERE {where}"


def rule_queries(reported_on: date) -> list[tuple[dict, str]]:
    """(expectation meta, its findings INSERT) for each rule of the suite that has SQL."""
    expectations = suite_definition(DATASET)["expectations"]
    selects = [(e["meta"], _failing(e["type"], e["kwargs"], reported_on)) for e in expectations]
    insert = "INSERT INTO ref_findings SELECT {}, {}, source_row FROM ({}) f"
    return [(m, insert.format(_literal(m["rule_id"]), _literal(m["severity"]), s)) for m, s in selects if s]


def sql_rules_merge_child(url: str, path: Path) -> dict:
    from citycredit.core import warehouse

    engine = warehouse.engine(url)
    start = time.perf_counter()
    _setup(engine)
    labels = _labels()
    with path.open("rb") as fh:
        header = fh.readline().decode("utf-8").strip().split(",")
        raw = engine.raw_connection()
        try:
            raw.cursor().copy_expert(
                f"COPY ref_staging ({', '.join(labels[h] for h in header)}) FROM STDIN WITH (FORMAT csv)", fh
            )
            raw.commit()
        finally:
            raw.close()
    copied = time.perf_counter()
    reported_on = _reported_on(path)
    rules = rule_queries(reported_on)
    _execute(engine, [query for _, query in rules])
    checked = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            sa.text((SQL_DIR / "reference_merge.sql").read_text(encoding="utf-8")), {"reported_on": reported_on}
        )
        error_rows = conn.execute(
            sa.text("SELECT count(DISTINCT source_row) FROM ref_findings WHERE severity = 'error'")
        ).scalar_one()
    end = time.perf_counter()
    return {
        "seconds": end - start,
        "copy_seconds": copied - start,
        "rules_seconds": checked - copied,
        "rules": len(rules),
        "error_rows": error_rows,
        "loaded": _loaded(engine),
    }


CHILDREN = {"pandas_gx_copy": pandas_gx_copy_child, "sql_rules_merge": sql_rules_merge_child}


def _run(kind: str, url: str, path: Path, workdir: Path) -> dict:
    """One reference in a child process; with its peak RSS and the whole process's wall time."""
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / f"reference-{kind}-{path.stem}.json"
    command = ["citycredit.tools.bench.reference", kind, url, str(path), str(out)]
    result, elapsed, peak = child_result(command, out, f"reference {kind} on {path.name}")
    out.unlink()
    return {**result, "process_seconds": elapsed, "peak_rss_bytes": peak}


def pandas_gx_copy(url: str, path: Path, workdir: Path) -> dict:
    """Reference (a), pandas + GX + COPY, on ``path`` into the database of ``url``."""
    return _run("pandas_gx_copy", url, path, workdir)


def sql_rules_merge(url: str, path: Path, workdir: Path) -> dict:
    """Reference (b), COPY + one SQL query per rule + MERGE, on ``path`` into the database of ``url``."""
    return _run("sql_rules_merge", url, path, workdir)


if __name__ == "__main__":
    kind, url, file, output = sys.argv[1:5]
    Path(output).write_text(json.dumps(CHILDREN[kind](url, Path(file))))
