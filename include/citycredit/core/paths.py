"""Where things live: the project root, the data directory and its sub-folders."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
CONFIG_DIR = PROJECT_ROOT / "include" / "config"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SQL_DIR = PROJECT_ROOT / "sql"
DAGS_DIR = PROJECT_ROOT / "dags"
PLUGINS_DIR = PROJECT_ROOT / "plugins"


def home() -> Path:
    """The data directory: ``$CITYCREDIT_HOME``, default ``./.citycredit`` under the project root."""
    value = os.environ.get("CITYCREDIT_HOME")
    path = Path(value).expanduser() if value else PROJECT_ROOT / ".citycredit"
    return path.resolve()


def data_path(*parts: str, create: bool = True) -> Path:
    """A folder under the data directory, created on first use."""
    path = home().joinpath(*parts)
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path
