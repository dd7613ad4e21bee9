"""行政许可 records."""

from __future__ import annotations

import numpy as np

from citycredit.core.months import add_months_to_days
from citycredit.tools.demo.arrays import years
from citycredit.tools.demo.issuers import Issuer, chosen_items, doc_numbers, subject_kinds
from citycredit.tools.demo.subjects import Pools, subject_columns
from citycredit.tools.demo.vocabulary import PREFIXES

LONG_TERM = np.datetime64("2099-12-31")  # 有效期至 of a permit without end (长期)


def license_records(decided: np.ndarray, seq: np.ndarray, issuer: Issuer, pools: Pools, rng) -> dict[str, np.ndarray]:
    permits = issuer.domain.permits
    n = len(decided)
    kinds = subject_kinds(n, "license", permits, rng)
    item = chosen_items(kinds, permits, rng)
    table = {field: np.array([getattr(p, field) for p in permits], dtype=object)
             for field in ("document", "certificate", "category", "content", "number_prefix")}  # fmt: skip
    months = np.array([p.months for p in permits])[item]
    valid_from = decided + rng.choice([0, 0, 0, 1, 2], n)
    numbers = rng.integers(1, 10**6, n)
    prefixes = table["number_prefix"][item]
    unit = issuer.deciding_units(n, rng)
    return {
        **subject_columns(PREFIXES["license"], kinds, pools, rng),
        "xk_xkws": table["document"][item],
        "xk_wsh": doc_numbers(issuer.domain.license_doc, issuer, decided, seq),
        "xk_xklb": table["category"][item],
        "xk_xkzs": table["certificate"][item],
        "xk_xkbh": np.array(
            [
                p and f"{p}{y}{k:06d}"
                for p, y, k in zip(prefixes.tolist(), years(decided), numbers.tolist(), strict=False)
            ],
            dtype=object,
        ),
        "xk_nr": table["content"][item],
        "xk_jdrq": decided.copy(),
        "xk_yxqz": valid_from,
        "xk_yxqzi": np.where(months == 0, LONG_TERM, add_months_to_days(valid_from, months) - 1),
        "xk_xkjg": issuer.units[unit],
        "xk_xkjgdm": issuer.unit_codes[unit],
        "xk_zt": np.full(n, "1", dtype=object),
        "xk_lydw": np.full(n, issuer.name, dtype=object),
        "xk_lydwdm": np.full(n, issuer.uscc, dtype=object),
    }
