"""How ``make test`` shares the suite among pytest-xdist workers (``-n auto --dist loadgroup``).

A work unit is a test, or a group of tests that must run on one worker: the tests marked ``distributed`` (they
start Airflow's services; ``citycredit up``'s scheduler and triggerer serve logs on Airflow's fixed ports 8793 and
8794, so two stacks at once would collide) and the tests of a module that share a module-scoped fixture (built once,
not once per worker). Units go out heaviest first: the ones that run Airflow (markers ``dag``, ``distributed``),
so that none of them is left to run alone at the end, and everything on the second server (``service``) after
everything on the embedded one, so that a worker starts its embedded PostgreSQL once.

xdist's own ``loadgroup`` reads ``xdist_group`` marks by appending them to the node ids, which pytest 9.2's
structured node ids no longer allow (the marks are silently ignored), so no such marks are set. Instead, each worker
writes the units of its collection (``group_of``) to a file the controller named, and the controller's scheduler (a
``LoadScopeScheduling`` whose scope of a test is its unit) reads it once every worker has collected.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

AIRFLOW_SERVICES = "airflow_services"
WORKERINPUT_KEY = "citycredit_units_dir"


def group_of(item: pytest.Item) -> str | None:
    """The group of tests ``item`` must run with on one worker, if any; the server param keeps the groups of a
    module on the two servers apart, as their module-scoped fixtures are built once per server anyway."""
    if item.get_closest_marker("distributed"):
        return AIRFLOW_SERVICES
    fixtures = getattr(item, "_fixtureinfo", None)
    if fixtures is None:
        return None
    for name in fixtures.names_closure:
        if any(d.scope == "module" for d in fixtures.name2fixturedefs.get(name) or ()):
            module = item.nodeid.split("::", 1)[0]
            server = _server(item)
            return f"{module}[{server}]" if server else module
    return None


def _server(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("server_url") if callspec is not None else None


def _heavy(item: pytest.Item) -> bool:
    return bool(item.get_closest_marker("dag") or item.get_closest_marker("distributed"))


def record_units(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker: write each collected test's unit, and the unit's place in the queue, for the controller."""
    workerinput = getattr(config, "workerinput", None)
    if not workerinput or WORKERINPUT_KEY not in workerinput:
        return
    units = [[item.nodeid, group_of(item) or item.nodeid, int(_server(item) == "service"), int(not _heavy(item))]
             for item in items]  # fmt: skip
    target = Path(workerinput[WORKERINPUT_KEY]) / f"{workerinput['workerid']}.json"
    scratch = target.with_suffix(".tmp")
    scratch.write_text(json.dumps(units), encoding="utf-8")
    scratch.replace(target)


def configure_node(node) -> None:
    """On the controller: the directory the workers write their units to, one per run."""
    config = node.config
    if not hasattr(config, "_citycredit_units_dir"):
        config._citycredit_units_dir = tempfile.mkdtemp(prefix="cc-xdist-units-")
    node.workerinput[WORKERINPUT_KEY] = config._citycredit_units_dir


def make_scheduler(config: pytest.Config, log):
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        """LoadScope over the units the workers recorded; a test no worker recorded is a unit of its own."""

        def __init__(self, config: pytest.Config, log=None) -> None:
            super().__init__(config, log)
            self._units: dict[str, tuple[str, int, int]] | None = None
            self._ordered = False

        def units(self) -> dict[str, tuple[str, int, int]]:
            if not self._units:  # read once every worker has collected, as schedule() is called
                self._units = {}
                folder = getattr(self.config, "_citycredit_units_dir", None)
                for path in sorted(Path(folder).glob("*.json")) if folder else ():
                    for nodeid, unit, phase, rank in json.loads(path.read_text(encoding="utf-8")):
                        self._units[nodeid] = (unit, phase, rank)
                    break  # every worker collected the same tests (xdist checks)
            return self._units

        def _split_scope(self, nodeid: str) -> str:
            return self.units().get(nodeid, (nodeid, 0, 1))[0]

        def _assign_work_unit(self, node) -> None:
            if not self._ordered:  # the first assignment: order the queue once, keeping collection order within
                self._ordered = True
                place: dict[str, tuple[int, int]] = {}
                for unit, phase, rank in self.units().values():
                    first = place.get(unit, (phase, rank))
                    place[unit] = (max(first[0], phase), min(first[1], rank))
                ordered = sorted(self.workqueue.items(), key=lambda kv: place.get(kv[0], (0, 1)))
                self.workqueue.clear()
                self.workqueue.update(ordered)
            super()._assign_work_unit(node)

    config.option.loadscopereorder = False  # the order above, not xdist's biggest-unit-first
    return UnitScheduling(config, log)


def cleanup(config: pytest.Config) -> None:
    folder = getattr(config, "_citycredit_units_dir", None)
    if folder and os.path.isdir(folder):
        for path in Path(folder).iterdir():
            path.unlink()
        os.rmdir(folder)
