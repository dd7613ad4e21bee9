"""Small vectorised helpers the generators share."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np


def blank(n: int) -> np.ndarray:
    return np.full(n, "", dtype=object)


def render(keys: np.ndarray, fn: Callable[[int], object]) -> np.ndarray:
    """fn applied once per distinct key, spread back over the rows."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    table = np.empty(len(uniq), dtype=object)
    table[:] = [fn(k) for k in uniq.tolist()]
    return table[inverse]


def choose(rng: np.random.Generator, eligible: np.ndarray, count: int) -> np.ndarray:
    """A mask choosing `count` of the eligible rows (all of them if fewer)."""
    where = np.flatnonzero(eligible)
    chosen = np.zeros(len(eligible), dtype=bool)
    chosen[rng.choice(where, min(count, len(where)), replace=False)] = True
    return chosen


def quota(rng: np.random.Generator, eligible: np.ndarray, rate: float) -> np.ndarray:
    """A mask choosing rate x (number of eligible rows) of the eligible rows, rounded at random."""
    return choose(rng, eligible, int(rate * np.count_nonzero(eligible) + rng.random()))


_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def fullwidth(text: str) -> str:
    return text.translate(_FULLWIDTH)


def feed_rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def years(days: np.ndarray) -> list[int]:
    return (days.astype("datetime64[Y]").astype(np.int64) + 1970).tolist()


def concat(parts: list[dict]) -> dict[str, np.ndarray]:
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def take(frame: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    return {name: column[rows] for name, column in frame.items()}
