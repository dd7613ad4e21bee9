"""Loading the YAML configuration under include/config, with errors that name the offending key."""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from citycredit.core import paths

DATASETS = (
    "license", "penalty", "credit_list", "subject_registry", "credit_commitment", "objection", "credit_repair",
    "joint_sanction", "case_register",
)  # fmt: skip


class ConfigError(ValueError):
    """A configuration mistake; the message names the file and the key."""


def load_yaml(name: str, directory: Path | None = None) -> object:
    """The parsed file, a copy the caller may change. Parsed once per version of the file: one command reads
    fields.yaml many times, and parsing it was most of a small self-check's own time."""
    return copy.deepcopy(read_yaml(name, directory))


def read_yaml(name: str, directory: Path | None = None) -> object:
    """The parsed file itself, shared by every caller, which must not change it: for a reader asked often (the
    city's time zone), where copying the whole file each time cost more than the answer."""
    path = (directory or paths.CONFIG_DIR) / name
    try:
        state = path.stat()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    return _parsed(path, state.st_mtime_ns, state.st_size)


@functools.lru_cache(maxsize=64)
def _parsed(path: Path, mtime_ns: int, size: int) -> object:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LOADER)  # noqa: S506 - a safe loader, the C one where libyaml is built
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = field(default_factory=tuple)


FIELD_TYPES = {"text", "code", "multi_code", "date", "timestamp", "amount", "identifier"}


@functools.cache
def fields(dataset: str) -> tuple[Field, ...]:
    """The canonical columns of a dataset, in the national template's order."""
    # a mapping of dataset -> list of field entries; a malformed file fails on its first lookup, as it always did
    catalogue = cast("dict[str, Any]", load_yaml("fields.yaml"))
    if dataset not in catalogue:
        raise ConfigError(f"fields.yaml: no dataset {dataset!r} (known: {', '.join(catalogue)})")
    result = []
    for i, item in enumerate(catalogue[dataset]):
        where = f"fields.yaml: {dataset}[{i}]"
        for key in ("name", "label", "type"):
            if key not in item:
                raise ConfigError(f"{where}: missing key {key!r}")
        if item["type"] not in FIELD_TYPES:
            raise ConfigError(f"{where}.type: {item['type']!r} is not one of {sorted(FIELD_TYPES)}")
        result.append(
            Field(
                name=item["name"],
                label=item["label"],
                type=item["type"],
                required=bool(item.get("required", False)),
                aliases=tuple(str(a) for a in item.get("aliases", ())),
            )
        )
    return tuple(result)


def field_names(dataset: str) -> list[str]:
    return [f.name for f in fields(dataset)]


def label(dataset: str, name: str) -> str:
    """The Chinese label of a canonical column."""
    for f in fields(dataset):
        if f.name == name:
            return f.label
    return name
