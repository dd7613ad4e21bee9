"""异议 and 信用修复 cases handled by the credit center."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar
import numpy as np

from citycredit.feeds.registry import Feed, Registry
from citycredit.feeds.registry import load as load_registry
from citycredit.tools.demo.arrays import quota, take, years
from citycredit.tools.demo.domains import domain_of
from citycredit.tools.demo.faults import LOCAL_CODE_RATE, SWAPPED_DATES_RATE, with_faults
from citycredit.tools.demo.schedule import delivered_at, month_bounds, workdays
from citycredit.tools.demo.styles import Style
from citycredit.tools.demo.subjects import Pools, subject_columns
from citycredit.tools.demo.vocabulary import PREFIXES, SUBJECT_SHARES
from citycredit.tools.demo.writers import DeliveredFile, feed_folder, write_delivery


@dataclass(frozen=True)
class _CaseKind:
    number: str  # case numbers: this, the year and month of 受理, a serial
    per_records: int  # one case a month per this many records of a 双公示 feed
    types: tuple[tuple[str, float], ...]  # 信息类别 and their shares
    results: tuple[tuple[str, float], ...]  # 处理结果 and their shares
    days: tuple[int, int]  # 受理 to 办结: at least, below (working days or calendar days)
    slow_days: tuple[int, int]  # the same for the slow cases
    slow_share: float
    working_days: bool  # days counted on the official calendar (信用修复) or the calendar (异议)


CASE_KINDS = {
    "objection": _CaseKind("YY", 20, (("行政处罚", 0.7), ("行政许可", 0.1), ("信用名单", 0.15), ("其他", 0.05)),
                           (("异议成立", 0.35), ("部分成立", 0.15), ("异议不成立", 0.5)), (1, 11), (11, 31), 0.15,
                           working_days=False),
    "credit_repair": _CaseKind("XF", 10, (("行政处罚", 0.8), ("信用名单", 0.2)),
                               (("准予修复", 0.85), ("不予修复", 0.15)), (1, 6), (6, 15), 0.12, working_days=True),
}  # fmt: skip
LOCAL_RESULTS = {"异议成立": "成立", "部分成立": "部分采纳", "异议不成立": "不成立", "准予修复": "同意修复",
                 "不予修复": "不同意修复"}  # fmt: skip
CASE_BACKLOG_DAYS = 20  # cases accepted this many days before the month may still be open at its start
STEP_LATE_SHARE = 0.12  # 异议 steps that take longer than their one working day
STEPS = ("yy_zbrq", "yy_hsrq", "yy_hfrq")


def _shares(pairs: tuple[tuple[str, float], ...], n: int, rng) -> np.ndarray:
    values, weights = zip(*pairs, strict=True)
    return np.array(values, dtype=object)[rng.choice(len(values), n, p=np.array(weights) / sum(weights))]


def _cases(dataset: str, kind: _CaseKind, feed: Feed, registry: Registry, month: str, n: int, pools: Pools, rng):
    """n cases accepted from CASE_BACKLOG_DAYS before the month to its end: columns, and 受理 / 办结 days."""
    start, end = month_bounds(month)
    accepted = np.sort(rng.choice(workdays(start - dt.timedelta(days=CASE_BACKLOG_DAYS), end - dt.timedelta(days=1)),
                                  n)).astype("datetime64[D]")  # fmt: skip
    slow = rng.random(n) < kind.slow_share
    days = np.where(slow, rng.integers(*kind.slow_days, n), rng.integers(*kind.days, n))
    if kind.working_days:
        concluded = np.array([chinese_calendar.find_workday(int(k), d) for k, d in
                              zip(days, accepted.astype(object), strict=True)], dtype="datetime64[D]")  # fmt: skip
    else:
        concluded = accepted + days
    prefix = PREFIXES[dataset]
    kinds = rng.choice(3, n, p=SUBJECT_SHARES[dataset])
    subjects = subject_columns(prefix, kinds, pools, rng, placeholder_codes=False)
    types = _shares(kind.types, n, rng)
    # The information objected to or repaired: a record of one of the city's departments, with its 文书号.
    sources = [d for d in registry.departments if d.id != feed.department_id]
    source = rng.integers(0, len(sources), n)
    serial = rng.integers(1, 2000, n)
    year = np.array(years(accepted)) - (rng.random(n) < 0.3)
    city = registry.city["name"][0]

    def document(t: str, s: int, y: int, k: int) -> str:
        domain = domain_of(sources[s].name)
        middle = {"行政处罚": domain.penalty_doc, "行政许可": domain.license_doc}.get(t)
        return f"{city}{middle}〔{y}〕{k}号" if middle else ""

    documents = np.array(
        [document(*a) for a in zip(types.tolist(), source.tolist(), year.tolist(), serial.tolist(), strict=True)],
        dtype=object,
    )
    months = accepted.astype("datetime64[M]").astype(object)
    numbers = np.array([f"{kind.number}{m:%Y%m}{k:04d}" for k, m in enumerate(months.tolist(), start=1)], dtype=object)
    frame = {
        f"{prefix}_bh": numbers,
        f"{prefix}_zt_mc": subjects[f"{prefix}_xdr_mc"],
        f"{prefix}_shxym": subjects[f"{prefix}_xdr_shxym"],
        f"{prefix}_zjhm": subjects[f"{prefix}_xdr_zjhm"],
        f"{prefix}_xxlx": types,
        f"{prefix}_xxbh": documents,
        f"{prefix}_slrq": accepted,
        f"{prefix}_bjrq": concluded,
        f"{prefix}_jg": _shares(kind.results, n, rng),
    }
    if dataset == "objection":
        frame["yy_xxly"] = np.array([sources[s].name for s in source.tolist()], dtype=object)
        frame.update(_objection_steps(accepted, rng))
    else:
        frame["xf_slbm"] = np.full(n, feed.department_name, dtype=object)
    return frame, accepted, concluded


def _after_workdays(days: np.ndarray, start: np.ndarray) -> np.ndarray:
    return np.array([chinese_calendar.find_workday(int(k), d) for k, d in zip(days, start.astype(object), strict=True)],
                    dtype="datetime64[D]")  # fmt: skip


def _objection_steps(accepted: np.ndarray, rng) -> dict[str, np.ndarray]:
    """转办 on the day of 受理 or the next; the 信息来源单位's written answer and the reply upward one working day after
    the step before (济信用办〔2020〕14号 item 三十六), some later."""
    n = len(accepted)
    sent = accepted + rng.integers(0, 2, n).astype("timedelta64[D]")
    answered = _after_workdays(np.where(rng.random(n) < STEP_LATE_SHARE, rng.integers(2, 4, n), 1), sent)
    replied = _after_workdays(np.where(rng.random(n) < STEP_LATE_SHARE, 2, 1), answered)
    return {"yy_zbrq": sent, "yy_hsrq": answered, "yy_hfrq": replied}


def case_files(
    inbox: Path, feed: Feed, style: Style, days: list[dt.date], pools: Pools, records: int, rng, tz, month: str
) -> list[DeliveredFile]:
    """Weekly files of the credit center's 异议 or 信用修复 register: the first holds the cases open at the month's
    start and those accepted since; each file then the cases accepted or concluded since the last one. A case
    still open on a file's day comes without 办结日期 and result and comes again once concluded (a new version).
    Faults: those of every feed, results in the clerk's words (LOCAL_CODE_RATE) and swapped dates."""
    dataset = feed.dataset
    kind = CASE_KINDS[dataset]
    prefix = PREFIXES[dataset]
    count = max(records // kind.per_records, 12)
    cases, accepted, concluded = _cases(dataset, kind, feed, load_registry(), month, count, pools, rng)
    folder = feed_folder(inbox, feed)
    start = np.datetime64(month_bounds(month)[0], "D")
    delivered = []
    for k, day in enumerate(np.array(days, dtype="datetime64[D]")):
        since = np.datetime64(days[k - 1], "D") if k else start
        closed = concluded < day
        rows = (accepted < day) & ((accepted >= since) | (closed & (concluded >= since)) | (k == 0) & ~closed)
        if k == 0:
            rows &= concluded >= start
        if not rows.any():  # nothing accepted or concluded that week: no file
            continue
        part = take(cases, np.flatnonzero(rows))
        open_ = ~closed[rows]
        part[f"{prefix}_bjrq"] = np.where(open_, np.datetime64("NaT"), part[f"{prefix}_bjrq"])
        part[f"{prefix}_jg"] = np.where(open_, "", part[f"{prefix}_jg"]).astype(object)
        for step in STEPS if dataset == "objection" else ():  # a step not taken by the file's day is blank
            part[step] = np.where(part[step] < day, part[step], np.datetime64("NaT"))
        local = quota(rng, ~open_, LOCAL_CODE_RATE)
        part[f"{prefix}_jg"][local] = [LOCAL_RESULTS[r] for r in part[f"{prefix}_jg"][local].tolist()]
        swapped = quota(rng, ~open_, SWAPPED_DATES_RATE)
        part[f"{prefix}_slrq"], part[f"{prefix}_bjrq"] = (
            np.where(swapped, part[f"{prefix}_bjrq"], part[f"{prefix}_slrq"]),
            np.where(swapped, part[f"{prefix}_slrq"], part[f"{prefix}_bjrq"]),
        )
        part = with_faults(dataset, part, len(part[f"{prefix}_bh"]), rng)
        delivered.append(write_delivery(folder, feed, style, part, delivered_at(day.astype(object), rng, tz), k + 1,
                                        rng))  # fmt: skip
    return delivered
