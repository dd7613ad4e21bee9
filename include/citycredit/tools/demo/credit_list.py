"""Credit lists: listing periods over the month, delivered as snapshots or as changes."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from citycredit.feeds.registry import Feed
from citycredit.tools.demo.arrays import blank
from citycredit.tools.demo.schedule import delivered_at
from citycredit.tools.demo.styles import Style
from citycredit.tools.demo.subjects import Pools
from citycredit.tools.demo.vocabulary import BUSINESS, KIND_LABELS, LEGAL
from citycredit.tools.demo.writers import DeliveredFile, feed_folder, write_delivery


@dataclass(frozen=True)
class _ListKind:
    keyword: str  # found in the department's name
    list_type: str  # 名单类型
    basis: str  # 列入依据
    kinds: tuple[int, ...]  # LEGAL / BUSINESS


LIST_KINDS = (
    _ListKind("市场监督", "严重失信主体名单", "《市场监督管理严重违法失信名单管理办法》第二条（严重质量失信）",
              (LEGAL, BUSINESS)),
    _ListKind("生态环境", "红名单", "《企业环境信用评价办法（试行）》环保诚信企业", (LEGAL,)),
    _ListKind("应急管理", "严重失信主体名单", "《安全生产严重失信主体名单管理办法》第七条", (LEGAL, BUSINESS)),
    _ListKind("", "严重失信主体名单", "相关领域严重失信主体认定办法", (LEGAL, BUSINESS)),
)  # fmt: skip
REMOVAL_REASONS = (("修复", 0.6), ("期满", 0.3), ("撤销", 0.1))
LIST_NEW_PER_WEEK = (1, 4)  # new listings per week: at least, below
LIST_EXITS_PER_WEEK = (1, 3)


@dataclass
class _Period:
    subject: tuple[str, str, str]  # name, 统一社会信用代码, 主体类别
    listed: dt.date
    removed: dt.date | None = None
    reason: str = ""


def _listed_subjects(kind: _ListKind, pools: Pools, n: int, rng: np.random.Generator) -> list[tuple[str, str, str]]:
    """n distinct companies (and 个体工商户 where the list holds them) of the pools."""
    candidates = [(o, KIND_LABELS[k]) for k, o in ((LEGAL, pools.companies), (BUSINESS, pools.businesses))
                  if k in kind.kinds]  # fmt: skip
    chosen: dict[str, tuple[str, str, str]] = {}
    while len(chosen) < n:
        orgs, label = candidates[int(rng.integers(0, len(candidates)))]
        i = int(rng.integers(0, len(orgs.names)))
        chosen.setdefault(orgs.uscc[i], (orgs.names[i], orgs.uscc[i], label))
    return list(chosen.values())


def _list_history(kind: _ListKind, days: list[dt.date], pools: Pools, size: int, rng) -> list[_Period]:
    """Listing periods over the deliveries: a list of `size` at the start, weekly entries and exits, a re-entry."""
    weekly_new = [int(rng.integers(*LIST_NEW_PER_WEEK)) for _ in days[1:]]
    subjects = _listed_subjects(kind, pools, size + sum(weekly_new), rng)
    periods = [_Period(s, days[0] - dt.timedelta(days=int(rng.integers(20, 700)))) for s in subjects[:size]]
    fresh = iter(subjects[size:])
    reasons, weights = zip(*REMOVAL_REASONS, strict=True)
    for week, (previous, day) in enumerate(itertools.pairwise(days), start=1):
        span = (day - previous).days

        def within(previous=previous, span=span) -> dt.date:
            return previous + dt.timedelta(days=int(rng.integers(1, span + 1)))

        open_ = [p for p in periods if p.removed is None and p.listed < previous]
        for k in rng.choice(len(open_), min(int(rng.integers(*LIST_EXITS_PER_WEEK)), len(open_)), replace=False):
            open_[k].removed, open_[k].reason = within(), str(rng.choice(reasons, p=weights))
        periods += [_Period(next(fresh), within()) for _ in range(weekly_new[week - 1])]
        if week == 2:  # a subject that left the list in the first week is listed again
            gone = [(p.subject, p.removed) for p in periods if p.removed is not None and p.removed <= previous]
            if gone:
                subject, removed = gone[0]
                periods.append(_Period(subject, max(within(), removed + dt.timedelta(days=1))))
    return periods


def _list_rows(periods: list[_Period], kind: _ListKind, feed: Feed, with_exit: list[bool]) -> dict[str, np.ndarray]:
    n = len(periods)
    return {
        "md_zt_mc": np.array([p.subject[0] for p in periods], dtype=object),
        "md_zt_lb": np.array([p.subject[2] for p in periods], dtype=object),
        "md_shxym": np.array([p.subject[1] for p in periods], dtype=object),
        "md_zjhm": blank(n),
        "md_lx": np.full(n, kind.list_type, dtype=object),
        "md_rdbm": np.full(n, feed.department_name, dtype=object),
        "md_rdbmdm": np.full(n, feed.department_uscc, dtype=object),
        "md_lrrq": np.array([p.listed for p in periods], dtype="datetime64[D]"),
        "md_lryj": np.full(n, kind.basis, dtype=object),
        "md_ycrq": np.array([p.removed if e else None for p, e in zip(periods, with_exit, strict=True)],
                            dtype="datetime64[D]"),
        "md_ycyy": np.array([p.reason if e else "" for p, e in zip(periods, with_exit, strict=True)], dtype=object),
        "bz": blank(n),
    }  # fmt: skip


def credit_list_files(
    inbox: Path, feed: Feed, style: Style, days: list[dt.date], pools: Pools, records: int, rng, tz
) -> list[DeliveredFile]:
    """Weekly files of a credit list: full snapshots, or the first list then its changes (departments.yaml mode).

    A snapshot holds the periods open on its day (an exit shows as the subject missing); a change file holds the
    periods listed since the last file and, with 移出日期 and 移出原因, those that ended since.
    """
    kind = next(k for k in LIST_KINDS if k.keyword in feed.department_name)
    periods = _list_history(kind, days, pools, max(records // 20, 10), rng)
    folder = feed_folder(inbox, feed)
    snapshot = feed.options.get("mode") == "snapshot"
    delivered = []
    for k, day in enumerate(days):
        previous = days[k - 1] if k else dt.date.min
        if snapshot or k == 0:
            rows = [p for p in periods if p.listed < day and (p.removed is None or p.removed >= day)]
            exits = [False] * len(rows)
        else:
            new = [p for p in periods if previous <= p.listed < day]
            ended = [p for p in periods if p.removed is not None and previous <= p.removed < day]
            rows, exits = new + ended, [False] * len(new) + [True] * len(ended)
        at = delivered_at(day, rng, tz)
        delivered.append(write_delivery(folder, feed, style, _list_rows(rows, kind, feed, exits), at, k + 1, rng,
                                        pasted=False))  # fmt: skip
    return delivered
