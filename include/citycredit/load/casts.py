"""Staged text as the core tables' typed columns: the casts the load writes into its SQL.

The SQL type of each fields.yaml type is declared once, in citycredit.validate.storable, which validation's
storable rule reads too.
"""

from __future__ import annotations

from citycredit.core import config, datasets
from citycredit.validate import storable


def cast(dataset: datasets.Dataset, column: str) -> str | None:
    """The SQL type a staged column is cast to in core; None when core keeps it as text."""
    types = {f.name: f.type for f in config.fields(dataset.name)}
    return storable.sql_type(types.get(column, "text"))


def typed(dataset: datasets.Dataset, prefix: str = "") -> str:
    """The dataset's columns read from staged text, each cast to its core type."""
    parts = []
    for name in dataset.columns:
        sql_type = cast(dataset, name)
        parts.append(f"{prefix}{name}::{sql_type}" if sql_type else f"{prefix}{name}")
    return ", ".join(parts)


def key_match(dataset: datasets.Dataset, core: str, staged: str) -> str:
    """SQL matching a core version (typed) with a staged row (text) on the natural key."""
    parts = []
    for k in dataset.key_columns:
        sql_type = cast(dataset, k)
        parts.append(f"{core}.{k} = {staged}.{k}::{sql_type}" if sql_type else f"{core}.{k} = {staged}.{k}")
    return " AND ".join([*parts, f"{core}.subject_key = {staged}.subject_key"])
