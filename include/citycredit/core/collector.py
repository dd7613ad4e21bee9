"""Python's cyclic garbage collector, held off while one step builds many short-lived objects.

A collection of the oldest generation walks every object the process holds, many in a process that has imported
Great Expectations or Airflow, and a step that allocates thousands of objects sets such collections off
(docs/performance.md, "Lookups", for the 联合奖惩 核查). What such a step builds holds no reference cycles, so nothing
is lost by collecting after it rather than during it.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the block; afterwards the collector is as it was (another thread pausing it
    at the same time leaves it enabled when the last of them ends, as long as it was enabled before)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
