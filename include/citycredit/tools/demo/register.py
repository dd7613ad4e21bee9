"""The market-subject register: every subject in the first file, then weekly changes."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np

from citycredit.feeds.registry import Feed
from citycredit.feeds.registry import load as load_registry
from citycredit.tools.demo.arrays import blank, concat, quota, take
from citycredit.tools.demo.faults import WRONG_USCC_CHECK_RATE
from citycredit.tools.demo.schedule import delivered_at
from citycredit.tools.demo.styles import Style
from citycredit.tools.demo.subjects import Organisations, Pools, company_names, organisations
from citycredit.tools.demo.vocabulary import DISTRICTS
from citycredit.tools.demo.writers import DeliveredFile, feed_folder, write_delivery

REGISTER_CLOSED_RATE = 0.04  # of the register's subjects: 注销 or 吊销 before the month
REGISTER_CLOSING_PER_WEEK = (2, 6)  # subjects 注销 during the month, per weekly change file
REGISTER_NEW_SHARE = 0.01  # new subjects registered per week, as a share of the register


def _register_rows(orgs: Organisations, label: str, founded: np.ndarray, closed: np.ndarray, rng) -> dict:
    """Register lines of organisations; WRONG_USCC_CHECK_RATE of them with a mistyped code."""
    n = len(orgs.names)
    mistyped = quota(rng, np.ones(n, dtype=bool), WRONG_USCC_CHECK_RATE)
    region = np.array([c[2:8] for c in orgs.uscc], dtype=object)
    district = {code: name for code, name in DISTRICTS}
    return {
        "zt_mc": orgs.names.copy(),
        "zt_shxym": np.where(mistyped, orgs.bad_uscc, orgs.uscc),
        "zt_zch": blank(n),
        "zt_lx": np.full(n, label, dtype=object),
        "zt_djzt": np.where(np.isnat(closed), "存续", np.where(rng.random(n) < 0.8, "注销", "吊销")),
        "zt_clrq": founded,
        "zt_zxrq": closed,
        "zt_qhdm": region,
        "zt_djjg": np.array([f"平顶山市市场监督管理局{district.get(r) or ''}{'分局' if district.get(r) else ''}"
                             for r in region], dtype=object),
        "bz": blank(n),
    }  # fmt: skip


def register_files(
    inbox: Path, feed: Feed, style: Style, days: list[dt.date], pools: Pools, records: int, rng, tz
) -> list[DeliveredFile]:
    """The register of every company and 个体工商户 of the pools in the first file, then weekly changes:
    subjects registered that week and subjects 注销 that week (the whole line again, with its new status)."""
    start = np.datetime64(days[0], "D")
    parts = []
    for orgs, label in ((pools.companies, "企业"), (pools.businesses, "个体工商户")):
        n = len(orgs.names)
        founded = start - rng.integers(30, 25 * 365, n)
        closed = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        gone = quota(rng, np.ones(n, dtype=bool), REGISTER_CLOSED_RATE)
        closed[gone] = founded[gone] + ((start - founded[gone]).astype(np.int64) * rng.random(int(gone.sum()))).astype(
            np.int64
        )
        parts.append(_register_rows(orgs, label, founded, closed, rng))
    register = concat(parts)
    size = len(register["zt_mc"])
    folder = feed_folder(inbox, feed)
    city = load_registry().city["name"]
    delivered = [write_delivery(folder, feed, style, register, delivered_at(days[0], rng, tz), 1, rng, pasted=False)]
    for k, (previous, day) in enumerate(itertools.pairwise(days), start=2):
        span = np.datetime64(day, "D") - np.datetime64(previous, "D")
        new = organisations(rng, max(int(size * REGISTER_NEW_SHARE), 1), "91", company_names, city, 1)
        opened = np.datetime64(previous, "D") + rng.integers(0, span.astype(np.int64), len(new.names))
        none = np.full(len(new.names), np.datetime64("NaT"), dtype="datetime64[D]")
        alive = np.flatnonzero(np.isnat(register["zt_zxrq"]))
        closing = rng.choice(alive, int(rng.integers(*REGISTER_CLOSING_PER_WEEK)), replace=False)
        changed = take(register, closing)
        changed["zt_zxrq"] = np.datetime64(previous, "D") + rng.integers(0, span.astype(np.int64), len(closing))
        changed["zt_djzt"] = np.full(len(closing), "注销", dtype=object)
        register["zt_zxrq"][closing] = changed["zt_zxrq"]
        part = concat([_register_rows(new, "企业", opened, none, rng), changed])
        delivered.append(write_delivery(folder, feed, style, part, delivered_at(day, rng, tz), k, rng, pasted=False))
    return delivered
