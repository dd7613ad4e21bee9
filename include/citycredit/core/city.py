"""The city this installation serves: the ``city`` section of the feed registry file (departments.yaml).

Every local day and deadline (the day a batch was reported, a month's bounds, the reporting deadline, the export's
day, Airflow's default time zone) is counted in the city's ``timezone``, which is stated there and nowhere else.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from citycredit.core import config

REGISTRY_ENV = "CITYCREDIT_REGISTRY"  # another registry file, e.g. the tests' own feeds
REGISTRY_FILE = "departments.yaml"


def registry_file(path: Path | None = None, *, shared: bool = False) -> tuple[str, object]:
    """The registry file's name and content: ``path``, else ``$CITYCREDIT_REGISTRY``, else the shipped one. The
    content is a copy the caller may change; ``shared``: the parsed content itself, for a caller that only reads it
    (config.read_yaml)."""
    if path is None and os.environ.get(REGISTRY_ENV):
        path = Path(os.environ[REGISTRY_ENV])
    read = config.read_yaml if shared else config.load_yaml
    if path is None:
        return REGISTRY_FILE, read(REGISTRY_FILE)
    return path.name, read(path.name, path.parent)


def zone_of(section: object, name: str) -> ZoneInfo:
    """The time zone a registry's ``city`` section states; ConfigError naming the key when it is missing or
    unknown."""
    zone = section.get("timezone") if isinstance(section, dict) else None
    if zone in (None, ""):
        raise config.ConfigError(f"{name}: city.timezone: missing")
    try:
        return ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise config.ConfigError(f"{name}: city.timezone: unknown time zone {zone!r}") from None


def timezone() -> ZoneInfo:
    """The configured city's time zone."""
    name, raw = registry_file(shared=True)  # asked for every local day the code counts
    return zone_of(raw.get("city") if isinstance(raw, dict) else None, name)


def today() -> date:
    """Today in the city: the default day of a check, an export, a report or a 核查."""
    return datetime.now(timezone()).date()
