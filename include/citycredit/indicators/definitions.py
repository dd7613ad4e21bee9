"""Indicator definitions (include/config/indicators.yaml), checked when first read.

An indicator is a row set (``sql/indicators/rows/<rows>.sql``: one row per record that can count, with boolean
role columns) and an aggregate over it (``sql/indicators/<query>.sql``, reading the row set as ``rows``). The
aggregate gives scope, scope_id, dataset, numerator, denominator and value.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass, field

from citycredit.core import config, paths

log = logging.getLogger(__name__)

INDICATORS_DIR = paths.SQL_DIR / "indicators"
ROWS_DIR = INDICATORS_DIR / "rows"
CONFIG_FILE = "indicators.yaml"
_ROLE = re.compile(r"^[a-z_]+$")
_COMMENT = re.compile(r"^\s*--.*\n", re.MULTILINE)


def sql_file(path) -> str:
    """A SQL file without its comment lines (they document, and may name parameters that are not bound)."""
    return _COMMENT.sub("", path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Definition:
    id: str
    name: str
    source: str
    rows: str
    query: str
    numerator: str
    denominator: str | None
    count_distinct: str | None = None
    measure: str | None = None
    unit: str = "percent"  # how a value reads: percent | count | ratio (records per subject) | average
    params: dict = field(default_factory=dict, compare=False)

    def rows_sql(self) -> str:
        return sql_file(ROWS_DIR / f"{self.rows}.sql")

    def aggregate_sql(self) -> str:
        """The aggregate with its placeholders ({numerator_count}, {denominator_count}, {value}) filled in."""
        counted = f"DISTINCT {self.count_distinct}" if self.count_distinct else "*"
        num = f"count({counted}) FILTER (WHERE {self.numerator})"
        if self.measure:
            num = f"sum({self.measure}) FILTER (WHERE {self.numerator})"
        if self.denominator is None:
            den, value = "NULL::bigint", num
        else:
            den = f"count({counted}) FILTER (WHERE {self.denominator})"
            value = f"CASE WHEN {den} > 0 THEN round({num}::numeric / {den}, 6) END"
        sql = sql_file(INDICATORS_DIR / f"{self.query}.sql")
        return sql.replace("{numerator_count}", num).replace("{denominator_count}", den).replace("{value}", value)


UNITS = ("percent", "count", "ratio", "average")


def _default_unit(item: dict) -> str:
    if item.get("denominator") is None:
        return "count"
    return "average" if item.get("measure") else "percent"


@functools.cache
def settings_file() -> dict:
    raw = config.load_yaml(CONFIG_FILE)
    if not isinstance(raw, dict) or not isinstance(raw.get("indicators"), dict):
        raise config.ConfigError(f"{CONFIG_FILE}: expected a mapping with 'indicators'")
    return raw


@functools.cache
def definitions() -> dict[str, Definition]:
    """Every indicator of indicators.yaml, checked: its SQL files exist and its role columns are plain names."""
    result = {}
    for ind_id, item in settings_file()["indicators"].items():
        where = f"{CONFIG_FILE}: indicators.{ind_id}"
        if not isinstance(item, dict):
            raise config.ConfigError(f"{where}: expected a mapping")
        for key in ("name", "source", "rows", "query", "numerator"):
            if not item.get(key):
                raise config.ConfigError(f"{where}.{key}: missing")
        for key in ("numerator", "denominator", "count_distinct", "measure"):
            if item.get(key) is not None and not _ROLE.match(str(item[key])):
                raise config.ConfigError(f"{where}.{key}: {item[key]!r} is not a column name")
        definition = Definition(
            id=ind_id,
            name=item["name"],
            source=" ".join(str(item["source"]).split()),
            rows=item["rows"],
            query=item["query"],
            numerator=item["numerator"],
            denominator=item.get("denominator"),
            count_distinct=item.get("count_distinct"),
            measure=item.get("measure"),
            unit=item.get("unit") or _default_unit(item),
            params=dict(item.get("params") or {}),
        )
        if definition.unit not in UNITS:
            raise config.ConfigError(f"{where}.unit: {definition.unit!r} is not one of {', '.join(UNITS)}")
        for path in (ROWS_DIR / f"{definition.rows}.sql", INDICATORS_DIR / f"{definition.query}.sql"):
            if not path.is_file():
                raise config.ConfigError(f"{where}: {path.relative_to(paths.PROJECT_ROOT)} does not exist")
        result[ind_id] = definition
    return result


def definition(indicator: str) -> Definition:
    try:
        return definitions()[indicator]
    except KeyError:
        raise config.ConfigError(f"未知指标 {indicator!r}；可用指标：{', '.join(definitions())}") from None


def suite_timeliness_rules(dataset: str) -> tuple[list[str], list[str]]:
    """The rule ids of a dataset's late and unknown-calendar rules, read from its suite (invariant 2)."""
    spec = settings_file()["timeliness"]
    suite = json.loads((paths.EXPECTATIONS_DIR / f"{dataset}.json").read_text(encoding="utf-8"))
    by_type = {
        kind: [e["meta"]["rule_id"] for e in suite.get("expectations", []) if e.get("type") == spec[kind]]
        for kind in ("late_expectation_type", "indeterminate_expectation_type")
    }
    return by_type["late_expectation_type"], by_type["indeterminate_expectation_type"]


def timeliness_rules() -> tuple[list[str], list[str]]:
    """The late and the unknown-calendar rule ids of every 双公示 suite."""
    late, indeterminate = [], []
    for dataset in settings_file()["timeliness"]["datasets"]:
        more_late, more_indeterminate = suite_timeliness_rules(dataset)
        late += more_late
        indeterminate += more_indeterminate
    if not late:
        log.warning("no suite has a late rule: nothing counts as late")
    return late, indeterminate

