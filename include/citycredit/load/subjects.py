"""The city's market subjects (the 市场监管 register, core.subject_registry) and its population: the denominators.

core.subjects_on(d) (sql/migrations/0002) gives the register as it stood on a day, each subject with whether it
was 存续; the population (自然人人口数) is configuration, departments.yaml ``city.population``.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from citycredit.core import config
from citycredit.feeds import registry


def population() -> int:
    """自然人人口数 of the city (departments.yaml city.population.count)."""
    value = (registry.load().city.get("population") or {}).get("count")
    if not isinstance(value, int) or value <= 0:
        raise config.ConfigError("departments.yaml: city.population.count: a positive whole number is required")
    return value


def active_counts(engine: sa.Engine, day: dt.date) -> dict[str, int]:
    """存续 subjects on `day` by 主体类型, as the register writes the type."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT subject_type, count(*) FROM core.subjects_on(:d) WHERE active"
                " GROUP BY subject_type ORDER BY subject_type"
            ),
            {"d": day},
        )
        return {t: int(n) for t, n in rows}
