"""The feed registry (include/config/departments.yaml): departments and how each delivers its data.

Loaded when the DAG files are parsed, so a configuration mistake surfaces there, naming the key.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from citycredit.core import checkdigits, city, config

FEED_KINDS = ("file", "http", "sql")
PAGINATIONS = ("page", "cursor")
HTTP_AUTHS = ("none", "basic", "token")


@dataclass(frozen=True)
class HttpSource:
    """How to pull an HTTP feed: a GET of ``path`` under the connection's base URL, page after page, JSON."""

    path: str
    records_path: str = "data"  # dotted path to the list of records in each page's JSON; "" = the page is the list
    pagination: str = "page"  # page: page/size parameters; cursor: the next page's cursor comes in the page
    page_size: int = 100
    page_param: str = "page"
    size_param: str = "size"
    first_page: int = 1
    cursor_param: str = "cursor"
    next_cursor_path: str = "next_cursor"  # dotted path to the next cursor in a page's JSON; empty/absent = last
    watermark_field: str | None = None  # the record field whose largest value is the feed's watermark
    watermark_param: str | None = None  # the query parameter that sends the watermark to the API
    auth: str = "none"  # none | basic (login/password) | token (the connection's password as a Bearer token)
    params: dict = field(default_factory=dict)  # constant query parameters
    timeout: float = 30.0  # seconds to connect and to wait for each response
    retries: int = 5  # per request, on timeouts, connection errors, 429 and 5xx
    max_wait: float = 60.0  # the longest back-off or Retry-After wait between two attempts
    time_limit: float = 1800.0  # seconds for the whole pull
    max_pages: int = 10_000


@dataclass(frozen=True)
class SqlSource:
    """How to pull a database feed: a query (or a whole table) through the connection, streamed in chunks."""

    query: str | None = None
    table: str | None = None
    watermark_column: str | None = None
    chunk_size: int = 10_000


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
    schedule: str | None = None  # cron expression in the city's time zone; None: every ingest run
    options: dict = field(default_factory=dict, compare=False)
    source: HttpSource | SqlSource | None = field(default=None, compare=False)  # http and sql feeds


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
    def timezone(self) -> ZoneInfo:
        """The city's time zone (``city.timezone``): every local day and deadline is counted in it."""
        return ZoneInfo(self.city["timezone"])  # checked by load()

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


_IDENTIFIER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _identifier(value: object, where: str) -> str:
    """A department or feed id: it names inbox folders, output files and Airflow map indexes, so plain ASCII."""
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise config.ConfigError(f"{where}: {value!r} is not an id (1-64 of A-Z a-z 0-9 _ -)")
    return value


def _valid_cron(expression: object) -> bool:
    from croniter import croniter  # only when a feed has a schedule: keeps the DAG parse light

    return isinstance(expression, str) and croniter.is_valid(expression)


def load(path: Path | None = None) -> Registry:
    """The registry at ``path``; by default ``$CITYCREDIT_REGISTRY`` when set, else include/config/departments.yaml."""
    name, raw = city.registry_file(path)
    if not isinstance(raw, dict):
        raise config.ConfigError(f"{name}: expected a mapping with 'city' and 'departments'")
    departments, seen_departments, seen_feeds = [], set(), set()
    for i, dep in enumerate(raw.get("departments") or []):
        where = f"{name}: departments[{i}]"
        dep_id = _identifier(_require(dep, "id", where), f"{where}.id")
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
            feed_id = _identifier(_require(raw_feed, "id", fwhere), f"{fwhere}.id")
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
            known = {"id", "kind", "dataset", "encoding", "conn_id", "schedule"}
            schedule = raw_feed.get("schedule")
            if schedule is not None and not _valid_cron(schedule):
                raise config.ConfigError(f"{fwhere}.schedule: {schedule!r} is not a cron expression (e.g. '0 8 * * 1')")
            source = _source(kind, raw_feed, known, fwhere)
            if source is not None:
                known |= set(raw_feed) - _COMMON_KEYS  # the pull settings are in source
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
                    schedule=schedule,
                    options={k: v for k, v in raw_feed.items() if k not in known},
                    source=source,
                )
            )
        departments.append(Department(dep_id, dep_name, uscc, tuple(feeds)))
    if not departments:
        raise config.ConfigError(f"{name}: departments: no department configured")
    section = raw.get("city") or {}
    city.zone_of(section, name)
    return Registry(city=section, departments=tuple(departments))


_COMMON_KEYS = {"mode"}


def _source(kind: str, raw: dict, known: set[str], where: str) -> HttpSource | SqlSource | None:
    """The pull settings of an http or sql feed, every key checked; None for a file feed."""
    if kind == "file":
        return None
    cls = HttpSource if kind == "http" else SqlSource
    settable = {k: f for k, f in cls.__dataclass_fields__.items() if not k.startswith("watermark_") or kind == "sql"}
    if kind == "http":
        _text(_require(raw, "path", where), f"{where}.path")
    values = {}
    for key, value in raw.items():
        if key in known or key in _COMMON_KEYS:
            continue
        if kind == "http" and key == "watermark":
            values.update(_http_watermark(value, f"{where}.watermark"))
        elif key == "params" and kind == "http":
            if not isinstance(value, dict) or not all(isinstance(v, str | int | float) for v in value.values()):
                raise config.ConfigError(f"{where}.params: expected a mapping of parameter names to values")
            values[key] = value
        elif key in settable:
            values[key] = _check(key, value, settable[key].default, f"{where}.{key}")
        else:
            names = sorted({*settable, *(["watermark"] if kind == "http" else [])})
            raise config.ConfigError(f"{where}.{key}: unknown key for a {kind} feed (known: {', '.join(names)})")
    if kind == "sql" and bool(values.get("query")) == bool(values.get("table")):
        raise config.ConfigError(f"{where}: give exactly one of query and table")
    return cls(**values)


def _http_watermark(value: object, where: str) -> dict:
    if not isinstance(value, dict) or set(value) != {"field", "param"}:
        raise config.ConfigError(f"{where}: expected a mapping with field and param")
    return {
        "watermark_field": _text(value["field"], f"{where}.field"),
        "watermark_param": _text(value["param"], f"{where}.param"),
    }


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise config.ConfigError(f"{where}: expected a non-empty text, got {value!r}")
    return value


def _check(key: str, value: object, default: object, where: str) -> object:
    """One pull setting, of the type its default has (text where the default is None)."""
    if key == "pagination" and value not in PAGINATIONS:
        raise config.ConfigError(f"{where}: expected {' or '.join(PAGINATIONS)}, got {value!r}")
    if key == "auth" and value not in HTTP_AUTHS:
        raise config.ConfigError(f"{where}: expected one of {', '.join(HTTP_AUTHS)}, got {value!r}")
    if default in (None, MISSING) or isinstance(default, str):
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise config.ConfigError(f"{where}: expected a text, got {value!r}")
    elif isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value < (0 if key == "first_page" else 1):
            raise config.ConfigError(f"{where}: expected a positive whole number, got {value!r}")
    elif isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise config.ConfigError(f"{where}: expected a positive number of seconds, got {value!r}")
    return value
