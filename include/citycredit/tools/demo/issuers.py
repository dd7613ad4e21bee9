"""The reporting department: its sub-units, how its 文书号 read, and whom and what its decisions concern."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from citycredit.feeds.registry import Feed, Registry
from citycredit.tools.demo.arrays import feed_rng, years
from citycredit.tools.demo.domains import Domain, domain_of
from citycredit.tools.demo.subjects import uscc_code
from citycredit.tools.demo.vocabulary import SUBJECT_SHARES


@dataclass(frozen=True)
class Issuer:
    """The reporting department, its sub-units and how its 文书号 read."""

    name: str
    uscc: str
    city_abbr: str
    domain: Domain
    units: np.ndarray  # names; index 0 is the department itself
    unit_codes: np.ndarray

    def deciding_units(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """The unit deciding each of n rows (an index into units): the department itself for at least three rows in
        four, any of its units for the others."""
        return np.where(rng.random(n) < 0.75, 0, rng.integers(0, len(self.units), n))


def issuer_of(feed: Feed, registry: Registry, seed: int) -> Issuer:
    domain = domain_of(feed.department_name)
    rng = feed_rng(seed, feed.department_id)
    units = [feed.department_name] + [feed.department_name + unit for unit in domain.units]
    bodies = [f"{b:08d}" for b in rng.integers(0, 10**8, len(domain.units))]
    codes = [feed.department_uscc] + [uscc_code("11", str(registry.city["region_code"]), b) for b in bodies]
    return Issuer(
        feed.department_name,
        feed.department_uscc,
        registry.city["name"][0],
        domain,
        np.array(units, dtype=object),
        np.array(codes, dtype=object),
    )


def subject_kinds(n: int, dataset: str, items: tuple, rng: np.random.Generator) -> np.ndarray:
    """行政相对人类别 per row, among the kinds the department's decisions concern."""
    supported = np.isin(np.arange(3), [k for item in items for k in item.kinds])
    shares = np.array(SUBJECT_SHARES[dataset]) * supported
    return rng.choice(3, n, p=shares / shares.sum())


def chosen_items(kinds: np.ndarray, items: tuple, rng: np.random.Generator) -> np.ndarray:
    chosen = np.zeros(len(kinds), dtype=np.int64)
    for kind in range(3):
        rows = kinds == kind
        eligible = [i for i, item in enumerate(items) if kind in item.kinds]
        if rows.any():
            chosen[rows] = rng.choice(eligible, int(rows.sum()))
    return chosen


def doc_numbers(template: str, issuer: Issuer, decided: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """文书号 such as 平市监罚〔2025〕123号."""
    head = issuer.city_abbr + template
    return np.array([f"{head}〔{y}〕{n}号" for y, n in zip(years(decided), seq.tolist(), strict=False)], dtype=object)
