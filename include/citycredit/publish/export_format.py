"""The provincial exchange format (export.yaml) and the behaviours that may not be credit records
(credit_record_exclusions.yaml), loaded into frozen objects with errors that name the offending key."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from citycredit.core import config

PROFILE_ENV = "CITYCREDIT_EXPORT_PROFILE"
ACTIONS = ("add", "update", "withdraw")


@dataclass(frozen=True)
class Window:
    """When a current record version is published, for a day `as_of`.

    start <= as_of; and until >= as_of (inclusive; when until is empty: months_after + months, or open without
    that fallback); and before > as_of (exclusive; empty is open); and status column in status values.
    """

    start: str | None = None
    until: str | None = None
    before: str | None = None
    months_after: str | None = None
    months: int | None = None
    status_column: str | None = None
    status_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetFormat:
    name: str
    code: str
    window: Window
    masked: tuple[str, ...]
    code_values: dict[str, dict[str, str]]
    columns: dict[str, str]  # canonical -> provincial identifier, in template order


@dataclass(frozen=True)
class ApiSettings:
    path: str
    chunk_size: int
    connect_timeout: float
    read_timeout: float
    attempts: int
    backoff: float
    max_backoff: float


@dataclass(frozen=True)
class Profile:
    name: str
    sender: str
    encoding: str
    date_format: str
    data_file: str
    manifest_file: str
    item_id_column: str
    action_column: str
    action_codes: dict[str, str]
    api: ApiSettings
    datasets: dict[str, DatasetFormat]


@dataclass(frozen=True)
class Category:
    name: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Exclusions:
    fields: dict[str, tuple[str, ...]]  # dataset -> canonical columns searched
    categories: tuple[Category, ...]


def _get(mapping: object, key: str, where: str):
    if not isinstance(mapping, dict) or key not in mapping:
        raise config.ConfigError(f"{where}: missing key {key!r}")
    return mapping[key]


def _window(raw: dict, where: str, columns: set[str]) -> Window:
    unknown = set(raw) - {"from", "until", "before", "when_empty", "status"}
    if unknown:
        raise config.ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    when_empty = raw.get("when_empty") or {}
    status = raw.get("status") or {}
    window = Window(
        start=raw.get("from"),
        until=raw.get("until"),
        before=raw.get("before"),
        months_after=when_empty.get("months_after"),
        months=when_empty.get("months"),
        status_column=status.get("column"),
        status_values=tuple(str(v) for v in status.get("values", ())),
    )
    if window.months_after is not None and not (isinstance(window.months, int) and window.months > 0):
        raise config.ConfigError(f"{where}.when_empty.months: expected a positive whole number of months")
    for name in (window.start, window.until, window.before, window.months_after, window.status_column):
        if name is not None and name not in columns:
            raise config.ConfigError(f"{where}: {name!r} is not a column of the dataset")
    return window


def _dataset(name: str, raw: dict, where: str) -> DatasetFormat:
    known = set(config.field_names(name))
    columns = {str(k): str(v) for k, v in _get(raw, "columns", where).items()}
    for key in (*columns, *raw.get("masked", ()), *raw.get("code_values", {})):
        if key not in known:
            raise config.ConfigError(f"{where}: {key!r} is not a column of {name} in fields.yaml")
    return DatasetFormat(
        name=name,
        code=str(_get(raw, "code", where)),
        window=_window(_get(raw, "window", where), f"{where}.window", known),
        masked=tuple(raw.get("masked", ())),
        code_values={c: {str(k): str(v) for k, v in m.items()} for c, m in raw.get("code_values", {}).items()},
        columns=columns,
    )


def load_profile(name: str | None = None, directory: Path | None = None) -> Profile:
    """A profile of export.yaml: `name`, else $CITYCREDIT_EXPORT_PROFILE, else the file's `active` one."""
    raw = config.load_yaml("export.yaml", directory)
    name = name or os.environ.get(PROFILE_ENV) or _get(raw, "active", "export.yaml")
    profiles = _get(raw, "profiles", "export.yaml")
    where = f"export.yaml: profiles.{name}"
    p = _get(profiles, name, "export.yaml: profiles")
    files, api, codes = _get(p, "files", where), _get(p, "api", where), _get(p, "action_codes", where)
    missing = [a for a in ACTIONS if a not in codes]
    if missing:
        raise config.ConfigError(f"{where}.action_codes: missing {missing}")
    datasets = {d: _dataset(d, spec, f"{where}.datasets.{d}") for d, spec in _get(p, "datasets", where).items()}
    return Profile(
        name=name,
        sender=str(_get(p, "sender", where)),
        encoding=str(_get(p, "encoding", where)),
        date_format=str(_get(p, "date_format", where)),
        data_file=str(_get(files, "data", f"{where}.files")),
        manifest_file=str(_get(files, "manifest", f"{where}.files")),
        item_id_column=str(_get(p, "item_id_column", where)),
        action_column=str(_get(p, "action_column", where)),
        action_codes={a: str(codes[a]) for a in ACTIONS},
        api=ApiSettings(
            path=str(_get(api, "path", f"{where}.api")),
            chunk_size=int(_get(api, "chunk_size", f"{where}.api")),
            connect_timeout=float(_get(api, "connect_timeout_seconds", f"{where}.api")),
            read_timeout=float(_get(api, "read_timeout_seconds", f"{where}.api")),
            attempts=int(_get(api, "attempts", f"{where}.api")),
            backoff=float(_get(api, "backoff_seconds", f"{where}.api")),
            max_backoff=float(_get(api, "max_backoff_seconds", f"{where}.api")),
        ),
        datasets=datasets,
    )


def load_exclusions(directory: Path | None = None) -> Exclusions:
    raw = config.load_yaml("credit_record_exclusions.yaml", directory)
    where = "credit_record_exclusions.yaml"
    fields = {d: tuple(cols) for d, cols in _get(raw, "fields", where).items()}
    for dataset, cols in fields.items():
        known = set(config.field_names(dataset))
        for col in cols:
            if col not in known:
                raise config.ConfigError(f"{where}: fields.{dataset}: {col!r} is not a column of {dataset}")
    categories = []
    for i, item in enumerate(_get(raw, "categories", where)):
        keywords = tuple(str(k) for k in _get(item, "keywords", f"{where}: categories[{i}]") if str(k))
        if not keywords:
            raise config.ConfigError(f"{where}: categories[{i}]: no keywords")
        categories.append(Category(str(_get(item, "name", f"{where}: categories[{i}]")), keywords))
    return Exclusions(fields=fields, categories=tuple(categories))
