"""行政处罚 records: 处罚类别 and the amounts, 证照 and facts they require."""

from __future__ import annotations

import numpy as np

from citycredit.core.months import add_months_to_days
from citycredit.tools.demo.arrays import blank, quota, render
from citycredit.tools.demo.domains import COMBO_KEYS, COMBOS
from citycredit.tools.demo.faults import MISSING_AMOUNT_RATE, UNIT_ERROR_RATE
from citycredit.tools.demo.issuers import Issuer, chosen_items, doc_numbers, subject_kinds
from citycredit.tools.demo.subjects import Pools, subject_columns
from citycredit.tools.demo.vocabulary import PERSON, PREFIXES


def penalty_records(decided: np.ndarray, seq: np.ndarray, issuer: Issuer, pools: Pools, rng) -> dict[str, np.ndarray]:
    offences = issuer.domain.offences
    n = len(decided)
    kinds = subject_kinds(n, "penalty", offences, rng)
    item = chosen_items(kinds, offences, rng)
    combo = np.zeros(n, dtype=np.int64)
    for i, offence in enumerate(offences):
        rows = item == i
        combo[rows] = rng.choice([COMBO_KEYS.index(c) for c in offence.combos], int(rows.sum()))
    combos = [COMBOS[k] for k in COMBO_KEYS]
    needs_fine = np.array([c.fine for c in combos])[combo]
    needs_gain = np.array([c.gain for c in combos])[combo]
    needs_licence = np.array([c.licence for c in combos])[combo]
    # pools.fines is sorted: people draw from the lower part (fines on citizens are smaller)
    ceiling = np.where(kinds == PERSON, len(pools.fines) * 2 // 5, len(pools.fines))
    fine = np.where(needs_fine, rng.integers(0, ceiling), 0)
    gain = np.where(needs_gain, rng.integers(0, len(pools.gains), n), 0)
    licence_item = np.where(needs_licence, item, 0)
    n_fines, n_gains = len(pools.fines), len(pools.gains)

    def content(key: int) -> str:
        rest, g = divmod(key, n_gains)
        rest, f = divmod(rest, n_fines)
        c, i = divmod(rest, len(offences))
        return combos[c].content.format(fine=pools.fines[f], gain=pools.gains[g], licence=offences[i].licence)

    amount = render(pools.fines[fine], _wan)
    unit_error = quota(rng, needs_fine, UNIT_ERROR_RATE)
    amount[unit_error] = render(pools.fines[fine[unit_error]], str)
    missing = quota(rng, needs_fine | needs_gain | needs_licence, MISSING_AMOUNT_RATE)
    licence = np.array([o.licence for o in offences], dtype=object)[item]
    region = issuer.unit_codes[0][2:8]
    licence_no = [
        f"{lic}（编号：{region}{k:07d}）"
        for lic, k in zip(
            licence[needs_licence].tolist(), rng.integers(1, 10**7, int(needs_licence.sum())), strict=False
        )
    ]
    revoked = blank(n)
    revoked[needs_licence] = licence_no
    committed = decided - rng.integers(7, 60, n)
    facts = np.array([f"{o.fact}，违反了{o.breach}的规定" for o in offences], dtype=object)
    unit = issuer.deciding_units(n, rng)
    shown = decided + rng.choice([0, 7, 15, 30], n)
    return {
        **subject_columns(PREFIXES["penalty"], kinds, pools, rng),
        "cf_wsh": doc_numbers(issuer.domain.penalty_doc, issuer, decided, seq),
        "cf_wfxw": np.array([o.wfxw for o in offences], dtype=object)[item],
        "cf_sy": render(
            item * 100_000 + committed.astype(np.int64),
            lambda k: f"经查，当事人于{_cn_date(k % 100_000)}{facts[k // 100_000]}。",
        ),
        "cf_yj": np.array([f"依据{o.basis}的规定" for o in offences], dtype=object)[item],
        "cf_cflb": np.array([c.cflb for c in combos], dtype=object)[combo],
        "cf_nr": render(((combo * len(offences) + licence_item) * n_fines + fine) * n_gains + gain, content),
        "cf_nr_fk": np.where(needs_fine & ~missing, amount, ""),
        "cf_nr_wfff": np.where(needs_gain & ~missing, render(pools.gains[gain], _wan), ""),
        "cf_nr_zkdx": np.where(needs_licence & ~missing, revoked, ""),
        "cf_jdrq": decided.copy(),
        "cf_yxq": shown,
        "cf_gsjzq": add_months_to_days(decided, 12),
        "cf_cfjg": issuer.units[unit],
        "cf_cfjgdm": issuer.unit_codes[unit],
        "cf_sjly": np.full(n, issuer.name, dtype=object),
        "cf_sjlydm": np.full(n, issuer.uscc, dtype=object),
    }


def _cn_date(day: int) -> str:
    d = (np.datetime64(0, "D") + day).astype(object)
    return f"{d.year}年{d.month}月{d.day}日"


def _wan(yuan: int) -> str:
    """元 as a 万元 decimal without float noise: 2000 -> 0.2."""
    whole, rest = divmod(yuan, 10000)
    return str(whole) if rest == 0 else f"{whole}.{rest:04d}".rstrip("0")
