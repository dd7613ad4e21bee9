"""The feed registry (include/config/departments.yaml): departments and how each delivers its data.

Loaded when the DAG files are parsed, so a configuration mistake surfaces there, naming the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from citycredit import checkdigits, config

FEED_KINDS = ("file", "http", "sql")


@dataclass(frozen=True)
class Feed:
    id: str
    kind: str
    dataset: str
    department_id: str
    department_name: str
    department_uscc: str
    encoding: str | None = None
    conn_id: str | None = None
    options: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    uscc: str
    feeds: tuple[Feed, ...]


@dataclass(frozen=True)
class Registry:
    city: dict
    departments: tuple[Department, ...]

    @property
    def feeds(self) -> tuple[Feed, ...]:
        return tuple(f for d in self.departments for f in d.feeds)

    def feed(self, feed_id: str) -> Feed:
        for f in self.feeds:
            if f.id == feed_id:
                return f
        raise KeyError(f"no feed {feed_id!r} in the registry")

    def department(self, department_id: str) -> Department:
        for d in self.departments:
            if d.id == department_id:
                return d
        raise KeyError(f"no department {department_id!r} in the registry")


def _require(item: dict, key: str, where: str) -> object:
    if not isinstance(item, dict):
        raise config.ConfigError(f"{where}: expected a mapping, got {type(item).__name__}")
    if item.get(key) in (None, ""):
        raise config.ConfigError(f"{where}.{key}: missing")
    return item[key]


def _valid_uscc(code: str) -> bool:
    return (
        len(code) == 18
        and all(c in checkdigits.USCC_ALPHABET for c in code)
        and (checkdigits.uscc_check_char(code[:17]) == code[17])
    )


def load(path: Path | None = None) -> Registry:
    raw = config.load_yaml(path.name if path else "departments.yaml", path.parent if path else None)
    name = path.name if path else "departments.yaml"
    if not isinstance(raw, dict):
        raise config.ConfigError(f"{name}: expected a mapping with 'city' and 'departments'")
    departments, seen_departments, seen_feeds = [], set(), set()
    for i, dep in enumerate(raw.get("departments") or []):
        where = f"{name}: departments[{i}]"
        dep_id = str(_require(dep, "id", where))
        where = f"{name}: departments[{dep_id}]"
        if dep_id in seen_departments:
            raise config.ConfigError(f"{where}.id: used twice")
        seen_departments.add(dep_id)
        dep_name, uscc = str(_require(dep, "name", where)), str(_require(dep, "uscc", where))
        if not _valid_uscc(uscc):
            raise config.ConfigError(f"{where}.uscc: {uscc!r} is not a valid 统一社会信用代码")
        feeds = []
        for j, raw_feed in enumerate(dep.get("feeds") or []):
            fwhere = f"{where}.feeds[{j}]"
            feed_id = str(_require(raw_feed, "id", fwhere))
            fwhere = f"{where}.feeds[{feed_id}]"
            if feed_id in seen_feeds:
                raise config.ConfigError(f"{fwhere}.id: used twice")
            seen_feeds.add(feed_id)
            kind, dataset = _require(raw_feed, "kind", fwhere), _require(raw_feed, "dataset", fwhere)
            if kind not in FEED_KINDS:
                raise config.ConfigError(f"{fwhere}.kind: {kind!r} is not one of {', '.join(FEED_KINDS)}")
            if dataset not in config.DATASETS:
                raise config.ConfigError(f"{fwhere}.dataset: {dataset!r} is not one of {', '.join(config.DATASETS)}")
            if kind != "file":
                _require(raw_feed, "conn_id", fwhere)
            known = {"id", "kind", "dataset", "encoding", "conn_id"}
            feeds.append(
                Feed(
                    id=feed_id,
                    kind=kind,
                    dataset=dataset,
                    department_id=dep_id,
                    department_name=dep_name,
                    department_uscc=uscc,
                    encoding=raw_feed.get("encoding"),
                    conn_id=raw_feed.get("conn_id"),
                    options={k: v for k, v in raw_feed.items() if k not in known},
                )
            )
        departments.append(Department(dep_id, dep_name, uscc, tuple(feeds)))
    if not departments:
        raise config.ConfigError(f"{name}: departments: no department configured")
    return Registry(city=raw.get("city") or {}, departments=tuple(departments))
